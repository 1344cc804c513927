//! `scripts/`: the step B PowerShell scripts parse with a PowerShell grammar (also for hostile
//! names), stay ASCII, take their GUIDs from the SKU table, and read a CSV that is exactly the
//! customer's `users` rows; snapshots of the demo's; the runbooks link to them.

use crate::util::{demo_report, run, stderr};
use skusunset::export::slug::customer_slugs;
use skusunset::export::{Exporter, SCRIPT_CSV_COLUMNS, ScriptsExporter};
use skusunset::model::{Report, by_customer};
use skusunset::reference::skus::SkuTable;
use std::collections::BTreeMap;

/// The exporter's files as path → text.
fn scripts(report: &Report) -> BTreeMap<String, String> {
    ScriptsExporter
        .export(report)
        .expect("scripts render")
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).expect("UTF-8");
            (path.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// Parses a script with tree-sitter's PowerShell grammar; panics with the places of any error.
fn parse(name: &str, script: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("the PowerShell grammar loads");
    let tree = parser
        .parse(script, None)
        .expect("the parser returns a tree");
    let mut errors = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            let line = script.lines().nth(node.start_position().row).unwrap_or("");
            errors.push(format!("{}: {line}", node.start_position().row + 1));
        }
        stack.extend((0..node.child_count()).filter_map(|i| node.child(i as u32)));
    }
    assert!(
        errors.is_empty(),
        "{name} has syntax errors:\n{}",
        errors.join("\n")
    );
    tree
}

/// The CSV a script reads, as records (BOM dropped).
fn records(csv_text: &str) -> Vec<Vec<String>> {
    let text = csv_text.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("CSV record").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn demo_scripts_parse_are_ascii_and_match_their_snapshots() {
    let files = scripts(&demo_report());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "scripts/contoso-ltd.csv",
            "scripts/contoso-ltd.ps1",
            "scripts/fabrikam-school-district.csv",
            "scripts/fabrikam-school-district.ps1",
            "scripts/northwind-traders.csv",
            "scripts/northwind-traders.ps1",
        ],
        "a script for every customer with users to reassign or remove, and no other"
    );
    for (name, text) in &files {
        if name.ends_with(".ps1") {
            parse(name, text);
            assert!(text.is_ascii(), "{name} is not plain ASCII");
            for needle in ["[CmdletBinding(SupportsShouldProcess)]", "[switch] $Apply"] {
                assert!(text.contains(needle), "{name}: {needle}");
            }
        }
    }
    for name in [
        "contoso-ltd",
        "fabrikam-school-district",
        "northwind-traders",
    ] {
        let script = &files[&format!("scripts/{name}.ps1")];
        insta::assert_snapshot!(format!("{name}_ps1"), script);
        let csv = &files[&format!("scripts/{name}.csv")];
        insta::assert_snapshot!(format!("{name}_csv"), csv.replace("\r\n", "\n"));
    }
}

#[test]
fn every_script_csv_holds_exactly_its_customers_users_rows() {
    let report = demo_report();
    let files = scripts(&report);
    let slugs = customer_slugs(&report);
    let mut checked = 0;
    for (key, users) in by_customer(&report.users) {
        let Some(csv) = files.get(&format!("scripts/{}.csv", slugs[&key])) else {
            assert!(
                users.iter().all(|u| u.action.as_str() == "review-blocked"),
                "{key:?} has users to move but no script"
            );
            continue;
        };
        let rows = records(csv);
        assert_eq!(rows[0], SCRIPT_CSV_COLUMNS);
        let from_csv: Vec<(&str, &str)> = rows[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect();
        let from_users: Vec<(&str, &str)> = users
            .iter()
            .map(|u| (u.user_principal_name.as_str(), u.action.as_str()))
            .collect();
        assert_eq!(from_csv, from_users, "{key:?}");
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn script_guids_are_the_sku_tables_and_unknown_skus_get_none() {
    let report = demo_report();
    let skus = SkuTable::builtin();
    let mut known = 0;
    for (name, text) in scripts(&report) {
        if !name.ends_with(".csv") {
            continue;
        }
        for row in &records(&text)[1..] {
            let (action, remove_id, remove_part, add_id, add_part) =
                (&row[1], &row[2], &row[3], &row[4], &row[5]);
            match skus.lookup(remove_part) {
                Some(sku) => {
                    assert_eq!(remove_id, &sku.guid, "{name}: {row:?}");
                    known += 1;
                }
                // Standalone Kaizala Pro has no product row: no guessed GUID, the script looks
                // the part number up in the tenant.
                None => {
                    assert_eq!(remove_id, "", "{name}: {row:?}");
                    assert_eq!(remove_part, "KAIZALA_STANDALONE", "{name}: {row:?}");
                }
            }
            if action == "reassign" {
                let sku = skus
                    .lookup(add_part)
                    .expect("the replacement is in the SKU table");
                assert_eq!(add_id, &sku.guid, "{name}: {row:?}");
            } else {
                assert_eq!((add_id.as_str(), add_part.as_str()), ("", ""), "{name}");
            }
        }
    }
    assert!(known > 10, "{known} rows with a known retiring SKU");
}

/// Values that would run code if a script pasted them in raw.
const HOSTILE: [&str; 12] = [
    "Evil'; Invoke-Evil; '",
    "x$(Invoke-Evil)y",
    "`\"; Invoke-Evil; \"`",
    "line one\nInvoke-Evil\n#",
    "a\r\nInvoke-Evil",
    "\u{2019}; Invoke-Evil; \u{2018}",
    "\u{201B}\u{201A}; Invoke-Evil; #",
    "\u{1b}[2J; Invoke-Evil",
    "@'\nInvoke-Evil\n'@",
    "M\u{fc}ller <# Invoke-Evil #>",
    "\u{2028}Invoke-Evil\u{85}",
    "{{ Invoke-Evil }}{% raw %}",
];

#[test]
fn hostile_customer_names_upns_and_display_names_stay_data() {
    for (i, hostile) in HOSTILE.iter().enumerate() {
        let mut report = demo_report();
        for user in &mut report.users {
            if &*user.customer_name == "Contoso Ltd" {
                user.customer_name = format!("Contoso {hostile}").into();
                user.user_principal_name = format!("{hostile}@contoso.com");
                user.display_name = Some(hostile.to_string());
                user.retiring_license = format!("Kaizala {hostile}").into();
            }
        }
        for license in &mut report.retiring_licenses {
            if license.license.contains("Kaizala") {
                license.license = format!("Kaizala {hostile}");
            }
        }
        for customer in &mut report.customers {
            if customer.customer_name == "Contoso Ltd" {
                customer.customer_name = format!("Contoso {hostile}");
                customer.customer_domain = Some(format!("{hostile}.example"));
            }
        }
        let files = scripts(&report);
        let (name, script) = files
            .iter()
            .find(|(name, text)| name.ends_with(".ps1") && text.contains("Invoke-Evil"))
            .unwrap_or_else(|| panic!("case {i}: the hostile customer has a script"));
        assert!(script.is_ascii(), "case {i}: {name} is not ASCII");
        let tree = parse(name, script);
        // Every occurrence sits inside a comment or a single-quoted (verbatim) string.
        for (at, _) in script.match_indices("Invoke-Evil") {
            let mut node = tree
                .root_node()
                .descendant_for_byte_range(at, at + "Invoke-Evil".len())
                .expect("a node covers every byte");
            let inert = loop {
                let text = &script[node.byte_range()];
                if node.kind() == "comment"
                    || (node.kind() == "string_literal" && text.starts_with('\''))
                {
                    break true;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => break false,
                }
            };
            let line = script[..at].lines().count();
            assert!(inert, "case {i}: {name} line {line} runs Invoke-Evil");
        }
        // The input CSV carries the hostile UPN unchanged: it is data, read by Import-Csv.
        let csv = files
            .iter()
            .find(|(n, text)| n.ends_with(".csv") && text.contains("Invoke-Evil"))
            .expect("the hostile customer's CSV");
        let upns: Vec<String> = records(csv.1)[1..].iter().map(|r| r[0].clone()).collect();
        assert!(upns.contains(&format!("{hostile}@contoso.com")), "case {i}");
    }
}

#[test]
fn a_plan_without_mailbox_or_desktop_apps_is_called_out_in_the_script_and_runbook() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = include_str!("../../data/catalog.toml").replace(
        "  { sku = \"ENTERPRISEPREMIUM\", name = \"Office 365 E5\", segments = [\"education\", \"business\", \"enterprise\", \"frontline\"] },",
        "  { sku = \"O365_BUSINESS_ESSENTIALS\", name = \"Microsoft 365 Business Basic\", segments = [\"business\"] },\n  \
         { sku = \"PROJECTPREMIUM\", name = \"Project Plan 5\", segments = [\"education\", \"enterprise\", \"frontline\"] },",
    );
    assert!(
        catalog.contains("PROJECTPREMIUM"),
        "the test edits the catalog"
    );
    let catalog_path = dir.path().join("catalog.toml");
    std::fs::write(&catalog_path, catalog).expect("write catalog");
    let fixtures = skusunset::config::demo::unpack().expect("demo fixtures");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
    let mut config = skusunset::config::demo::config(&fixtures, as_of);
    config.catalog.replace = Some(catalog_path);
    let report = skusunset::build_report(&config).expect("report");
    let files = scripts(&report);

    // Contoso (business): Office 365 E4 → Business Basic keeps a mailbox, loses the desktop apps.
    let contoso = &files["scripts/contoso-ltd.ps1"];
    parse("contoso-ltd.ps1", contoso);
    assert!(
        contoso.contains("# Office 365 E4 -> Microsoft 365 Business Basic:"),
        "{contoso}"
    );
    assert!(contoso.contains("WARNING: the new plan has no desktop Office apps"));
    assert!(!contoso.contains("no Exchange Online mailbox"));
    // Northwind (enterprise): → Project Plan 5 loses the mailbox too: the header says so and the
    // script warns at run time.
    let northwind = &files["scripts/northwind-traders.ps1"];
    parse("northwind-traders.ps1", northwind);
    assert!(northwind.contains("#   WARNING: the new plan has no Exchange Online mailbox. A user's mailbox data is deleted 30 days"));
    assert!(northwind.contains("the new plan has no Exchange Online mailbox; mailbox data is deleted 30 days after the old license is removed."));
    assert!(
        northwind.contains("EXCHANGE_S_ENTERPRISE"),
        "the lost plans are listed"
    );

    let html = skusunset::export::HtmlExporter {
        locale: skusunset::export::Locale::En,
        beside: vec![skusunset::export::Format::Scripts],
        raw_csv: false,
    }
    .export(&report)
    .expect("runbooks");
    let page = |file: &str| {
        let (_, bytes) = html.iter().find(|(p, _)| p.ends_with(file)).expect(file);
        String::from_utf8(bytes.clone()).expect("UTF-8")
    };
    let northwind = page("northwind-traders.html");
    assert!(northwind.contains("<p class=\"warning\">Project Plan 5 has no Exchange Online mailbox: a user&#x27;s mailbox data is deleted 30 days after the Office 365 E4 license is removed."), "{northwind}");
    let contoso = page("contoso-ltd.html");
    assert!(
        contoso.contains(
            "<p class=\"warning\">Microsoft 365 Business Basic has no desktop Office apps"
        )
    );
}

#[test]
fn report_writes_scripts_and_the_runbooks_link_them_only_then() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = |format: &str, out: &str| {
        let result = run(
            dir.path(),
            &[
                "demo",
                "--as-of",
                "2026-11-21",
                "--format",
                format,
                "--out",
                out,
            ],
        );
        assert!(result.status.success(), "{}", stderr(&result));
    };
    args("html,scripts", "with");
    args("html", "without");
    let with = dir.path().join("with");
    for file in [
        "contoso-ltd.ps1",
        "contoso-ltd.csv",
        "northwind-traders.ps1",
    ] {
        assert!(with.join("scripts").join(file).is_file(), "{file}");
    }
    let read = |path: std::path::PathBuf| std::fs::read_to_string(&path).expect("read");
    let runbook = read(with.join("runbooks/contoso-ltd.html"));
    assert!(
        runbook.contains("<a href=\"../scripts/contoso-ltd.ps1\">"),
        "{runbook}"
    );
    assert!(runbook.contains("without <strong>-Apply</strong>: a dry run"));
    let index = read(with.join("runbooks/index.html"));
    assert!(index.contains("<th>Step B script</th>"));
    assert!(index.contains("<code>northwind-traders.ps1</code>"));
    // Tailspin has no license data, so no script and no link.
    assert!(!read(with.join("runbooks/tailspin-toys.html")).contains("../scripts/"));

    // A script's record goes to `scripts/results/`, which no input list can be in, and the next
    // week's report into the same folder keeps it (issue 27: `Acme` once overwrote the list of
    // `Acme Result`).
    let script = read(with.join("scripts/contoso-ltd.ps1"));
    assert!(
        script.contains("$ResultsDir = Join-Path $PSScriptRoot 'results'")
            && script.contains("$ResultCsv = Join-Path $ResultsDir ('contoso-ltd' + '-'")
            && script.contains("$PlanJson = Join-Path $ResultsDir ('contoso-ltd-plan' + '-'"),
        "{script}"
    );
    let record = with.join("scripts/results/contoso-ltd-dryrun-20261207-101500.csv");
    std::fs::create_dir_all(record.parent().unwrap()).unwrap();
    std::fs::write(&record, "UserPrincipalName,Status\n").unwrap();
    args("html,scripts", "with");
    assert_eq!(read(record), "UserPrincipalName,Status\n");

    let without = dir.path().join("without");
    assert!(!without.join("scripts").exists());
    assert!(!read(without.join("runbooks/contoso-ltd.html")).contains("../scripts/"));
    assert!(!read(without.join("runbooks/index.html")).contains("Step B script"));
}

/// Every row tells the script what must stay: a remove-only row names its covering license and
/// the families it must have enabled; Office 365 E4 covered by E5 keeps Exchange, at any level.
#[test]
fn every_row_names_its_keeper_and_what_must_stay_enabled() {
    let files = scripts(&demo_report());
    let mut remove_only = 0;
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".csv")) {
        let rows = records(text);
        let column = |title: &str| rows[0].iter().position(|c| c == title).expect(title);
        let (action, cover, mode, families) = (
            column("Action"),
            column("CoverSkuPartNumber"),
            column("KeepMode"),
            column("KeepFamilies"),
        );
        for row in &rows[1..] {
            match row[action].as_str() {
                "remove-only" => {
                    remove_only += 1;
                    assert!(!row[cover].is_empty(), "{name}: {row:?}");
                    assert!(
                        ["any", "each"].contains(&row[mode].as_str()),
                        "{name}: {row:?}"
                    );
                    assert!(!row[families].is_empty(), "{name}: {row:?}");
                }
                "reassign" => assert!(row[cover].is_empty(), "{name}: {row:?}"),
                _ => {}
            }
            if row[cover] == "ENTERPRISEPREMIUM" {
                assert_eq!(row[mode], "each");
                let kept: Vec<&str> = row[families].split(';').collect();
                assert!(kept.contains(&"EXCHANGE_S_ENTERPRISE") && kept.contains(&"FLOW_O365"));
                assert!(
                    !kept.contains(&"MCOVOICECONF"),
                    "E5 has no audio conferencing plan"
                );
            }
        }
    }
    assert_eq!(remove_only, 8, "the demo's remove-only users");
}

/// `report` arguments over a subscription export with a retiring Kaizala Pro subscription per
/// name and a one-user license export each, written into `dir`.
fn report_args_for(dir: &std::path::Path, names: &[&str]) -> Vec<String> {
    let mut subs = String::from(
        "CustomerId,CustomerName,SubscriptionId,OfferName,Quantity,Status,AutoRenewEnabled,\
         CommitmentEndDate\n",
    );
    let mut args: Vec<String> = ["report", "--as-of", "2026-11-21", "--out", "out"]
        .map(String::from)
        .to_vec();
    args.extend(["--format".into(), "html,scripts,csv".into()]);
    for (i, name) in names.iter().enumerate() {
        subs.push_str(&format!(
            "00000000-0000-4000-8000-00000000000{i},{name},k-{i},Microsoft Kaizala Pro,2,active,\
             False,2027-01-05\n"
        ));
        let users = dir.join(format!("users-{i}.csv"));
        std::fs::write(
            &users,
            format!(
                "UserPrincipalName,DisplayName,Licenses\nu{i}@acme{i}.com,User {i},Kaizala Pro\n"
            ),
        )
        .unwrap();
        args.extend(["-l".into(), format!("{name}={}", users.display())]);
    }
    std::fs::write(dir.join("subs.csv"), subs).unwrap();
    args.extend(["-s".into(), "subs.csv".into()]);
    args
}

/// Customers whose names make each other's file names (`Acme` and `Acme Result`, `Results`,
/// `Index`): every file the report writes is its own, each customer's script list holds only
/// its users, and the scripts' records go to `results/`, which no slug can name (issue 27).
#[test]
fn customers_named_like_each_others_files_get_files_of_their_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let names = [
        "Acme",
        "Acme Result",
        "Acme Result Dryrun",
        "Results",
        "Index",
    ];
    let args = report_args_for(dir.path(), &names);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let scripts = dir.path().join("out/scripts");
    let mut found: Vec<String> = std::fs::read_dir(&scripts)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "acme-result-dryrun.csv",
            "acme-result-dryrun.ps1",
            "acme-result.csv",
            "acme-result.ps1",
            "acme.csv",
            "acme.ps1",
            "index-customer.csv",
            "index-customer.ps1",
            "results.csv",
            "results.ps1",
        ]
    );
    for (i, slug) in [
        "acme",
        "acme-result",
        "acme-result-dryrun",
        "results",
        "index-customer",
    ]
    .iter()
    .enumerate()
    {
        let list = std::fs::read_to_string(scripts.join(format!("{slug}.csv"))).unwrap();
        assert_eq!(list.lines().count(), 2, "{slug}: {list}");
        assert!(
            list.contains(&format!("u{i}@acme{i}.com")),
            "{slug}: {list}"
        );
        let script = std::fs::read_to_string(scripts.join(format!("{slug}.ps1"))).unwrap();
        assert!(
            script.contains(&format!(
                "$ResultCsv = Join-Path $ResultsDir ('{slug}' + '-'"
            )),
            "{slug}"
        );
    }
    let runbooks = std::fs::read_dir(dir.path().join("out/runbooks"))
        .unwrap()
        .count();
    assert_eq!(runbooks, names.len() + 1, "a runbook each and the index");
}
