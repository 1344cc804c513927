//! §3.3: suspended subscriptions, their de-provisioning date and window state, and how many
//! users still hold a license of the same SKU (or, for a retiring offer, the same retirement).

use super::Params;
use super::ops::{customer_order, customer_rows};
use crate::base::frame::Rows;
use crate::base::hash::{FastMap, FastSet};
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{DeprovisioningRow, Status, Urgency, WindowState};
use anyhow::Result;
use polars::prelude::*;

/// The `deprovisioning` table, sorted by customer, then subscription id. A row's customer id
/// and name are the customer's (gathered by key from `customers`, which holds each customer at
/// its key's row).
pub(super) fn table(
    subs: LazyFrame,
    lics: LazyFrame,
    customers: &DataFrame,
    params: &Params,
) -> Result<Vec<DeprovisioningRow>> {
    let df = subs
        .filter(col("status").eq(lit(Status::Suspended.as_str())))
        .select([
            col("customer_key"),
            col("subscription_id"),
            col("offer_name"),
            col("offer_sku"),
            col("status"),
            col("retirement_id"),
            col("suspended_on"),
        ])
        .collect()?;
    let at = customer_rows(df.column("customer_key")?.u32()?, customers.height())?;
    let customers = customers
        .select(["customer_id", "customer_name"])?
        .take(&at)?;
    let assigned = still_assigned(&df, lics)?;
    let (r, c) = (Rows::new(&df), Rows::new(&customers));
    let (ids, names) = (c.strs("customer_id")?, c.strs("customer_name")?);
    let (sub_ids, offers, statuses, rets) = (
        r.strs("subscription_id")?,
        r.strs("offer_name")?,
        r.strs("status")?,
        r.strs("retirement_id")?,
    );
    let since = r.dates("suspended_on")?;
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
                licenses_still_assigned: assigned[i],
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

/// For each suspended subscription of `suspended` (`customer_key, offer_sku, retirement_id`):
/// how many of its customer's users still hold a license of its retirement (a retiring offer)
/// or else of its SKU, from the license rows `lics`. One pass over the license rows: only the
/// (customer, SKU) and (customer, retirement) pairs of suspended subscriptions are counted,
/// each distinct user once.
fn still_assigned(suspended: &DataFrame, lics: LazyFrame) -> Result<Vec<i64>> {
    let keys = suspended.column("customer_key")?.u32()?;
    let (skus, rets) = (
        suspended.column("offer_sku")?.str()?,
        suspended.column("retirement_id")?.str()?,
    );
    // Each subscription counts the pair it asks about; subscriptions may share one.
    let mut pairs: FastMap<(u32, bool, &str), usize> = FastMap::default();
    let mut asks = Vec::with_capacity(suspended.height());
    let mut with_suspended = Vec::new();
    for ((key, sku), ret) in keys.iter().zip(skus.iter()).zip(rets.iter()) {
        let ask = key.zip(ret.map(|r| (true, r)).or(sku.map(|s| (false, s))));
        asks.push(ask.map(|(key, (by_retirement, value))| {
            let next = pairs.len();
            *pairs.entry((key, by_retirement, value)).or_insert(next)
        }));
        if let Some(key) = key {
            let at = key as usize;
            if at >= with_suspended.len() {
                with_suspended.resize(at + 1, false);
            }
            with_suspended[at] = true;
        }
    }
    let df = lics
        .select([
            col("customer_key"),
            col("sku"),
            col("retirement_id"),
            col("user_id"),
        ])
        .collect()?;
    let (lic_keys, users) = (
        df.column("customer_key")?.u32()?,
        df.column("user_id")?.u32()?,
    );
    let (lic_skus, lic_rets) = (df.column("sku")?.str()?, df.column("retirement_id")?.str()?);
    // (pair, user): a user is counted once per pair however many rows say it.
    let mut held: FastSet<(usize, Option<u32>)> = FastSet::default();
    let rows = (lic_keys.iter().zip(users.iter())).zip(lic_skus.iter().zip(lic_rets.iter()));
    for ((key, user), (sku, ret)) in rows {
        let Some(key) = key.filter(|k| with_suspended.get(*k as usize) == Some(&true)) else {
            continue;
        };
        let mut count = |by_retirement: bool, value: Option<&str>| {
            if let Some(&pair) = value.and_then(|v| pairs.get(&(key, by_retirement, v))) {
                held.insert((pair, user));
            }
        };
        count(false, sku);
        count(true, ret);
    }
    let mut holders = vec![0i64; pairs.len()];
    for (pair, _) in held {
        holders[pair] += 1;
    }
    Ok((asks.into_iter())
        .map(|ask| ask.map_or(0, |pair| holders[pair]))
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_assigned_counts_each_customers_distinct_holders_of_the_retirement_or_sku() {
        let suspended = df!(
            "customer_key" => [0u32, 0, 1, 2, 0],
            "offer_sku" => [Some("E3"), Some("SKYPE"), Some("E3"), Some("E3"), None],
            "retirement_id" => [None, Some("skype"), None, None, None],
        )
        .unwrap();
        let lics = df!(
            "customer_key" => [0u32, 0, 0, 0, 0, 1, 1, 3, 0],
            "sku" => [Some("E3"), Some("E3"), Some("E3"), Some("SKYPE"), Some("SKYPE"), Some("E3"), Some("E5"), Some("E3"), Some("E3")],
            "retirement_id" => [None, None, None, Some("skype"), Some("skype"), None, None, None, None],
            "user_id" => [Some(1u32), Some(1), Some(2), Some(1), Some(3), Some(7), Some(8), Some(9), None],
        )
        .unwrap();
        // Customer 0: E3 held by users 1 (twice), 2 and a row without a user id; the Skype
        // retirement by users 1 and 3. Customer 1: E3 by user 7. Customer 2 has no rows; the
        // subscription without a SKU or retirement asks nothing.
        let got = still_assigned(&suspended, lics.lazy()).unwrap();
        assert_eq!(got, [3, 2, 1, 0, 0]);
    }
}
