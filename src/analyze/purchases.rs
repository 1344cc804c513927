//! §3.2, last step: the licences to buy per customer, retirement and plan — the `reassign`
//! users counted, or the subscription quantities for a customer without license data.

use super::ops::customer_order;
use super::segments::{Segments, key_at};
use super::users::UsersTable;
use super::{Params, expiring};
use crate::base::frame::Rows;
use crate::base::hash::FastMap;
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{Action, Cost, PurchaseRow, Reason, ReasonArg, ReasonCode, State};
use crate::reference::resolve::Resolver;
use anyhow::Result;
use polars::prelude::*;

/// Licences to buy: `reassign` users per customer × retirement × plan, plus the subscription-
/// quantity fallback for customers without any license data, with a `seat-counts` warning per
/// fallback row (those quantities count every seat, used or not).
pub(super) fn purchases(
    users: &UsersTable,
    subs: LazyFrame,
    lics: LazyFrame,
    segments: &Segments,
    customers: LazyFrame,
    resolver: &Resolver,
    params: &Params,
) -> Result<(Vec<PurchaseRow>, Vec<Issue>)> {
    let mut laps = crate::base::laps::Laps::start("purchases");
    let mut keyed = counted(users)?;
    laps.lap("counted");
    let fallback = Fallback { segments, resolver };
    let (seat_counts, issues) = fallback.rows(subs.clone(), lics.clone(), customers, params)?;
    laps.lap("fallback");
    keyed.extend(seat_counts);
    super::owned::apply(&mut keyed, subs, lics)?;
    laps.lap("owned and used seats");
    let mut rows: Vec<PurchaseRow> = keyed.into_iter().map(|(_, row)| row).collect();
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

/// A purchase row with its customer's key.
type Keyed = (u32, PurchaseRow);

/// A purchase line's group: customer key, retirement, and the plan's String_Id and name.
type Group<'f> = (
    Option<u32>,
    Option<&'f str>,
    Option<&'f str>,
    Option<&'f str>,
);
/// A group, its first row's customer id and name, and its users.
type Counted<'f> = (Group<'f>, (Option<&'f str>, Option<&'f str>), i64);

/// A purchase line per customer, retirement and plan: the `reassign` users counted (with the
/// customer's key), in one pass over the users frame. A customer's id and name come with its
/// key, so the first row of a group gives them.
fn counted(users: &UsersTable) -> Result<Vec<Keyed>> {
    let f = &users.frame;
    let text = |name: &str| -> Result<&StringChunked> { Ok(f.column(name)?.str()?) };
    let keys = f.column("customer_key")?.u32()?;
    let (ids, names, actions) = (
        text("customer_id")?,
        text("customer_name")?,
        text("action")?,
    );
    let (rets, skus, plans) = (
        text("retirement_id")?,
        text("recommended_sku")?,
        text("recommended_plan")?,
    );
    // Each group once, in the order first met: its key, first row's id and name, and count.
    let mut groups: Vec<Counted> = Vec::new();
    let mut at: FastMap<Group, usize> = FastMap::default();
    let rows = (keys.iter().zip(actions.iter()))
        .zip(rets.iter().zip(skus.iter()).zip(plans.iter()))
        .zip(ids.iter().zip(names.iter()));
    for (((key, action), ((ret, sku), plan)), customer) in rows {
        if action != Some(Action::Reassign.as_str()) {
            continue;
        }
        let group = (key, ret, sku, plan);
        let i = *at.entry(group).or_insert_with(|| {
            groups.push((group, customer, 0));
            groups.len() - 1
        });
        groups[i].2 += 1;
    }
    let rows = groups
        .into_iter()
        .map(|((key, ret, sku, plan), (id, name), quantity)| {
            let plan = plan.unwrap_or_default().to_string();
            let row = PurchaseRow {
                customer_id: id.map(str::to_string),
                customer_name: name.unwrap_or_default().to_string(),
                retirement_id: ret.unwrap_or_default().to_string(),
                recommended_sku: sku.unwrap_or_default().to_string(),
                why: Reason::new(
                    ReasonCode::PurchaseReassign,
                    [
                        (ReasonArg::Quantity, quantity.to_string()),
                        (ReasonArg::Plan, plan.clone()),
                    ],
                ),
                recommended_plan: plan,
                quantity,
                seats_owned: 0,
                seats_used: None,
                to_buy: quantity,
                cost: Cost::default(),
            };
            (key.unwrap_or_default(), row)
        });
    Ok(rows.collect())
}

/// Whether the `state` column holds an open state ([`State::is_open`]).
pub(super) fn open_state() -> Expr {
    State::open()
        .map(|s| col("state").eq(lit(s.as_str())))
        .reduce(Expr::or)
        .expect("some states are open")
}

/// What the seat-count fallback looks plans up in.
struct Fallback<'a> {
    segments: &'a Segments,
    resolver: &'a Resolver<'a>,
}

impl Fallback<'_> {
    /// A purchase line per customer without license data and retirement: the seats of its
    /// retiring subscriptions that have not ended, each with a `seat-counts` warning.
    fn rows(
        &self,
        subs: LazyFrame,
        lics: LazyFrame,
        customers: LazyFrame,
        params: &Params,
    ) -> Result<(Vec<Keyed>, Vec<Issue>)> {
        let fallback = Self::seat_counts(subs, lics, customers, params)?;
        let mut rows = Vec::new();
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
            let segment = self.segments.by_key[key_at(keys, i)].segment;
            let retirement = self.resolver.catalog.get(&retirement_id);
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
            let row = PurchaseRow {
                customer_id: ids[i].clone(),
                customer_name: name,
                retirement_id,
                recommended_sku: rep.sku.clone(),
                recommended_plan: rep.name.clone(),
                quantity,
                seats_owned: 0,
                seats_used: None,
                to_buy: quantity,
                why: Reason::new(
                    ReasonCode::PurchaseNoLicenseData,
                    [
                        (ReasonArg::Subscriptions, n[i].unwrap_or(0).to_string()),
                        (ReasonArg::Segment, segment.as_str().to_string()),
                    ],
                ),
                cost: Cost::default(),
            };
            rows.push((keys.get(i).unwrap_or_default(), row));
        }
        Ok((rows, issues))
    }

    /// Per customer without license data and retirement: the seats and the number of its
    /// retiring subscriptions that have not ended, and the file of the first.
    fn seat_counts(
        subs: LazyFrame,
        lics: LazyFrame,
        customers: LazyFrame,
        params: &Params,
    ) -> Result<DataFrame> {
        // Unique keys first, then the flag: a unique over two columns encodes every row.
        let with_licenses = lics
            .select([col("customer_key")])
            .unique(None, UniqueKeepStrategy::Any)
            .with_column(lit(true).alias("has_licenses"));
        let fallback = expiring::retiring(subs, customers, params)
            // Only open subscriptions need a replacement: a suspended one is step C done, an
            // ended one is gone.
            .filter(open_state())
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
        Ok(fallback)
    }
}
