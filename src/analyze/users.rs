//! §3.2: the users holding a retiring license, with their action and recommended plan.

use super::ops::{customer_order_exprs, left_join};
use super::segments::{BUSINESS_SEAT_CAP, Segments, key_at};
use crate::base::frame::{Rows, str_col};
use crate::model::{Action, Reason, ReasonArg, ReasonCode, UserRow};
use crate::reference::catalog::Segment;
use crate::reference::resolve::Resolver;
use anyhow::Result;
use polars::prelude::*;

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

/// The users table as a sorted frame, which purchases are counted from; [`UsersTable::rows`]
/// makes the report's rows from it.
pub(super) struct UsersTable {
    pub(super) frame: DataFrame,
}

impl UsersTable {
    /// The report's rows. Made last, once the license frames are dropped: in a wave they are
    /// hundreds of thousands.
    pub(super) fn rows(self, segments: &Segments, resolver: &Resolver) -> Result<Vec<UserRow>> {
        user_rows(&self.frame, segments, resolver)
    }
}

/// One row per (customer, user, retirement) for every retiring license held.
pub(super) fn table(
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
    Ok(UsersTable { frame: df })
}

/// A covering license's String_Id, remembered per distinct license.
fn covering_sku<'d>(
    memo: &mut crate::base::hash::FastMap<&'d str, Option<String>>,
    resolver: &Resolver,
    license: &'d str,
) -> Option<String> {
    (memo.entry(license))
        .or_insert_with(|| resolver.sku(license).map(|s| s.string_id.clone()))
        .clone()
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
    // The covering license's String_Id, once per distinct covering license (the SKU table
    // alone: what retires does not matter here).
    let mut covering_skus = crate::base::hash::FastMap::default();
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
        let covering_license = owned(covering, i).filter(|_| action == Action::RemoveOnly);
        let info = &segments.by_key[key_at(ckeys, i)];
        let why = match action {
            Action::ReviewBlocked => Reason::new(
                ReasonCode::ReviewBlocked,
                [(ReasonArg::License, product(lic, i))],
            ),
            Action::RemoveOnly => Reason::new(
                ReasonCode::RemoveOnly,
                [
                    (ReasonArg::Covering, product(covering, i)),
                    (ReasonArg::Retirement, retirement_name),
                ],
            ),
            Action::Reassign => Reason::new(
                ReasonCode::reassign(info.basis),
                [
                    (ReasonArg::License, product(lic, i)),
                    (ReasonArg::Segment, text(segs, i)),
                    (ReasonArg::Users, info.licensed_users.to_string()),
                    (ReasonArg::Cap, BUSINESS_SEAT_CAP.to_string()),
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
            covering_sku: (covering.get(i).filter(|_| covering_license.is_some()))
                .and_then(|c| covering_sku(&mut covering_skus, resolver, c)),
            covering_license,
            why,
        });
    }
    Ok(rows)
}
