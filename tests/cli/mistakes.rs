//! The mistakes a new user makes, each shown loud: quantities that are only seat counts are
//! said on the terminal, on the workbook's Summary, as runbook and index banners and as
//! `seat-counts` warnings; an open subscription without an end date is a `no-end-date` warning;
//! a customer too big for one page gets a runbook that lists the first users and links them all.

use crate::util::{fixture, run, stderr, stdout};
use calamine::{Data, Reader, Xlsx};

fn path(rel: &str) -> String {
    fixture(rel).display().to_string()
}

/// `report -s subs.csv` with no `--licenses`: every quantity is a seat count (108 licences on
/// the demo data, where the user exports give 63), and every output says so.
#[test]
fn a_report_without_license_exports_says_its_quantities_are_seat_counts() {
    let dir = tempfile::tempdir().unwrap();
    let subs = path("demo/subscriptions.csv");
    let args = [
        "report",
        "-s",
        &subs,
        "--as-of",
        "2026-11-21",
        "-f",
        "xlsx,html,csv",
        "--out",
        "out",
    ];
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("108 licences to buy")
            && text
                .contains("SEAT COUNTS: 108 of these licences are the subscriptions' seat counts")
            && text.contains("of 5 customer(s) without a user/license export"),
        "{text}"
    );

    let issues = std::fs::read_to_string(dir.path().join("out/csv/issues.csv")).unwrap();
    let warnings: Vec<&str> = issues
        .lines()
        .filter(|l| l.contains(",seat-counts,"))
        .collect();
    assert_eq!(warnings.len(), 6, "one per purchase line:\n{issues}");
    assert!(warnings.iter().all(|w| w.contains(",warning,seat-counts,")));
    assert!(
        issues.contains("customer `Contoso Ltd`, so its")
            && issues.contains(r#"--licenses ""Contoso Ltd=FILE"""#),
        "{issues}"
    );

    let index = std::fs::read_to_string(dir.path().join("out/runbooks/index.html")).unwrap();
    assert!(
        index.contains(r#"<p class="warning banner">Check before buying: 108 of the licenses"#),
        "{index}"
    );
    let contoso =
        std::fs::read_to_string(dir.path().join("out/runbooks/contoso-ltd.html")).unwrap();
    assert!(
        contoso.contains(
            "Check before buying: no user export was read for this customer, so the 9 licenses"
        ),
        "{contoso}"
    );

    let mut wb: Xlsx<_> =
        calamine::open_workbook(dir.path().join("out/expiry-report.xlsx")).unwrap();
    let summary = wb.worksheet_range("Summary").unwrap();
    let banner = summary
        .get_value((1, 0))
        .map(Data::to_string)
        .unwrap_or_default();
    assert!(
        banner.starts_with("Check before buying: 108 of the seats to buy are seat counts"),
        "{banner}"
    );

    // `--strict` fails on errors, not on these warnings.
    let strict = run(dir.path(), &[&args[..], &["--strict", "--force"]].concat());
    assert_eq!(strict.status.code(), Some(0), "{}", stderr(&strict));
}

/// A per-customer subscription export with `KEY=` and that customer's user export without one:
/// no user can be attributed (the export names no domain). The errors are listed, name the
/// customer to pass the file for, and the customer's seat-count quantity is flagged, instead of a
/// quiet "buy 25".
#[test]
fn a_user_export_without_key_beside_a_per_customer_export_is_loud() {
    let dir = tempfile::tempdir().unwrap();
    let subs = format!("Contoso Ltd={}", path("dialects/web-ui-subscriptions.csv"));
    let users = path("demo/contoso-users.csv");
    let args = [
        "report",
        "-s",
        &subs,
        "-l",
        &users,
        "--as-of",
        "2026-11-21",
        "-f",
        "csv",
        "--out",
        "out",
    ];
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("8 rows read = 0 used + 8 rejected"), "{text}");
    assert!(text.contains("rows not used (8 errors):"), "{text}");
    // The one customer without a domain is the likely owner of a file no user matched.
    assert!(
        text.contains(&format!("pass `--licenses \"Contoso Ltd={users}\"`")),
        "{text}"
    );
    assert!(
        text.contains("SEAT COUNTS: 25 of these licences") && text.contains(": Contoso Ltd;"),
        "{text}"
    );
    let strict = run(dir.path(), &[&args[..], &["--strict", "--force"]].concat());
    assert_eq!(strict.status.code(), Some(1));
    assert!(stderr(&strict).contains("--strict"), "{}", stderr(&strict));
}

/// An open retiring subscription without an end date has no deadline: a warning on its row,
/// and the runbook says where to look instead of "none open".
#[test]
fn an_open_subscription_without_end_date_is_a_warning_and_the_runbook_says_why() {
    let report = crate::util::demo_report();
    let undated: Vec<_> = (report.issues.iter())
        .filter(|i| i.code.as_str() == "no-end-date")
        .collect();
    assert_eq!(undated.len(), 1, "{undated:?}");
    assert_eq!(undated[0].row, Some(14));
    assert!(undated[0].message.contains("`Wide World Importers`"));

    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "demo",
            "--as-of",
            "2026-11-21",
            "-f",
            "html",
            "--out",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let page =
        std::fs::read_to_string(dir.path().join("out/runbooks/wide-world-importers.html")).unwrap();
    assert!(
        page.contains("no end date in the export: look it up in Partner Center"),
        "{page}"
    );
}

/// A customer with more users on one retiring license than a runbook lists: the page lists the
/// first 1,000, says how many there are and what they need, and links a CSV of them all.
#[test]
fn a_huge_customer_gets_a_runbook_a_browser_opens_and_every_user_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("subs.csv"),
        "Customer,Domain,Subscription ID,Offer name,Quantity,Status,Auto renew,End date\n\
         Big Co,big.example,s-1,Office 365 E4,1100,Active,False,2026-12-31\n\
         Small Co,small.example,s-2,Office 365 E4,3,Active,False,2026-12-31\n",
    )
    .unwrap();
    let mut users = String::from("Display name,User principal name,Block credential,Licenses\n");
    for n in 0..1_003 {
        let licenses = if n % 10 == 0 {
            "Office 365 E5+Office 365 E4"
        } else {
            "Office 365 E4"
        };
        users.push_str(&format!("U{n},u{n:04}@big.example,False,{licenses}\n"));
    }
    users.push_str("S,s@small.example,False,Office 365 E4\n");
    std::fs::write(dir.path().join("users.csv"), users).unwrap();
    let args = [
        "report",
        "-s",
        "subs.csv",
        "-l",
        "users.csv",
        "--as-of",
        "2026-11-21",
        "--format",
        "html,csv",
        "--out",
        "out",
    ];
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let runbooks = dir.path().join("out/runbooks");
    let page = std::fs::read_to_string(runbooks.join("big-co.html")).unwrap();
    assert_eq!(page.matches("<tr class=\"reassign\">").count(), 900);
    assert_eq!(page.matches("<tr class=\"remove-only\">").count(), 100);
    assert!(
        page.contains(
            "lists the first 1,000 of 1,003 users holding this license \
             (902 × Reassign, 101 × Remove only)"
        ),
        "{page}"
    );
    assert!(page.contains("<a href=\"big-co-users.csv\"><code>big-co-users.csv</code></a>"));
    assert!(page.contains("u0999@big.example") && !page.contains("u1000@big.example"));
    // Every user of the customer is in the file beside it, the rows of csv/users.csv under a
    // header in the runbook's language (csv/users.csv keeps the column keys).
    let listed = std::fs::read_to_string(runbooks.join("big-co-users.csv")).unwrap();
    let all = std::fs::read_to_string(dir.path().join("out/csv/users.csv")).unwrap();
    let big: Vec<&str> = (all.lines()).filter(|l| l.contains("Big Co")).collect();
    let mut lines = listed.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Customer ID,Customer,User principal name,Display name,Retiring license,Retirement,\
             Action,Recommended SKU,New plan,Why"
        )
    );
    assert_eq!(lines.collect::<Vec<_>>(), big);
    assert_eq!(big.len(), 1_003);
    // A customer that fits lists everyone, with no file beside it.
    let small = std::fs::read_to_string(runbooks.join("small-co.html")).unwrap();
    assert!(small.contains("s@small.example") && !small.contains("-users.csv"));
    assert!(!runbooks.join("small-co-users.csv").exists());
}
