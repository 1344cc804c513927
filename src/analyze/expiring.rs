//! §3.1: retiring subscriptions with their state, days left and urgency.

use super::Params;
use super::ops::{customer_order, days_from};
use crate::base::frame::Rows;
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{ExpiringRow, State, Urgency};
use anyhow::Result;
use polars::prelude::*;

/// `state` of a retiring subscription.
pub(super) fn state_expr() -> Expr {
    let status = || col("status");
    let state = |s: State| lit(s.as_str());
    when(status().eq(lit("suspended")))
        .then(state(State::Suspended))
        .when(
            status()
                .eq(lit("expired"))
                .or(status().eq(lit("disabled")))
                .or(status().eq(lit("deleted"))),
        )
        .then(state(State::Ended))
        .when(col("auto_renew").eq(lit(false)))
        .then(state(State::Expiring))
        .when(col("auto_renew").eq(lit(true)))
        .then(state(State::AutoRenewOn))
        .otherwise(state(State::AutoRenewUnknown))
}

/// Whether the `state` column holds an open state.
pub(super) fn open_expr() -> Expr {
    State::open()
        .map(|s| col("state").eq(lit(s.as_str())))
        .reduce(Expr::or)
        .expect("some states are open")
}

fn urgency_expr() -> Expr {
    let days = || col("days_left");
    let urgency = |u: Urgency| lit(u.as_str());
    when(open_expr().not().or(days().is_null()))
        .then(urgency(Urgency::None))
        .when(days().lt(lit(0)))
        .then(urgency(Urgency::Overdue))
        .when(days().lt_eq(lit(Urgency::DUE_30_DAYS)))
        .then(urgency(Urgency::Due30))
        .when(days().lt_eq(lit(Urgency::DUE_90_DAYS)))
        .then(urgency(Urgency::Due90))
        .otherwise(urgency(Urgency::Later))
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
    let df = retiring(subs, customers, params)
        .with_column(urgency_expr().alias("urgency"))
        .collect()?;
    let r = Rows::new(&df);
    let (ids, names, subs_ids, offers, rets, statuses) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("subscription_id")?,
        r.strs("offer_name")?,
        r.strs("retirement_id")?,
        r.strs("status")?,
    );
    let (states, urg) = (
        r.vocab("state", State::parse)?,
        r.vocab("urgency", Urgency::parse)?,
    );
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
    let window = chrono::Duration::days(params.deprovision_days);
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
                urgency: urg[i],
                state: states[i],
                // Checked: a date the calendar cannot hold is no date, never a panic (the inputs
                // keep every date far inside it, years 1000–9998 plus at most 3650 days).
                deprovision_if_suspended_today: open
                    .then(|| params.as_of.checked_add_signed(window))
                    .flatten(),
                deprovision_if_suspended_on_end_date: end[i]
                    .filter(|_| open)
                    .and_then(|d| d.checked_add_signed(window)),
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
