//! §3.3: suspended subscriptions, their de-provisioning date and window state, and how many
//! users still hold a license of the same SKU (or, for a retiring offer, the same retirement).

use super::Params;
use super::ops::{customer_order, distinct_users};
use crate::base::frame::Rows;
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{DeprovisioningRow, Status, Urgency, WindowState};
use anyhow::Result;
use polars::prelude::*;

/// The `deprovisioning` table, sorted by customer, then subscription id.
// Over the house's 80 lines: one polars query and the extraction of its columns.
#[allow(clippy::too_many_lines)]
pub(super) fn table(
    subs: LazyFrame,
    lics: LazyFrame,
    customers: LazyFrame,
    params: &Params,
) -> Result<Vec<DeprovisioningRow>> {
    let suspended = (subs.clone()).filter(col("status").eq(lit(Status::Suspended.as_str())));
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
    let by_sku =
        distinct_users(lics.clone(), "sku", "holders_sku").rename(["sku"], ["offer_sku"], true);
    let by_retirement = distinct_users(lics, "retirement_id", "holders_retirement");
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
        .with_column(assigned.alias("licenses_still_assigned"))
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
    let (since, assigned) = (r.dates("suspended_on")?, r.ints("licenses_still_assigned")?);
    let mut rows: Vec<DeprovisioningRow> = (0..r.len())
        .map(|i| {
            let deprovision_on = since[i].and_then(|d| params.deprovision_on(d));
            let days_left = deprovision_on.map(|d| params.days_until(d));
            let state = window_state(since[i], days_left);
            DeprovisioningRow {
                customer_id: ids[i].clone(),
                customer_name: names[i].clone().unwrap_or_default(),
                subscription_id: sub_ids[i].clone().unwrap_or_default(),
                offer_name: offers[i].clone().unwrap_or_default(),
                status: statuses[i].clone().unwrap_or_default(),
                suspended_on: since[i],
                deprovision_on,
                days_left,
                state,
                urgency: window_urgency(state, days_left),
                licenses_still_assigned: assigned[i].unwrap_or(0),
                retirement_id: rets[i].clone(),
            }
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

/// Where a window stands: without a suspension date its start is unknown; in it while days
/// are left (the de-provisioning day itself included); overdue after.
fn window_state(suspended_on: Option<chrono::NaiveDate>, days_left: Option<i64>) -> WindowState {
    match (suspended_on, days_left) {
        (None, _) => WindowState::UnknownStart,
        (Some(_), Some(days)) if days >= 0 => WindowState::InWindow,
        (Some(_), _) => WindowState::Overdue,
    }
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

/// A warning on each `active` subscription whose suspension date says it was de-provisioned
/// already (docs/rules.md §3.3): the status or the date is out of date.
pub(super) fn still_active_after_window(subs: LazyFrame, params: &Params) -> Result<Vec<Issue>> {
    let df = subs
        .filter(
            col("status")
                .eq(lit(Status::Active.as_str()))
                .and(col("suspended_on").is_not_null()),
        )
        .select([
            col("file"),
            col("row"),
            col("subscription_id"),
            col("suspended_on"),
        ])
        .collect()?;
    let r = Rows::new(&df);
    let (files, rows, ids, since) = (
        r.strs("file")?,
        r.ints("row")?,
        r.strs("subscription_id")?,
        r.dates("suspended_on")?,
    );
    let mut issues = Vec::new();
    for i in 0..r.len() {
        let (Some(suspended), Some(row)) = (since[i], rows[i]) else {
            continue;
        };
        let Some(gone) = params
            .deprovision_on(suspended)
            .filter(|d| *d < params.as_of)
        else {
            continue;
        };
        issues.push(Issue::new(
            files[i].as_deref().unwrap_or_default(),
            Some(row as usize),
            None,
            Severity::Warning,
            IssueCode::ImplausibleDates,
            format!(
                "subscription `{}` is active, but its suspension on {suspended} means it was \
                 de-provisioned on {gone}; check its status and suspension date in Partner \
                 Center",
                ids[i].as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(issues)
}
