//! The commands end to end: exit codes, accounting, byte-identical and snapshotted outputs,
//! formula-like cells neutralised in the CSV tables.

use crate::util::{fixture, indent_json, run, stderr, stdout};

fn demo(dir: &std::path::Path, out: &str) -> std::process::Output {
    run(dir, &["demo", "--as-of", "2026-11-21", "--out", out])
}

#[test]
fn demo_writes_csv_and_json_that_match_the_snapshots_and_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let first = demo(dir.path(), "a");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(demo(dir.path(), "b").status.success());
    for name in [
        "csv/expiring.csv",
        "csv/users.csv",
        "csv/purchases.csv",
        "csv/deprovisioning.csv",
        "csv/issues.csv",
        "report.json",
    ] {
        let a = std::fs::read_to_string(dir.path().join("a").join(name)).unwrap();
        let b = std::fs::read_to_string(dir.path().join("b").join(name)).unwrap();
        assert_eq!(a, b, "{name} differs between identical runs");
        // `report.json` is compact: one line, no indentation (for machines).
        let a = if name == "report.json" {
            assert_eq!(a.lines().count(), 1, "report.json is not compact");
            indent_json(&a)
        } else {
            a
        };
        insta::assert_snapshot!(format!("demo__{}", name.replace(['/', '.'], "_")), a);
    }
    insta::assert_snapshot!("demo_summary", stdout(&first));
    for name in [
        "expiry-report.xlsx",
        "runbooks/index.html",
        "runbooks/contoso-ltd.html",
    ] {
        let a = std::fs::read(dir.path().join("a").join(name)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(name)).unwrap();
        assert!(a == b, "{name} differs between identical runs");
    }
}

#[test]
fn report_json_holds_every_field_of_the_report_as_serde_writes_it() {
    // `report.json` is written field by field (export/json.rs), so a field added to `Report`
    // must be added there too: the file is the report's own serialisation, plus a worded
    // `reason` on each user and purchase row.
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path(), "a");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("a/report.json")).unwrap();
    let mut written: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = serde_json::to_value(crate::util::demo_report()).unwrap();
    let (written, expected) = (
        written.as_object_mut().unwrap(),
        expected.as_object().unwrap(),
    );
    let keys =
        |o: &serde_json::Map<String, serde_json::Value>| o.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(written), keys(expected));
    for table in ["users", "purchases"] {
        let rows = written[table].as_array_mut().unwrap();
        assert!(!rows.is_empty(), "{table}");
        for row in rows {
            let reason = row.as_object_mut().unwrap().remove("reason");
            assert!(
                reason.as_ref().is_some_and(serde_json::Value::is_string),
                "{table}: {row}"
            );
        }
    }
    // The run names the demo's fixture files, unpacked into a new folder each time.
    for (key, value) in expected.iter().filter(|(key, _)| key.as_str() != "run") {
        assert_eq!(&written[key], value, "{key}");
    }
}

#[test]
fn check_prints_accounting_that_adds_up_and_strict_fails_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("dialects/bad-rows.csv");
    let out = run(
        dir.path(),
        &[
            "check",
            "--subscriptions",
            bad.to_str().unwrap(),
            "--as-of",
            "2026-11-21",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("8 rows read = 3 used + 5 rejected (1 blank rows skipped)"),
        "{text}"
    );
    let strict = run(
        dir.path(),
        &[
            "check",
            "--strict",
            "--subscriptions",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "check writes nothing"
    );
}

#[test]
fn unreadable_input_exits_2_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["report", "--subscriptions", "missing.csv", "--out", "out"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: cannot read `missing.csv`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out").exists());
    let bad_date = run(
        dir.path(),
        &["report", "--subscriptions", "x.csv", "--as-of", "tomorrow"],
    );
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(stderr(&bad_date).contains("--as-of \"tomorrow\" is not a date"));
}

#[test]
fn report_reads_every_dialect_together() {
    let dir = tempfile::tempdir().unwrap();
    let f = |p: &str| fixture(p).display().to_string();
    let args = [
        "report".to_string(),
        "--as-of".into(),
        "2026-11-21".into(),
        "--subscriptions".into(),
        f("dialects/bulk-migration-subscriptions.csv"),
        "--subscriptions".into(),
        format!(
            "Adatum Corporation={}",
            f("dialects/powershell-subscriptions.csv")
        ),
        "--subscriptions".into(),
        f("dialects/spaced-headers.xlsx"),
        "--licenses".into(),
        format!("Adatum Corporation={}", f("dialects/admin-users-old.csv")),
        "--licenses".into(),
        f("dialects/long-licenses.csv"),
        "--format".into(),
        "csv".into(),
        "--out".into(),
        "out".into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let expiring = std::fs::read_to_string(dir.path().join("out/csv/expiring.csv")).unwrap();
    assert_eq!(expiring.lines().count(), 1 + 7, "{expiring}");
    assert!(
        !dir.path().join("out/expiry-report.xlsx").exists(),
        "only the csv format was asked for (and report.json, always written)"
    );
    assert!(dir.path().join("out/report.json").exists());
}

/// A `KEY=` that names no customer stops the run and suggests the customers it probably meant
/// (it used to file the users under a phantom customer and buy seats for the real one).
#[test]
fn a_key_that_names_no_customer_is_an_error_with_the_closest_names() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let users = fixture("demo/contoso-users.csv").display().to_string();
    for (key, meant) in [
        ("Contoso", "did you mean `Contoso Ltd` or `contoso.com`?"),
        ("contoso.co", "did you mean `Contoso Ltd` or `contoso.com`?"),
        ("Contso Ltd", "did you mean `Contoso Ltd`?"),
    ] {
        let keyed = format!("{key}={users}");
        let out = run(dir.path(), &["check", "-s", &subs, "-l", &keyed]);
        assert_eq!(out.status.code(), Some(2), "{key}");
        let errors = stderr(&out);
        assert!(
            errors.contains(&format!("`{key}=` (on `{users}`) matches no customer")),
            "{errors}"
        );
        assert!(errors.contains(meant), "{key}: {errors}");
    }
}

#[test]
fn catalog_prints_the_builtin_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["catalog"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("# retirement catalog: built-in"));
    assert!(text.contains("id = \"skype-business-online-p1\""));
    std::fs::write(dir.path().join("bad.toml"), "[[retirement]]\nid = 1\n").unwrap();
    let bad = run(dir.path(), &["catalog", "--catalog", "bad.toml"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("invalid catalog `bad.toml`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn report_defaults_to_the_workbook_and_the_runbooks() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let out = run(
        dir.path(),
        &[
            "report",
            "--subscriptions",
            subs.to_str().unwrap(),
            "--as-of",
            "2026-11-21",
            "--locale",
            "sv",
            "--out",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        crate::util::file_names(&dir.path().join("out")),
        [
            ".skusunset",
            ".skusunset-report.json",
            "expiry-report.xlsx",
            "report.json",
            "runbooks"
        ]
    );
    let index = std::fs::read_to_string(dir.path().join("out/runbooks/index.html")).unwrap();
    assert!(index.contains("<html lang=\"sv\">"));
    assert!(index.contains("Migreringsrunbooks"));
    assert!(index.contains("31 oktober 2026"), "Swedish dates");
}

#[test]
fn an_unknown_locale_or_format_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    for args in [["--locale", "fr"], ["--format", "pdf"]] {
        let out = run(
            dir.path(),
            &[
                "report",
                "--subscriptions",
                subs.to_str().unwrap(),
                args[0],
                args[1],
                "--out",
                "out",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("invalid value"), "{}", stderr(&out));
        assert!(!dir.path().join("out").exists());
    }
}

#[test]
fn a_directory_of_many_runbooks_is_one_line_of_the_summary() {
    let report = crate::util::demo_report();
    let mut written = vec![std::path::PathBuf::from("out/expiry-report.xlsx")];
    written.extend((0..20).map(|i| std::path::PathBuf::from(format!("out/runbooks/c{i}.html"))));
    let mut text = Vec::new();
    skusunset::terminal::print_summary(&report, &written, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let wrote = &text[text.find("wrote:").unwrap()..];
    assert_eq!(
        wrote,
        "wrote:\n  out/expiry-report.xlsx\n  out/runbooks/ (20 files)\n"
    );
}

#[test]
fn progress_shows_on_a_terminal_only_and_never_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let piped = demo(dir.path(), "piped");
    assert!(piped.status.success());
    assert_eq!(
        stderr(&piped),
        "",
        "no progress when stderr is not a terminal"
    );
    if !crate::util::have("script", "progress_shows_on_a_terminal_only") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_skusunset");
    let on_terminal = |extra: &str, out: &str| {
        let command = format!("{bin} {extra} demo --as-of 2026-11-21 --out {out} >/dev/null");
        let run = std::process::Command::new("script")
            .current_dir(dir.path())
            .args(["-qec", &command, "/dev/null"])
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr(&run));
        stdout(&run)
    };
    let shown = on_terminal("", "tty");
    for step in [
        "✓ reading fixtures/demo/subscriptions.csv",
        "✓ reading fixtures/demo/northwind-licenses.csv",
        "✓ analysing",
        "✓ rendering xlsx, html, csv, json, scripts, ics, notices",
        "✓ writing 38 files to tty",
    ] {
        assert!(shown.contains(step), "{step:?} missing in {shown:?}");
    }
    assert_eq!(on_terminal("--quiet", "quiet"), "");
}

#[test]
fn timings_print_one_line_per_step_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_skusunset"))
        .current_dir(dir.path())
        .env("SKUSUNSET_TIMINGS", "1")
        .args(["--quiet", "demo", "--as-of", "2026-11-21", "--out", "out"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let lines: Vec<String> = stderr(&run).lines().map(str::to_string).collect();
    for step in ["attributing rows to customers", "analysing", "rendering"] {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("timing: {step}")))
            .unwrap_or_else(|| panic!("no timing for {step:?} in {lines:?}"));
        assert!(line.contains(" s, peak RSS "), "{line}");
    }
    assert!(lines.iter().all(|l| l.starts_with("timing: ")), "{lines:?}");
}

/// `report` lists the rows it did not use (at most ten, then how many more and where all issues
/// are), and `--strict` says why it exits 1.
#[test]
fn report_lists_its_errors_and_strict_says_why_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("dialects/bad-rows.csv").display().to_string();
    let out = run(
        dir.path(),
        &[
            "report",
            "-s",
            &bad,
            "--strict",
            "-f",
            "csv",
            "-o",
            "out",
            "--as-of",
            "2026-11-21",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("rows not used (5 errors):\n"), "{text}");
    assert!(text.contains(":9 error extra-cells:"), "{text}");
    assert!(
        text.contains("  (all issues, warnings included: out/csv/issues.csv)\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("--strict: exit status 1, because some rows were not used"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_has_every_field_of_the_report_and_a_reason_per_row() {
    use skusunset::export::{Format, Locale, Rendering, render};
    let report = crate::util::demo_report();
    let rendering = Rendering {
        formats: &[Format::Json],
        locale: Locale::En,
        raw_csv: false,
        notices: &skusunset::export::notices::NoticeOptions::default(),
    };
    let (_, bytes) = (render(&report, &rendering).unwrap().remove(0))
        .into_file()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let model = serde_json::to_value(&report).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&json), keys(&model));
    for table in ["users", "purchases"] {
        for row in json[table].as_array().unwrap() {
            assert!(!row["reason"].as_str().unwrap().is_empty(), "{row}");
            assert!(!row["reason"].as_str().unwrap().contains('{'), "{row}");
        }
    }
}

/// A run that cannot fit in memory stops with a message naming what it was doing and the input
/// that drove it, exit 3 — not "memory allocation of N bytes failed" and an abort (issue 28).
/// The address space is limited to 300 MB (`ulimit -v`) for a 400,000-row license export.
#[test]
fn a_run_out_of_memory_names_its_phase_and_input() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("big-users.csv");
    let mut text = String::from("UserPrincipalName,DisplayName,SkuPartNumber\n");
    for i in 0..400_000 {
        text.push_str(&format!(
            "user{i}@contoso.com,User {i},KAIZALA_STANDALONE\n"
        ));
    }
    std::fs::write(&users, text).unwrap();
    let script = format!(
        "ulimit -v 300000; exec '{}' check --as-of 2026-11-21 -s '{}' -l 'Contoso Ltd={}'",
        env!("CARGO_BIN_EXE_skusunset"),
        fixture("demo/subscriptions.csv").display(),
        users.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(
        said.starts_with("error: skusunset ran out of memory while ")
            && said.contains("MiB failed); the inputs are too large for this machine's memory"),
        "{said}"
    );
}

#[test]
fn formula_like_cells_are_neutralised_in_the_csv_tables_unless_raw_csv() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let users = format!("Contoso Ltd={}", fixture("bad/formula-cells.csv").display());
    let base = [
        "report",
        "-s",
        &subs,
        "-l",
        &users,
        "--as-of",
        "2026-11-21",
        "-f",
        "csv,json,scripts",
    ];
    let read =
        |out: &str, rel: &str| std::fs::read_to_string(dir.path().join(out).join(rel)).unwrap();
    let safe = run(dir.path(), &[&base[..], &["-o", "safe"]].concat());
    assert_eq!(safe.status.code(), Some(0), "{}", stderr(&safe));
    let raw = run(
        dir.path(),
        &[&base[..], &["-o", "raw", "--raw-csv"]].concat(),
    );
    assert_eq!(raw.status.code(), Some(0), "{}", stderr(&raw));

    let upn = "=HYPERLINK(\"http://evil.example\")@contoso.com";
    let users_csv = read("safe", "csv/users.csv");
    for cell in [
        "\"'=HYPERLINK(\"\"http://evil.example\"\")@contoso.com\"",
        ",'+cmd,",
        ",'-2+3,",
        ",'@x@contoso.com,",
    ] {
        assert!(users_csv.contains(cell), "{cell:?} not in\n{users_csv}");
    }
    let raw_csv = read("raw", "csv/users.csv");
    for cell in ["\"=HYPERLINK(", ",+cmd,", ",-2+3,", ",@x@contoso.com,"] {
        assert!(raw_csv.contains(cell), "{cell:?} not in\n{raw_csv}");
    }
    // The JSON and the step B script's input keep the values as read, whatever the flag.
    for out in ["safe", "raw"] {
        let json: serde_json::Value = serde_json::from_str(&read(out, "report.json")).unwrap();
        let upns: Vec<&str> = json["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u["user_principal_name"].as_str())
            .collect();
        assert!(upns.contains(&upn), "{upns:?}");
        let script_csv = read(out, "scripts/contoso-ltd.csv");
        assert!(
            script_csv.contains("\"=HYPERLINK(\"\"http://evil.example"),
            "{script_csv}"
        );
        assert!(!script_csv.contains("'="), "{script_csv}");
    }
}
