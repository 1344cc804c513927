//! Finance (issue 29): `--format ics` read back with the `icalendar` crate's parser — exactly the
//! expected events, days, reminders and UIDs for the demo; the same UIDs a week later; the
//! runbook links its customer's calendar.

use crate::util::{run, stderr};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use std::path::Path;

/// `report --format ics,html` on the demo's fixtures as of `as_of`, into `out`.
fn calendars(out: &Path, as_of: &str) {
    calendars_in(out, as_of, "en");
}

/// [`calendars`] in another language.
fn calendars_in(out: &Path, as_of: &str, locale: &str) {
    let result = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "report",
            "--as-of",
            as_of,
            "--format",
            "ics,html",
            "--locale",
            locale,
            "-s",
            "fixtures/demo/subscriptions.csv",
            "--out",
            out.to_str().unwrap(),
        ]
        .into_iter()
        .chain(crate::util::DEMO_LICENSES)
        .collect::<Vec<_>>(),
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

/// Each event of a calendar file as `UID day summary (reminders)`, sorted.
fn events(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let calendar: Calendar = text.parse().unwrap();
    let mut events: Vec<String> = (calendar.components.iter())
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| {
            let Some(DatePerhapsTime::Date(day)) = e.get_start() else {
                panic!("not an all-day event: {e:?}");
            };
            let alarms = e.components().len();
            format!(
                "{} {day} {} ({alarms})",
                e.get_uid().unwrap(),
                e.get_summary().unwrap()
            )
        })
        .collect();
    events.sort();
    events
}

#[test]
fn the_demo_deadlines_are_calendar_events_with_stable_uids() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    calendars(&out, "2026-11-21");
    let all = events(&out.join("calendar/deadlines.ics"));
    // The de-provisioning dates are the `deprovisioning` table's (suspended on + 120 days);
    // Wide World's Kaizala Pro has no suspension date, so no day to put it on. Ended and
    // suspended retiring subscriptions have no end-date event.
    let expected = [
        "deprovisioned-2e5b6d4c-5a88-4fb2-9b45-7d9e1a3c4f55@skusunset 2026-12-30 Fabrikam School District: Microsoft Kaizala Pro data deleted (1)",
        "deprovisioned-4a7d8f6e-7c00-41d4-9d67-9f1a3c5e6b77@skusunset 2026-09-29 Northwind Traders: Kaizala Pro data deleted (1)",
        "deprovisioned-9f2c3e1d-2b55-46c9-8c12-4e6f8b0d1a22@skusunset 2027-03-01 Wide World Importers: Microsoft 365 Business Basic data deleted (1)",
        "expires-1d4a5c3b-4f77-4ea1-8a34-6c8d0f2b3e44@skusunset 2027-01-15 Fabrikam School District: Skype for Business Online (Plan 1) ends (2)",
        "expires-3f6c7e5d-6b99-40c3-8c56-8e0f2b4d5a66@skusunset 2026-10-31 Northwind Traders: Office 365 Enterprise E4 ends (2)",
        "expires-6a1d2f0e-1c44-4b7e-9d01-3f5a7c9e0b11@skusunset 2026-12-11 Contoso Ltd: Kaizala Pro ends (2)",
        "expires-6c9f0b8a-9e22-43f6-9f89-1b3c5e7a8d99@skusunset 2027-06-30 Tailspin Toys: Skype for Business Online Plan 1 ends (2)",
        "expires-8b2e3a1f-2d55-4c8f-8e12-4a6b8d0f1c22@skusunset 2027-03-31 Contoso Ltd: Office 365 Enterprise E4 ends (2)",
    ];
    assert_eq!(all, expected);
    // Per customer: the same events, split by customer.
    let contoso = events(&out.join("calendar/contoso-ltd.ics"));
    assert_eq!(contoso, [expected[5], expected[7]]);
    let text = std::fs::read_to_string(out.join("calendar/contoso-ltd.ics")).unwrap();
    for line in [
        "DTSTAMP:20261121T000000Z",
        "TRIGGER:-PT2592000S",
        "TRIGGER:-PT604800S",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(
        text.lines().all(|l| l.len() <= 75 + 1),
        "lines are folded: {text}"
    );
    let runbook = std::fs::read_to_string(out.join("runbooks/contoso-ltd.html")).unwrap();
    assert!(
        runbook
            .contains(r#"<a href="../calendar/contoso-ltd.ics"><code>contoso-ltd.ics</code></a>"#),
        "{runbook}"
    );

    // A week later, into the same folder: the same subscriptions keep their UIDs.
    let uids = |events: &[String]| -> Vec<String> {
        events
            .iter()
            .map(|e| e.split(' ').next().unwrap().to_string())
            .collect()
    };
    calendars(&out, "2026-11-28");
    let later = events(&out.join("calendar/deadlines.ics"));
    assert_eq!(uids(&later), uids(&all));
    let text = std::fs::read_to_string(out.join("calendar/contoso-ltd.ics")).unwrap();
    assert!(text.contains("DTSTAMP:20261128T000000Z"), "{text}");
}

#[test]
fn the_events_are_worded_in_the_runbooks_language() {
    let dir = tempfile::tempdir().unwrap();
    calendars_in(dir.path(), "2026-11-21", "de");
    let file = dir.path().join("calendar/fabrikam-school-district.ics");
    let calendar: Calendar = std::fs::read_to_string(&file).unwrap().parse().unwrap();
    let texts: Vec<String> = (calendar.components.iter())
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .flat_map(|e| {
            let alarms = (e.components().iter()).map(|a| a.property_value("DESCRIPTION"));
            [e.get_summary(), e.get_description()]
                .into_iter()
                .chain(alarms)
                .map(|t| t.unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let runbook = "runbooks/fabrikam-school-district.html";
    assert_eq!(
        texts,
        [
            "Fabrikam School District: Skype for Business Online (Plan 1) endet".to_string(),
            format!(
                "Das Abonnement 1d4a5c3b-4f77-4ea1-8a34-6c8d0f2b3e44 (40 Lizenzen) von Fabrikam \
                 School District endet an diesem Tag und wird nicht verlängert (Skype for \
                 Business Online (Plan 1) (MCOIMP) wird eingestellt). Vorher: A. das Ersatzabonnement \
                 kaufen, B. die Lizenz jedes Benutzers neu zuweisen, C. das Abonnement \
                 aussetzen. Runbook: {runbook}"
            ),
            "In 30 Tagen: Fabrikam School District: Skype for Business Online (Plan 1) endet"
                .to_string(),
            "In 7 Tagen: Fabrikam School District: Skype for Business Online (Plan 1) endet"
                .to_string(),
            "Fabrikam School District: Daten von Microsoft Kaizala Pro gelöscht".to_string(),
            format!(
                "Die Bereitstellung des Abonnements 2e5b6d4c-5a88-4fb2-9b45-7d9e1a3c4f55 von \
                 Fabrikam School District (ausgesetzt am 1. September 2026) wird an diesem Tag \
                 aufgehoben: seine Daten werden gelöscht. Reaktivieren Sie es vorher im \
                 Partner Center, wenn darin noch etwas benötigt wird. Runbook: {runbook}"
            ),
            "In 7 Tagen: Fabrikam School District: Daten von Microsoft Kaizala Pro gelöscht"
                .to_string(),
        ]
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("X-WR-CALNAME:Eingestellte Abonnements: Fabrikam School District"),
        "{text}"
    );
}
