//! `fixtures/bad/` (made by `scripts/make-bad-corpus.py`): each hostile or broken file through
//! the binary, with its exit status and the message it must give; then the accounting proof over
//! every fixture: rows read = used + rejected per file, and every rejected row has an error.

use crate::util::{fixture, run, run_measured, stderr, stdout};
use skusunset::model::issues::Severity;
use std::collections::{BTreeSet, HashMap};

/// How a corpus file is passed.
#[derive(Clone, Copy)]
enum As {
    /// `--subscriptions FILE`.
    Subscriptions,
    /// `--subscriptions <demo> --licenses "Contoso Ltd=FILE"`.
    Licenses,
}

/// One corpus file, how it is passed, the exit status and what stdout or stderr must contain.
struct Case {
    file: &'static str,
    passed: As,
    exit: i32,
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "unclosed-quote.csv",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "unclosed-quote.csv",
            "row 2 opens a quoted value that is never closed",
        ],
    },
    Case {
        file: "utf16-cut-short.csv",
        passed: As::Licenses,
        exit: 2,
        says: &["utf16-cut-short.csv", "ends in the middle of a character"],
    },
    Case {
        file: "utf16-without-bom.csv",
        passed: As::Licenses,
        exit: 0,
        says: &["utf16-without-bom.csv (users, a row per user): 1 rows read = 1 used + 0 rejected"],
    },
    Case {
        file: "header-17000-columns.csv",
        passed: As::Subscriptions,
        exit: 2,
        says: &[
            "header-17000-columns.csv",
            "17000 columns, over the limit of 16384",
        ],
    },
    Case {
        file: "values-beyond-header.csv",
        passed: As::Licenses,
        exit: 0,
        says: &[
            "2 rows read = 1 used + 1 rejected",
            "values-beyond-header.csv:2 error extra-cells: 1 value(s) beyond the header's 3",
            "values-beyond-header.csv:3 warning trailing-cells: 1 row(s), this one first, end in \
             empty cells beyond the header's 3 column(s)",
        ],
    },
    Case {
        file: "terminal-escapes.csv",
        passed: As::Licenses,
        exit: 2,
        says: &["User\\u{1b}[2J\\u{1b}[31mPrincipalName"],
    },
    Case {
        file: "formula-cells.csv",
        passed: As::Licenses,
        exit: 0,
        says: &["formula-cells.csv (users, a row per user): 3 rows read = 3 used + 0 rejected"],
    },
    Case {
        file: "not-utf8-midway.csv",
        passed: As::Licenses,
        exit: 0,
        says: &["not-utf8-midway.csv (users, a row per user): 2 rows read = 2 used + 0 rejected"],
    },
    Case {
        file: "random-bytes.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "random-bytes.xlsx`: it is not an Excel workbook (.xlsx, a zip archive): it is text \
             or another file under a spreadsheet's name; if it is CSV, rename it to .csv",
        ],
    },
    Case {
        file: "ods-rows-repeated.ods",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "ods-rows-repeated.ods`: its sheet `Sheet1` declares 3145734 cells through repeated \
             rows and columns (about 1048576 rows × 3 columns), over the limit of 1000000 for a \
             file of 857 bytes",
        ],
    },
    Case {
        file: "ods-columns-repeated.ods",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "ods-columns-repeated.ods`: its sheet `Sheet1` declares",
            "× 16384 columns), over the limit of 1000000 for a file of 12907 bytes",
        ],
    },
    Case {
        file: "xlsx-cells-bomb.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &["xlsx-cells-bomb.xlsx`: its sheet holds over 1000000 non-empty cells"],
    },
    Case {
        file: "xlsx-grid-bomb.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "xlsx-grid-bomb.xlsx`: its sheet holds over 4000000 cells between its header and \
             its last row",
        ],
    },
    Case {
        file: "xls-far-cells.xls",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "xls-far-cells.xls`: its sheet 1 spans 16777216 cells from its first to its last \
             value, over the limit of 1000000",
        ],
    },
    Case {
        file: "zero-bytes.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "zero-bytes.xlsx`: it is empty (0 bytes), not an Excel workbook (.xlsx, a zip \
             archive); export or download it again",
        ],
    },
    Case {
        file: "truncated.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "truncated.xlsx`: it is not an Excel workbook (.xlsx, a zip archive): it starts as \
             a zip archive but is cut off or damaged",
        ],
    },
    Case {
        file: "doctype.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &["doctype.xlsx`: its part `xl/workbook.xml` declares a DOCTYPE"],
    },
    Case {
        file: "encrypted.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &["encrypted.xlsx`: it is encrypted (protected with a password)"],
    },
    Case {
        file: "web-page.xls",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "web-page.xls`: it is not an Excel 97–2003 workbook (.xls): it is a web page (HTML)",
        ],
    },
    Case {
        file: "empty.csv",
        passed: As::Licenses,
        exit: 2,
        says: &["empty.csv", "it is empty: no header row"],
    },
    Case {
        file: "tenant-sku-counts.csv",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "`",
            "tenant-sku-counts.csv` is not a per-user license export",
            "`SkuPartNumber`",
        ],
    },
    Case {
        file: "cipp-license-report.csv",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "cipp-license-report.csv` is not a per-user license export",
            "(`License`)",
        ],
    },
    Case {
        file: "licensedetails-without-user.csv",
        passed: As::Licenses,
        exit: 2,
        says: &["licensedetails-without-user.csv` is not a per-user license export"],
    },
    Case {
        file: "activation-report.csv",
        passed: As::Licenses,
        exit: 2,
        says: &["activation-report.csv` is not a license export"],
    },
    Case {
        file: "far-cell.xlsx",
        passed: As::Licenses,
        exit: 0,
        says: &[
            "2 rows read = 1 used + 1 rejected (1048573 blank rows skipped)",
            "far-cell.xlsx:1048576 error extra-cells",
        ],
    },
    Case {
        file: "cell-beyond-excel.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "cell-beyond-excel.xlsx",
            "row 2, column 16385, beyond Excel's last cell",
        ],
    },
    Case {
        file: "malformed-cell-reference.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "malformed-cell-reference.xlsx",
            "the spreadsheet is malformed",
        ],
    },
    Case {
        file: "date-serials-out-of-range.xlsx",
        passed: As::Subscriptions,
        exit: 0,
        says: &[
            ":2 [CommitmentEndDate] warning invalid-date: -1e12 is not an Excel date serial",
            ":3 [CommitmentEndDate] warning invalid-date: 1e300 is not an Excel date serial",
        ],
    },
    Case {
        file: "formula-error-cells.xlsx",
        passed: As::Licenses,
        exit: 0,
        says: &[
            "1 rows read = 0 used + 1 rejected",
            ":2 [UserPrincipalName] warning formula-error: the cell holds the formula error #N/A",
            ":2 [UserPrincipalName] error missing-value",
        ],
    },
    Case {
        file: "zip-bomb-declared.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "zip-bomb-declared.xlsx",
            "would inflate to 3221225472 bytes",
        ],
    },
    Case {
        file: "zip-bomb-understated.xlsx",
        passed: As::Licenses,
        exit: 2,
        says: &[
            "zip-bomb-understated.xlsx",
            "larger than its declared uncompressed size",
        ],
    },
];

fn args_for(case: &Case) -> Vec<String> {
    let file = fixture(&format!("bad/{}", case.file)).display().to_string();
    let demo = fixture("demo/subscriptions.csv").display().to_string();
    let mut args = vec!["check".to_string(), "--as-of".into(), "2026-11-21".into()];
    match case.passed {
        As::Subscriptions => args.extend(["--subscriptions".into(), file]),
        As::Licenses => args.extend([
            "--subscriptions".into(),
            demo,
            "--licenses".into(),
            format!("Contoso Ltd={file}"),
        ]),
    }
    args
}

#[test]
fn every_corpus_file_gives_its_exit_status_and_message_and_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let listed: BTreeSet<&str> = CASES.iter().map(|c| c.file).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixture("bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    assert_eq!(
        listed, on_disk,
        "every corpus file has a case, every case a file"
    );
    for case in CASES {
        let args = args_for(case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(dir.path(), &args);
        let (text, errors) = (stdout(&out), stderr(&out));
        assert_eq!(
            out.status.code(),
            Some(case.exit),
            "{}: {text}{errors}",
            case.file
        );
        let shown = if case.exit == 0 { &text } else { &errors };
        for said in case.says {
            assert!(
                shown.contains(said),
                "{}: {said:?} not in\n{shown}",
                case.file
            );
        }
        assert!(
            !text.contains('\u{1b}') && !errors.contains('\u{1b}'),
            "{}: a raw escape reached the terminal",
            case.file
        );
        assert!(!errors.contains("panicked"), "{}: {errors}", case.file);
    }
}

/// A few kilobytes never take gigabytes: each spreadsheet bomb is refused within 200 MiB of
/// peak memory (measured on the binary the tests build; issue 27 measured 8.7–9.4 GiB), and a
/// CSV whose rows are far shorter than a 16,384-column header stops at its grid limit.
#[test]
fn bombs_are_refused_within_200_mib() {
    let dir = tempfile::tempdir().unwrap();
    let wide = dir.path().join("wide-header.csv");
    let mut text = ["UserPrincipalName", "DisplayName", "Licenses"].join(",");
    for i in 3..16_384 {
        text.push_str(&format!(",c{i}"));
    }
    text.push('\n');
    text.push_str(&"a@contoso.com\n".repeat(300_000));
    std::fs::write(&wide, text).unwrap();
    let demo = fixture("demo/subscriptions.csv").display().to_string();
    let mut files: Vec<String> = [
        "ods-rows-repeated.ods",
        "ods-columns-repeated.ods",
        "xlsx-cells-bomb.xlsx",
        "xlsx-grid-bomb.xlsx",
        "xls-far-cells.xls",
    ]
    .iter()
    .map(|f| fixture(&format!("bad/{f}")).display().to_string())
    .collect();
    files.push(wide.display().to_string());
    for file in files {
        let users = format!("Contoso Ltd={file}");
        let args = ["check", "--as-of", "2026-11-21", "-s", &demo, "-l", &users];
        let (out, peak) = run_measured(dir.path(), &args, std::time::Duration::from_mins(2));
        assert_eq!(out.status.code(), Some(2), "{file}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(
            said.contains("over the limit of")
                || said.contains("its sheet holds over")
                || said.contains("far shorter than its header"),
            "{file}: {said}"
        );
        assert!(peak < 200 << 20, "{file}: peak {} MiB", peak >> 20);
    }
}

#[test]
fn the_same_file_twice_is_read_once_and_odd_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    std::fs::copy(&subs, dir.path().join("subs\u{1b}[31m.csv")).unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "-s",
            "subs\u{1b}[31m.csv",
            "-s",
            "./subs\u{1b}[31m.csv",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text.contains("subs\\u{1b}[31m.csv (subscriptions): 13 rows read = 13 used + 0 rejected"),
        "{text}"
    );
    assert!(
        text.contains("warning duplicate-file: this is the same file as `subs\\u{1b}[31m.csv`"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");

    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let subs = subs.display().to_string();
    let refused: [(&[&str], &str); 4] = [
        (&["-l", "empty"], "directory `empty` holds no export"),
        (
            &["-l", "/dev/zero"],
            "cannot read `/dev/zero`: it is a device, not a regular file",
        ),
        (&["--deprovision-days", "100000000"], "is not in 0..=3650"),
        (
            &["--as-of", "9999-12-31"],
            "--as-of 9999-12-31 is out of range",
        ),
    ];
    for (extra, says) in refused {
        let mut args = vec!["check", "-s", &subs];
        args.extend_from_slice(extra);
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{extra:?}: {}", stderr(&out));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("users.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        crate::util::skipped("a_fifo_is_refused...: mkfifo is not available");
        return;
    }
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let out = run(dir.path(), &["check", "-s", &subs, "-l", "users.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("it is a named pipe (FIFO), not a regular file"),
        "{}",
        stderr(&out)
    );
    // The other files a run reads go through the same check: a `--columns` file, a
    // `--previous` report and a step B record.
    for args in [
        &["check", "-s", &subs, "--columns", "users.csv"][..],
        &[
            "report",
            "-s",
            &subs,
            "--previous",
            "users.csv",
            "--out",
            "out",
        ][..],
        &["check-plan", "users.csv"][..],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("it is a named pipe (FIFO), not a regular file"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// Every fixture (demo, dialects and the readable corpus files), each alone: per file, rows read
/// = used + rejected, and the rejected rows are exactly the rows with an `error` issue.
#[test]
fn accounting_holds_on_every_fixture_and_every_rejected_row_has_an_error() {
    let mut runs: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let demo = fixture("demo/subscriptions.csv").display().to_string();
    for folder in ["demo", "dialects", "bad"] {
        for entry in std::fs::read_dir(fixture(folder)).unwrap() {
            let path = entry.unwrap().path().display().to_string();
            if path.contains("subscriptions") || path.contains("bad-rows") {
                runs.push((vec![path], Vec::new()));
            } else {
                runs.push((vec![demo.clone()], vec![path]));
            }
        }
    }
    runs.push((
        vec![
            fixture("bad/date-serials-out-of-range.xlsx")
                .display()
                .to_string(),
        ],
        Vec::new(),
    ));
    let mut checked = 0;
    for (subscriptions, licenses) in runs {
        let config = config(&subscriptions, &licenses);
        let Ok(report) = skusunset::build_report(&config) else {
            continue; // a file refused as a whole (its error is checked above)
        };
        let mut error_rows: HashMap<&str, BTreeSet<usize>> = HashMap::new();
        for issue in report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
        {
            let row = issue.row.expect("a row error names its row");
            error_rows.entry(&issue.file).or_default().insert(row);
        }
        for a in &report.accounting {
            assert!(a.adds_up(), "{a:?}");
            let errors = error_rows.get(a.file.as_str()).map_or(0, BTreeSet::len);
            assert_eq!(a.rows_rejected, errors, "{a:?}: {:#?}", report.issues);
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} files were checked");
}

fn config(subscriptions: &[String], licenses: &[String]) -> skusunset::config::Config {
    let mut args = vec!["skusunset".to_string(), "check".into()];
    for s in subscriptions {
        args.extend(["-s".into(), s.clone()]);
    }
    for l in licenses {
        args.extend(["-l".into(), l.clone()]);
    }
    args.extend(["--as-of".into(), "2026-11-21".into()]);
    let cli = <skusunset::cli::Cli as clap::Parser>::parse_from(args);
    match cli.command {
        skusunset::cli::Command::Check(check) => check.inputs.config().unwrap(),
        _ => unreachable!("a check command"),
    }
}

/// `fixtures/fuzz/`: every input a fuzz target crashed on, kept as a regression case.
#[test]
fn inputs_the_fuzzers_crashed_on_stay_fixed() {
    use skusunset::ingest::values::{DateOrder, parse_date_str};
    for case in [
        "value_parsers-signed-year",
        "value_parsers-year-zero-offset",
    ] {
        let text = std::fs::read_to_string(fixture(&format!("fuzz/{case}"))).unwrap();
        for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
            assert!(parse_date_str(&text, order).is_err(), "{text:?}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let workbook = fixture("fuzz/spreadsheet-cell-reference-overflow.xlsx");
    let keyed = format!("Contoso Ltd={}", workbook.display());
    let out = run(dir.path(), &["check", "-s", &subs, "-l", &keyed]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the spreadsheet is malformed") && !stderr(&out).contains("panicked"),
        "{}",
        stderr(&out)
    );
    let listed = std::fs::read_dir(fixture("fuzz")).unwrap().count();
    assert_eq!(listed, 3, "a new crash input needs its case here");
}
