//! §3 rules on small hand-made inputs; every expectation below is computed by hand from the
//! input rows shown in the test.

use skusunset::analyze::Params;
use skusunset::config::Config;
use skusunset::ingest::{InputFile, InputSpec};
use skusunset::model::{IssueCode, Report};
use skusunset::reference::catalog::Segment;
use std::collections::BTreeMap;
use std::path::Path;

const AS_OF: &str = "2026-11-21";

fn write(dir: &Path, name: &str, text: &str) -> InputFile {
    std::fs::write(dir.join(name), text).unwrap();
    InputFile {
        key: None,
        path: dir.join(name),
        name: name.to_string(),
        in_folder: false,
    }
}

pub(crate) fn report_with(
    subs: &str,
    lics: &[(&str, Option<&str>, String)],
    overrides: &[(&str, Segment)],
) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let subscriptions = vec![write(dir.path(), "subs.csv", subs)];
    let licenses = lics
        .iter()
        .map(|(name, key, text)| InputFile {
            key: key.map(str::to_string),
            ..write(dir.path(), name, text)
        })
        .collect();
    let config = Config {
        inputs: InputSpec {
            subscriptions,
            licenses,
            sheet: None,
            date_order: None,
            columns: None,
        },
        skus: vec![],
        catalog: skusunset::reference::catalog::CatalogSource::default(),
        params: Params {
            as_of: AS_OF.parse().unwrap(),
            deprovision_days: 120,
            segment_overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect::<BTreeMap<_, _>>(),
        },
        strict: false,
        prices: None,
    };
    skusunset::build_report(&config).unwrap()
}

/// subscription id, deprovision_on, days_left, state, licenses_still_assigned
type WindowRow<'a> = (&'a str, Option<String>, Option<i64>, &'a str, i64);

pub(crate) const SUB_HEADER: &str = "CustomerName,CustomerDomainName,SubscriptionId,OfferName,Quantity,Status,AutoRenewEnabled,CommitmentEndDate,SuspendedOn\n";

#[test]
fn every_state_and_urgency_with_boundaries() {
    let subs = format!(
        "{SUB_HEADER}\
         A,a.com,s01,Kaizala Pro,1,Active,False,2026-11-20,\n\
         A,a.com,s02,Kaizala Pro,1,Active,False,2026-11-21,\n\
         A,a.com,s03,Kaizala Pro,1,Active,False,2026-12-21,\n\
         A,a.com,s04,Kaizala Pro,1,Active,False,2026-12-22,\n\
         A,a.com,s05,Kaizala Pro,1,Pending,True,2027-02-19,\n\
         A,a.com,s06,Kaizala Pro,1,None,,2027-02-20,\n\
         A,a.com,s07,Kaizala Pro,1,Suspended,False,2026-12-01,2026-11-01\n\
         A,a.com,s08,Kaizala Pro,1,Expired,False,2026-01-01,\n\
         A,a.com,s09,Kaizala Pro,1,Disabled,False,2026-01-01,\n\
         A,a.com,s10,Kaizala Pro,1,Deleted,False,2026-01-01,\n\
         A,a.com,s11,Kaizala Pro,1,Active,False,9999-12-31,\n\
         A,a.com,s12,Office 365 E3,1,Active,False,2026-12-01,\n"
    );
    let r = report_with(&subs, &[], &[]);
    let got: Vec<(&str, Option<i64>, &str, &str)> = r
        .expiring
        .iter()
        .map(|e| {
            (
                e.subscription_id.as_str(),
                e.days_left,
                e.urgency.as_str(),
                e.state.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("s01", Some(-1), "overdue", "expiring"),
            ("s02", Some(0), "due-30", "expiring"),
            ("s03", Some(30), "due-30", "expiring"),
            ("s04", Some(31), "due-90", "expiring"),
            ("s05", Some(90), "due-90", "auto-renew-on"),
            ("s06", Some(91), "later", "auto-renew-unknown"),
            ("s07", Some(10), "none", "suspended"),
            ("s08", Some(-324), "none", "ended"),
            ("s09", Some(-324), "none", "ended"),
            ("s10", Some(-324), "none", "ended"),
            ("s11", None, "none", "expiring"),
        ]
    );
}

pub(crate) fn users_csv(rows: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("Display name,User principal name,Block credential,Licenses\n");
    for (upn, blocked, licenses) in rows {
        s.push_str(&format!("{upn},{upn},{blocked},{licenses}\n"));
    }
    s
}

// Over the house's 80 lines: one scenario with every action, read top to bottom.
#[allow(clippy::too_many_lines)]
#[test]
fn actions_plus_split_blocked_wins_and_unknown_never_covers() {
    let subs =
        format!("{SUB_HEADER}Contoso,contoso.com,k1,Kaizala Pro,9,Active,False,2026-12-31,\n");
    let lics = users_csv(&[
        (
            "plain@contoso.com",
            "False",
            "Kaizala Pro+Microsoft Power Automate Free",
        ),
        ("covered@contoso.com", "False", "Office 365 E1+Kaizala Pro"),
        ("blocked@contoso.com", "True", "Office 365 E1+Kaizala Pro"),
        ("unknown@contoso.com", "False", "Kaizala Pro+Contoso Thing"),
        (
            "ems@contoso.com",
            "False",
            "Enterprise Mobility + Security E5+Office 365 E4",
        ),
        ("none@contoso.com", "False", "Unlicensed"),
    ]);
    let r = report_with(&subs, &[("users.csv", None, lics)], &[]);
    let got: Vec<(&str, &str, &str, Option<&str>)> = r
        .users
        .iter()
        .map(|u| {
            (
                u.user_principal_name.as_str(),
                &*u.retirement_id,
                u.action.as_str(),
                u.recommended_sku.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("blocked@contoso.com", "kaizala-pro", "review-blocked", None),
            ("covered@contoso.com", "kaizala-pro", "remove-only", None),
            (
                "ems@contoso.com",
                "office365-e4",
                "reassign",
                Some("ENTERPRISEPREMIUM")
            ),
            (
                "plain@contoso.com",
                "kaizala-pro",
                "reassign",
                Some("O365_BUSINESS_ESSENTIALS")
            ),
            (
                "unknown@contoso.com",
                "kaizala-pro",
                "reassign",
                Some("O365_BUSINESS_ESSENTIALS")
            ),
        ]
    );
    let english = skusunset::export::Messages::english();
    assert!(r.users.iter().all(|u| !english.reason(&u.why).is_empty()));
    let purchases: Vec<(&str, &str, i64)> = r
        .purchases
        .iter()
        .map(|p| {
            (
                p.retirement_id.as_str(),
                p.recommended_sku.as_str(),
                p.quantity,
            )
        })
        .collect();
    assert_eq!(
        purchases,
        [
            ("kaizala-pro", "O365_BUSINESS_ESSENTIALS", 2),
            ("office365-e4", "ENTERPRISEPREMIUM", 1)
        ]
    );
    let c = &r.customers[0];
    assert_eq!((c.segment.as_str(), c.licensed_users), ("business", 5));
    assert_eq!(
        r.issues
            .iter()
            .filter(|i| i.code == IssueCode::UnknownLicense)
            .count(),
        1
    );
}

/// A `Licenses` cell joined with ` + ` (as a partner's own spreadsheet writes it) is split like
/// one joined with `+`: the Office 365 E3 that already includes Kaizala is never swallowed by the
/// catalog's `kaizala pro` word, so the user is `remove-only`, not a purchase (issue 22).
#[test]
fn spaced_plus_cells_keep_the_license_that_covers() {
    let subs =
        format!("{SUB_HEADER}Contoso,contoso.com,k1,Kaizala Pro,9,Active,False,2026-12-31,\n");
    let lics = users_csv(&[
        (
            "spaced@contoso.com",
            "False",
            "Office 365 E3 + Microsoft Kaizala Pro",
        ),
        (
            "tight@contoso.com",
            "False",
            "Office 365 E3+Microsoft Kaizala Pro",
        ),
        (
            "ems@contoso.com",
            "False",
            "Enterprise Mobility + Security E5 + Microsoft Kaizala Pro",
        ),
        (
            "trailing@contoso.com",
            "False",
            "Microsoft Kaizala Pro ++ Contoso Widget +",
        ),
    ]);
    let r = report_with(&subs, &[("users.csv", None, lics)], &[]);
    let english = skusunset::export::Messages::english();
    let lines: Vec<String> = (r.users.iter())
        .map(|u| {
            format!(
                "{} | {} | {} | {}",
                u.user_principal_name,
                u.retiring_license,
                u.action.as_str(),
                english.reason(&u.why)
            )
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
    let purchases: i64 = r.purchases.iter().map(|p| p.quantity).sum();
    assert_eq!(
        purchases, 2,
        "only the EMS and the trailing user need a seat"
    );
}

#[test]
fn reasons_name_licenses_by_product_not_by_string_id() {
    let subs = format!(
        "{SUB_HEADER}Contoso,contoso.com,k1,Kaizala Pro,9,Active,False,2026-12-31,\n\
         Contoso,contoso.com,e4,Office 365 E4,9,Active,False,2026-12-31,\n"
    );
    let lics = users_csv(&[
        ("covered@contoso.com", "False", "SPE_E3+KAIZALA_STANDALONE"),
        ("plain@contoso.com", "False", "ENTERPRISEWITHSCAL"),
    ]);
    let r = report_with(&subs, &[("users.csv", None, lics)], &[]);
    let english = skusunset::export::Messages::english();
    let got: Vec<(&str, &str, String)> = (r.users.iter())
        .map(|u| {
            let why = english.reason(&u.why);
            (u.user_principal_name.as_str(), &*u.retiring_license, why)
        })
        .collect();
    // The retiring license column keeps the value as exported; the reason names the product.
    assert_eq!(got[0].0, "covered@contoso.com");
    assert_eq!(got[0].1, "KAIZALA_STANDALONE");
    assert!(
        got[0].2.starts_with("also holds Microsoft 365 E3, "),
        "{}",
        got[0].2
    );
    assert_eq!(got[1].1, "ENTERPRISEWITHSCAL");
    assert!(
        got[1].2.starts_with("holds Office 365 E4 and "),
        "{}",
        got[1].2
    );
}

fn many_users(n: usize, domain: &str) -> String {
    let rows: Vec<(String, &str, &str)> = (0..n)
        .map(|i| {
            (
                format!("u{i:03}@{domain}"),
                "False",
                if i == 0 {
                    "Kaizala Pro"
                } else {
                    "Office 365 E3"
                },
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, &str)> =
        rows.iter().map(|(u, b, l)| (u.as_str(), *b, *l)).collect();
    users_csv(&borrowed)
}

#[test]
fn segments_300_is_business_301_enterprise_education_and_override() {
    let subs = format!(
        "{SUB_HEADER}\
         Three Hundred,b300.com,a,Kaizala Pro,1,Active,False,2026-12-31,\n\
         Three Hundred One,e301.com,b,Kaizala Pro,1,Active,False,2026-12-31,\n\
         School,school.edu,c,Kaizala Pro,1,Active,False,2026-12-31,\n\
         Shop,shop.com,d,Kaizala Pro,1,Active,False,2026-12-31,\n"
    );
    let mut b300 = many_users(300, "b300.com");
    b300.push_str("nolicense@b300.com,nolicense@b300.com,False,Unlicensed\n");
    let school = users_csv(&[
        ("t@school.edu", "False", "Office 365 A1 for faculty"),
        ("s@school.edu", "False", "Kaizala Pro"),
    ]);
    let shop = users_csv(&[("x@shop.com", "False", "Kaizala Pro")]);
    let r = report_with(
        &subs,
        &[
            ("b300.csv", None, b300),
            ("e301.csv", None, many_users(301, "e301.com")),
            ("school.csv", None, school),
            ("shop.csv", None, shop),
        ],
        &[("shop.com", Segment::Frontline)],
    );
    let segs: Vec<(&str, &str, i64)> = r
        .customers
        .iter()
        .map(|c| {
            (
                c.customer_name.as_str(),
                c.segment.as_str(),
                c.licensed_users,
            )
        })
        .collect();
    assert_eq!(
        segs,
        [
            ("School", "education", 2),
            ("Shop", "frontline", 1),
            ("Three Hundred", "business", 300),
            ("Three Hundred One", "enterprise", 301),
        ]
    );
    let plans: Vec<(&str, &str)> = r
        .purchases
        .iter()
        .map(|p| (p.customer_name.as_str(), p.recommended_sku.as_str()))
        .collect();
    assert_eq!(
        plans,
        [
            ("School", "M365EDU_A1"),
            ("Shop", "SPE_F1"),
            ("Three Hundred", "O365_BUSINESS_ESSENTIALS"),
            ("Three Hundred One", "STANDARDPACK")
        ]
    );
}

#[test]
fn customers_without_license_data_fall_back_to_subscription_quantities() {
    let subs = format!(
        "{SUB_HEADER}\
         NoData,nodata.com,n1,Skype for Business Online (Plan 1),7,Active,False,2026-12-31,\n\
         NoData,nodata.com,n2,MCOIMP,5,Active,,2027-12-31,\n\
         NoData,nodata.com,n3,Skype for Business Online (Plan 1),100,Expired,False,2026-01-01,\n\
         HasData,hasdata.com,h1,Skype for Business Online (Plan 1),50,Active,False,2026-12-31,\n"
    );
    let lics = users_csv(&[("a@hasdata.com", "False", "Office 365 E3")]);
    let r = report_with(&subs, &[("h.csv", None, lics)], &[]);
    assert_eq!(
        r.purchases.len(),
        1,
        "HasData has license data and no retiring user: no row"
    );
    let p = &r.purchases[0];
    assert_eq!(
        (
            p.customer_name.as_str(),
            p.recommended_sku.as_str(),
            p.recommended_plan.as_str(),
            p.quantity
        ),
        ("NoData", "DESKLESSPACK", "Office 365 F3", 12)
    );
    let reason = skusunset::export::Messages::english().reason(&p.why);
    assert!(reason.contains("no license data"), "{reason}");
}

#[test]
fn deprovisioning_windows_and_licenses_still_assigned() {
    let subs = format!(
        "{SUB_HEADER}\
         W,w.com,d1,Kaizala Pro,5,Suspended,False,2026-12-31,2026-07-24\n\
         W,w.com,d2,Microsoft 365 Business Basic,5,Suspended,False,2026-12-31,2026-07-23\n\
         W,w.com,d3,Office 365 E4,5,Suspended,False,2026-12-31,\n\
         W,w.com,d4,Office 365 E3,5,Active,True,2026-12-31,\n"
    );
    let lics = users_csv(&[
        ("a@w.com", "False", "Microsoft Kaizala Pro"),
        (
            "b@w.com",
            "True",
            "Kaizala Pro+Microsoft 365 Business Basic",
        ),
        ("c@w.com", "False", "Microsoft 365 Business Basic"),
        ("d@w.com", "False", "Office 365 E3"),
    ]);
    let r = report_with(&subs, &[("w.csv", None, lics)], &[]);
    let got: Vec<WindowRow> = r
        .deprovisioning
        .iter()
        .map(|d| {
            (
                d.subscription_id.as_str(),
                d.deprovision_on.map(|x| x.to_string()),
                d.days_left,
                d.state.as_str(),
                d.licenses_still_assigned,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("d1", Some("2026-11-21".into()), Some(0), "in-window", 2),
            ("d2", Some("2026-11-20".into()), Some(-1), "overdue", 2),
            ("d3", None, None, "unknown-start", 0),
        ]
    );
}

#[test]
fn license_files_attach_by_column_key_or_domain_and_the_rest_is_reported() {
    let subs =
        format!("{SUB_HEADER}Fabrikam,fabrikam.com,f1,Kaizala Pro,3,Active,False,2026-12-31,\n");
    let by_domain = users_csv(&[
        ("a@FABRIKAM.com", "False", "Kaizala Pro"),
        ("b@elsewhere.com", "False", "Kaizala Pro"),
    ]);
    let by_key = users_csv(&[("c@fabrikam.onmicrosoft.com", "False", "Kaizala Pro")]);
    let r = report_with(
        &subs,
        &[
            ("d.csv", None, by_domain),
            ("k.csv", Some("fabrikam"), by_key),
        ],
        &[],
    );
    let upns: Vec<&str> = r
        .users
        .iter()
        .map(|u| u.user_principal_name.as_str())
        .collect();
    assert_eq!(upns, ["a@FABRIKAM.com", "c@fabrikam.onmicrosoft.com"]);
    let issue = r
        .issues
        .iter()
        .find(|i| i.code == IssueCode::UnattributedUser)
        .unwrap();
    assert_eq!((issue.file.as_str(), issue.row), ("d.csv", Some(3)));
    let d = r.accounting.iter().find(|a| a.file == "d.csv").unwrap();
    assert_eq!((d.rows_read, d.rows_used, d.rows_rejected), (2, 1, 1));
}

/// A customer without a user export whose Kaizala subscription is already suspended (step C
/// done) is never told to buy its seats again; its open Skype subscription still is (issue 23).
#[test]
fn a_suspended_subscription_is_never_bought_again() {
    let subs = format!(
        "{SUB_HEADER}Wide World Importers,wwi.com,k1,Kaizala Pro,8,Suspended,False,2026-12-31,2026-11-01\n\
         Wide World Importers,wwi.com,s1,Skype for Business Online (Plan 1),5,Active,False,2027-01-31,\n"
    );
    let r = report_with(&subs, &[], &[]);
    let purchases: Vec<(&str, i64)> = (r.purchases.iter())
        .map(|p| (p.retirement_id.as_str(), p.quantity))
        .collect();
    assert_eq!(purchases, [("skype-business-online-p1", 5)]);
    let progress = &r.summary.customers[0].retirements;
    let done: Vec<(&str, bool)> = (progress.iter())
        .map(|p| (p.retirement_id.as_str(), p.suspended_done))
        .collect();
    assert_eq!(
        done,
        [("skype-business-online-p1", false), ("kaizala-pro", true)]
    );
    let seat_counts = (r.issues.iter())
        .filter(|i| i.code == IssueCode::SeatCounts)
        .count();
    assert_eq!(seat_counts, 1, "only the open subscription is a seat count");
}

#[test]
fn a_license_export_of_only_unknown_licenses_moves_no_one_and_says_why() {
    // Unknown's export names no license the SKU table or the catalog knows. It is license data
    // (users were read), and no user in it holds Skype for Business: nothing to buy, no user to
    // move, and each unknown license is a warning naming it, so the reader sees why.
    let subs = format!(
        "{SUB_HEADER}\
         Unknown,unknown.com,u1,Skype for Business Online (Plan 1),7,Active,False,2026-12-31,\n\
         Unknown,unknown.com,u2,Office 365 F3,3,Active,False,2027-12-31,\n"
    );
    let lics = users_csv(&[
        ("a@unknown.com", "False", "Contoso Custom Suite"),
        ("b@unknown.com", "False", "Fabrikam Add-on"),
    ]);
    let r = report_with(&subs, &[("u.csv", None, lics)], &[]);
    assert!(r.purchases.is_empty(), "{:?}", r.purchases);
    assert!(r.users.is_empty(), "{:?}", r.users);
    assert_eq!(r.expiring.len(), 1);
    assert!(r.customers[0].has_license_data, "{:?}", r.customers[0]);
    let mut unknown: Vec<&str> = (r.issues.iter())
        .filter(|i| i.code == IssueCode::UnknownLicense)
        .map(|i| i.message.as_str())
        .collect();
    unknown.sort_unstable();
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    assert!(unknown[0].starts_with("license \"Contoso Custom Suite\" is not in the SKU table"));
    assert!(unknown[1].starts_with("license \"Fabrikam Add-on\" is not in the SKU table"));
    assert!(
        !(r.issues.iter()).any(|i| i.code == IssueCode::SeatCounts),
        "an export was read: no seat count"
    );
}
