//! Whole files through `check`: the input as a license export of the demo's Contoso Ltd (or, on
//! an odd first byte, as a subscription export), read, attributed and analysed. A run either
//! stops with an error or gives accounting that adds up, with an error issue per rejected row.
#![no_main]
use clap::Parser;
use libfuzzer_sys::fuzz_target;
use skusunset::cli::{Cli, Command};
use skusunset::model::issues::Severity;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

const SUBSCRIPTIONS: &str = include_str!("../../fixtures/demo/subscriptions.csv");

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder").keep();
        std::fs::write(dir.join("subscriptions.csv"), SUBSCRIPTIONS).expect("written");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    // skusunset's own hook, as in the binary: a panic that `contain` catches (calamine on a
    // malformed workbook) is an error, not a crash; any other panic still aborts.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(skusunset::base::panic::install_hook);
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let dir = folder();
    let input = dir.join("input.csv");
    std::fs::write(&input, body).expect("written");
    let demo = dir.join("subscriptions.csv").display().to_string();
    let input = input.display().to_string();
    let mut args = vec!["skusunset", "check", "--as-of", "2026-11-21"];
    let keyed = format!("Contoso Ltd={input}");
    if first % 2 == 1 {
        args.extend(["-s", &input]);
    } else {
        args.extend(["-s", &demo, "-l", &keyed]);
    }
    let Command::Check(check) = Cli::parse_from(args).command else {
        unreachable!("a check command")
    };
    let config = check.inputs.config().expect("valid arguments");
    let Ok(report) = skusunset::build_report(&config) else {
        return;
    };
    let mut error_rows: HashMap<&str, BTreeSet<usize>> = HashMap::new();
    for issue in report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
    {
        error_rows
            .entry(&issue.file)
            .or_default()
            .insert(issue.row.expect("a row error names its row"));
    }
    for a in &report.accounting {
        assert!(a.adds_up(), "{a:?}");
        let errors = error_rows.get(a.file.as_str()).map_or(0, BTreeSet::len);
        assert_eq!(a.rows_rejected, errors, "{a:?}");
    }
});
