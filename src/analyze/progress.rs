//! Progress per customer and retirement (docs/rules.md §3.5): what is left of steps A, B and C,
//! and the one next action — `buy` while licences are still to buy, `reassign` while users hold
//! the retiring license, `suspend` once none does but a retiring subscription is still open,
//! `wait` while a suspended one is inside its de-provisioning window, then `done`.

use super::ops::customer_order;
use super::summary::{ByCustomer, Tables};
use crate::model::{
    Action, CustomerRowKey, DeprovisioningRow, ExpiringRow, HistoryRow, NextAction, ProgressRow,
    State, SubscriptionsState, UserRow, WindowState, rows_of,
};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Where the subscriptions of one retirement stand, together.
fn subscriptions_state(expiring: &[&ExpiringRow]) -> SubscriptionsState {
    if expiring.iter().any(|e| e.state.is_open()) {
        SubscriptionsState::Open
    } else if expiring.iter().any(|e| e.state == State::Suspended) {
        SubscriptionsState::Suspended
    } else if expiring.is_empty() {
        SubscriptionsState::None
    } else {
        SubscriptionsState::Ended
    }
}

/// The next action of one row (docs/rules.md §3.5).
fn next_action(row: &ProgressRow, window_open: bool) -> NextAction {
    let open = row.subscription_state == SubscriptionsState::Open;
    match row.users_left {
        _ if row.to_buy > 0 => NextAction::Buy,
        Some(left) if left > 0 => NextAction::Reassign,
        // Without license data nobody can tell whether users still hold it.
        None if open => NextAction::Reassign,
        _ if open => NextAction::Suspend,
        _ if window_open => NextAction::Wait,
        _ => NextAction::Done,
    }
}

/// One row per customer and retirement that any table names, sorted like every table.
pub(super) fn progress(t: &Tables, as_of: NaiveDate) -> Vec<ProgressRow> {
    let ByCustomer {
        customers,
        expiring,
        users,
        purchases,
        deprovisioning,
    } = &t.by;
    let mut rows = Vec::new();
    let keys: BTreeSet<_> = (expiring.keys().chain(users.keys()))
        .chain(purchases.keys())
        .chain(deprovisioning.keys())
        .copied()
        .collect();
    for key in keys {
        let subscriptions = rows_of(expiring, &key);
        let holders_all = rows_of(users, &key);
        let buys = rows_of(purchases, &key);
        let suspended = rows_of(deprovisioning, &key);
        let has_data = (customers.get(&key)).is_some_and(|c| c.iter().any(|c| c.has_license_data));
        let retirements: BTreeSet<&str> = (subscriptions.iter())
            .map(|r| r.retirement_id.as_str())
            .chain(holders_all.iter().map(|r| &*r.retirement_id))
            .chain(buys.iter().map(|r| r.retirement_id.as_str()))
            .chain(suspended.iter().filter_map(|r| r.retirement_id.as_deref()))
            .collect();
        for id in retirements {
            let subs: Vec<&ExpiringRow> = subscriptions
                .iter()
                .copied()
                .filter(|r| r.retirement_id == id)
                .collect();
            let holders: Vec<&&UserRow> = holders_all
                .iter()
                .filter(|r| *r.retirement_id == *id)
                .collect();
            let distinct = |blocked: bool| {
                (holders.iter())
                    .filter(|r| !blocked || r.action == Action::ReviewBlocked)
                    .map(|r| r.user_principal_name.as_str())
                    .collect::<BTreeSet<_>>()
                    .len() as i64
            };
            let windows: Vec<&&DeprovisioningRow> = (suspended.iter())
                .filter(|r| r.retirement_id.as_deref() == Some(id))
                .collect();
            let mut row = ProgressRow {
                customer_id: key.0.map(str::to_string),
                customer_name: key.1.to_string(),
                retirement_id: id.to_string(),
                to_buy: (buys.iter().filter(|r| r.retirement_id == id))
                    .map(|r| r.to_buy)
                    .sum(),
                users_left: has_data.then(|| distinct(false)),
                users_blocked: has_data.then(|| distinct(true)),
                subscription_state: subscriptions_state(&subs),
                end_date: (subs.iter())
                    .filter(|r| r.state.is_open())
                    .filter_map(|r| r.end_date)
                    .min(),
                deprovision_on: windows.iter().filter_map(|r| r.deprovision_on).max(),
                next_action: NextAction::Done,
            };
            let window_open = windows.iter().any(|w| match w.deprovision_on {
                Some(date) => date > as_of,
                None => w.state != WindowState::Overdue,
            });
            row.next_action = next_action(&row, window_open);
            rows.push(row);
        }
    }
    rows.sort_by_cached_key(|r| {
        (
            customer_order(&r.customer_name, r.customer_id.as_ref()),
            r.retirement_id.clone(),
        )
    });
    rows
}

/// This report's points of the trend, one per progress row, and the earlier ones carried from
/// the previous report (`earlier`; a point of the same as-of is replaced), sorted by as-of.
pub fn history(report: &crate::model::Report, earlier: &[HistoryRow]) -> Vec<HistoryRow> {
    let as_of = report.run.as_of;
    let mut rows: Vec<HistoryRow> = (earlier.iter())
        .filter(|h| h.as_of != as_of)
        .cloned()
        .collect();
    // Open retiring subscriptions per customer and retirement, counted in one pass.
    let mut open_of: std::collections::HashMap<(crate::model::CustomerKey<'_>, &str), i64> =
        std::collections::HashMap::new();
    for e in report.expiring.iter().filter(|e| e.state.is_open()) {
        *open_of
            .entry((e.customer_key(), e.retirement_id.as_str()))
            .or_default() += 1;
    }
    for p in &report.progress {
        let open = open_of
            .get(&(p.customer_key(), p.retirement_id.as_str()))
            .copied()
            .unwrap_or(0);
        rows.push(HistoryRow {
            as_of,
            customer_id: p.customer_id.clone(),
            customer_name: p.customer_name.clone(),
            retirement_id: p.retirement_id.clone(),
            users_left: p.users_left,
            to_buy: p.to_buy,
            open_subscriptions: open,
        });
    }
    rows.sort_by_cached_key(|h| {
        (
            h.as_of,
            customer_order(&h.customer_name, h.customer_id.as_ref()),
            h.retirement_id.clone(),
        )
    });
    rows
}
