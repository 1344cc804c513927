//! §3.3: suspended subscriptions, their de-provisioning date and window state, and how many
//! users still hold a license of the same SKU (or, for a retiring offer, the same retirement).

use super::Params;
use super::ops::{customer_order, days_from};
use crate::base::frame::Rows;
use crate::model::{DeprovisioningRow, Urgency, WindowState};
use anyhow::Result;
use polars::prelude::*;

fn holders(lics: LazyFrame, by: &str, alias: &str) -> LazyFrame {
    lics.filter(col(by).is_not_null())
        .group_by([col("customer_key"), col(by)])
        .agg([col("user_id").n_unique().cast(DataType::Int64).alias(alias)])
}

/// The `deprovisioning` table, sorted by customer, then subscription id.
// Over the house's 80 lines: one polars query and the extraction of its columns.
#[allow(clippy::too_many_lines)]
pub(super) fn table(
    subs: LazyFrame,
    lics: LazyFrame,
    customers: LazyFrame,
    params: &Params,
) -> Result<Vec<DeprovisioningRow>> {
    let suspended = subs.clone().filter(col("status").eq(lit("suspended")));
    // Only the customers with a suspended subscription need their holders counted.
    let lics = lics.join(
        suspended
            .clone()
            .select([col("customer_key")])
            .unique(None, UniqueKeepStrategy::Any),
        [col("customer_key")],
        [col("customer_key")],
        JoinArgs::new(JoinType::Inner),
    );
    let by_sku = holders(lics.clone(), "sku", "holders_sku").rename(["sku"], ["offer_sku"], true);
    let by_retirement = holders(lics, "retirement_id", "holders_retirement");
    let deprovision_on = (col("suspended_on").cast(DataType::Int32)
        + lit(params.deprovision_days as i32))
    .cast(DataType::Date);
    let window = |w: WindowState| lit(w.as_str());
    let state = when(col("suspended_on").is_null())
        .then(window(WindowState::UnknownStart))
        .when(col("days_left").gt_eq(lit(0)))
        .then(window(WindowState::InWindow))
        .otherwise(window(WindowState::Overdue));
    let assigned = when(col("retirement_id").is_not_null())
        .then(col("holders_retirement"))
        .otherwise(col("holders_sku"))
        .fill_null(lit(0i64));
    let df = suspended
        .drop(cols(["customer_id", "customer_name", "customer_domain"]))
        .left_join(customers, col("customer_key"), col("customer_key"))
        .join(
            by_sku,
            [col("customer_key"), col("offer_sku")],
            [col("customer_key"), col("offer_sku")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            by_retirement,
            [col("customer_key"), col("retirement_id")],
            [col("customer_key"), col("retirement_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(deprovision_on.alias("deprovision_on"))
        .with_column(days_from("deprovision_on", params.as_of).alias("days_left"))
        .with_columns([
            state.alias("state"),
            assigned.alias("licenses_still_assigned"),
        ])
        .collect()?;
    let r = Rows::new(&df);
    let (ids, names, sub_ids, offers, statuses, rets) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("subscription_id")?,
        r.strs("offer_name")?,
        r.strs("status")?,
        r.strs("retirement_id")?,
    );
    let states = r.vocab("state", WindowState::parse)?;
    let (since, until, days, assigned) = (
        r.dates("suspended_on")?,
        r.dates("deprovision_on")?,
        r.ints("days_left")?,
        r.ints("licenses_still_assigned")?,
    );
    let mut rows: Vec<DeprovisioningRow> = (0..r.len())
        .map(|i| DeprovisioningRow {
            customer_id: ids[i].clone(),
            customer_name: names[i].clone().unwrap_or_default(),
            subscription_id: sub_ids[i].clone().unwrap_or_default(),
            offer_name: offers[i].clone().unwrap_or_default(),
            status: statuses[i].clone().unwrap_or_default(),
            suspended_on: since[i],
            deprovision_on: until[i],
            days_left: days[i],
            state: states[i],
            urgency: window_urgency(states[i], days[i]),
            licenses_still_assigned: assigned[i].unwrap_or(0),
            retirement_id: rets[i].clone(),
        })
        .collect();
    rows.sort_by_cached_key(|r| {
        (
            customer_order(&r.customer_name, r.customer_id.as_ref()),
            r.subscription_id.clone(),
        )
    });
    Ok(rows)
}

/// How pressing a window is: past it, `overdue`; in it, the urgency of a subscription with the
/// same days left; without a suspension date, `none`.
fn window_urgency(state: WindowState, days_left: Option<i64>) -> Urgency {
    match state {
        WindowState::Overdue => Urgency::Overdue,
        WindowState::InWindow => Urgency::of(days_left, true),
        WindowState::UnknownStart => Urgency::None,
    }
}
