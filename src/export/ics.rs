//! `calendar/`: the deadlines as iCalendar files (RFC 5545) — `calendar/deadlines.ics` for every
//! customer and `calendar/<customer-slug>.ics` per customer (the runbooks' slugs). One all-day
//! event per open retiring subscription on its end date, with what to do before it and reminders
//! 30 and 7 days ahead, and one per suspended subscription on its de-provisioning date, when its
//! data is deleted. Each event's UID comes from its subscription id, so next week's file updates
//! the events a calendar imported this week instead of adding them again; `DTSTAMP` is the
//! report's as-of date, so the same report gives the same bytes. The texts are in the runbooks'
//! language (`--locale`, the `ics_*` messages).

use super::slug::customer_slugs;
use super::{Exporter, Locale, Messages, OutputFile};
use crate::model::{CustomerRowKey, DeprovisioningRow, ExpiringRow, Report};
use anyhow::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The calendars' folder.
const CALENDAR: &str = "calendar";
/// The file with every customer's deadlines, in [`CALENDAR`] (a reserved slug: no customer's
/// calendar has this name).
pub(super) const DEADLINES: &str = "deadlines";

/// Writes the calendars, worded in the runbooks' language.
pub(super) struct IcsExporter {
    /// `--locale`.
    pub(super) locale: Locale,
}

/// The day of an expiring subscription's event: its end date, while it is open.
pub(super) fn expiry_day(e: &ExpiringRow) -> Option<NaiveDate> {
    e.end_date.filter(|_| e.state.is_open())
}

/// The day of a suspended subscription's event: its de-provisioning date, when known.
pub(super) fn deprovision_day(d: &DeprovisioningRow) -> Option<NaiveDate> {
    d.deprovision_on
}

/// A stable UID: the same subscription and kind of date give the same UID every week.
fn uid(kind: &str, subscription_id: &str) -> String {
    let id: String = (subscription_id.chars())
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{kind}-{id}@skusunset")
}

/// An all-day event on `day`, stamped with the as-of date.
fn day_event(uid: String, day: NaiveDate, stamp: DateTime<Utc>) -> Event {
    Event::new()
        .uid(&uid)
        .timestamp(stamp)
        .starts(day)
        .ends(day + Duration::days(1))
        .done()
}

/// What an event's texts need: the messages of the runbooks' language and the retirements'
/// names.
struct Words<'r> {
    m: Messages,
    report: &'r Report,
    stamp: DateTime<Utc>,
}

impl Words<'_> {
    /// A retirement by its catalog name (its id when the report has no name for it).
    fn retirement(&self, id: &str) -> String {
        (self.report.retirements.iter())
            .find(|r| r.id == id)
            .map_or_else(|| id.to_string(), |r| r.name_in(self.m.lang()).to_string())
    }

    /// The event of an open retiring subscription's end date.
    fn expiry(&self, e: &ExpiringRow, end: NaiveDate, runbook: &str) -> Event {
        let uid = uid("expires", &e.subscription_id);
        let seats = (e.quantity).map_or(String::new(), |n| self.m.fill("ics_seats", &[("n", &n)]));
        let (customer, offer) = (&e.customer_name, &e.offer_name);
        let summary = (self.m).fill(
            "ics_expires_summary",
            &[("customer", customer), ("offer", offer)],
        );
        let description = self.m.fill(
            "ics_expires_description",
            &[
                ("id", &e.subscription_id),
                ("seats", &seats),
                ("customer", customer),
                ("retirement", &self.retirement(&e.retirement_id)),
                ("runbook", &runbook),
            ],
        );
        let mut event = day_event(uid.clone(), end, self.stamp);
        event.summary(&summary).description(&description);
        for days in [30, 7] {
            event.alarm(self.reminder(&uid, days, &summary));
        }
        event.done()
    }

    /// The event of a suspended subscription's de-provisioning date.
    fn deprovision(&self, d: &DeprovisioningRow, on: NaiveDate, runbook: &str) -> Event {
        let uid = uid("deprovisioned", &d.subscription_id);
        let (customer, offer) = (&d.customer_name, &d.offer_name);
        let summary = (self.m).fill(
            "ics_deleted_summary",
            &[("customer", customer), ("offer", offer)],
        );
        let since = (d.suspended_on).map_or(String::new(), |s| {
            (self.m).fill("ics_suspended_since", &[("date", &self.m.date(s))])
        });
        let description = self.m.fill(
            "ics_deleted_description",
            &[
                ("id", &d.subscription_id),
                ("customer", customer),
                ("since", &since),
                ("runbook", &runbook),
            ],
        );
        let mut event = day_event(uid.clone(), on, self.stamp);
        event.summary(&summary).description(&description);
        event.alarm(self.reminder(&uid, 7, &summary));
        event.done()
    }

    /// A reminder `days` before the event (with a UID and stamp of its own, so the bytes are
    /// stable).
    fn reminder(&self, event_uid: &str, days: i64, summary: &str) -> Alarm {
        let text = (self.m).fill("ics_reminder", &[("days", &days), ("summary", &summary)]);
        Alarm::display(&text, -Duration::days(days))
            .uid(&format!("{days}d-{event_uid}"))
            .timestamp(self.stamp)
            .done()
    }
}

/// A calendar named `name` holding `events`.
fn calendar(name: &str, events: &[Event]) -> Vec<u8> {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for event in events {
        calendar.push(event.clone());
    }
    calendar.done().to_string().into_bytes()
}

impl Exporter for IcsExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let slugs = customer_slugs(report);
        let words = Words {
            m: Messages::load(self.locale)?.for_report(report),
            report,
            stamp: (report.run.as_of.and_hms_opt(0, 0, 0))
                .unwrap_or_default()
                .and_utc(),
        };
        // Per customer slug: its name and events.
        let mut per_customer: BTreeMap<String, (String, Vec<Event>)> = BTreeMap::new();
        let mut all = Vec::new();
        let mut add = |slug: Option<&String>, name: &str, event: Event| {
            if let Some(slug) = slug {
                let entry = (per_customer.entry(slug.clone()))
                    .or_insert_with(|| (name.to_string(), Vec::new()));
                entry.1.push(event.clone());
            }
            all.push(event);
        };
        let runbook =
            |slug: Option<&String>| slug.map_or(String::new(), |s| format!("runbooks/{s}.html"));
        for e in &report.expiring {
            if let Some(end) = expiry_day(e) {
                let slug = slugs.get(&e.customer_key());
                add(slug, &e.customer_name, words.expiry(e, end, &runbook(slug)));
            }
        }
        for d in &report.deprovisioning {
            if let Some(on) = deprovision_day(d) {
                let slug = slugs.get(&d.customer_key());
                add(
                    slug,
                    &d.customer_name,
                    words.deprovision(d, on, &runbook(slug)),
                );
            }
        }
        let dir = PathBuf::from(CALENDAR);
        let mut files = vec![(
            dir.join(format!("{DEADLINES}.ics")),
            calendar(&words.m.text("ics_calendar_all"), &all),
        )];
        for (slug, (name, events)) in per_customer {
            files.push((
                dir.join(format!("{slug}.ics")),
                calendar(
                    &(words.m).fill("ics_calendar_customer", &[("customer", &name)]),
                    &events,
                ),
            ));
        }
        Ok(files)
    }
}
