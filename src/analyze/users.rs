//! §3.2: customer segments, users holding a retiring license with their action and
//! recommended plan, and the licences to buy.

use super::{Params, customer_order, customer_order_exprs, expiring, left_join};
use crate::attribute::{Customers, key_col};
use crate::base::frame::{Rows, str_col};
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{
    Action, CustomerRow, PurchaseRow, Reason, ReasonCode, SegmentBasis, State, UserRow,
};
use crate::reference::catalog::Segment;
use crate::reference::resolve::Resolver;
use anyhow::{Result, bail};
use polars::prelude::*;
use std::collections::HashMap;

/// The Microsoft 365 Business seat cap: up to this many licensed users is `business`.
pub const BUSINESS_SEAT_CAP: i64 = 300;

/// One customer's segment and the facts behind it.
#[derive(Debug, Clone)]
pub struct SegmentInfo {
    segment: Segment,
    reason: String,
    /// Why this segment.
    basis: SegmentBasis,
    licensed_users: i64,
    has_license_data: bool,
}

/// Segments of all customers, by `customer_key` (the customer's index).
pub struct Segments {
    by_key: Vec<SegmentInfo>,
    frame: DataFrame,
}

/// A `customer_key` value (always set on the analysed rows) as an index.
fn key_at(keys: &UInt32Chunked, i: usize) -> usize {
    keys.get(i).unwrap_or_default() as usize
}

impl Segments {
    /// The `customers` table of the report.
    pub fn rows(&self, customers: &Customers) -> Vec<CustomerRow> {
        let mut rows: Vec<CustomerRow> = customers
            .list
            .iter()
            .zip(&self.by_key)
            .map(|(c, info)| CustomerRow {
                customer_id: c.id.clone(),
                customer_name: c.name.clone(),
                customer_domain: c.domain.clone(),
                segment: info.segment,
                segment_reason: info.reason.clone(),
                licensed_users: info.licensed_users,
                has_license_data: info.has_license_data,
            })
            .collect();
        rows.sort_by_cached_key(|r| customer_order(&r.customer_name, r.customer_id.as_ref()));
        rows
    }
}

/// Segments every customer: `--segment` override, else education SKU, else ≤ 300 licensed users.
pub fn segments(lics: LazyFrame, customers: &Customers, params: &Params) -> Result<Segments> {
    let counts = lics
        .group_by([col("customer_key")])
        .agg([
            col("user_id")
                .filter(col("license").is_not_null())
                .n_unique()
                .cast(DataType::Int64)
                .alias("licensed_users"),
            col("education")
                .fill_null(lit(false))
                .any(true)
                .alias("education"),
        ])
        .collect()?;
    let r = Rows::new(&counts);
    let (users, edu) = (r.ints("licensed_users")?, r.bools("education")?);
    let mut stats: Vec<Option<(i64, bool)>> = vec![None; customers.list.len()];
    for (i, key) in counts.column("customer_key")?.u32()?.iter().enumerate() {
        if let Some(key) = key {
            stats[key as usize] = Some((users[i].unwrap_or(0), edu[i].unwrap_or(false)));
        }
    }
    let mut overrides: HashMap<usize, Segment> = HashMap::new();
    for (name, segment) in &params.segment_overrides {
        let Some(at) = customers.position_any(name) else {
            bail!(
                "--segment {name}={}: no customer has the id, name or domain `{name}`",
                segment.as_str()
            );
        };
        overrides.insert(at, *segment);
    }
    let mut by_key = Vec::with_capacity(customers.list.len());
    for (at, stat) in stats.iter().enumerate() {
        let (licensed_users, education) = stat.unwrap_or((0, false));
        let (segment, basis, reason) = if let Some(s) = overrides.get(&at) {
            (*s, SegmentBasis::Override, "set by --segment".to_string())
        } else if education {
            (
                Segment::Education,
                SegmentBasis::Education,
                "users hold an education SKU".to_string(),
            )
        } else if licensed_users <= BUSINESS_SEAT_CAP {
            (
                Segment::Business,
                SegmentBasis::Business,
                format!("{licensed_users} licensed users, at most {BUSINESS_SEAT_CAP}"),
            )
        } else {
            (
                Segment::Enterprise,
                SegmentBasis::Enterprise,
                format!("{licensed_users} licensed users, more than {BUSINESS_SEAT_CAP}"),
            )
        };
        let info = SegmentInfo {
            segment,
            reason,
            basis,
            licensed_users,
            has_license_data: stat.is_some(),
        };
        by_key.push(info);
    }
    let frame = DataFrame::new_infer_height(vec![
        key_col((0..by_key.len()).map(Some)),
        str_col(
            "segment",
            by_key.iter().map(|info| Some(info.segment.as_str())),
        ),
    ])?;
    Ok(Segments { by_key, frame })
}

/// `retirement_id, segment → recommended_sku, recommended_plan` from the catalog.
fn recommendations(resolver: &Resolver) -> PolarsResult<DataFrame> {
    let mut rows = Vec::new();
    for r in &resolver.catalog.retirements {
        for s in Segment::ALL {
            if let Some(rep) = r.recommended(s) {
                rows.push((
                    r.id.as_str(),
                    s.as_str(),
                    rep.sku.as_str(),
                    rep.name.as_str(),
                ));
            }
        }
    }
    DataFrame::new_infer_height(vec![
        str_col("retirement_id", rows.iter().map(|r| Some(r.0))),
        str_col("segment", rows.iter().map(|r| Some(r.1))),
        str_col("recommended_sku", rows.iter().map(|r| Some(r.2))),
        str_col("recommended_plan", rows.iter().map(|r| Some(r.3))),
    ])
}

/// The users table and the frame purchases are counted from.
pub struct UsersTable {
    /// Sorted rows for the report.
    pub rows: Vec<UserRow>,
    frame: DataFrame,
}

/// One row per (customer, user, retirement) for every retiring license held.
pub fn table(
    lics: LazyFrame,
    lookups: &super::lookups::Lookups,
    segments: &Segments,
    customers: LazyFrame,
    resolver: &Resolver,
) -> Result<UsersTable> {
    let keys = [col("user_id"), col("retirement_id")];
    let retiring = lics.clone().filter(col("retirement_id").is_not_null());
    let held = retiring.clone().group_by_stable(keys.clone()).agg([
        col("customer_key").first(),
        col("user_principal_name").first(),
        col("license").first().alias("retiring_license"),
        col("display_name")
            .drop_nulls()
            .first()
            .alias("display_name"),
        col("block_credential")
            .fill_null(lit(false))
            .any(true)
            .alias("blocked"),
    ]);
    // Only the licenses of users who hold a retiring one can cover it; row order is kept, so a
    // user's first covering license is the first in the file.
    let in_order = |kind| JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(kind)
    };
    let holders = retiring
        .select([col("user_id")])
        .unique(None, UniqueKeepStrategy::Any);
    let covered = lics
        .select([col("user_id"), col("license")])
        .join(
            holders,
            [col("user_id")],
            [col("user_id")],
            in_order(JoinType::Inner),
        )
        .join(
            lookups.covers.clone().lazy(),
            [col("license")],
            [col("license")],
            in_order(JoinType::Inner),
        )
        .select([
            col("user_id"),
            col("covers_retirement_id").alias("retirement_id"),
            col("license").alias("covering_license"),
        ])
        .group_by_stable(keys)
        .agg([col("covering_license").first()]);
    let action = when(col("blocked"))
        .then(lit(Action::ReviewBlocked.as_str()))
        .when(col("covering_license").is_not_null())
        .then(lit(Action::RemoveOnly.as_str()))
        .otherwise(lit(Action::Reassign.as_str()));
    let df = left_join(held, covered, &["user_id", "retirement_id"]);
    let df = left_join(df, segments.frame.clone().lazy(), &["customer_key"]);
    let df = left_join(
        df,
        recommendations(resolver)?.lazy(),
        &["retirement_id", "segment"],
    )
    .with_column(action.alias("action"))
    .left_join(customers, col("customer_key"), col("customer_key"))
    .sort_by_exprs(
        customer_order_exprs()
            .into_iter()
            .chain([
                col("user_principal_name").str().to_lowercase(),
                col("retirement_id"),
            ])
            .collect::<Vec<_>>(),
        SortMultipleOptions::default().with_maintain_order(true),
    )
    .collect()?;
    let rows = user_rows(&df, segments, resolver)?;
    Ok(UsersTable { rows, frame: df })
}

/// The report's users rows from the joined and sorted users frame.
fn user_rows<'d>(
    df: &'d DataFrame,
    segments: &Segments,
    resolver: &Resolver,
) -> Result<Vec<UserRow>> {
    let s = |name: &str| -> Result<&StringChunked> { Ok(df.column(name)?.str()?) };
    let actions = Rows::new(df).vocab("action", Action::parse)?;
    let ckeys = df.column("customer_key")?.u32()?;
    let (ids, names, upns, dnames, lic, rets, skus, plans, covering, segs) = (
        s("customer_id")?,
        s("customer_name")?,
        s("user_principal_name")?,
        s("display_name")?,
        s("retiring_license")?,
        s("retirement_id")?,
        s("recommended_sku")?,
        s("recommended_plan")?,
        s("covering_license")?,
        s("segment")?,
    );
    let owned = |column: &StringChunked, i: usize| column.get(i).map(str::to_string);
    let text = |column: &StringChunked, i: usize| column.get(i).unwrap_or_default().to_string();
    // Reasons name products as people call them, not by their String_Id; a book has a handful
    // of distinct license values over all its rows, each looked up once.
    let mut products = crate::base::hash::FastMap::default();
    let mut product = |column: &'d StringChunked, i: usize| -> String {
        let value: &'d str = column.get(i).unwrap_or_default();
        (products.entry(value))
            .or_insert_with(|| resolver.product_name(value).to_string())
            .clone()
    };
    let mut rows = Vec::with_capacity(df.height());
    for (i, &action) in actions.iter().enumerate() {
        let retirement = text(rets, i);
        let retirement_name = resolver
            .catalog
            .get(&retirement)
            .map_or(retirement.clone(), |r| r.name.clone());
        let license = text(lic, i);
        let reassign = action == Action::Reassign;
        let info = &segments.by_key[key_at(ckeys, i)];
        let why = match action {
            Action::ReviewBlocked => {
                Reason::new(ReasonCode::ReviewBlocked, [("license", product(lic, i))])
            }
            Action::RemoveOnly => Reason::new(
                ReasonCode::RemoveOnly,
                [
                    ("covering", product(covering, i)),
                    ("retirement", retirement_name),
                ],
            ),
            Action::Reassign => Reason::new(
                ReasonCode::reassign(info.basis),
                [
                    ("license", product(lic, i)),
                    ("segment", text(segs, i)),
                    ("users", info.licensed_users.to_string()),
                    ("cap", BUSINESS_SEAT_CAP.to_string()),
                ],
            ),
        };
        rows.push(UserRow {
            customer_id: owned(ids, i),
            customer_name: text(names, i),
            user_principal_name: text(upns, i),
            display_name: owned(dnames, i),
            retiring_license: license,
            retirement_id: retirement,
            action,
            recommended_sku: owned(skus, i).filter(|_| reassign),
            recommended_plan: owned(plans, i).filter(|_| reassign),
            why,
        });
    }
    Ok(rows)
}

/// Licences to buy: `reassign` users per customer × retirement × plan, plus the subscription-
/// quantity fallback for customers without any license data, with a `seat-counts` warning per
/// fallback row (those quantities count every seat, used or not).
pub fn purchases(
    users: &UsersTable,
    subs: LazyFrame,
    lics: LazyFrame,
    segments: &Segments,
    customers: LazyFrame,
    resolver: &Resolver,
    params: &Params,
) -> Result<(Vec<PurchaseRow>, Vec<Issue>)> {
    let counted = users
        .frame
        .clone()
        .lazy()
        .filter(col("action").eq(lit(Action::Reassign.as_str())))
        .group_by([
            col("customer_key"),
            col("customer_id"),
            col("customer_name"),
            col("retirement_id"),
            col("recommended_sku"),
            col("recommended_plan"),
        ])
        .agg([len().cast(DataType::Int64).alias("quantity")])
        .collect()?;
    let with_licenses = lics
        .select([col("customer_key"), lit(true).alias("has_licenses")])
        .unique(None, UniqueKeepStrategy::First);
    let fallback = expiring::retiring(subs, customers, params)
        .filter(col("state").neq(lit(State::Ended.as_str())))
        .left_join(with_licenses, col("customer_key"), col("customer_key"))
        .filter(col("has_licenses").is_null())
        .group_by([
            col("customer_key"),
            col("customer_id"),
            col("customer_name"),
            col("retirement_id"),
        ])
        .agg([
            col("quantity").sum().alias("quantity"),
            len().cast(DataType::Int64).alias("subscriptions"),
            col("file").first().alias("file"),
        ])
        .collect()?;

    let mut rows = Vec::new();
    let r = Rows::new(&counted);
    let (ids, names, rets, skus, plans, qty) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("retirement_id")?,
        r.strs("recommended_sku")?,
        r.strs("recommended_plan")?,
        r.ints("quantity")?,
    );
    for i in 0..r.len() {
        let quantity = qty[i].unwrap_or(0);
        let plan = plans[i].clone().unwrap_or_default();
        rows.push(PurchaseRow {
            customer_id: ids[i].clone(),
            customer_name: names[i].clone().unwrap_or_default(),
            retirement_id: rets[i].clone().unwrap_or_default(),
            recommended_sku: skus[i].clone().unwrap_or_default(),
            why: Reason::new(
                ReasonCode::PurchaseReassign,
                [("quantity", quantity.to_string()), ("plan", plan.clone())],
            ),
            recommended_plan: plan,
            quantity,
        });
    }
    let r = Rows::new(&fallback);
    let keys = fallback.column("customer_key")?.u32()?;
    let (ids, names, rets, qty, n, files) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("retirement_id")?,
        r.ints("quantity")?,
        r.ints("subscriptions")?,
        r.strs("file")?,
    );
    let mut issues = Vec::new();
    for i in 0..r.len() {
        let retirement_id = rets[i].clone().unwrap_or_default();
        let segment = segments.by_key[key_at(keys, i)].segment;
        let retirement = resolver.catalog.get(&retirement_id);
        let Some(rep) = retirement.and_then(|r| r.recommended(segment)) else {
            continue;
        };
        let name = names[i].clone().unwrap_or_default();
        let quantity = qty[i].unwrap_or(0);
        issues.push(Issue::new(
            files[i].as_deref().unwrap_or_default(),
            None,
            None,
            Severity::Warning,
            IssueCode::SeatCounts,
            format!(
                "no user/license export is attributed to customer `{name}`, so its {quantity} \
                 licences of {plan} to buy are the seat counts of its {subs} {retiring} \
                 subscription(s) (every seat, used or not); add the customer's user export with \
                 `--licenses \"{name}=FILE\"` to buy only for the users who need one",
                plan = rep.name,
                subs = n[i].unwrap_or(0),
                retiring = retirement.map_or(retirement_id.as_str(), |r| r.name.as_str()),
            ),
        ));
        rows.push(PurchaseRow {
            customer_id: ids[i].clone(),
            customer_name: name,
            retirement_id,
            recommended_sku: rep.sku.clone(),
            recommended_plan: rep.name.clone(),
            quantity,
            why: Reason::new(
                ReasonCode::PurchaseNoLicenseData,
                [
                    ("subscriptions", n[i].unwrap_or(0).to_string()),
                    ("segment", segment.as_str().to_string()),
                ],
            ),
        });
    }
    rows.sort_by_cached_key(|p| {
        (
            customer_order(&p.customer_name, p.customer_id.as_ref()),
            p.retirement_id.clone(),
            p.recommended_sku.clone(),
            p.recommended_plan.clone(),
        )
    });
    Ok((rows, issues))
}
