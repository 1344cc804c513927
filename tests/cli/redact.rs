//! `--redact-users` (issue 29, item 6): the demo's report written twice, as is and redacted; the
//! redacted one holds none of the input's user principal names or display names, and no
//! address, in any file (byte-wise, the workbook's parts unzipped), its users are per-customer pseudonyms the same in every output,
//! and every count and every other table is what the plain report says.

use crate::util::{run, stderr};
use std::collections::BTreeMap;
use std::path::Path;

/// `report --format csv,xlsx,html,ics,notices` on the demo's fixtures into `out`, with `extra`.
fn demo_report(out: &Path, extra: &[&str]) -> std::process::Output {
    let args = [
        &[
            "report",
            "--as-of",
            "2026-11-21",
            "--format",
            "csv,xlsx,html,ics,notices",
            "-s",
            "fixtures/demo/subscriptions.csv",
            "--out",
            out.to_str().unwrap(),
        ][..],
        &crate::util::DEMO_LICENSES[..],
        extra,
    ]
    .concat();
    run(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
}

/// A CSV table as rows of named cells.
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    (reader.records())
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.into(), v.into()))
                .collect()
        })
        .collect()
}

/// Every file under `dir` as text, the workbook as the text of each of its parts.
fn every_text(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xlsx") {
                let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
                for i in 0..zip.len() {
                    let mut part = zip.by_index(i).unwrap();
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut part, &mut bytes).unwrap();
                    let name = format!("{}!{}", path.display(), part.name().unwrap());
                    out.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

/// Every user principal name and display name of the demo's license exports (lower case).
fn input_names() -> Vec<String> {
    let mut names = Vec::new();
    for file in [
        "contoso-users",
        "fabrikam-active-users",
        "northwind-licenses",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/demo/{file}.csv"));
        for row in table(&path) {
            for (header, value) in row {
                let header = header.to_lowercase().replace(' ', "");
                if (header == "userprincipalname" || header == "displayname") && !value.is_empty() {
                    names.push(value.to_lowercase());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Whether `text` holds an address (`x@y`) other than the calendars' event ids.
fn has_address(text: &str) -> bool {
    let bytes = text.as_bytes();
    (1..bytes.len().saturating_sub(1)).any(|i| {
        bytes[i] == b'@'
            && bytes[i - 1].is_ascii_alphanumeric()
            && bytes[i + 1].is_ascii_alphanumeric()
            && !text[i..].starts_with("@skusunset")
    })
}

#[test]
fn a_redacted_report_names_no_user_and_counts_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, redacted) = (dir.path().join("plain"), dir.path().join("redacted"));
    let out = demo_report(&plain, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = demo_report(&redacted, &["--redact-users"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let users = table(&plain.join("csv/users.csv"));
    assert!(users.len() > 10, "the demo has users to move");
    let names = input_names();
    assert!(
        names.len() > 500,
        "every user of the three exports: {}",
        names.len()
    );
    for (file, text) in every_text(&redacted) {
        let lower = text.to_lowercase();
        for name in &names {
            assert!(!lower.contains(name.as_str()), "{file} names {name}");
        }
        assert!(!has_address(&text), "{file} holds an address");
    }
    // Every other table is the same, and the users are the same rows under pseudonyms.
    for name in ["expiring", "purchases", "progress", "deprovisioning"] {
        let file = format!("csv/{name}.csv");
        assert_eq!(
            table(&plain.join(&file)),
            table(&redacted.join(&file)),
            "{name}"
        );
    }
    let pseudonymous = table(&redacted.join("csv/users.csv"));
    assert_eq!(pseudonymous.len(), users.len());
    let mut per_user: BTreeMap<(String, String), String> = BTreeMap::new();
    for (plain, redacted) in users.iter().zip(&pseudonymous) {
        let pseudonym = &redacted["user_principal_name"];
        assert!(
            pseudonym.len() == 9 && pseudonym.starts_with("user-"),
            "{pseudonym}"
        );
        assert_eq!(redacted["display_name"], "");
        for column in [
            "customer_name",
            "retiring_license",
            "action",
            "recommended_sku",
        ] {
            assert_eq!(plain[column], redacted[column], "{column}");
        }
        // One pseudonym per user and customer, whichever license row it is on.
        let key = (
            plain["customer_name"].clone(),
            plain["user_principal_name"].to_lowercase(),
        );
        let known = per_user.entry(key).or_insert_with(|| pseudonym.clone());
        assert_eq!(known, pseudonym);
    }
    // Numbered per customer, from user-0001 in the order of the real names.
    let contoso: Vec<&String> = (per_user.iter())
        .filter(|((c, _), _)| c == "Contoso Ltd")
        .map(|(_, p)| p)
        .collect();
    let expected: Vec<String> = (1..=contoso.len())
        .map(|n| format!("user-{n:04}"))
        .collect();
    assert_eq!(contoso, expected.iter().collect::<Vec<_>>());
    // The runbook lists the same pseudonyms and says it names no user.
    let runbook = std::fs::read_to_string(redacted.join("runbooks/contoso-ltd.html")).unwrap();
    assert!(runbook.contains("Users are pseudonyms in this copy"));
    for p in &contoso {
        assert!(runbook.contains(&format!("<code>{p}</code>")), "{p}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(redacted.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["run"]["redacted_users"], true);
    assert!(
        crate::util::stdout(&out).contains("users are pseudonyms (user-0001, … per customer)"),
        "{}",
        crate::util::stdout(&out)
    );
}

#[test]
fn scripts_are_refused_when_users_are_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "demo",
            "--out",
            "r",
            "--format",
            "html,scripts",
            "--redact-users",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "--redact-users cannot write the step B scripts: they reassign licenses by the \
             users' real names"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("r").exists());
    // `demo` writes every format by default: with --redact-users, every one but the scripts.
    let out = run(dir.path(), &["demo", "--out", "r", "--redact-users"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("r/runbooks/index.html").exists());
    assert!(dir.path().join("r/calendar/deadlines.ics").exists());
    assert!(!dir.path().join("r/scripts").exists());
}
