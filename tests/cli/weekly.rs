//! The weekly cycle (issue 26): seats of the plan already owned are not bought again, and each
//! customer and retirement has a next action. Every expectation is computed by hand from the
//! rows in the test.

use crate::analysis::{SUB_HEADER, report_with, users_csv};
use crate::util::{stderr, stdout};
use skusunset::model::NextAction;
use std::path::Path;
use std::process::Output;

/// Step A done: seats of the replacement the customer already owns (open, paid) and does not
/// use are not bought again; trials and suspended subscriptions own nothing; without license
/// data the used seats cannot be seen, and the reason says so (issue 26).
#[test]
fn seats_already_owned_are_not_bought_again() {
    let subs = format!(
        "{SUB_HEADER}\
         C,c.com,k1,Kaizala Pro,3,Active,False,2026-12-31,\n\
         C,c.com,b1,Microsoft 365 Business Basic,2,Active,True,2027-11-30,\n\
         C,c.com,b2,Microsoft 365 Business Basic Trial,25,Active,False,2026-12-31,\n\
         C,c.com,b3,Microsoft 365 Business Basic,10,Suspended,False,2026-12-31,2026-11-01\n\
         N,n.com,k2,Kaizala Pro,8,Active,False,2026-12-31,\n\
         N,n.com,b4,Microsoft 365 Business Basic,5,Active,True,2027-11-30,\n"
    );
    let lics = users_csv(&[
        ("a@c.com", "False", "Microsoft Kaizala Pro"),
        ("b@c.com", "False", "Microsoft Kaizala Pro"),
        ("c@c.com", "False", "Microsoft Kaizala Pro"),
        ("d@c.com", "False", "Microsoft 365 Business Basic"),
    ]);
    let r = report_with(&subs, &[("c.csv", None, lics)], &[]);
    let rows: Vec<(&str, i64, i64, Option<i64>, i64)> = (r.purchases.iter())
        .map(|p| {
            (
                p.customer_name.as_str(),
                p.quantity,
                p.seats_owned,
                p.seats_used,
                p.to_buy,
            )
        })
        .collect();
    // C: 3 users to move; 2 paid seats owned (the trial and the suspended one own nothing), 1
    // in use by d, so 1 is free: buy 2. N: 8 seat counts, 5 owned, use unknown: buy 3.
    assert_eq!(rows, [("C", 3, 2, Some(1), 2), ("N", 8, 5, None, 3)]);
    let english = skusunset::export::Messages::english();
    assert_eq!(
        english.reason(&r.purchases[0].why),
        "3 users to reassign to Microsoft 365 Business Basic; seats of Microsoft 365 Business \
         Basic already owned: 2, in use: 1, free: 1; buy 2"
    );
    let n = english.reason(&r.purchases[1].why);
    assert!(
        n.contains("seats of Microsoft 365 Business Basic already owned: 5 (which are in use cannot be seen without license data); buy 3"),
        "{n}"
    );
    // Every "to buy" is what is left.
    assert_eq!(
        r.summary
            .seats_to_buy
            .iter()
            .map(|p| p.quantity)
            .sum::<i64>(),
        5
    );
}

/// Customer, to buy, users left, of them blocked, subscriptions' state, next action.
type ProgressLine<'a> = (&'a str, i64, Option<i64>, Option<i64>, &'a str, NextAction);

/// One customer per next action, as of 2026-11-21 (docs/rules.md §3.5).
#[test]
fn every_next_action_from_buy_to_done() {
    let subs = format!(
        "{SUB_HEADER}\
         Buy,buy.com,k1,Kaizala Pro,2,Active,False,2026-12-31,\n\
         Move,move.com,k2,Kaizala Pro,2,Active,False,2026-12-31,\n\
         Move,move.com,b2,Microsoft 365 Business Basic,5,Active,True,2027-11-30,\n\
         Suspend,suspend.com,k3,Kaizala Pro,2,Active,False,2026-12-31,\n\
         Wait,wait.com,k4,Kaizala Pro,2,Suspended,False,2026-12-31,2026-11-01\n\
         Done,done.com,k5,Kaizala Pro,2,Suspended,False,2026-06-30,2026-05-01\n\
         Ended,ended.com,k6,Kaizala Pro,2,Expired,False,2026-03-31,\n"
    );
    let lics = users_csv(&[
        ("a@buy.com", "False", "Microsoft Kaizala Pro"),
        ("b@move.com", "False", "Microsoft Kaizala Pro"),
        ("c@move.com", "True", "Microsoft Kaizala Pro"),
        ("d@suspend.com", "False", "Microsoft 365 Business Basic"),
        ("e@wait.com", "False", "Microsoft 365 Business Basic"),
        ("f@done.com", "False", "Microsoft 365 Business Basic"),
        ("g@ended.com", "False", "Microsoft 365 Business Basic"),
    ]);
    let r = report_with(&subs, &[("u.csv", None, lics)], &[]);
    let rows: Vec<ProgressLine> = (r.progress.iter())
        .map(|p| {
            (
                p.customer_name.as_str(),
                p.to_buy,
                p.users_left,
                p.users_blocked,
                p.subscription_state.as_str(),
                p.next_action,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // 1 user to move, nothing owned.
            ("Buy", 1, Some(1), Some(0), "open", NextAction::Buy),
            // Suspended on 2026-05-01: de-provisioned 2026-08-29, before the as-of.
            ("Done", 0, Some(0), Some(0), "suspended", NextAction::Done),
            ("Ended", 0, Some(0), Some(0), "ended", NextAction::Done),
            // 5 Business Basic seats owned: nothing to buy; 2 users (1 blocked) still to move.
            ("Move", 0, Some(2), Some(1), "open", NextAction::Reassign),
            // Nobody holds Kaizala any more, the subscription is still open.
            ("Suspend", 0, Some(0), Some(0), "open", NextAction::Suspend),
            // Suspended on 2026-11-01: de-provisioned 2027-03-01.
            ("Wait", 0, Some(0), Some(0), "suspended", NextAction::Wait),
        ]
    );
    let wait = r
        .progress
        .iter()
        .find(|p| p.customer_name == "Wait")
        .unwrap();
    assert_eq!(
        wait.deprovision_on.map(|d| d.to_string()).as_deref(),
        Some("2027-03-01")
    );
    let suspend = r
        .progress
        .iter()
        .find(|p| p.customer_name == "Suspend")
        .unwrap();
    assert_eq!(
        suspend.end_date.map(|d| d.to_string()).as_deref(),
        Some("2026-12-31")
    );
}

/// `report` over `subs.csv` and `users.csv` in `dir` into `out`, CSV only, with `extra`.
fn monday(dir: &Path, as_of: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "report",
        "-s",
        "subs.csv",
        "-l",
        "users.csv",
        "--as-of",
        as_of,
    ];
    args.extend(["--out", out, "--format", "csv"]);
    args.extend(extra);
    crate::util::run(dir, &args)
}

/// Week 1's subscriptions, and week 2's: C suspended its subscription, E is new, A bought
/// Business Basic. B's ends on 2026-12-10; D's was suspended on 2026-07-20.
fn weekly_subscriptions() -> [String; 2] {
    let subs = |extra: &str| {
        format!(
            "{SUB_HEADER}\
             A,a.com,ka,Kaizala Pro,3,Active,False,2027-01-31,\n\
             B,b.com,kb,Kaizala Pro,2,Active,False,2026-12-10,\n\
             D,d.com,kd,Kaizala Pro,2,Suspended,False,2026-12-31,2026-07-20\n\
             {extra}"
        )
    };
    [
        subs("C,c.com,kc,Kaizala Pro,2,Active,False,2026-12-31,\n"),
        subs(
            "C,c.com,kc,Kaizala Pro,2,Suspended,False,2026-12-31,2026-11-10\n\
             E,e.com,ke,Kaizala Pro,4,Active,False,2027-02-28,\n\
             A,a.com,ba,Microsoft 365 Business Basic,5,Active,True,2027-11-30,\n",
        ),
    ]
}

/// Users holding Kaizala Pro (and one E1 user of D).
fn kaizala_users(upns: &[&str]) -> String {
    let rows: Vec<(&str, &str, &str)> = (upns.iter())
        .map(|u| (*u, "False", "Microsoft Kaizala Pro"))
        .chain([("x@d.com", "False", "Office 365 E1")])
        .collect();
    users_csv(&rows)
}

const CHANGES_HEADER: &str = "change,customer_id,customer_name,retirement_id,subscription_id,\
                              user_principal_name,recommended_sku,before,after\n";

/// The three Mondays: as-of, subscriptions, users holding Kaizala Pro.
fn three_weeks() -> [(&'static str, String, [&'static str; 4]); 3] {
    let [week1, week2] = weekly_subscriptions();
    let (before, after) = (
        ["a1@a.com", "a2@a.com", "a3@a.com", "b1@b.com"],
        ["a1@a.com", "a2@a.com", "b1@b.com", "b2@b.com"],
    );
    [
        ("2026-11-07", week1, before),
        ("2026-11-14", week2.clone(), after),
        ("2026-11-21", week2, after),
    ]
}

/// Three Mondays into the same `--out`; each week's exports change so that every kind of change
/// happens at least once. `csv/changes.csv` is checked whole.
#[test]
fn three_mondays_list_every_change_since_the_previous_report() {
    let dir = tempfile::tempdir().unwrap();
    let weeks = three_weeks();
    let mut changes = Vec::new();
    for (as_of, subs, users) in &weeks {
        std::fs::write(dir.path().join("subs.csv"), subs).unwrap();
        std::fs::write(dir.path().join("users.csv"), kaizala_users(users)).unwrap();
        let done = monday(dir.path(), as_of, "out", &[]);
        assert!(done.status.success(), "{}", stderr(&done));
        changes.push(std::fs::read_to_string(dir.path().join("out/csv/changes.csv")).unwrap());
    }
    // The first Monday has nothing to compare with: the header alone.
    assert_eq!(changes[0], CHANGES_HEADER);
    assert_eq!(
        changes[1],
        format!(
            "{CHANGES_HEADER}\
             new-expiring,,E,kaizala-pro,ke,,,absent,expiring\n\
             resolved,,C,kaizala-pro,kc,,,expiring,suspended\n\
             urgency-up,,B,kaizala-pro,kb,,,due-90,due-30\n\
             users-migrated,,A,kaizala-pro,,,,3,2\n\
             users-added,,B,kaizala-pro,,,,1,2\n\
             seats-bought,,A,,,,O365_BUSINESS_ESSENTIALS,3,0\n\
             new-suspension,,C,kaizala-pro,kc,,,,2026-11-10\n"
        )
    );
    // D's window closes on 2026-11-17 (suspended 2026-07-20 + 120 days): it is done.
    assert_eq!(
        changes[2],
        format!(
            "{CHANGES_HEADER}\
             window-closed,,D,kaizala-pro,kd,,,,2026-11-17\n\
             customer-done,,D,kaizala-pro,,,,wait,done\n"
        )
    );
    // The same as-of again compares nothing, and says so.
    let again = monday(dir.path(), "2026-11-21", "out", &[]);
    assert!(
        stdout(&again).contains("is as of 2026-11-21, not before 2026-11-21: nothing is compared"),
        "{}",
        stdout(&again)
    );
    let now = std::fs::read_to_string(dir.path().join("out/csv/changes.csv")).unwrap();
    assert_eq!(now, CHANGES_HEADER);
    check_history(dir.path());
}

/// The trend after the three Mondays (and the rerun of the third, which replaced its points):
/// carried forward from report to report; a failed run leaves it as it was.
fn check_history(dir: &Path) {
    let week = |as_of: &str, rows: &[&str]| -> String {
        rows.iter()
            .map(|r| format!("{as_of},,{r}"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    let later = [
        "A,kaizala-pro,2,0,1",
        "B,kaizala-pro,2,2,1",
        "C,kaizala-pro,,0,0",
        "D,kaizala-pro,0,0,0",
        "E,kaizala-pro,,4,1",
    ];
    let expected = format!(
        "as_of,customer_id,customer_name,retirement_id,users_left,to_buy,open_subscriptions\n{}{}{}",
        week(
            "2026-11-07",
            &[
                "A,kaizala-pro,3,3,1",
                "B,kaizala-pro,1,1,1",
                "C,kaizala-pro,,2,1",
                "D,kaizala-pro,0,0,0"
            ]
        ),
        week("2026-11-14", &later),
        week("2026-11-21", &later),
    );
    let history = || std::fs::read_to_string(dir.join("out/csv/history.csv")).unwrap();
    assert_eq!(history(), expected);
    std::fs::write(dir.join("users.csv"), "not,a\nuser,export\n").unwrap();
    std::fs::remove_file(dir.join("subs.csv")).unwrap();
    let failed = monday(dir, "2026-11-28", "out", &[]);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert_eq!(
        history(),
        expected,
        "a failed run leaves the history as it was"
    );
}

#[test]
fn previous_names_another_report_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let [week1, _] = weekly_subscriptions();
    std::fs::write(dir.path().join("subs.csv"), week1).unwrap();
    std::fs::write(dir.path().join("users.csv"), kaizala_users(&["a1@a.com"])).unwrap();
    assert!(
        monday(dir.path(), "2026-11-21", "out", &[])
            .status
            .success()
    );
    let other = monday(dir.path(), "2026-11-28", "other", &["--previous", "out"]);
    assert!(
        stdout(&other).contains("changes since 2026-11-21: none"),
        "{}",
        stdout(&other)
    );
    let file = monday(
        dir.path(),
        "2026-12-05",
        "third",
        &["--previous", "out/report.json"],
    );
    assert!(
        stdout(&file).contains("changes since 2026-11-21"),
        "{}",
        stdout(&file)
    );
    let none = monday(dir.path(), "2026-12-05", "other", &["--previous", "none"]);
    assert!(
        !stdout(&none).contains("changes since"),
        "{}",
        stdout(&none)
    );
    let missing = monday(
        dir.path(),
        "2026-12-05",
        "other",
        &["--previous", "nowhere"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("--previous: cannot read `nowhere`"),
        "{}",
        stderr(&missing)
    );
}

/// The Summary's trend chart: a line per retirement, a point per report in the history.
#[test]
fn the_summary_charts_users_left_per_report_and_retirement() {
    use skusunset::model::HistoryRow;
    use std::io::Read;
    let mut report = report_with(
        &format!("{SUB_HEADER}A,a.com,ka,Kaizala Pro,3,Active,False,2027-01-31,\n"),
        &[],
        &[],
    );
    let point = |as_of: &str, retirement: &str, users: i64| HistoryRow {
        as_of: as_of.parse().unwrap(),
        customer_id: None,
        customer_name: "A".into(),
        retirement_id: retirement.into(),
        users_left: Some(users),
        to_buy: 0,
        open_subscriptions: 1,
    };
    report.history = vec![
        point("2026-11-07", "kaizala-pro", 30),
        point("2026-11-07", "office365-e4", 12),
        point("2026-11-14", "kaizala-pro", 18),
        point("2026-11-14", "office365-e4", 12),
        point("2026-11-21", "kaizala-pro", 4),
    ];
    let rendering = skusunset::export::Rendering {
        formats: &[skusunset::export::Format::Xlsx],
        locale: skusunset::export::Locale::En,
        raw_csv: false,
        notices: &skusunset::export::notices::NoticeOptions::default(),
    };
    let (_, bytes) = skusunset::export::render(&report, &rendering)
        .unwrap()
        .remove(0)
        .into_file()
        .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut chart = String::new();
    zip.by_name("xl/charts/chart2.xml")
        .expect("a second chart")
        .read_to_string(&mut chart)
        .unwrap();
    assert!(chart.contains("<c:lineChart>"), "{chart}");
    assert_eq!(chart.matches("<c:ser>").count(), 2, "a line per retirement");
    // Three reports: each series spans three rows of the Summary's trend table.
    let refs: Vec<&str> = chart
        .split("<c:f>")
        .skip(1)
        .map(|r| r.split("</c:f>").next().unwrap())
        .collect();
    let values: Vec<&&str> = refs
        .iter()
        .filter(|r| r.contains("$B$") || r.contains("$C$"))
        .collect();
    assert!(!values.is_empty(), "{refs:?}");
    for r in values.iter().filter(|r| r.contains(':')) {
        let rows: Vec<u32> = r
            .split('$')
            .filter_map(|p| p.trim_end_matches(':').parse().ok())
            .collect();
        assert_eq!(rows[1] - rows[0] + 1, 3, "{r}");
    }
    assert_eq!(
        values.iter().filter(|r| r.contains(':')).count(),
        2,
        "{refs:?}"
    );
    assert!(chart.contains("Users still on retiring licenses"));
}

/// `--columns`: a Dutch-headed admin center export, with the partner's own header names, gives
/// the same canonical frame as its English twin; a field that does not exist is named.
#[test]
fn columns_map_a_dutch_export_to_the_same_frame_as_its_english_twin() {
    use skusunset::ingest::{InputSpec, load};
    let ingest = |file: &str, columns: Option<&str>| {
        let spec = InputSpec {
            subscriptions: vec![],
            licenses: vec![crate::util::input(file, Some("Adatum"))],
            sheet: None,
            date_order: None,
            columns: columns.map(crate::util::fixture),
        };
        load(&spec).unwrap()
    };
    let without_file =
        |df: &polars::prelude::DataFrame| crate::util::dump_frame(&df.drop("file").unwrap());
    let english = ingest("dialects/admin-users-old.csv", None);
    let dutch = ingest(
        "dialects/dutch-admin-users.csv",
        Some("dialects/dutch-columns.toml"),
    );
    assert!(english.licenses.height() > 0);
    assert_eq!(
        without_file(&dutch.licenses),
        without_file(&english.licenses)
    );
    // Without the file, the Dutch headers are not known.
    let spec = InputSpec {
        subscriptions: vec![],
        licenses: vec![crate::util::input(
            "dialects/dutch-admin-users.csv",
            Some("Adatum"),
        )],
        sheet: None,
        date_order: None,
        columns: None,
    };
    assert!(load(&spec).is_err());
    // A field that does not exist is an error that lists the fields.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("columns.toml");
    std::fs::write(&bad, "\"Gebruikersnaam\" = \"user_name\"\n").unwrap();
    let spec = InputSpec {
        subscriptions: vec![],
        licenses: vec![],
        sheet: None,
        date_order: None,
        columns: Some(bad),
    };
    let err = format!("{:#}", load(&spec).unwrap_err());
    assert!(
        err.contains("maps \"Gebruikersnaam\" to \"user_name\", which is no field")
            && err.contains("user_principal_name"),
        "{err}"
    );
}

/// The "since the previous report" box, on the index and on each runbook that changed, in every
/// locale, with no placeholder left.
#[test]
fn the_runbooks_say_what_changed_in_every_locale() {
    let dir = tempfile::tempdir().unwrap();
    let [week1, week2] = weekly_subscriptions();
    let heading = [
        ("en", "Since the report of"),
        ("nl", "Sinds het rapport van"),
        ("de", "Seit dem Bericht vom"),
        ("sv", "Sedan rapporten från"),
        ("tr", "tarihli rapordan bu yana"),
    ];
    for (locale, since) in heading {
        let out = format!("out-{locale}");
        for (as_of, subs) in [("2026-11-07", &week1), ("2026-11-14", &week2)] {
            std::fs::write(dir.path().join("subs.csv"), subs).unwrap();
            std::fs::write(dir.path().join("users.csv"), kaizala_users(&["a1@a.com"])).unwrap();
            let done = monday(
                dir.path(),
                as_of,
                &out,
                &["--format", "html", "--locale", locale],
            );
            assert!(done.status.success(), "{}", stderr(&done));
        }
        let read = |page: &str| {
            std::fs::read_to_string(dir.path().join(&out).join("runbooks").join(page)).unwrap()
        };
        let (index, c) = (read("index.html"), read("c.html"));
        for (page, text) in [("index", &index), ("c", &c)] {
            let boxed = text
                .split("<section class=\"since\">")
                .nth(1)
                .unwrap_or_else(|| panic!("{locale} {page}: no since box"));
            let boxed = boxed.split("</section>").next().unwrap();
            assert!(boxed.contains(since), "{locale} {page}: {boxed}");
            assert!(
                boxed.contains("kc"),
                "{locale} {page}: C's subscription kc: {boxed}"
            );
            assert!(
                !boxed.contains('{'),
                "{locale} {page}: a placeholder is left: {boxed}"
            );
        }
        // B's subscription did not change in a way B's runbook shows... but its urgency rose.
        assert!(
            read("b.html").contains("<section class=\"since\">"),
            "{locale}"
        );
        // A customer without change has no box.
        assert!(
            !read("d.html").contains("<section class=\"since\">"),
            "{locale}"
        );
        // Each runbook heads with the next action per retirement and the users left, report by
        // report; the index has the next action too.
        let reassign = [
            ("en", "move the users (step B)"),
            ("nl", "verplaats de gebruikers (stap B)"),
            ("de", "die Benutzer umstellen (Schritt B)"),
            ("sv", "flytta användarna (steg B)"),
            ("tr", "kullanıcıları taşıyın (B adımı)"),
        ];
        let (_, step_b) = reassign.iter().find(|(l, _)| *l == locale).unwrap();
        let a = read("a.html");
        assert!(a.contains(step_b), "{locale}: {a}");
        assert!(a.contains("1 \u{2192} 1"), "{locale}: the trend");
        assert!(index.contains(step_b), "{locale}: index");
    }
}

/// The Summary's headline figures say how they moved since the previous report.
#[test]
fn the_summary_says_how_the_headline_figures_moved() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let weeks = three_weeks();
    for (as_of, subs, users) in weeks.iter().take(2) {
        std::fs::write(dir.path().join("subs.csv"), subs).unwrap();
        std::fs::write(dir.path().join("users.csv"), kaizala_users(users)).unwrap();
        let done = monday(dir.path(), as_of, "out", &["--format", "xlsx"]);
        assert!(done.status.success(), "{}", stderr(&done));
    }
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("out/expiry-report.xlsx")).unwrap();
    let summary = wb.worksheet_range("Summary").unwrap();
    let delta = |label: &str| -> String {
        let row = (summary.rows())
            .find(|r| r.first() == Some(&Data::String(label.into())))
            .unwrap_or_else(|| panic!("Summary has `{label}`"));
        row.get(3).map(ToString::to_string).unwrap_or_default()
    };
    // E is new: 4 customers, now 5. Users to move: 4 both weeks. Seats: 3+1+2, now 0+2+4.
    assert_eq!(delta("Customers affected"), "+1 since 2026-11-07");
    assert_eq!(
        delta("Users to move (reassign)"),
        "no change since 2026-11-07"
    );
    assert_eq!(
        delta("Seats to buy (all plans)"),
        "no change since 2026-11-07"
    );
}
