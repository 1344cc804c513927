//! §3.1: retiring subscriptions with their state, days left and urgency.

use super::Params;
use super::ops::{customer_order, days_from};
use crate::base::frame::Rows;
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{ExpiringRow, State, Status, Urgency};
use anyhow::Result;
use polars::prelude::*;

/// `state` of a retiring subscription.
pub(super) fn state_expr() -> Expr {
    let status = || col("status");
    let state = |s: State| lit(s.as_str());
    let ended = (Status::ALL.into_iter())
        .filter(|s| s.has_ended())
        .map(|s| status().eq(lit(s.as_str())))
        .reduce(Expr::or)
        .expect("some statuses have ended");
    when(status().eq(lit(Status::Suspended.as_str())))
        .then(state(State::Suspended))
        .when(ended)
        .then(state(State::Ended))
        .when(col("auto_renew").eq(lit(false)))
        .then(state(State::Expiring))
        .when(col("auto_renew").eq(lit(true)))
        .then(state(State::AutoRenewOn))
        .otherwise(state(State::AutoRenewUnknown))
}

/// Retiring subscriptions joined with their customers: adds `state` and `days_left`.
pub(super) fn retiring(subs: LazyFrame, customers: LazyFrame, params: &Params) -> LazyFrame {
    subs.filter(col("retirement_id").is_not_null())
        .drop(cols(["customer_id", "customer_name", "customer_domain"]))
        .left_join(customers, col("customer_key"), col("customer_key"))
        .with_columns([
            state_expr().alias("state"),
            days_from("end_date", params.as_of).alias("days_left"),
        ])
}

/// The `expiring` table, sorted by customer, then subscription id, and a `no-end-date` warning
/// per open retiring subscription without an end date (it has no deadline to plan for).
pub(super) fn table(
    subs: LazyFrame,
    customers: LazyFrame,
    params: &Params,
) -> Result<(Vec<ExpiringRow>, Vec<Issue>)> {
    let df = retiring(subs, customers, params).collect()?;
    let r = Rows::new(&df);
    let (ids, names, subs_ids, offers, rets, statuses) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("subscription_id")?,
        r.strs("offer_name")?,
        r.strs("retirement_id")?,
        r.strs("status")?,
    );
    let states = r.vocab("state", State::parse)?;
    let (qty, renew, end, days) = (
        r.ints("quantity")?,
        r.bools("auto_renew")?,
        r.dates("end_date")?,
        r.ints("days_left")?,
    );
    let (files, source_rows) = (r.strs("file")?, r.ints("row")?);
    let issues = (0..r.len())
        .filter(|&i| states[i].is_open() && end[i].is_none())
        .map(|i| {
            Issue::new(
                files[i].as_deref().unwrap_or_default(),
                source_rows[i].map(|n| n as usize),
                None,
                Severity::Warning,
                IssueCode::NoEndDate,
                format!(
                    "retiring subscription `{}` ({}) of `{}` is open but has no end date, so \
                     it has no deadline and is not in the weekly chart; look up its \
                     \"Expires on\" date in Partner Center and add it to the export",
                    subs_ids[i].as_deref().unwrap_or_default(),
                    offers[i].as_deref().unwrap_or_default(),
                    names[i].as_deref().unwrap_or_default(),
                ),
            )
        })
        .collect();
    let mut rows: Vec<ExpiringRow> = (0..r.len())
        .map(|i| {
            let open = states[i].is_open();
            ExpiringRow {
                customer_id: ids[i].clone(),
                customer_name: names[i].clone().unwrap_or_default(),
                subscription_id: subs_ids[i].clone().unwrap_or_default(),
                offer_name: offers[i].clone().unwrap_or_default(),
                retirement_id: rets[i].clone().unwrap_or_default(),
                quantity: qty[i],
                status: statuses[i].clone().unwrap_or_default(),
                auto_renew: renew[i],
                end_date: end[i],
                days_left: days[i],
                urgency: Urgency::of(days[i], open),
                state: states[i],
                deprovision_if_suspended_today: open
                    .then(|| params.deprovision_on(params.as_of))
                    .flatten(),
                deprovision_if_suspended_on_end_date: end[i]
                    .filter(|_| open)
                    .and_then(|d| params.deprovision_on(d)),
            }
        })
        .collect();
    rows.sort_by_cached_key(|r| {
        (
            customer_order(&r.customer_name, r.customer_id.as_ref()),
            r.subscription_id.clone(),
        )
    });
    Ok((rows, issues))
}
