//! `calendar/`: the deadlines as iCalendar files (RFC 5545) — `calendar/deadlines.ics` for every
//! customer and `calendar/<customer-slug>.ics` per customer (the runbooks' slugs). One all-day
//! event per open retiring subscription on its end date, with what to do before it and reminders
//! 30 and 7 days ahead, and one per suspended subscription on its de-provisioning date, when its
//! data is deleted. Each event's UID comes from its subscription id, so next week's file updates
//! the events a calendar imported this week instead of adding them again; `DTSTAMP` is the
//! report's as-of date, so the same report gives the same bytes.

use super::slug::customer_slugs;
use super::{Exporter, OutputFile};
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

/// Writes the calendars.
pub(super) struct IcsExporter;

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

/// A reminder `days` before the event (with a UID and stamp of its own, so the bytes are stable).
fn reminder(event_uid: &str, days: i64, text: &str, stamp: DateTime<Utc>) -> Alarm {
    Alarm::display(text, -Duration::days(days))
        .uid(&format!("{days}d-{event_uid}"))
        .timestamp(stamp)
        .done()
}

/// The event of an open retiring subscription's end date.
fn expiry(e: &ExpiringRow, end: NaiveDate, runbook: &str, stamp: DateTime<Utc>) -> Event {
    let uid = uid("expires", &e.subscription_id);
    let quantity = e
        .quantity
        .map_or(String::new(), |q| format!(" ({q} seats)"));
    let summary = format!("{}: {} ends", e.customer_name, e.offer_name);
    let description = format!(
        "Subscription {id}{quantity} of {customer} ends on this day and is not renewed \
         ({retirement} retires). Before it: A. buy the replacement plan, B. reassign each \
         user's license, C. suspend the subscription. Runbook: {runbook}",
        id = e.subscription_id,
        customer = e.customer_name,
        retirement = e.retirement_id,
    );
    let mut event = day_event(uid.clone(), end, stamp);
    event.summary(&summary).description(&description);
    for days in [30, 7] {
        let text = format!("In {days} days: {summary}");
        event.alarm(reminder(&uid, days, &text, stamp));
    }
    event.done()
}

/// The event of a suspended subscription's de-provisioning date.
fn deprovision(d: &DeprovisioningRow, on: NaiveDate, runbook: &str, stamp: DateTime<Utc>) -> Event {
    let uid = uid("deprovisioned", &d.subscription_id);
    let summary = format!("{}: {} data deleted", d.customer_name, d.offer_name);
    let description = format!(
        "Subscription {id} of {customer} (suspended{since}) is de-provisioned on this day: its \
         data is deleted. Reactivate it in Partner Center before then if anything in it is still \
         needed. Runbook: {runbook}",
        id = d.subscription_id,
        customer = d.customer_name,
        since = d.suspended_on.map_or(String::new(), |s| format!(" on {s}")),
    );
    let mut event = day_event(uid.clone(), on, stamp);
    event.summary(&summary).description(&description);
    event.alarm(reminder(&uid, 7, &format!("In 7 days: {summary}"), stamp));
    event.done()
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
        let stamp = report
            .run
            .as_of
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
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
                add(
                    slug,
                    &e.customer_name,
                    expiry(e, end, &runbook(slug), stamp),
                );
            }
        }
        for d in &report.deprovisioning {
            if let Some(on) = deprovision_day(d) {
                let slug = slugs.get(&d.customer_key());
                add(
                    slug,
                    &d.customer_name,
                    deprovision(d, on, &runbook(slug), stamp),
                );
            }
        }
        let dir = PathBuf::from(CALENDAR);
        let mut files = vec![(
            dir.join(format!("{DEADLINES}.ics")),
            calendar("Retiring subscriptions: deadlines", &all),
        )];
        for (slug, (name, events)) in per_customer {
            files.push((
                dir.join(format!("{slug}.ics")),
                calendar(&format!("Retiring subscriptions: {name}"), &events),
            ));
        }
        Ok(files)
    }
}
