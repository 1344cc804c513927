//! What changed since the previous report (docs/rules.md §3.6): subscriptions newly at risk or
//! resolved, urgencies that rose, users moved or added, seats bought, suspensions, windows that
//! closed, customers finished. Only a previous report with an earlier as-of is compared.

use super::ops::customer_order;
use crate::base::money::Money;
use crate::model::previous::PreviousReport;
use crate::model::{
    ChangeKind, ChangeRow, NextAction, PreviousInfo, Report, State, Urgency, by_customer,
};
use std::collections::{BTreeMap, BTreeSet};

type Key = (Option<String>, String);
/// Values per (customer, retirement or plan).
type Per<V> = BTreeMap<(Key, String), V>;

fn key(id: Option<&str>, name: &str) -> Key {
    (id.map(str::to_string), name.to_string())
}

fn row(change: ChangeKind, (id, name): Key, before: String, after: String) -> ChangeRow {
    ChangeRow {
        change,
        customer_id: id,
        customer_name: name,
        retirement_id: None,
        subscription_id: None,
        recommended_sku: None,
        before,
        after,
    }
}

/// Compares `report` with `previous` (read from `source`): the changes and what was compared.
pub fn compare(
    report: &Report,
    previous: &PreviousReport,
    source: &str,
) -> (Vec<ChangeRow>, PreviousInfo) {
    let mut info = PreviousInfo {
        source: source.to_string(),
        as_of: previous.run.as_of,
        version: previous.run.version.clone(),
        compared: false,
        note: None,
        headline: None,
    };
    let as_of = report.run.as_of;
    match previous.run.as_of {
        Some(before) if before < as_of => {}
        Some(before) => {
            info.note = Some(format!(
                "the previous report is as of {before}, not before {as_of}: nothing is compared"
            ));
            return (Vec::new(), info);
        }
        None => {
            info.note = Some("the previous report has no as-of date: nothing is compared".into());
            return (Vec::new(), info);
        }
    }
    info.compared = true;
    info.headline = previous.summary.as_ref().map(|s| crate::model::Headline {
        customers_affected: s.customers_affected,
        users_to_reassign: (s.users_by_action.iter())
            .filter(|c| c.key == crate::model::Action::Reassign.as_str())
            .map(|c| c.count)
            .sum(),
        seats_to_buy: s.seats_to_buy.iter().map(|p| p.quantity).sum(),
        windows_overdue: s.windows_overdue,
    });
    let mut changes = subscriptions(report, previous);
    changes.extend(users(report, previous));
    changes.extend(seats(report, previous));
    changes.extend(costs(report, previous));
    changes.extend(windows(report, previous));
    match &previous.progress {
        Some(progress) => changes.extend(done(report, progress)),
        None => {
            info.note = Some(format!(
                "the previous report (skusunset {}) has no progress rows: customers finished \
                 since are not listed",
                previous.run.version
            ));
        }
    }
    changes.sort_by_cached_key(|c| {
        (
            c.change,
            customer_order(&c.customer_name, c.customer_id.as_ref()),
            c.retirement_id.clone(),
            c.subscription_id.clone(),
            c.recommended_sku.clone(),
        )
    });
    (changes, info)
}

fn is_open(state: &str) -> bool {
    State::parse(state).is_some_and(State::is_open)
}

/// new-expiring, resolved, urgency-up.
fn subscriptions(report: &Report, previous: &PreviousReport) -> Vec<ChangeRow> {
    let before: BTreeMap<&str, _> = (previous.expiring.iter())
        .map(|s| (s.subscription_id.as_str(), s))
        .collect();
    let now: BTreeMap<&str, _> = (report.expiring.iter())
        .map(|s| (s.subscription_id.as_str(), s))
        .collect();
    let mut changes = Vec::new();
    for (id, sub) in &now {
        let was = before.get(id).filter(|b| is_open(&b.state));
        let subscription = |mut c: ChangeRow| {
            c.retirement_id = Some(sub.retirement_id.clone());
            c.subscription_id = Some((*id).to_string());
            c
        };
        let k = key(sub.customer_id.as_deref(), &sub.customer_name);
        match was {
            None if sub.state.is_open() => changes.push(subscription(row(
                ChangeKind::NewExpiring,
                k,
                before.get(id).map_or("absent".into(), |b| b.state.clone()),
                sub.state.as_str().into(),
            ))),
            Some(b) if !sub.state.is_open() => changes.push(subscription(row(
                ChangeKind::Resolved,
                k,
                b.state.clone(),
                sub.state.as_str().into(),
            ))),
            Some(b) => {
                let rose = Urgency::parse(&b.urgency).is_some_and(|u| sub.urgency < u);
                if rose {
                    changes.push(subscription(row(
                        ChangeKind::UrgencyUp,
                        k,
                        b.urgency.clone(),
                        sub.urgency.as_str().into(),
                    )));
                }
            }
            None => {}
        }
    }
    for (id, b) in &before {
        if is_open(&b.state) && !now.contains_key(id) {
            let mut c = row(
                ChangeKind::Resolved,
                key(b.customer_id.as_deref(), &b.customer_name),
                b.state.clone(),
                "absent".into(),
            );
            c.retirement_id = Some(b.retirement_id.clone());
            c.subscription_id = Some((*id).to_string());
            changes.push(c);
        }
    }
    changes
}

/// A users row of either report: customer, retirement, user.
trait Holder {
    fn holder(&self) -> (Key, String, &str);
}

impl Holder for crate::model::UserRow {
    fn holder(&self) -> (Key, String, &str) {
        let k = key(self.customer_id.as_deref(), &self.customer_name);
        (k, self.retirement_id.to_string(), &self.user_principal_name)
    }
}

impl Holder for crate::model::previous::PreviousUser {
    fn holder(&self) -> (Key, String, &str) {
        let k = key(self.customer_id.as_deref(), &self.customer_name);
        (k, self.retirement_id.clone(), &self.user_principal_name)
    }
}

/// The distinct users per customer and retirement.
fn holders<T: Holder>(rows: &[T]) -> Per<BTreeSet<&str>> {
    let mut per: Per<BTreeSet<&str>> = BTreeMap::new();
    for row in rows {
        let (k, retirement, upn) = row.holder();
        per.entry((k, retirement)).or_default().insert(upn);
    }
    per
}

/// users-migrated, users-added: distinct users per customer and retirement.
fn users(report: &Report, previous: &PreviousReport) -> Vec<ChangeRow> {
    let (before, now) = (holders(&previous.users), holders(&report.users));
    let mut counts: Per<(BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for (k, users) in before {
        counts.entry(k).or_default().0 = users;
    }
    for (k, users) in now {
        counts.entry(k).or_default().1 = users;
    }
    let mut changes = Vec::new();
    for ((k, retirement), (before, now)) in counts {
        let kind = match now.len().cmp(&before.len()) {
            std::cmp::Ordering::Less => ChangeKind::UsersMigrated,
            std::cmp::Ordering::Greater => ChangeKind::UsersAdded,
            std::cmp::Ordering::Equal => continue,
        };
        let mut c = row(kind, k, before.len().to_string(), now.len().to_string());
        c.retirement_id = Some(retirement);
        changes.push(c);
    }
    changes
}

/// A customer's monthly cost at the partner's price: the sum over its priced lines, with the
/// currency (`None` when no line is priced).
type MonthlyCost = Option<(Money, String)>;

fn add_cost(sum: &mut MonthlyCost, amount: Option<Money>, currency: Option<&String>) {
    if let (Some(amount), Some(currency)) = (amount, currency) {
        let (total, _) = sum.get_or_insert_with(|| (Money::ZERO, currency.clone()));
        *total = total.plus(amount);
    }
}

/// cost-changed: per customer priced in both reports (in the same currency), the month's cost
/// at the partner's price moved. A report without a price list compares nothing.
fn costs(report: &Report, previous: &PreviousReport) -> Vec<ChangeRow> {
    let mut per: BTreeMap<Key, (MonthlyCost, MonthlyCost)> = BTreeMap::new();
    for p in &previous.purchases {
        let amount = p.monthly_cost.and_then(|m| Money::parse(&m.to_string()));
        let k = key(p.customer_id.as_deref(), &p.customer_name);
        add_cost(
            &mut per.entry(k).or_default().0,
            amount,
            p.currency.as_ref(),
        );
    }
    for p in &report.purchases {
        let k = key(p.customer_id.as_deref(), &p.customer_name);
        let (amount, currency) = (p.cost.monthly_cost, p.cost.currency.as_ref());
        add_cost(&mut per.entry(k).or_default().1, amount, currency);
    }
    let text = |(m, currency): (Money, String)| format!("{m} {currency}");
    (per.into_iter())
        .filter_map(|(k, (before, now))| match (before, now) {
            (Some(b), Some(n)) if b.1 == n.1 && b.0 != n.0 => {
                Some(row(ChangeKind::CostChanged, k, text(b), text(n)))
            }
            _ => None,
        })
        .collect()
}

/// seats-bought: per customer and plan still bought, less left to buy than before (a line that
/// is gone is not a purchase: its subscriptions were resolved).
fn seats(report: &Report, previous: &PreviousReport) -> Vec<ChangeRow> {
    let mut left: Per<(Option<i64>, Option<i64>)> = BTreeMap::new();
    for p in &previous.purchases {
        let k = (
            key(p.customer_id.as_deref(), &p.customer_name),
            p.recommended_sku.clone(),
        );
        let before = &mut left.entry(k).or_default().0;
        *before = Some(before.unwrap_or(0) + p.to_buy.unwrap_or(p.quantity));
    }
    for p in &report.purchases {
        let k = (
            key(p.customer_id.as_deref(), &p.customer_name),
            p.recommended_sku.clone(),
        );
        let now = &mut left.entry(k).or_default().1;
        *now = Some(now.unwrap_or(0) + p.to_buy);
    }
    let mut changes = Vec::new();
    for ((k, sku), counts) in left {
        if let (Some(before), Some(now)) = counts
            && now < before
        {
            let mut c = row(
                ChangeKind::SeatsBought,
                k,
                before.to_string(),
                now.to_string(),
            );
            c.recommended_sku = Some(sku);
            changes.push(c);
        }
    }
    changes
}

/// new-suspension, window-closed.
fn windows(report: &Report, previous: &PreviousReport) -> Vec<ChangeRow> {
    let was: BTreeSet<&str> = (previous.deprovisioning.iter())
        .map(|w| w.subscription_id.as_str())
        .collect();
    let since = previous.run.as_of;
    let mut changes = Vec::new();
    for w in &report.deprovisioning {
        let k = || key(w.customer_id.as_deref(), &w.customer_name);
        let mut push = |kind, before: String, after: String| {
            let mut c = row(kind, k(), before, after);
            c.retirement_id.clone_from(&w.retirement_id);
            c.subscription_id = Some(w.subscription_id.clone());
            changes.push(c);
        };
        if !was.contains(w.subscription_id.as_str()) {
            let on = w.suspended_on.map_or_else(String::new, |d| d.to_string());
            push(ChangeKind::NewSuspension, String::new(), on);
        }
        if let (Some(on), Some(since)) = (w.deprovision_on, since)
            && since < on
            && on <= report.run.as_of
        {
            push(ChangeKind::WindowClosed, String::new(), on.to_string());
        }
    }
    changes
}

/// customer-done: a customer and retirement whose next action became `done`.
fn done(report: &Report, progress: &[crate::model::previous::PreviousProgress]) -> Vec<ChangeRow> {
    let before: BTreeMap<(Key, &str), &str> = (progress.iter())
        .map(|p| {
            let k = key(p.customer_id.as_deref(), &p.customer_name);
            ((k, p.retirement_id.as_str()), p.next_action.as_str())
        })
        .collect();
    let mut changes = Vec::new();
    for customer in by_customer(&report.progress).values() {
        for p in customer
            .iter()
            .filter(|p| p.next_action == NextAction::Done)
        {
            let k = key(p.customer_id.as_deref(), &p.customer_name);
            let was = before.get(&(k.clone(), p.retirement_id.as_str()));
            if let Some(was) = was.filter(|w| NextAction::parse(w) != Some(NextAction::Done)) {
                let mut c = row(
                    ChangeKind::CustomerDone,
                    k,
                    (*was).to_string(),
                    "done".into(),
                );
                c.retirement_id = Some(p.retirement_id.clone());
                changes.push(c);
            }
        }
    }
    changes
}
