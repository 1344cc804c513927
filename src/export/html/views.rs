//! What the runbook templates see: the report's rows for one customer, grouped by retirement,
//! with dates and labels already in the page's language. Grouping and wording only; every figure
//! comes from the `Report`.

mod purchase;
mod retirement;
mod since;

use super::timeline::{self, Event, Timeline};
use crate::export::ics::{deprovision_day, expiry_day};
use crate::export::locale::{Messages, Reasons};
use crate::export::notices::gets_notice;
use crate::export::slug::customer_slugs;
use crate::model::{
    ChangeRow, CustomerProgress, CustomerRowKey, DeprovisioningRow, ExpiringRow, HistoryRow,
    ProgressRow, PurchaseRow, Report, Urgency, UserRow, by_customer,
};
use crate::model::{PerCustomer, rows_of};
use chrono::NaiveDate;
use retirement::RetirementView;
use serde::Serialize;
use since::Since;
use std::collections::BTreeMap;

/// The most users a runbook lists per retirement: a 320,000-user customer would make a page no
/// browser opens. Past it the runbook says how many users there are, and all of the customer's
/// users are in `<runbook>-users.csv` beside it ([`Pages::user_lists`]).
pub(super) const USER_LIMIT: usize = 1_000;

/// Fields every page has.
#[derive(Serialize)]
struct Common<'a> {
    /// The page language's texts (`Pages::texts`).
    t: &'a minijinja::Value,
    version: &'a str,
    as_of: String,
    deprovision_days: i64,
    /// Users are pseudonyms (`--redact-users`): every page says so.
    redacted: bool,
}

/// `index.html`.
#[derive(Serialize)]
pub(super) struct IndexPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    customers: Vec<IndexRow>,
    /// Whether any customer has a step B script (the index then has a column for them).
    any_script: bool,
    /// Whether any customer has a notice (the index then has a column for them).
    any_notice: bool,
    /// The seat-count warning over all customers, worded.
    seat_counts_banner: Option<String>,
    /// The changes since the previous report, worded, each with its customer.
    since: Since,
}

#[derive(Serialize)]
struct IndexRow {
    file: String,
    #[serde(flatten)]
    customer: CustomerView,
    retiring_subscriptions: i64,
    suspended_subscriptions: i64,
    seats_to_buy: i64,
    users_to_reassign: i64,
    script: Option<ScriptLinks>,
    /// The customer's notice in `notices/`, when notices are written and it has one.
    notice: Option<String>,
}

/// The step B script of a customer and its input (file names in `scripts/`).
#[derive(Serialize, Clone)]
struct ScriptLinks {
    ps1: String,
    csv: String,
}

/// One customer's runbook.
#[derive(Serialize)]
pub(super) struct RunbookPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    customer: CustomerView,
    retirements: Vec<RetirementView>,
    suspended: Vec<SuspendedView>,
    timeline: Timeline,
    script: Option<ScriptLinks>,
    /// The customer's calendar file in `calendar/`, when calendars are written and it has one.
    calendar: Option<String>,
    /// The file with all of the customer's users, when a retirement has over [`USER_LIMIT`].
    users_file: Option<String>,
    /// This customer's changes since the previous report.
    since: Since,
}

#[derive(Serialize)]
struct CustomerView {
    name: String,
    id: Option<String>,
    domain: Option<String>,
    segment: String,
    earliest: Option<String>,
    days_left: Option<i64>,
    /// `days_left` in words: "5 days left" or "22 days overdue".
    days_text: Option<String>,
    /// Why there is no earliest deadline: no open subscription, or open ones without end date.
    no_deadline: String,
    urgency: &'static str,
    urgency_label: String,
    /// Licences to buy that are seat counts (no user export for the customer).
    seat_counts: i64,
    /// `seat_counts` worded for the index badge ("40 from seat counts"), when not 0.
    seat_counts_badge: Option<String>,
    /// The seat-count warning, worded, when `seat_counts > 0`.
    seat_counts_banner: Option<String>,
    /// Per retirement, the next action, worded ("Kaizala Pro: move the users (step B)").
    next_actions: Vec<String>,
    /// Users still on retiring licenses, report by report, when the history has more than one.
    trend: Option<String>,
}

#[derive(Serialize)]
struct SuspendedView {
    subscription_id: String,
    offer: String,
    suspended_on: Option<String>,
    deprovision_on: Option<String>,
    days_left: Option<i64>,
    state_class: &'static str,
    state_label: String,
    licenses_still_assigned: i64,
}

/// The report's rows grouped by customer, and the messages to word them with.
pub(super) struct Pages<'a> {
    report: &'a Report,
    m: Messages,
    /// `m`'s texts as the templates see them, made once: a page serialised with the table
    /// itself would copy its hundreds of entries into every runbook's context (a wave has
    /// 19,555 runbooks).
    texts: minijinja::Value,
    /// The report's reasons in `m`'s language, each worded once.
    reasons: Reasons<'a>,
    files: Vec<String>,
    /// Per runbook, the step B script (when scripts are written and the customer has one).
    scripts: Vec<Option<ScriptLinks>>,
    /// Per runbook, the file with all the customer's users, when the runbook cannot list them.
    users_files: Vec<Option<String>>,
    /// Per runbook, the customer's calendar file (when calendars are written and it has one).
    calendars: Vec<Option<String>>,
    /// Per runbook, the customer's notice (when notices are written and it has one).
    notices: Vec<Option<String>>,
    expiring: PerCustomer<'a, ExpiringRow>,
    users: PerCustomer<'a, UserRow>,
    purchases: PerCustomer<'a, PurchaseRow>,
    deprovisioning: PerCustomer<'a, DeprovisioningRow>,
    progress: PerCustomer<'a, ProgressRow>,
    changes: PerCustomer<'a, ChangeRow>,
    history: PerCustomer<'a, HistoryRow>,
    /// Recommended SKU → its plan's name (the first purchase row that names it).
    plan_names: BTreeMap<&'a str, &'a str>,
}

/// Whether a runbook lists fewer users than a customer has: some retirement has over
/// [`USER_LIMIT`].
fn lists_fewer(users: &[&UserRow]) -> bool {
    let mut per_retirement: BTreeMap<&str, usize> = BTreeMap::new();
    for u in users {
        *per_retirement.entry(&*u.retirement_id).or_default() += 1;
    }
    per_retirement.values().any(|n| *n > USER_LIMIT)
}

impl<'a> Pages<'a> {
    /// Groups the report once; `scripts`, `calendar`, `notices`: whether `scripts/`, `calendar/`
    /// and `notices/` are written beside the runbooks.
    pub(super) fn new(
        report: &'a Report,
        m: Messages,
        (scripts, calendar, notices): (bool, bool, bool),
    ) -> Pages<'a> {
        // The groupings and the worded reasons side by side: each walks all the users.
        let ((slugs, users), reasons) = rayon::join(
            || rayon::join(|| customer_slugs(report), || by_customer(&report.users)),
            || Reasons::word(report, &m),
        );
        let customers = report.summary.customers.iter().map(|c| c.customer_key());
        let files = customers
            .clone()
            .map(|k| format!("{}.html", slugs[&k]))
            .collect();
        let scripts = customers
            .clone()
            .map(|k| {
                let users = rows_of(&users, &k);
                (scripts && users.iter().any(|u| u.action.is_scripted())).then(|| ScriptLinks {
                    ps1: format!("{}.ps1", slugs[&k]),
                    csv: format!("{}.csv", slugs[&k]),
                })
            })
            .collect();
        let users_files = customers
            .clone()
            .map(|k| lists_fewer(rows_of(&users, &k)).then(|| format!("{}-users.csv", slugs[&k])))
            .collect();
        let expiring = by_customer(&report.expiring);
        let deprovisioning = by_customer(&report.deprovisioning);
        let notices = customers
            .clone()
            .map(|k| {
                let has = gets_notice(rows_of(&expiring, &k), rows_of(&users, &k));
                (notices && has).then(|| format!("{}.eml", slugs[&k]))
            })
            .collect();
        let calendars = customers
            .map(|k| {
                let dated = rows_of(&expiring, &k)
                    .iter()
                    .any(|e| expiry_day(e).is_some())
                    || rows_of(&deprovisioning, &k)
                        .iter()
                        .any(|d| deprovision_day(d).is_some());
                (calendar && dated).then(|| format!("{}.ics", slugs[&k]))
            })
            .collect();
        Pages {
            report,
            texts: super::texts::Texts::of(&m.table),
            reasons,
            m,
            files,
            scripts,
            users_files,
            calendars,
            notices,
            expiring,
            users,
            purchases: by_customer(&report.purchases),
            deprovisioning,
            progress: by_customer(&report.progress),
            changes: by_customer(&report.changes),
            history: by_customer(&report.history),
            plan_names: report
                .purchases
                .iter()
                .rev()
                .map(|p| (p.recommended_sku.as_str(), p.recommended_plan.as_str()))
                .collect(),
        }
    }

    fn common(&self) -> Common<'_> {
        Common {
            t: &self.texts,
            version: &self.report.run.version,
            as_of: self.m.date(self.report.run.as_of),
            deprovision_days: self.report.run.deprovision_days,
            redacted: self.report.run.redacted_users,
        }
    }

    fn date(&self, d: Option<NaiveDate>) -> Option<String> {
        d.map(|d| self.m.date(d))
    }

    /// A badge text for the urgencies that need one.
    fn urgency_label(&self, urgency: Urgency) -> String {
        if urgency.is_pressing() {
            self.m.label("urgencies", urgency.as_str())
        } else {
            String::new()
        }
    }

    /// `n` days left, or `-n` days overdue, in words.
    fn days_text(&self, days: i64) -> String {
        if days < 0 {
            self.m.fill("days_overdue_n", &[("n", &-days)])
        } else {
            self.m.fill("days_left_n", &[("n", &days)])
        }
    }

    /// The customer as both pages head it.
    fn customer(&self, c: &CustomerProgress) -> CustomerView {
        let expiring = rows_of(&self.expiring, &c.customer_key());
        let undated = expiring
            .iter()
            .any(|e| e.state.is_open() && e.end_date.is_none());
        CustomerView {
            name: c.customer_name.clone(),
            id: c.customer_id.clone(),
            domain: c.customer_domain.clone(),
            segment: self.m.label("segments", c.segment.as_str()),
            earliest: self.date(c.earliest_end_date),
            days_left: c.days_left,
            days_text: c.days_left.map(|d| self.days_text(d)),
            no_deadline: self.m.text(if undated {
                "no_end_date_open"
            } else {
                "no_deadline"
            }),
            urgency: c.urgency.as_str(),
            urgency_label: self.urgency_label(c.urgency),
            seat_counts: c.seats_from_seat_counts,
            seat_counts_badge: (c.seats_from_seat_counts > 0)
                .then(|| (self.m).fill("seat_counts_mark", &[("n", &c.seats_from_seat_counts)])),
            next_actions: self.next_actions(&c.customer_key()),
            trend: self.trend(&c.customer_key()),
            seat_counts_banner: c.on_seat_counts().then(|| {
                self.m.fill(
                    "seat_counts_banner",
                    &[
                        ("n", &c.seats_from_seat_counts),
                        ("customer", &c.customer_name),
                    ],
                )
            }),
        }
    }

    /// The index page.
    pub(super) fn index(&self) -> IndexPage<'_> {
        let customers = self
            .report
            .summary
            .customers
            .iter()
            .zip(self.files.iter().zip(&self.scripts).zip(&self.notices))
            .map(|(c, ((file, script), notice))| IndexRow {
                file: file.clone(),
                script: script.clone(),
                notice: notice.clone(),
                customer: self.customer(c),
                retiring_subscriptions: c.retiring_subscriptions,
                suspended_subscriptions: c.suspended_subscriptions,
                seats_to_buy: c.seats_to_buy,
                users_to_reassign: c.users_to_reassign,
            })
            .collect();
        let seat_counts = self.report.summary.seats_from_seat_counts;
        IndexPage {
            common: self.common(),
            any_script: self.scripts.iter().any(Option::is_some),
            any_notice: self.notices.iter().any(Option::is_some),
            customers,
            seat_counts_banner: (seat_counts > 0)
                .then(|| self.m.fill("index_seat_counts", &[("n", &seat_counts)])),
            since: self.since(None),
        }
    }

    /// The runbooks' file names, in the order of [`Pages::runbook_at`].
    pub(super) fn files(&self) -> &[String] {
        &self.files
    }

    /// The runbook of the `at`-th customer of the summary.
    pub(super) fn runbook_at(&self, at: usize) -> RunbookPage<'_> {
        self.runbook(
            &self.report.summary.customers[at],
            self.scripts[at].clone(),
            self.calendars[at].clone(),
            self.users_files[at].clone(),
        )
    }

    /// The pages' messages, in their language.
    pub(super) fn messages(&self) -> &Messages {
        &self.m
    }

    /// The report's reasons in the pages' language.
    pub(super) fn reasons(&self) -> &Reasons<'a> {
        &self.reasons
    }

    /// The users file of each runbook that does not list all its users, with the customer's
    /// users (every retirement).
    pub(super) fn user_lists(&self) -> impl Iterator<Item = (&str, &[&'a UserRow])> + '_ {
        (self.report.summary.customers.iter())
            .zip(&self.users_files)
            .filter_map(|(c, file)| {
                Some((file.as_deref()?, rows_of(&self.users, &c.customer_key())))
            })
    }

    fn runbook(
        &self,
        c: &CustomerProgress,
        script: Option<ScriptLinks>,
        calendar: Option<String>,
        users_file: Option<String>,
    ) -> RunbookPage<'_> {
        let key = c.customer_key();
        let expiring = rows_of(&self.expiring, &key);
        let suspended = rows_of(&self.deprovisioning, &key);
        let retirements = c
            .retirements
            .iter()
            .map(|r| self.retirement(r, &key))
            .collect();
        RunbookPage {
            common: self.common(),
            customer: self.customer(c),
            retirements,
            suspended: suspended.iter().map(|d| self.suspended(d)).collect(),
            timeline: self.timeline(expiring, suspended),
            script,
            calendar,
            users_file,
            since: self.since(Some(&key)),
        }
    }

    fn suspended(&self, d: &DeprovisioningRow) -> SuspendedView {
        SuspendedView {
            subscription_id: d.subscription_id.clone(),
            offer: d.offer_name.clone(),
            suspended_on: self.date(d.suspended_on),
            deprovision_on: self.date(d.deprovision_on),
            days_left: d.days_left,
            // A window is shaded like the urgency of the same days left.
            state_class: if d.urgency.is_pressing() {
                d.urgency.as_str()
            } else {
                ""
            },
            state_label: self.m.label("windows", d.state.as_str()),
            licenses_still_assigned: d.licenses_still_assigned,
        }
    }

    fn timeline(&self, expiring: &[&ExpiringRow], suspended: &[&DeprovisioningRow]) -> Timeline {
        let events = expiring
            .iter()
            .filter(|e| e.deprovision_if_suspended_today.is_some())
            .filter_map(|e| {
                e.end_date.map(|date| Event {
                    date,
                    kind: "end",
                    label: (self.m).fill("marker_end", &[("offer", &e.offer_name)]),
                })
            })
            .chain(suspended.iter().filter_map(|d| {
                d.deprovision_on.map(|date| Event {
                    date,
                    kind: "deprovision",
                    label: (self.m).fill("marker_deprovision", &[("offer", &d.offer_name)]),
                })
            }))
            .collect();
        timeline::layout(self.report.run.as_of, &self.m.text("today"), events, |d| {
            self.m.date(d)
        })
    }
}
