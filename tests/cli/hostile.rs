//! Hostile input, third round (issue 27): row numbers are the file's own lines, values are
//! quoted as written, an input swapped or growing while it is read is refused on its handle,
//! and a folder entry too deep to read is named. Every run has a time limit: a hang fails the
//! test, never the CI.

use crate::util::{fixture, ingest, run, run_measured, stderr};
use proptest::prelude::*;
use skusunset::ingest::InputFile;
use skusunset::model::IssueCode;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const HEADER: &str = "CustomerId,CustomerName,SubscriptionId,OfferName,Quantity,Status,\
                      AutoRenewEnabled,CommitmentEndDate";

fn file(path: &Path) -> InputFile {
    InputFile {
        key: None,
        path: path.to_path_buf(),
        name: "subs.csv".into(),
        in_folder: false,
    }
}

/// The row each issue of `code` names, with its message.
fn issue_rows(path: &Path, code: IssueCode) -> Vec<(usize, String)> {
    let ingested = ingest(vec![file(path)], vec![]).expect("the file reads");
    (ingested.issues.iter())
        .filter(|i| i.code == code)
        .map(|i| (i.row.unwrap_or(0), i.message.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Each record's quantity is invalid (`bad<i>`): the row the warning names is the line the
    /// record starts on, whatever blank lines and multi-line quoted values come before it, with
    /// LF or CRLF line ends and with or without a last line end.
    #[test]
    fn row_numbers_in_issues_are_the_files_own_lines(
        records in proptest::collection::vec((0usize..3, 0usize..3), 1..12),
        crlf in any::<bool>(),
        last_line_end in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("{HEADER}{end}");
        let mut expected = Vec::new();
        let mut line = 2;
        for (i, (blank, name_lines)) in records.iter().enumerate() {
            text.push_str(&end.repeat(*blank));
            line += blank;
            expected.push(line);
            let name = (0..=*name_lines).map(|n| format!("Acme {n}")).collect::<Vec<_>>();
            text.push_str(&format!(
                "00000000-0000-4000-8000-000000000001,\"{}\",k-{i},Microsoft Kaizala Pro,bad{i},\
                 active,False,2027-01-05",
                name.join(end)
            ));
            line += name_lines + 1;
            if i + 1 < records.len() || last_line_end {
                text.push_str(end);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("subs.csv");
        std::fs::write(&path, &text).unwrap();
        let mut found = issue_rows(&path, IssueCode::InvalidQuantity);
        found.sort_by_key(|(_, message)| {
            message.trim_start_matches("\"bad").split('"').next().unwrap_or("").parse::<usize>().unwrap_or(0)
        });
        let rows: Vec<usize> = found.iter().map(|(row, _)| *row).collect();
        prop_assert_eq!(rows, expected, "{:?}", text);
    }
}

/// A quantity is quoted as the file holds it, not as the number it parses to.
#[test]
fn a_quantity_message_quotes_the_text_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    let row = |i: usize, quantity: &str| {
        format!(
            "00000000-0000-4000-8000-000000000001,Acme,k-{i},Microsoft Kaizala Pro,{quantity},\
             active,False,2027-01-05\n"
        )
    };
    let text = format!(
        "{HEADER}\n{}{}{}",
        row(1, "1e309"),
        row(2, "18446744073709551616"),
        row(3, "-0.5")
    );
    std::fs::write(&path, text).unwrap();
    let messages: Vec<String> = issue_rows(&path, IssueCode::InvalidQuantity)
        .into_iter()
        .map(|(row, message)| format!("{row}: {message}"))
        .collect();
    assert_eq!(
        messages,
        [
            "2: \"1e309\" is not a licence count; use a whole number such as 25 or 1,000; the \
             value is left empty",
            "3: \"18446744073709551616\" is not a licence count; use a whole number such as 25 \
             or 1,000; the value is left empty",
            "4: \"-0.5\" is not a licence count; use a whole number such as 25 or 1,000; the \
             value is left empty",
        ]
    );
}

/// Puts a fresh `what` at `target` in one rename: a copy of `good`, a link to `/dev/zero`, or
/// a FIFO.
fn swap_in(dir: &Path, target: &Path, good: &Path, what: usize) {
    let staged = dir.join(format!("staged-{what}"));
    let _ = std::fs::remove_file(&staged);
    match what {
        0 => {
            std::fs::copy(good, &staged).unwrap();
        }
        1 => std::os::unix::fs::symlink("/dev/zero", &staged).unwrap(),
        _ => {
            let name = std::ffi::CString::new(staged.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        }
    }
    std::fs::rename(&staged, target).unwrap();
}

/// Runs `check` over `users` again and again while `change` runs in a thread: every run ends
/// within its limit, exits 0 or 2, and a refusal names the file (the exit codes are printed).
fn runs_while(dir: &Path, users: &Path, change: impl FnOnce(Arc<AtomicBool>) + Send + 'static) {
    let stop = Arc::new(AtomicBool::new(false));
    let changer = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || change(stop))
    };
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let key = format!("Contoso Ltd={}", users.display());
    let mut codes = std::collections::BTreeMap::new();
    for _ in 0..40 {
        let args = ["check", "--as-of", "2026-11-21", "-s", &subs, "-l", &key];
        let (out, peak) = run_measured(dir, &args, Duration::from_mins(1));
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 2)),
            "exit {code:?}: {}",
            stderr(&out)
        );
        if code == Some(2) {
            assert!(stderr(&out).contains("users.csv`"), "{}", stderr(&out));
        }
        assert!(peak < 500 << 20, "peak {} MiB", peak >> 20);
        *codes.entry(code).or_insert(0) += 1;
    }
    stop.store(true, Ordering::Relaxed);
    changer.join().unwrap();
    eprintln!("exit codes: {codes:?}");
}

/// The input is swapped for a link to `/dev/zero` or a FIFO between runs and during them: it
/// is opened once and checked on its handle, so no run hangs or reads without end.
#[test]
fn an_input_swapped_for_a_device_or_fifo_is_refused_on_its_handle() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::copy(fixture("demo/contoso-users.csv"), &good).unwrap();
    let users = dir.path().join("users.csv");
    std::fs::copy(&good, &users).unwrap();
    let (root, target) = (dir.path().to_path_buf(), users.clone());
    runs_while(dir.path(), &users, move |stop| {
        let mut what = 0;
        while !stop.load(Ordering::Relaxed) {
            swap_in(&root, &target, &good, what % 3);
            what += 1;
            std::thread::sleep(Duration::from_millis(3));
        }
    });
}

/// The input grows while it is read (an export still being written): a run reads what was
/// there when it opened the file, or says it changed; it never reads on without end.
#[test]
fn an_input_that_grows_while_it_is_read_is_refused_or_read_as_opened() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.csv");
    let text = std::fs::read_to_string(fixture("demo/contoso-users.csv")).unwrap();
    std::fs::write(&users, &text).unwrap();
    let target = users.clone();
    let row = text.lines().nth(1).unwrap().to_string() + "\n";
    runs_while(dir.path(), &users, move |stop| {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .unwrap();
        let chunk = row.repeat(200);
        while !stop.load(Ordering::Relaxed) {
            file.write_all(chunk.as_bytes()).unwrap();
            if file.metadata().unwrap().len() > 64 << 20 {
                file.set_len(0).unwrap();
                file.write_all(text.as_bytes()).unwrap();
            }
        }
    });
}

/// Makes `levels` nested folders of 200-character names under `root` (past the 4,096-byte path
/// limit, built by `cd` so no one path is that long) and an export at the bottom; returns the
/// first folder.
fn deep_folder(root: &Path, levels: usize) -> PathBuf {
    let name = "d".repeat(200);
    let script = format!(
        "set -e; cd '{}'; for i in $(seq 1 {levels}); do mkdir {name}; cd {name}; done; \
         echo 'UserPrincipalName,Licenses' > users.csv",
        root.display()
    );
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    root.join(name)
}

/// An export deeper than the system's path limit is named, with why, instead of the folder
/// seeming to hold nothing.
#[test]
fn a_file_past_the_path_limit_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::create_dir(&users).unwrap();
    deep_folder(&users, 22);
    let subs = fixture("demo/subscriptions.csv").display().to_string();
    let args = ["check", "-s", &subs, "-l", "users"];
    let (out, _) = run_measured(dir.path(), &args, Duration::from_mins(1));
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("directory `users` holds no export")
            && said.contains("1 entry left out, the first: it cannot be read")
            && said.contains("its path is longer than the system allows"),
        "{said}"
    );
}

/// A display name of 20,000 emoji is 40,000 UTF-16 units: more than an Excel cell holds, though
/// fewer characters. The workbook is written with the name cut visibly, and csv/users.csv keeps
/// it whole.
#[test]
fn a_cell_past_excels_limit_in_utf16_units_is_cut_in_the_workbook_only() {
    let dir = tempfile::tempdir().unwrap();
    let name = "😀".repeat(20_000);
    let licenses = std::fs::read_to_string(fixture("demo/northwind-licenses.csv")).unwrap();
    let mut lines: Vec<String> = licenses.lines().map(str::to_string).collect();
    let mut first: Vec<&str> = lines[1].split(',').collect();
    first[2] = &name;
    lines[1] = first.join(",");
    std::fs::write(dir.path().join("lic.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::copy(
        fixture("demo/subscriptions.csv"),
        dir.path().join("subs.csv"),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "report",
            "--as-of",
            "2026-11-21",
            "--format",
            "xlsx,csv",
            "-s",
            "subs.csv",
            "-l",
            "lic.csv",
            "--out",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let users = std::fs::read_to_string(dir.path().join("out/csv/users.csv")).unwrap();
    assert!(users.contains(&name));
    let bytes = std::fs::read(dir.path().join("out/expiry-report.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut found = false;
    for at in 0..zip.len() {
        let mut part = String::new();
        std::io::Read::read_to_string(&mut zip.by_index(at).unwrap(), &mut part).unwrap();
        if let Some(start) = part.find("😀😀😀") {
            let cell = &part[start..part[start..].find('<').map_or(part.len(), |e| start + e)];
            assert!(
                cell.ends_with("… [cut at 32,767]"),
                "{}",
                &cell[cell.len() - 40..]
            );
            assert!(cell.encode_utf16().count() <= 32_767);
            found = true;
        }
    }
    assert!(found, "the name is in the workbook");
}
