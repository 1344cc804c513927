//! Test helpers: fixture paths, a text dump of canonical frames, running the binary.

use polars::prelude::*;
use skusunset::ingest::{Ingested, InputFile, InputSpec};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path under `fixtures/`.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// An input file named as the tests show it (`fixtures/...`), optionally `KEY=`.
pub(crate) fn input(rel: &str, key: Option<&str>) -> InputFile {
    InputFile {
        key: key.map(str::to_string),
        path: fixture(rel),
        name: format!("fixtures/{rel}"),
        in_folder: false,
    }
}

/// Ingests the given files.
pub(crate) fn ingest(
    subscriptions: Vec<InputFile>,
    licenses: Vec<InputFile>,
) -> anyhow::Result<Ingested> {
    let spec = InputSpec {
        subscriptions,
        licenses,
        sheet: None,
        date_order: None,
        columns: None,
    };
    skusunset::ingest::load(&spec)
}

/// A frame as text: `name: dtype` per column, then one line per row.
pub(crate) fn dump_frame(df: &DataFrame) -> String {
    let mut out = String::new();
    for c in df.columns() {
        out.push_str(&format!("{}: {}\n", c.name(), c.dtype()));
    }
    for i in 0..df.height() {
        let cells: Vec<String> = df
            .columns()
            .iter()
            .map(|c| match c.get(i).expect("row in range") {
                AnyValue::Null => "∅".to_string(),
                AnyValue::String(s) => format!("{s:?}"),
                AnyValue::StringOwned(s) => format!("{:?}", s.as_str()),
                v @ AnyValue::Date(_) => v.to_string(),
                v => v.to_string(),
            })
            .collect();
        out.push_str(&format!("{}\n", cells.join(" | ")));
    }
    out
}

/// Everything ingest produced, as text.
pub(crate) fn dump(ingested: &Ingested) -> String {
    let mut out = String::from("== subscriptions\n");
    out.push_str(&dump_frame(&ingested.subscriptions));
    out.push_str("== licenses\n");
    out.push_str(&dump_frame(&ingested.licenses));
    out.push_str("== issues\n");
    for i in &ingested.issues {
        out.push_str(&format!(
            "{}:{} [{}] {} {}: {}\n",
            i.file,
            i.row.map(|r| r.to_string()).unwrap_or_default(),
            i.column.clone().unwrap_or_default(),
            i.severity.as_str(),
            i.code,
            i.message
        ));
    }
    out.push_str("== accounting\n");
    for a in &ingested.accounting {
        assert!(a.adds_up(), "{a:?}");
        out.push_str(&format!("{a:?}\n"));
    }
    out
}

/// The demo's license exports as `report` arguments (from the repository root).
pub(crate) const DEMO_LICENSES: [&str; 6] = [
    "-l",
    "fixtures/demo/contoso-users.csv",
    "-l",
    "Fabrikam School District=fixtures/demo/fabrikam-active-users.csv",
    "-l",
    "fixtures/demo/northwind-licenses.csv",
];

/// Runs the binary in `dir` with `args`.
pub(crate) fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skusunset"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// stdout as text.
pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The demo report as of 2026-11-21 (fixtures unpacked into a temporary directory).
pub(crate) fn demo_report() -> skusunset::model::Report {
    let fixtures = skusunset::config::demo::unpack().expect("demo fixtures unpack");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).expect("valid date");
    let config = skusunset::config::demo::config(&fixtures, as_of);
    skusunset::build_report(&config).expect("demo report builds")
}

/// Whether an external program is on PATH; prints why a test is skipped when not, and fails
/// instead when `SKUSUNSET_REQUIRE_TOOLS` is set (CI sets it).
pub(crate) fn have(program: &str, test: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if !found {
        assert!(
            std::env::var_os("SKUSUNSET_REQUIRE_TOOLS").is_none(),
            "{test}: `{program}` is not installed but SKUSUNSET_REQUIRE_TOOLS is set"
        );
        skipped(&format!(
            "{test}: `{program}` is not installed (CI installs it; see .ci/run)"
        ));
    }
    found
}

/// Says on the terminal that a test skipped its work: written to stderr directly, not through
/// `eprintln!`, which the test harness captures and hides for a passing test.
pub(crate) fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
}

/// The names in a directory, sorted.
pub(crate) fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs the binary in `cwd` with `args`, killed after `limit` (a hang fails the test, not CI),
/// and returns its output with its peak resident memory in bytes (`wait4`'s `ru_maxrss`).
pub(crate) fn run_measured(cwd: &Path, args: &[&str], limit: std::time::Duration) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let child = Command::new(env!("CARGO_BIN_EXE_skusunset"))
        .current_dir(cwd)
        .args(args)
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("the binary runs");
    let pid = i32::try_from(child.id()).expect("a pid");
    let started = std::time::Instant::now();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    loop {
        // SAFETY: `status` and `usage` are valid for writes; the pid is our own child.
        let waited = unsafe { libc::wait4(pid, &raw mut status, libc::WNOHANG, &raw mut usage) };
        if waited == pid {
            break;
        }
        if started.elapsed() >= limit {
            // SAFETY: signalling our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("skusunset {args:?} ran over {limit:?}: killed");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::mem::forget(child); // reaped by wait4 above
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: std::fs::read(&out_path).expect("stdout"),
        stderr: std::fs::read(&err_path).expect("stderr"),
    };
    (output, u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024)
}

/// Compact JSON indented as `serde_json::to_string_pretty` does (two spaces, `": "`, empty
/// `[]` and `{}` kept), keys in the file's order: `report.json` is written compact, and its
/// snapshot stays readable.
pub(crate) fn indent_json(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = compact.trim_end().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or_default());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out.push('\n');
    out
}
