//! Never silently wrong on dates and yes/no values (issue 23): each case a fixture in the form a
//! partner's tools write it, with the exact outcome and message.

use crate::util::{fixture, input, stderr};
use skusunset::analyze::Params;
use skusunset::config::Config;
use skusunset::ingest::values::DateOrder;
use skusunset::ingest::{InputFile, InputSpec};
use skusunset::model::{IssueCode, Report, State, WindowState};

fn report(subscriptions: Vec<InputFile>, date_order: Option<DateOrder>) -> Report {
    report_with(subscriptions, vec![], date_order)
}

fn report_with(
    subscriptions: Vec<InputFile>,
    licenses: Vec<InputFile>,
    date_order: Option<DateOrder>,
) -> Report {
    let config = Config {
        inputs: InputSpec {
            subscriptions,
            licenses,
            sheet: None,
            date_order,
            columns: None,
        },
        skus: vec![],
        catalog: skusunset::reference::catalog::CatalogSource::default(),
        params: Params {
            as_of: "2026-11-21".parse().unwrap(),
            deprovision_days: 120,
            segment_overrides: std::collections::BTreeMap::new(),
        },
        strict: false,
        prices: None,
    };
    skusunset::build_report(&config).unwrap()
}

fn messages(report: &Report, code: IssueCode) -> Vec<String> {
    (report.issues.iter())
        .filter(|i| i.code == code)
        .map(|i| format!("{}:{} {}", i.file, i.row.unwrap_or(0), i.message))
        .collect()
}

/// A UK per-customer export whose day numbers are all 12 or less: nothing in it says which way
/// its dates run, so they are read month-first as a guess, said loudly (and `--strict` fails);
/// `--day-first` reads them right.
#[test]
fn small_day_numbers_without_signs_are_a_loud_guess() {
    let uk = || {
        vec![input(
            "dialects/uk-customer-subscriptions.csv",
            Some("Contoso Ltd"),
        )]
    };
    let guessed = report(uk(), None);
    assert_eq!(
        messages(&guessed, IssueCode::DateOrderGuess),
        [
            "fixtures/dialects/uk-customer-subscriptions.csv:3 no date of this file has a day over \
          12 (6 slash date(s) read differently day-first and month-first, like \"08/12/2026 \
          00:00:00\" in `CommitmentEndDate`), and nothing in the file says which way it writes \
          dates: they are read month-first (M/D/YYYY) as a guess; pass --day-first or \
          --month-first to settle it (`--strict` fails until then)"
        ]
    );
    let kaizala = |r: &Report| {
        let e = &r.expiring[0];
        (e.end_date.unwrap().to_string(), e.days_left, e.state)
    };
    assert_eq!(
        kaizala(&guessed),
        ("2026-08-12".to_string(), Some(-101), State::Expiring)
    );
    let settled = report(uk(), Some(DateOrder::DayFirst));
    assert!(
        settled
            .issues
            .iter()
            .all(|i| i.code != IssueCode::DateOrderGuess)
    );
    assert_eq!(
        kaizala(&settled),
        ("2026-12-08".to_string(), Some(17), State::Expiring)
    );

    let dir = tempfile::tempdir().unwrap();
    let file = format!(
        "Contoso Ltd={}",
        fixture("dialects/uk-customer-subscriptions.csv").display()
    );
    let strict = ["check", "--as-of", "2026-11-21", "--strict", "-s", &file];
    let out = crate::util::run(dir.path(), &strict);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "--strict: exit status 1, because the order of day and month in \
             fixtures/dialects/uk-customer-subscriptions.csv was guessed"
        ) || stderr(&out).contains("was guessed (`date-order-guess`)"),
        "{}",
        stderr(&out)
    );
    let settled = crate::util::run(dir.path(), &[&strict[..], &["--day-first"]].concat());
    assert_eq!(settled.status.code(), Some(0), "{}", stderr(&settled));
}

/// A UK file whose end dates prove day-first: `SuspendedOn` (`01/09/2026`, all small numbers)
/// is read day-first with them, so Fabrikam's window is in its 39th-last day, not overdue.
#[test]
fn one_order_per_file_covers_suspended_on() {
    let r = report(
        vec![input("dialects/uk-subscriptions-suspended.csv", None)],
        None,
    );
    assert_eq!(
        messages(&r, IssueCode::DateOrder),
        [
            "fixtures/dialects/uk-subscriptions-suspended.csv:2 `CommitmentEndDate` holds \
          \"18/12/2026\", so every slash date of this file is read day-first (D/M/YYYY), \
          `CommitmentEndDate` and `EffectiveStartDate` and `SuspendedOn` included"
        ]
    );
    let window = &r.deprovisioning[0];
    assert_eq!(window.suspended_on.unwrap().to_string(), "2026-09-01");
    assert_eq!(window.deprovision_on.unwrap().to_string(), "2026-12-30");
    assert_eq!(
        (window.days_left, window.state),
        (Some(39), WindowState::InWindow)
    );
}

/// German and Dutch Excel write yes/no in their own words: every auto-renew value is read, and
/// the auto-renew-on state (the runbook's red warning) survives.
#[test]
fn excel_yes_no_words_of_other_languages_are_read() {
    for (fixture, renewing) in [
        ("dialects/german-excel-subscriptions.csv", 1),
        ("dialects/dutch-excel-subscriptions.csv", 1),
    ] {
        let r = report(vec![input(fixture, None)], None);
        assert!(
            (r.issues.iter()).all(|i| i.code != IssueCode::InvalidBoolean),
            "{fixture}: {:?}",
            r.issues
        );
        let on = (r.expiring.iter())
            .filter(|e| e.state == State::AutoRenewOn)
            .count();
        assert_eq!(on, renewing, "{fixture}");
        assert!(
            (r.expiring.iter()).all(|e| e.state != State::AutoRenewUnknown),
            "{fixture}"
        );
    }
}

/// Dates that cannot all be right are warnings on their rows: suspended before the start, an
/// end before the start, and an active subscription whose suspension date says it was
/// de-provisioned already. An end ten years after the start is no warning (a subscription
/// renewed every year keeps its first start), nor is the plausible last row.
#[test]
fn implausible_dates_are_warnings_on_their_rows() {
    let r = report(
        vec![input("dialects/implausible-dates-subscriptions.csv", None)],
        None,
    );
    assert_eq!(
        messages(&r, IssueCode::ImplausibleDates),
        [
            "fixtures/dialects/implausible-dates-subscriptions.csv:2 suspended on 2026-01-11, \
             before its start on 2026-05-01; one of the dates is wrong (or the file's order of \
             day and month: --day-first, --month-first)",
            "fixtures/dialects/implausible-dates-subscriptions.csv:3 ends on 2025-06-14, before \
             its start on 2026-06-15; one of the dates is wrong",
            "fixtures/dialects/implausible-dates-subscriptions.csv:5 subscription \
             `8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c44` is active, but its suspension on 2026-03-01 \
             means it was de-provisioned on 2026-06-29; check its status and suspension date in \
             Partner Center",
        ]
    );
}

/// This week's and last week's subscription exports named together, last week's last: the
/// newer row of each subscription is used (not the row named last), and the error on the other
/// says why.
#[test]
fn of_two_weeks_exports_the_newer_row_wins() {
    let r = report(
        vec![
            input("weekly/subscriptions-2026-11-20.csv", None),
            input("weekly/subscriptions-2026-11-13.csv", None),
        ],
        None,
    );
    assert_eq!(
        messages(&r, IssueCode::DuplicateSubscription),
        [
            "fixtures/weekly/subscriptions-2026-11-13.csv:2 subscription \
             2b1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f1 appears again in \
             `fixtures/weekly/subscriptions-2026-11-20.csv` row 2, which is used because it is \
             suspended (on 2026-11-18), which comes after this row's state; this row is ignored",
            "fixtures/weekly/subscriptions-2026-11-13.csv:3 subscription \
             2b1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f2 appears again in \
             `fixtures/weekly/subscriptions-2026-11-20.csv` row 3, which is used because its \
             file holds dates up to 2026-11-18, this row's file up to 2026-02-01; this row is \
             ignored",
        ]
    );
    assert_eq!(r.deprovisioning.len(), 1, "this week's suspension is used");
    assert_eq!(
        r.expiring
            .iter()
            .filter(|e| e.state == State::Suspended)
            .count(),
        1
    );
}

/// A usage report refreshed 75 days before `--as-of`, beside this week's subscription export:
/// both the stale report and the weeks between the exports are said.
#[test]
fn a_stale_usage_report_is_said() {
    let r = report_with(
        vec![input("weekly/subscriptions-2026-11-20.csv", None)],
        vec![input(
            "dialects/stale-usage-report.csv",
            Some("Contoso Ltd"),
        )],
        None,
    );
    assert_eq!(
        messages(&r, IssueCode::StaleExport),
        [
            "fixtures/dialects/stale-usage-report.csv:0 the exports are dated 74 days apart: \
             `fixtures/dialects/stale-usage-report.csv` on 2026-09-07, \
             `fixtures/weekly/subscriptions-2026-11-20.csv` on 2026-11-20; exports of different \
             weeks disagree on who holds what, so export them again together",
            "fixtures/dialects/stale-usage-report.csv:0 this export is dated 2026-09-07 (its \
             Report Refresh Date), 75 days before --as-of 2026-11-21: users and licenses may \
             have changed since; export it again, or pass --as-of 2026-09-07 to report as of \
             then",
        ]
    );
}

/// Two per-customer exports of one partner: Fabrikam's proves day-first, Contoso's has only
/// small day numbers. Contoso's follows the run instead of a month-first guess.
#[test]
fn a_file_without_proof_follows_the_runs_other_exports() {
    let r = report(
        vec![
            input(
                "dialects/uk-customer-subscriptions.csv",
                Some("Contoso Ltd"),
            ),
            input(
                "dialects/uk-customer2-subscriptions.csv",
                Some("Fabrikam UK"),
            ),
        ],
        None,
    );
    assert!(messages(&r, IssueCode::DateOrderGuess).is_empty());
    let orders = messages(&r, IssueCode::DateOrder);
    assert!(
        orders.contains(
            &"fixtures/dialects/uk-customer-subscriptions.csv:0 no date of this file has a day \
              over 12, so it follows the run's other subscription exports, which are day-first \
              (D/M/YYYY): in `fixtures/dialects/uk-customer2-subscriptions.csv`, \
              `CommitmentEndDate` holds \"18/12/2026 00:00:00\""
                .to_string()
        ),
        "{orders:?}"
    );
    let contoso = (r.expiring.iter())
        .find(|e| e.customer_name == "Contoso Ltd")
        .unwrap();
    assert_eq!(
        (contoso.end_date.unwrap().to_string(), contoso.days_left),
        ("2026-12-08".to_string(), Some(17))
    );
}

/// No day over 12, but the file is a European Excel's (`;`, `WAAR`/`ONWAAR`): its signs read it
/// day-first, and the warning names them.
#[test]
fn locale_signs_decide_when_no_date_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nl.csv");
    std::fs::write(
        &path,
        "CustomerName;SubscriptionId;OfferName;Quantity;Status;AutoRenewEnabled;CommitmentEndDate\n\
         Bakkerij de Vries BV;6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c41;Kaizala Pro;8;Active;ONWAAR;08/12/2026\n",
    )
    .unwrap();
    let file = InputFile {
        key: None,
        path,
        name: "nl.csv".into(),
        in_folder: false,
    };
    let r = report(vec![file], None);
    assert_eq!(
        messages(&r, IssueCode::DateOrder),
        [
            "nl.csv:2 no date of this file has a day over 12 (1 slash date(s) read differently \
          day-first and month-first, like \"08/12/2026\" in `CommitmentEndDate`); the file has \
          `;` as the separator (a European Excel) and Excel's \"ONWAAR\" for a yes/no value, so \
          its dates are read day-first (D/M/YYYY); pass --day-first or --month-first to settle \
          it"
        ]
    );
    assert_eq!(r.expiring[0].end_date.unwrap().to_string(), "2026-12-08");
}

/// A subscription export without a date of its own was made on or after its newest start or
/// suspension date: a usage report refreshed months before that is weeks behind it.
#[test]
fn an_undated_subscription_export_shows_an_older_report_behind_it() {
    let r = report_with(
        vec![input("demo/subscriptions.csv", None)],
        vec![input(
            "dialects/stale-usage-report.csv",
            Some("Contoso Ltd"),
        )],
        None,
    );
    assert_eq!(
        messages(&r, IssueCode::StaleExport),
        [
            "fixtures/dialects/stale-usage-report.csv:0 the exports are dated at least 55 days \
             apart: `fixtures/dialects/stale-usage-report.csv` on 2026-09-07, \
             `fixtures/demo/subscriptions.csv` on or after 2026-11-01 (it holds a subscription \
             started or suspended then); exports of different weeks disagree on who holds what, \
             so export them again together",
            "fixtures/dialects/stale-usage-report.csv:0 this export is dated 2026-09-07 (its \
             Report Refresh Date), 75 days before --as-of 2026-11-21: users and licenses may \
             have changed since; export it again, or pass --as-of 2026-09-07 to report as of \
             then",
        ]
    );
    // Alone, its newest start is no age: an export made today of old subscriptions is current.
    let alone = report_with(vec![input("demo/subscriptions.csv", None)], vec![], None);
    assert!(messages(&alone, IssueCode::StaleExport).is_empty());
}
