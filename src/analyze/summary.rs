//! The report's `summary`: headline counts, the weekly expiry series and where each affected
//! customer stands, all derived from the finished tables so that every exporter shows the same
//! figures.

use super::ops::customer_order;
use crate::model::{Action, Segment, State, Urgency, WindowState};
use crate::model::{
    Count, CustomerProgress, CustomerRow, DeprovisioningRow, ExpiringRow, PlanSeats, PurchaseRow,
    ReplacementInfo, RetirementInfo, RetirementProgress, Summary, UserRow, WeekSeats,
};
use crate::model::{CustomerRowKey, PerCustomer, by_customer, rows_of};
use crate::reference::resolve::Resolver;
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::BTreeMap;

/// The tables the summary and the progress table are computed from.
pub struct Tables<'a> {
    pub customers: &'a [CustomerRow],
    pub expiring: &'a [ExpiringRow],
    pub users: &'a [UserRow],
    pub purchases: &'a [PurchaseRow],
    pub deprovisioning: &'a [DeprovisioningRow],
    /// The retirements the tables name, from the catalog.
    pub retirements: &'a [RetirementInfo],
    /// The same tables' rows per customer, grouped once for both.
    pub by: ByCustomer<'a>,
}

/// Each table's rows per customer.
pub struct ByCustomer<'a> {
    pub customers: PerCustomer<'a, CustomerRow>,
    pub expiring: PerCustomer<'a, ExpiringRow>,
    pub users: PerCustomer<'a, UserRow>,
    pub purchases: PerCustomer<'a, PurchaseRow>,
    pub deprovisioning: PerCustomer<'a, DeprovisioningRow>,
}

impl<'a> Tables<'a> {
    /// The tables, with their rows grouped by customer.
    pub fn new(
        customers: &'a [CustomerRow],
        expiring: &'a [ExpiringRow],
        users: &'a [UserRow],
        purchases: &'a [PurchaseRow],
        deprovisioning: &'a [DeprovisioningRow],
        retirements: &'a [RetirementInfo],
    ) -> Tables<'a> {
        Tables {
            customers,
            expiring,
            users,
            purchases,
            deprovisioning,
            retirements,
            by: ByCustomer {
                customers: by_customer(customers),
                expiring: by_customer(expiring),
                users: by_customer(users),
                purchases: by_customer(purchases),
                deprovisioning: by_customer(deprovisioning),
            },
        }
    }
}

/// How many of `values` there are of every key in `keys`' order.
fn counts<K: Copy + Ord>(keys: &[K], values: impl Iterator<Item = K>) -> Vec<Count<K>> {
    let mut by: BTreeMap<K, i64> = BTreeMap::new();
    for v in values {
        *by.entry(v).or_default() += 1;
    }
    keys.iter()
        .map(|&key| Count {
            key,
            count: by.get(&key).copied().unwrap_or(0),
        })
        .collect()
}

/// Open and with an end date: the subscriptions that have a deadline.
fn has_deadline(e: &ExpiringRow) -> bool {
    e.urgency != Urgency::None
}

/// The most urgent of `urgencies` (`none` without any); the enum is ordered most urgent first.
fn most_urgent(urgencies: impl Iterator<Item = Urgency>) -> Urgency {
    urgencies.min().unwrap_or(Urgency::None)
}

/// Monday of the ISO week of `date`.
fn week_start(date: NaiveDate) -> NaiveDate {
    let back = Duration::days(i64::from(date.weekday().num_days_from_monday()));
    date.checked_sub_signed(back).unwrap_or(date)
}

fn weekly(expiring: &[ExpiringRow]) -> Vec<WeekSeats> {
    let mut by_week: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    for e in expiring.iter().filter(|e| has_deadline(e)) {
        if let Some(end) = e.end_date {
            let slot = by_week.entry(week_start(end)).or_default();
            slot.0 += 1;
            slot.1 += e.quantity.unwrap_or(0);
        }
    }
    let (Some(first), Some(last)) = (
        by_week.keys().next().copied(),
        by_week.keys().next_back().copied(),
    ) else {
        return Vec::new();
    };
    let mut weeks = Vec::new();
    let mut monday = first;
    while monday <= last {
        let (subscriptions, seats) = by_week.get(&monday).copied().unwrap_or((0, 0));
        let iso = monday.iso_week();
        weeks.push(WeekSeats {
            iso_week: format!("{}-W{:02}", iso.year(), iso.week()),
            week_start: monday,
            subscriptions,
            seats,
        });
        let Some(next) = monday.checked_add_signed(Duration::days(7)) else {
            break;
        };
        monday = next;
    }
    weeks
}

fn seats_by_plan(purchases: &[PurchaseRow]) -> Vec<PlanSeats> {
    let mut by: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for p in purchases {
        *by.entry((&p.recommended_plan, &p.recommended_sku))
            .or_default() += p.to_buy;
    }
    by.into_iter()
        .map(|((plan, sku), quantity)| PlanSeats {
            recommended_sku: sku.to_string(),
            recommended_plan: plan.to_string(),
            quantity,
        })
        .collect()
}

/// The replacements of a retirement offered to a customer's segment, besides the plans it buys.
fn other_options<'p>(
    info: Option<&RetirementInfo>,
    segment: Segment,
    purchases: impl Iterator<Item = &'p &'p PurchaseRow> + Clone,
) -> Vec<ReplacementInfo> {
    let Some(info) = info else {
        return Vec::new();
    };
    (info.replacements.iter())
        .filter(|o| o.segments.contains(&segment))
        .filter(|o| {
            !(purchases.clone()).any(|p| p.recommended_plan == o.name && p.recommended_sku == o.sku)
        })
        .cloned()
        .collect()
}

/// Per retirement of one customer: open seats, assigned and unassigned seats.
fn retirements(
    c: &CustomerRow,
    infos: &[RetirementInfo],
    expiring: &[&ExpiringRow],
    users: &[&UserRow],
    purchases: &[&PurchaseRow],
) -> Vec<RetirementProgress> {
    let mut ids: Vec<&str> = expiring
        .iter()
        .map(|e| e.retirement_id.as_str())
        .chain(users.iter().map(|u| &*u.retirement_id))
        .chain(purchases.iter().map(|p| p.retirement_id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rows: Vec<RetirementProgress> = ids
        .into_iter()
        .map(|id| {
            let open: Vec<&&ExpiringRow> = expiring
                .iter()
                .filter(|e| e.retirement_id == id && e.state.is_open())
                .collect();
            let open_seats = open.iter().map(|e| e.quantity.unwrap_or(0)).sum();
            let mut holders: Vec<&str> = users
                .iter()
                .filter(|u| *u.retirement_id == *id)
                .map(|u| u.user_principal_name.as_str())
                .collect();
            holders.sort_unstable();
            holders.dedup();
            let assigned = c.has_license_data.then_some(holders.len() as i64);
            RetirementProgress {
                retirement_id: id.to_string(),
                earliest_end_date: open.iter().filter_map(|e| e.end_date).min(),
                urgency: most_urgent(
                    expiring
                        .iter()
                        .filter(|e| e.retirement_id == id)
                        .map(|e| e.urgency),
                ),
                open_seats,
                assigned_seats: assigned,
                unassigned_seats: assigned.map(|a| (open_seats - a).max(0)),
                suspended_done: open.is_empty()
                    && (expiring.iter())
                        .any(|e| e.retirement_id == id && e.state == State::Suspended),
                other_options: other_options(
                    infos.iter().find(|i| i.id == id),
                    c.segment,
                    purchases.iter().filter(|p| p.retirement_id == id),
                ),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.earliest_end_date.is_none(), a.earliest_end_date)
            .cmp(&(b.earliest_end_date.is_none(), b.earliest_end_date))
    });
    rows
}

fn progress(t: &Tables, as_of: NaiveDate) -> Vec<CustomerProgress> {
    let ByCustomer {
        expiring,
        users,
        purchases,
        deprovisioning,
        ..
    } = &t.by;
    let mut rows: Vec<CustomerProgress> = t
        .customers
        .iter()
        .filter_map(|c| {
            let key = c.customer_key();
            let expiring = rows_of(expiring, &key);
            let suspended = deprovisioning.get(&key).map_or(0, Vec::len) as i64;
            if expiring.is_empty() && suspended == 0 {
                return None;
            }
            let users = rows_of(users, &key);
            let purchases = rows_of(purchases, &key);
            let action = |a: Action| users.iter().filter(|u| u.action == a).count() as i64;
            let earliest = expiring
                .iter()
                .filter(|e| has_deadline(e))
                .filter_map(|e| e.end_date)
                .min();
            Some(CustomerProgress {
                customer_id: c.customer_id.clone(),
                customer_name: c.customer_name.clone(),
                customer_domain: c.customer_domain.clone(),
                segment: c.segment,
                earliest_end_date: earliest,
                days_left: earliest.map(|d| (d - as_of).num_days()),
                urgency: most_urgent(expiring.iter().map(|e| e.urgency)),
                retiring_subscriptions: expiring.len() as i64,
                suspended_subscriptions: suspended,
                users_to_reassign: action(Action::Reassign),
                users_remove_only: action(Action::RemoveOnly),
                users_review_blocked: action(Action::ReviewBlocked),
                seats_to_buy: purchases.iter().map(|p| p.to_buy).sum(),
                seats_from_seat_counts: purchases
                    .iter()
                    .filter(|p| p.why.code.is_seat_count())
                    .map(|p| p.to_buy)
                    .sum(),
                retirements: retirements(c, t.retirements, expiring, users, purchases),
            })
        })
        .collect();
    rows.sort_by_cached_key(|p| {
        (
            p.earliest_end_date.is_none(),
            p.earliest_end_date,
            customer_order(&p.customer_name, p.customer_id.as_ref()),
        )
    });
    rows
}

/// The catalog entries the tables name, in catalog order.
pub fn retirements_used(
    resolver: &Resolver,
    expiring: &[ExpiringRow],
    users: &[UserRow],
    deprovisioning: &[DeprovisioningRow],
) -> Vec<RetirementInfo> {
    let used = |id: &str| {
        expiring.iter().any(|e| e.retirement_id == id)
            || users.iter().any(|u| *u.retirement_id == *id)
            || deprovisioning
                .iter()
                .any(|d| d.retirement_id.as_deref() == Some(id))
    };
    resolver
        .catalog
        .retirements
        .iter()
        .filter(|r| used(&r.id))
        .map(|r| RetirementInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            names: r.names.clone(),
            replacements: r
                .replacements
                .iter()
                .map(|p| ReplacementInfo {
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    segments: p.segments.clone(),
                })
                .collect(),
            covered_by_plans: r.covered_by_plans.clone(),
            covered_by_skus: r.covered_by_skus.clone(),
            part_numbers: (r.aliases.iter())
                .filter(|a| crate::reference::names::is_part_number(a))
                .cloned()
                .collect(),
            source: r.source.clone(),
        })
        .collect()
}

/// Computes the summary of finished tables.
pub fn summarize(t: &Tables, as_of: NaiveDate) -> Summary {
    let customers = progress(t, as_of);
    Summary {
        customers_affected: customers.len() as i64,
        subscriptions_by_urgency: counts(&Urgency::ALL, t.expiring.iter().map(|e| e.urgency)),
        subscriptions_by_state: counts(&State::ALL, t.expiring.iter().map(|e| e.state)),
        seats_to_buy: seats_by_plan(t.purchases),
        customers_on_seat_counts: customers.iter().filter(|c| c.on_seat_counts()).count() as i64,
        seats_from_seat_counts: customers.iter().map(|c| c.seats_from_seat_counts).sum(),
        users_by_action: counts(&Action::ALL, t.users.iter().map(|u| u.action)),
        windows_closing_30: t
            .deprovisioning
            .iter()
            .filter(|d| {
                d.state == WindowState::InWindow
                    && d.days_left.is_some_and(|n| n <= Urgency::DUE_30_DAYS)
            })
            .count() as i64,
        windows_overdue: t
            .deprovisioning
            .iter()
            .filter(|d| d.state == WindowState::Overdue)
            .count() as i64,
        weekly_expiries: weekly(t.expiring),
        customers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_and_gaps_are_filled() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let row = |end: &str, qty: i64, urgency: Urgency| ExpiringRow {
            customer_id: None,
            customer_name: "C".into(),
            subscription_id: end.into(),
            offer_name: String::new(),
            retirement_id: String::new(),
            quantity: Some(qty),
            status: "active".into(),
            auto_renew: Some(false),
            end_date: Some(d(end)),
            days_left: None,
            urgency,
            state: State::Expiring,
            deprovision_if_suspended_today: None,
            deprovision_if_suspended_on_end_date: None,
        };
        // 2026-12-31 is a Thursday of 2026-W53; 2027-01-03 (Sunday) is in the same week.
        let rows = [
            row("2026-12-31", 5, Urgency::Due90),
            row("2027-01-03", 2, Urgency::Due90),
            row("2027-01-18", 1, Urgency::Later),
            row("2027-06-01", 99, Urgency::None),
        ];
        let weeks = weekly(&rows);
        let got: Vec<(&str, i64, i64)> = weeks
            .iter()
            .map(|w| (w.iso_week.as_str(), w.subscriptions, w.seats))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-W53", 2, 7),
                ("2027-W01", 0, 0),
                ("2027-W02", 0, 0),
                ("2027-W03", 1, 1)
            ]
        );
        assert_eq!(weeks[0].week_start, d("2026-12-28"));
    }
}
