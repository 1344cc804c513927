//! Every dialect fixture → the exact canonical frame, issues and accounting (file snapshots in
//! `tests/cli/snapshots/`, each reviewed by hand), plus the errors that stop a run and a
//! licenses folder as partners keep it.

use crate::util::{dump, fixture, ingest, input, run, stderr, stdout};

fn subscriptions(rel: &str, key: Option<&str>) -> String {
    dump(&ingest(vec![input(rel, key)], vec![]).expect("fixture ingests"))
}

#[test]
fn powershell_export_with_type_line_and_customer_key() {
    insta::assert_snapshot!(subscriptions(
        "dialects/powershell-subscriptions.csv",
        Some("Adatum Corporation")
    ));
}

/// A distributor's export (CloudBlue/Ingram style): its own columns beside Microsoft's, which
/// win; `check` says which header became which field.
#[test]
fn distributor_export_prefers_the_microsoft_columns() {
    insta::assert_snapshot!(subscriptions(
        "dialects/distributor-subscriptions.csv",
        None
    ));
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("dialects/distributor-subscriptions.csv");
    let out = crate::util::run(dir.path(), &["check", "-s", file.to_str().unwrap()]);
    let text = crate::util::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "    columns: customer_name ← Customer, customer_domain ← Customer Domain, \
             subscription_id ← Microsoft Subscription ID, offer_name ← Product, quantity ← \
             Microsoft Licenses, status ← Microsoft Status, auto_renew ← Microsoft Auto Renew, \
             end_date ← Microsoft Commitment End Date\n"
        ),
        "{text}"
    );
}

#[test]
fn bulk_migration_tool_subscriptions_csv() {
    insta::assert_snapshot!(subscriptions(
        "dialects/bulk-migration-subscriptions.csv",
        None
    ));
}

#[test]
fn web_ui_export_tied_to_a_customer_id() {
    insta::assert_snapshot!(subscriptions(
        "dialects/web-ui-subscriptions.csv",
        Some("12abcd34-001a-4cd2-987c-3210abcd5678")
    ));
}

#[test]
fn windows_1252_semicolons_and_day_first_dates() {
    insta::assert_snapshot!(subscriptions("dialects/windows-1252-semicolon.csv", None));
}

#[test]
fn utf16_tab_delimited_with_embedded_newline() {
    insta::assert_snapshot!(subscriptions("dialects/utf16le-tab.csv", None));
}

#[test]
fn spreadsheet_with_spaced_headers_date_cells_and_serials() {
    insta::assert_snapshot!(subscriptions("dialects/spaced-headers.xlsx", None));
}

#[test]
fn bad_rows_are_reported_and_accounted() {
    insta::assert_snapshot!(subscriptions("dialects/bad-rows.csv", None));
}

#[test]
fn admin_center_exports_old_and_new_headers_and_long_licenses() {
    let got = ingest(
        vec![input("dialects/bulk-migration-subscriptions.csv", None)],
        vec![
            input("dialects/admin-users-old.csv", Some("adatum.com")),
            input("demo/contoso-users.csv", Some("Contoso Ltd")),
            input("dialects/long-licenses.csv", None),
        ],
    )
    .unwrap();
    insta::assert_snapshot!(dump(&got));
}

#[test]
fn a_missing_required_column_names_file_found_columns_and_aliases() {
    let err = ingest(vec![input("bad/tenant-sku-counts.csv", None)], vec![]).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("`fixtures/bad/tenant-sku-counts.csv` has no `subscription_id` column"),
        "{msg}"
    );
    assert!(
        msg.contains("columns found: SkuPartNumber, SkuId, ConsumedUnits"),
        "{msg}"
    );
    assert!(
        msg.contains("SyndicationPartnerSubscriptionNumber, SubscriptionId, Id"),
        "{msg}"
    );
}

#[test]
fn a_subscription_export_without_customer_needs_a_key() {
    let err = ingest(
        vec![input("dialects/web-ui-subscriptions.csv", None)],
        vec![],
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains(
            "has no customer column (`CustomerId`, `CustomerName`, …): an export made per \
             customer"
        ) && format!("{err:#}").contains("pass it as `--subscriptions \"CUSTOMER=FILE\"`"),
        "{err:#}"
    );
}

#[test]
fn a_license_file_of_unknown_shape_is_named() {
    let err = ingest(
        vec![input("dialects/bulk-migration-subscriptions.csv", None)],
        vec![input("bad/activation-report.csv", None)],
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("is not a license export"),
        "{err:#}"
    );
}

/// A license export given as `--subscriptions`, or a subscription export as `--licenses`, is
/// named for what it is, with the flag that reads it.
#[test]
fn an_export_passed_to_the_wrong_flag_says_which_flag_reads_it() {
    let err = ingest(vec![input("dialects/long-licenses.csv", None)], vec![]).unwrap_err();
    assert!(
        format!("{err:#}").contains(
            "`fixtures/dialects/long-licenses.csv` looks like a Microsoft 365 user/license \
             export (it has `UserPrincipalName` and `SkuPartNumber`), not a subscription \
             export; pass it with `--licenses`"
        ),
        "{err:#}"
    );
    let err = ingest(
        vec![input("dialects/bulk-migration-subscriptions.csv", None)],
        vec![input("dialects/web-ui-subscriptions.csv", None)],
    )
    .unwrap_err();
    assert!(
        format!("{err:#}").contains(
            "looks like a Partner Center subscription export (it has `Subscription ID` and \
             `Subscription`), not a license export; pass it with `--subscriptions`"
        ),
        "{err:#}"
    );
}

#[test]
fn an_unreadable_file_is_an_error_not_a_panic() {
    let err = ingest(vec![input("dialects/nope.csv", None)], vec![]).unwrap_err();
    assert!(
        format!("{err:#}").contains("cannot read `fixtures/dialects/nope.csv`"),
        "{err:#}"
    );
    assert!(fixture("dialects").is_dir());
}

/// Regenerates `fixtures/dialects/spaced-headers.xlsx` (run with `--ignored` after changing it).
#[test]
#[ignore = "regenerates a fixture; run with --ignored after changing it"]
fn make_spaced_headers_xlsx() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Subscriptions").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let headers = [
        " Customer name ",
        "Customer tenant ID",
        "Subscription ID",
        "Offer name",
        "Seats",
        "Subscription status",
        "Renews automatically",
        "Term end date",
        "Suspended on",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, &str, &str, f64, &str, bool); 3] = [
        (
            "Proseware, Inc.",
            "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
            "aa11bb22-cc33-4d44-8e55-ff6677889900",
            "Kaizala Pro",
            15.0,
            "Active",
            false,
        ),
        (
            "Proseware, Inc.",
            "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
            "bb22cc33-dd44-4e55-9f66-007788990011",
            "Skype for Business Online (Plan 1)",
            4.0,
            "Suspended",
            false,
        ),
        (
            "Proseware, Inc.",
            "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
            "cc33dd44-ee55-4f66-8a77-118899001122",
            "Office 365 E3",
            60.0,
            "Active",
            true,
        ),
    ];
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write(r, 0, row.0).unwrap();
        ws.write(r, 1, row.1).unwrap();
        ws.write(r, 2, row.2).unwrap();
        ws.write(r, 3, row.3).unwrap();
        ws.write(r, 4, row.4).unwrap();
        ws.write(r, 5, row.5).unwrap();
        ws.write(r, 6, row.6).unwrap();
    }
    // A real date cell, a bare serial number (no date format) and a text date.
    ws.write_datetime_with_format(1, 7, ExcelDateTime::from_ymd(2027, 1, 31).unwrap(), &date)
        .unwrap();
    ws.write(2, 7, 46418.0).unwrap();
    ws.write(2, 8, ExcelDateTime::from_ymd(2026, 10, 15).unwrap())
        .unwrap();
    ws.write(3, 7, "2027-06-30").unwrap();
    let notes = wb.add_worksheet().set_name("Notes").unwrap();
    notes
        .write(0, 0, "Exported by hand from Partner Center")
        .unwrap();
    wb.save(fixture("dialects/spaced-headers.xlsx")).unwrap();
}

/// MSOnline-era license lists: `reseller-account:SKU` values under `UserName, LicenseName,
/// UserEmail` (display name, license, UPN), and under `DisplayName, UserPrincipalName,
/// AccountDisabled, License, Product` with a BOM and CRLF (`AccountDisabled` is the blocked flag;
/// with both `License` and `Product`, `License` is read).
#[test]
fn msonline_license_lists_with_reseller_account_values() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let keyed = |rel: &str| format!("Contoso Ltd={}", fixture(rel).display());
    let (first, second) = (
        keyed("dialects/msonline-username-licensename.csv"),
        keyed("dialects/msonline-accountdisabled.csv"),
    );
    let out = crate::util::run(
        dir.path(),
        &[
            "report",
            "-s",
            &subs,
            "-l",
            &first,
            "-l",
            &second,
            "--as-of",
            "2026-11-21",
            "-f",
            "json",
            "-o",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("out/report.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let users: Vec<(String, String, String, String)> = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let s = |k: &str| u[k].as_str().unwrap_or_default().to_string();
            (
                s("user_principal_name"),
                s("display_name"),
                s("retiring_license"),
                s("action"),
            )
        })
        .collect();
    let expect = |upn: &str, name: &str, action: &str| {
        let row = (
            upn.to_string(),
            name.to_string(),
            "reseller-account:KAIZALA_STANDALONE".to_string(),
            action.to_string(),
        );
        assert!(users.contains(&row), "{row:?} not in {users:#?}");
    };
    expect("AdeleV@contoso.com", "Adele Vance", "remove-only");
    expect("DiegoS@contoso.com", "Diego Siciliani", "review-blocked");
    expect("GradyA@contoso.com", "Grady Archie", "reassign");
    let unknown: Vec<&serde_json::Value> = json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "unknown-license")
        .collect();
    assert!(unknown.is_empty(), "{unknown:#?}");
}

/// Microsoft 365 usage reports (`getOffice365ActiveUserDetail`): upper-case product names, `Yes`
/// / `No`, an empty `Assigned Products` for an unlicensed user; with concealed names (32-digit
/// hashes, no `Display Name`), one error for the file without `KEY=`, one warning with it.
#[test]
fn graph_usage_reports_plain_and_concealed() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let plain = fixture("dialects/graph-active-users.csv")
        .display()
        .to_string();
    let concealed = fixture("dialects/graph-active-users-concealed.csv");
    let out = crate::util::run(
        dir.path(),
        &["check", "-s", &subs, "-l", &plain, "--as-of", "2026-11-21"],
    );
    let text = crate::util::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    assert!(
        text.contains(
            "graph-active-users.csv (users, a row per user): 3 rows read = 3 used + 0 rejected"
        ),
        "{text}"
    );
    assert!(
        !text.contains("graph-active-users.csv:"),
        "no issue: {text}"
    );

    let out = crate::util::run(
        dir.path(),
        &["check", "-s", &subs, "-l", concealed.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let errors = crate::util::stderr(&out);
    assert_eq!(
        errors.matches("conceals its user names").count(),
        1,
        "{errors}"
    );
    assert!(
        errors.contains("`5C4AC2B8E1A9F0D3B7E6A5F4C3D2E1F0`"),
        "{errors}"
    );
    assert!(errors.contains("--licenses \"CUSTOMER=FILE\""), "{errors}");

    let keyed = format!("Contoso Ltd={}", concealed.display());
    let out = crate::util::run(dir.path(), &["check", "-s", &subs, "-l", &keyed]);
    let text = crate::util::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    assert_eq!(text.matches("warning concealed-names").count(), 1, "{text}");
    assert!(text.contains("2 rows read = 2 used + 0 rejected"), "{text}");
}

/// A license list re-saved by Excel: a second BOM before the quoted first header (read as
/// `UserName`: the CSV reader drops a BOM too, and `normalize` would drop one with its quotes),
/// line breaks inside header cells and a trailing period.
#[test]
fn headers_left_behind_by_an_excel_resave_still_map() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let keyed = format!(
        "Contoso Ltd={}",
        fixture("dialects/excel-resaved-users.csv").display()
    );
    let out = crate::util::run(dir.path(), &["check", "-s", &subs, "-l", &keyed]);
    let text = crate::util::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    assert!(text.contains("2 rows read = 2 used + 0 rejected"), "{text}");
    assert!(
        text.contains(
            "columns: user_principal_name ← User Email., display_name ← UserName, \
             license ← License\\u{a}Name, block_credential ← Account\\u{d}\\u{a}Disabled"
        ),
        "{text}"
    );
}

/// A licenses folder as partners keep it: exports in per-customer subfolders, Excel's lock file
/// beside an open workbook, notes, an unrelated table and last week's skusunset report. The
/// exports are read, the lock file and the report left out silently, the other two skipped with
/// a warning each; named on its own, the unrelated table is still an error.
#[test]
fn a_licenses_folder_is_read_with_its_subfolders_and_strays_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("licenses");
    std::fs::create_dir_all(folder.join("contoso")).unwrap();
    std::fs::copy(
        fixture("demo/contoso-users.csv"),
        folder.join("contoso/users.csv"),
    )
    .unwrap();
    std::fs::write(folder.join("~$users.xlsx"), b"\x00lock").unwrap();
    std::fs::write(folder.join("notes.txt"), "call Contoso about E4\n").unwrap();
    std::fs::write(
        folder.join("invoices-october.csv"),
        "Invoice,Amount\nINV-1,100\n",
    )
    .unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let old = run(
        dir.path(),
        &[
            "report",
            "-s",
            &subs,
            "-f",
            "csv",
            "-o",
            "licenses/last-week",
        ],
    );
    assert_eq!(old.status.code(), Some(0), "{}", stderr(&old));

    let out = run(dir.path(), &["check", "-s", &subs, "-l", "licenses"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}{text}", stderr(&out));
    assert!(
        text.contains(
            "licenses/contoso/users.csv (users, a row per user): 8 rows read = 7 used + 1 rejected"
        ),
        "{text}"
    );
    for skipped in ["licenses/invoices-october.csv", "licenses/notes.txt"] {
        assert!(
            text.contains(&format!(
                "{skipped} warning skipped-file: skipped, found in a folder"
            )),
            "{skipped}: {text}"
        );
    }
    assert!(
        !text.contains("~$users") && !text.contains("last-week"),
        "{text}"
    );

    let named = run(
        dir.path(),
        &["check", "-s", &subs, "-l", "licenses/invoices-october.csv"],
    );
    assert_eq!(named.status.code(), Some(2));
    assert!(
        stderr(&named).contains("is not a license export"),
        "{}",
        stderr(&named)
    );
}
