//! Never silently wrong on how a file was saved (issue 23): Excel for Mac's CR line ends, a
//! stray byte in a UTF-8 file, a file read while it was still being exported.

use crate::util::{ingest, input};
use skusunset::model::IssueCode;
use skusunset::model::issues::Severity;

fn issue_lines(ingested: &skusunset::ingest::Ingested, code: IssueCode) -> Vec<String> {
    (ingested.issues.iter())
        .filter(|i| i.code == code)
        .map(|i| {
            let column = i.column.as_deref().unwrap_or("");
            let row = i.row.unwrap_or(0);
            format!(
                "{}:{row} [{column}] {} {}",
                i.file,
                i.severity.as_str(),
                i.message
            )
        })
        .collect()
}

/// "CSV (Macintosh)" ends lines with a lone CR; the PowerShell `#TYPE` line on top is skipped
/// all the same, and both rows are read.
#[test]
fn cr_line_ends_are_line_ends() {
    let read = ingest(
        vec![input(
            "dialects/mac-excel-subscriptions.csv",
            Some("Contoso Ltd"),
        )],
        vec![],
    )
    .unwrap();
    let accounting = &read.accounting[0];
    assert_eq!((accounting.rows_read, accounting.rows_used), (2, 2));
    let offers = read
        .subscriptions
        .column("offer_name")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let offers: Vec<Option<&str>> = offers.iter().collect();
    assert_eq!(
        offers,
        [Some("Kaizala Pro"), Some("Office 365 Enterprise E4")]
    );
}

/// A UTF-8 export with one stray Windows-1252 byte stays UTF-8: `Müller` keeps its ü, and the
/// one bad byte is a `�` reported on its row.
#[test]
fn a_stray_byte_does_not_turn_a_utf8_file_into_windows_1252() {
    let read = ingest(
        vec![],
        vec![input(
            "dialects/utf8-stray-byte-users.csv",
            Some("Müller & Söhne GmbH"),
        )],
    )
    .unwrap();
    let names = read
        .licenses
        .column("display_name")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let names: Vec<Option<&str>> = names.iter().collect();
    assert_eq!(
        names,
        [
            Some("Jürgen Müller"),
            Some("Zoë Schäfer"),
            Some("Jos\u{fffd} García")
        ]
    );
    assert_eq!(
        issue_lines(&read, IssueCode::InvalidEncoding),
        [
            "fixtures/dialects/utf8-stray-byte-users.csv:4 [Display name] warning `Display name` \
          holds a byte that is not UTF-8 although the rest of the file is, so it is shown as �; \
          correct the value in the source and export again"
        ]
    );
}

/// A file that ends in the middle of its last row (still being exported): the row is said to
/// be cut off.
#[test]
fn a_file_cut_off_mid_row_says_so() {
    let read = ingest(
        vec![],
        vec![input("dialects/cut-off-users.csv", Some("Contoso Ltd"))],
    )
    .unwrap();
    assert_eq!(
        issue_lines(&read, IssueCode::CutOffRow),
        [
            "fixtures/dialects/cut-off-users.csv:3 [] warning the file ends in the middle of row 3 \
          (no line break after it): was it still being exported? Export it again once it is \
          complete; its last value may be cut short"
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short.csv");
    std::fs::write(
        &short,
        "Display name,User principal name,Block credential,Licenses\n\
         Adele Vance,adelev@contoso.com,False,Microsoft Kaizala Pro\n\
         Alex Wilber,alexw@cont",
    )
    .unwrap();
    let file = skusunset::ingest::InputFile {
        key: Some("Contoso Ltd".into()),
        path: short,
        name: "short.csv".into(),
        in_folder: false,
    };
    let read = ingest(vec![], vec![file]).unwrap();
    let cut: Vec<_> = (read.issues.iter())
        .filter(|i| i.code == IssueCode::CutOffRow)
        .collect();
    assert_eq!(cut.len(), 1);
    assert_eq!(cut[0].severity, Severity::Error);
    assert!(
        cut[0]
            .message
            .ends_with("the row has 2 of 4 values and is skipped"),
        "{}",
        cut[0].message
    );
    assert_eq!(
        (
            read.accounting[0].rows_used,
            read.accounting[0].rows_rejected
        ),
        (1, 1)
    );
}

/// Excel's lock file named on its own (it sits beside the workbook while Excel has it open) is
/// named for what it is, not "Cannot detect file format".
#[test]
fn a_lock_file_named_on_its_own_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("~$contoso-users.xlsx"), b"\x00lock").unwrap();
    std::fs::write(
        dir.path().join("subs.csv"),
        "CustomerName,SubscriptionId,OfferName,Quantity,Status\n\
         Contoso Ltd,9d1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f1,Kaizala Pro,3,Active\n",
    )
    .unwrap();
    let out = crate::util::run(
        dir.path(),
        &[
            "check",
            "-s",
            "subs.csv",
            "-l",
            "Contoso Ltd=~$contoso-users.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        crate::util::stderr(&out),
        "error: `~$contoso-users.xlsx` is Excel's lock file of `contoso-users.xlsx` (Excel keeps \
         it while the workbook is open), not an export: close Excel, or pass \
         `contoso-users.xlsx` itself\n"
    );
}

/// A user export that a folder holds and that is also named with `KEY=` is read once, with its
/// key: the keyed mention says whose the file is, which the folder's copy cannot. Without the
/// key its users are unattributed, and the error names the cause first.
#[test]
fn the_keyed_copy_of_a_folder_file_is_the_one_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("users")).unwrap();
    std::fs::write(
        dir.path().join("subs.csv"),
        "CustomerName,CustomerDomainName,SubscriptionId,OfferName,Quantity,Status,\
         AutoRenewEnabled,CommitmentEndDate\n\
         Litware Inc,litware.onmicrosoft.com,5d1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f1,Kaizala Pro,2,\
         Active,False,2026-12-31\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("users/litware-users.csv"),
        "Display name,User principal name,Licenses\n\
         Ann,ann@litware.com,Microsoft Kaizala Pro\n\
         Bob,bob@litware.com,Microsoft Kaizala Pro\n",
    )
    .unwrap();
    let folder_only = [
        "check",
        "--as-of",
        "2026-11-21",
        "-s",
        "subs.csv",
        "-l",
        "users",
    ];
    let text = crate::util::stdout(&crate::util::run(dir.path(), &folder_only));
    assert!(
        text.contains(
            "users/litware-users.csv:2 error unattributed-user: no customer of the subscription \
             exports has this user's domain `litware.com`, and the file has no customer column \
             and no `KEY=`: if the customer has retiring subscriptions, add its subscription \
             export; if it is there under another domain, pass `--licenses \
             \"CUSTOMER=users/litware-users.csv\"`"
        ),
        "{text}"
    );
    let both = [
        &folder_only[..],
        &["-l", "Litware Inc=users/litware-users.csv"],
    ]
    .concat();
    let out = crate::util::run(dir.path(), &both);
    let text = crate::util::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("unattributed-user"), "{text}");
    assert!(
        text.contains(
            "users/litware-users.csv warning duplicate-file: this is the same file as \
             `users/litware-users.csv` (read with `KEY=Litware Inc`), which is read once"
        ),
        "{text}"
    );
    assert!(
        text.contains("users/litware-users.csv (users, a row per user): 2 rows read = 2 used"),
        "{text}"
    );
}

/// A folder of user exports holding a link to itself, two links to each other and a link to
/// nothing: the walk ends, reads each file once, and names every link it left out (issue 27).
#[test]
fn a_folder_walk_with_link_loops_ends_and_names_them() {
    use std::os::unix::fs::symlink;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::create_dir_all(users.join("a")).unwrap();
    std::fs::copy(
        crate::util::fixture("demo/contoso-users.csv"),
        users.join("a/contoso-users.csv"),
    )
    .unwrap();
    symlink(".", users.join("loop")).unwrap();
    symlink("../b", users.join("a/to-b")).unwrap();
    std::fs::create_dir(users.join("b")).unwrap();
    symlink("../a", users.join("b/to-a")).unwrap();
    symlink("nowhere", users.join("dangling")).unwrap();
    let subs = crate::util::fixture("demo/subscriptions.csv");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_skusunset"))
        .current_dir(dir.path())
        .args(["check", "-s"])
        .arg(&subs)
        .args(["-l", "users"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_mins(1) {
            child.kill().unwrap();
            panic!("the folder walk did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The one file is read once, whatever the links.
    assert_eq!(
        text.matches("contoso-users.csv (users").count(),
        1,
        "{text}"
    );
    for link in ["users/loop", "users/dangling"] {
        assert!(text.contains(link), "{link} is not named:\n{text}");
    }
    assert!(
        text.contains("a link loop") && text.contains("a link to nothing"),
        "{text}"
    );
}

/// `KEY=FILE` with `=` in the key splits at the last `=` that leaves an existing file, and an
/// empty file part has its own message (issue 27).
#[test]
fn a_key_with_equals_signs_and_an_empty_file_part() {
    use skusunset::ingest::InputFile;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contoso-users.csv");
    std::fs::write(&file, "x").unwrap();
    let arg = format!("Contoso=Ltd={}", file.display());
    let parsed = InputFile::parse(&arg);
    assert_eq!(parsed.key.as_deref(), Some("Contoso=Ltd"));
    assert_eq!(parsed.path, file);
    // Nothing exists: the last `=` splits, so the missing file is the part after it.
    let missing = InputFile::parse("Contoso=Ltd=nowhere.csv");
    assert_eq!(
        (missing.key.as_deref(), missing.path.to_str()),
        (Some("Contoso=Ltd"), Some("nowhere.csv"))
    );
    let subs = crate::util::fixture("demo/subscriptions.csv");
    let out = crate::util::run(
        dir.path(),
        &["check", "-s", subs.to_str().unwrap(), "-l", "Contoso="],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::util::stderr(&out).contains("`Contoso=` names no file after `=`: write KEY=FILE"),
        "{}",
        crate::util::stderr(&out)
    );
}
