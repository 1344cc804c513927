//! §3.1: retiring subscriptions with their state, days left and urgency.

use super::{Params, customer_order, days_from};
use crate::frame::Rows;
use crate::model::ExpiringRow;
use anyhow::Result;
use polars::prelude::*;

/// `state` of a retiring subscription.
pub(super) fn state_expr() -> Expr {
    let status = || col("status");
    when(status().eq(lit("suspended")))
        .then(lit("suspended"))
        .when(
            status()
                .eq(lit("expired"))
                .or(status().eq(lit("disabled")))
                .or(status().eq(lit("deleted"))),
        )
        .then(lit("ended"))
        .when(col("auto_renew").eq(lit(false)))
        .then(lit("expiring"))
        .when(col("auto_renew").eq(lit(true)))
        .then(lit("auto-renew-on"))
        .otherwise(lit("auto-renew-unknown"))
}

fn urgency_expr() -> Expr {
    let days = || col("days_left");
    let open = col("state")
        .eq(lit("expiring"))
        .or(col("state").eq(lit("auto-renew-on")))
        .or(col("state").eq(lit("auto-renew-unknown")));
    when(open.not().or(days().is_null()))
        .then(lit("none"))
        .when(days().lt(lit(0)))
        .then(lit("overdue"))
        .when(days().lt_eq(lit(30)))
        .then(lit("due-30"))
        .when(days().lt_eq(lit(90)))
        .then(lit("due-90"))
        .otherwise(lit("later"))
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

/// The `expiring` table, sorted by customer, then subscription id.
pub fn table(subs: LazyFrame, customers: LazyFrame, params: &Params) -> Result<Vec<ExpiringRow>> {
    let df = retiring(subs, customers, params)
        .with_column(urgency_expr().alias("urgency"))
        .collect()?;
    let r = Rows::new(&df);
    let (ids, names, subs_ids, offers, rets, states, urg, statuses) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("subscription_id")?,
        r.strs("offer_name")?,
        r.strs("retirement_id")?,
        r.strs("state")?,
        r.strs("urgency")?,
        r.strs("status")?,
    );
    let (qty, renew, end, days) = (
        r.ints("quantity")?,
        r.bools("auto_renew")?,
        r.dates("end_date")?,
        r.ints("days_left")?,
    );
    let window = chrono::Duration::days(params.deprovision_days);
    let mut rows: Vec<ExpiringRow> = (0..r.len())
        .map(|i| {
            let open = states[i]
                .as_deref()
                .is_some_and(super::summary::is_open_state);
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
                urgency: urg[i].clone().unwrap_or_default(),
                state: states[i].clone().unwrap_or_default(),
                deprovision_if_suspended_today: open.then(|| params.as_of + window),
                deprovision_if_suspended_on_end_date: end[i].filter(|_| open).map(|d| d + window),
            }
        })
        .collect();
    rows.sort_by_key(|r| {
        (
            customer_order(&r.customer_name, r.customer_id.as_ref()),
            r.subscription_id.clone(),
        )
    });
    Ok(rows)
}
