//! `--out`: the user's files survive byte for byte, a folder without a manifest is refused,
//! `--force` deletes and overwrites nothing foreign, a run killed at any point leaves exactly one
//! complete report, one writer at a time, signals clean up, and a mount point works.

use crate::util::{fixture, stderr};
use skusunset::outdir::manifest::{MANIFEST, Manifest, sha256_hex};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_skusunset");

/// A subscriptions export with `n` customers, each with a retiring Kaizala Pro subscription (so
/// each gets a runbook) and one that is not retiring.
fn many_customers(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from(
        "CustomerId,CustomerName,SubscriptionId,OfferName,Quantity,Status,AutoRenewEnabled,CommitmentEndDate\n",
    );
    for i in 0..n {
        let id = format!("00000000-0000-4000-8000-{i:012}");
        text.push_str(&format!(
            "{id},Customer {i:05},k-{i},Microsoft Kaizala Pro,{q},active,False,2027-01-{d:02}\n\
             {id},Customer {i:05},e-{i},Office 365 E3,{q},active,True,2027-03-01\n",
            q = 1 + i % 40,
            d = 1 + i % 28
        ));
    }
    let path = dir.join("many-subscriptions.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// `report` over `subs` into `out` (relative to `cwd`); every format but the workbook unless
/// `extra` names the formats.
fn report(cwd: &Path, subs: &Path, out: &str, as_of: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd)
        .args(["report", "-s"])
        .arg(subs)
        .args(["--as-of", as_of, "--out", out])
        .args(extra);
    if !extra.contains(&"--format") {
        cmd.args(["--format", "csv,json,html"]);
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("the binary runs")
}

/// Every regular file below `dir` that is not skusunset's (outside `.skusunset`, not reached
/// through a link), with its bytes.
fn user_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let path = rel.join(entry.file_name());
            let ft = entry.file_type().unwrap();
            if path == Path::new(".skusunset") || ft.is_symlink() {
                continue;
            }
            if ft.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(dir.join(&path)).unwrap());
            }
        }
    }
    files
}

/// Every file reachable in `out` (through skusunset's links too), except `.skusunset` itself.
fn visible_files(out: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(out.join(&rel)).unwrap() {
            let path = rel.join(entry.unwrap().file_name());
            if path == Path::new(".skusunset") {
                continue;
            }
            let meta = std::fs::metadata(out.join(&path));
            match meta {
                Ok(m) if m.is_dir() => pending.push(path),
                Ok(_) => {
                    files.insert(path);
                }
                Err(e) => panic!("`{}` does not resolve: {e}", path.display()),
            }
        }
    }
    files
}

/// Asserts that `out` holds exactly one complete report besides the `user` files: every file
/// the manifest lists has the listed bytes, and every other visible file is the user's.
fn one_complete_report(out: &Path, user: &BTreeSet<PathBuf>) -> Manifest {
    let manifest = Manifest::read(&out.join(MANIFEST))
        .unwrap()
        .expect("a manifest");
    let current = std::fs::read_link(out.join(".skusunset/current")).unwrap();
    assert_eq!(current, Path::new(&manifest.generation));
    let mut listed: BTreeSet<PathBuf> = [PathBuf::from(MANIFEST)].into_iter().collect();
    for file in &manifest.files {
        let bytes = std::fs::read(out.join(&file.path))
            .unwrap_or_else(|e| panic!("{} of {}: {e}", file.path, manifest.generation));
        assert_eq!(
            sha256_hex(&bytes),
            file.sha256,
            "`{}` is not the file of {}",
            file.path,
            manifest.generation
        );
        listed.insert(PathBuf::from(&file.path));
    }
    for path in visible_files(out) {
        assert!(
            listed.contains(&path) || user.contains(&path),
            "`{}` belongs to no report of {}",
            path.display(),
            manifest.generation
        );
    }
    manifest
}

fn store_entries(out: &Path) -> Vec<String> {
    crate::util::file_names(&out.join(".skusunset"))
}

#[test]
fn user_files_survive_and_a_folder_without_a_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (rel, text) in [
        ("csv/mine.csv", "a,b\n1,2\n"),
        ("runbooks/notes.html", "<p>mine</p>"),
        ("runbooks/keep/x.txt", "keep me"),
    ] {
        std::fs::create_dir_all(out.join(rel).parent().unwrap()).unwrap();
        std::fs::write(out.join(rel), text).unwrap();
    }
    let before = user_files(&out);
    let demo = |extra: &[&str], as_of: &str| {
        let mut args = vec!["demo", "--as-of", as_of, "--out", "out"];
        args.extend(extra);
        crate::util::run(dir.path(), &args)
    };

    let refused = demo(&[], "2026-11-21");
    assert_eq!(refused.status.code(), Some(2));
    let message = stderr(&refused);
    assert!(
        message.contains("`out` is not empty and holds no skusunset report")
            && message.contains("`csv`, `runbooks`")
            && message.contains("--force"),
        "{message}"
    );
    assert_eq!(user_files(&out), before);
    assert!(
        !out.join(".skusunset").exists(),
        "nothing written on refusal"
    );

    let forced = demo(&["--force"], "2026-11-21");
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(
        user_files(&out),
        before,
        "--force deleted or changed a user file"
    );
    let user: BTreeSet<PathBuf> = before.keys().cloned().collect();
    one_complete_report(&out, &user);
    // Inside the user's own `csv/`, the report's tables are links, one per file.
    let expiring = out.join("csv/expiring.csv");
    assert!(
        expiring
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&expiring)
            .unwrap()
            .starts_with("customer_id,")
    );

    // Now the folder has a manifest: a rerun needs no --force and still keeps every user file.
    let again = demo(&[], "2026-11-22");
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(user_files(&out), before);
    let manifest = one_complete_report(&out, &user);
    assert_eq!(manifest.as_of.to_string(), "2026-11-22");
}

#[test]
fn out_dot_beside_the_inputs_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("csv")).unwrap();
    std::fs::create_dir_all(dir.path().join("runbooks")).unwrap();
    std::fs::copy(
        fixture("demo/subscriptions.csv"),
        dir.path().join("csv/subscriptions.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("runbooks/how-we-migrate.md"),
        "# how we migrate\n",
    )
    .unwrap();
    let before = user_files(dir.path());
    let subs = Path::new("csv/subscriptions.csv");

    let refused = run(report(dir.path(), subs, ".", "2026-11-21", &[]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert_eq!(user_files(dir.path()), before);

    for as_of in ["2026-11-21", "2026-11-22"] {
        let done = run(report(dir.path(), subs, ".", as_of, &["--force"]));
        assert!(done.status.success(), "{}", stderr(&done));
        assert_eq!(user_files(dir.path()), before, "an input was lost");
        one_complete_report(dir.path(), &before.keys().cloned().collect());
    }
}

#[test]
fn a_user_file_with_the_name_of_an_output_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("report.json"), "{\"mine\": true}").unwrap();
    let before = user_files(&out);
    let refused = run(report(dir.path(), &subs, "out", "2026-11-21", &["--force"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("out/report.json` is not skusunset's"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(user_files(&out), before);
    assert!(!out.join(".skusunset").exists());

    // The same inside a report folder: a csv-only report, then the user's own `runbooks/index.html`.
    let out = dir.path().join("second");
    let csv_only = run(report(
        dir.path(),
        &subs,
        "second",
        "2026-11-21",
        &["--format", "csv"],
    ));
    assert!(csv_only.status.success(), "{}", stderr(&csv_only));
    std::fs::create_dir(out.join("runbooks")).unwrap();
    std::fs::write(out.join("runbooks/index.html"), "mine").unwrap();
    let previous = one_complete_report(&out, &[PathBuf::from("runbooks/index.html")].into());
    let refused = run(report(dir.path(), &subs, "second", "2026-11-22", &[]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("runbooks/index.html"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("runbooks/index.html")).unwrap(),
        "mine"
    );
    let now = one_complete_report(&out, &[PathBuf::from("runbooks/index.html")].into());
    assert_eq!(now, previous, "the previous report is untouched");
    assert_eq!(
        store_entries(&out),
        ["SKUSUNSET", "current", &now.generation]
    );
}

#[test]
fn a_file_saved_inside_the_report_is_kept_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let out = dir.path().join("out");
    let first = run(report(dir.path(), &subs, "out", "2026-11-21", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    // Saved through the `runbooks` link, so it lands inside skusunset's generation folder.
    std::fs::write(out.join("runbooks/notes.html"), "<p>call Contoso first</p>").unwrap();
    std::fs::create_dir(out.join("runbooks/signed")).unwrap();
    std::fs::write(out.join("runbooks/signed/contoso.pdf"), b"%PDF-1.7 mine").unwrap();
    for as_of in ["2026-11-22", "2026-11-23"] {
        let next = run(report(
            dir.path(),
            &subs,
            "out",
            as_of,
            &["--format", "csv,html"],
        ));
        assert!(next.status.success(), "{}", stderr(&next));
        assert_eq!(
            std::fs::read_to_string(out.join("runbooks/notes.html")).unwrap(),
            "<p>call Contoso first</p>"
        );
        assert_eq!(
            std::fs::read(out.join("runbooks/signed/contoso.pdf")).unwrap(),
            b"%PDF-1.7 mine"
        );
        let user = [
            PathBuf::from("runbooks/notes.html"),
            PathBuf::from("runbooks/signed/contoso.pdf"),
        ];
        let manifest = one_complete_report(&out, &user.into());
        assert!(
            !out.join("report.json").exists(),
            "the dropped format's link is gone"
        );
        assert_eq!(
            store_entries(&out),
            ["SKUSUNSET", "current", &manifest.generation]
        );
    }
}

/// A tiny deterministic random source (xorshift64*).
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Waits until a staging folder appears in `out/.skusunset` or the child ends.
fn wait_for_staging(out: &Path, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(entries) = std::fs::read_dir(out.join(".skusunset")) {
            let staging = entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("stage-"));
            if staging {
                return true;
            }
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

/// Waits until `current` no longer names `before` or the child ends.
fn wait_for_switch(out: &Path, before: &str, child: &mut Child) -> bool {
    loop {
        let current = std::fs::read_link(out.join(".skusunset/current")).unwrap();
        if current != Path::new(before) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_run_killed_at_any_point_leaves_exactly_one_complete_report() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let subs = many_customers(dir.path(), 1500);
    let out = dir.path().join("out");
    let first = run(report(dir.path(), &subs, "out", "2026-11-01", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    let full = one_complete_report(&out, &BTreeSet::new());
    assert!(full.files.len() > 1500, "{} files", full.files.len());

    // One watched run: when staging starts and when the run ends, so the kills below land all
    // over the write: while staging, around the switch, and during the clean-up after it.
    let started = Instant::now();
    let mut child = report(dir.path(), &subs, "out", "2026-11-02", &[])
        .spawn()
        .unwrap();
    assert!(wait_for_staging(&out, &mut child));
    let staging_at = started.elapsed();
    assert!(child.wait().unwrap().success());
    let write_time = started.elapsed() - staging_at;
    eprintln!("calibration: staging after {staging_at:?}, then {write_time:?} to the end");

    let mut random = Random(0x5eed_1234_abcd_9876);
    let mut write_time = write_time;
    let (mut killed, mut during_staging, mut before_switch, mut after_switch) = (0, 0, 0, 0);
    // Runs that end before their kill lands (a loaded machine) do not count: go on until 55
    // runs were really killed.
    for i in 0..200 {
        if killed >= 55 {
            break;
        }
        let before = one_complete_report(&out, &BTreeSet::new()).generation;
        let as_of = ["2026-11-03", "2026-11-04", "2026-11-05"][i % 3];
        let started = Instant::now();
        let mut child = report(dir.path(), &subs, "out", as_of, &[])
            .spawn()
            .unwrap();
        match i % 3 {
            // Anywhere in the run, the analysis included.
            0 => {
                let whole = (staging_at + write_time).as_micros() as u64;
                std::thread::sleep(Duration::from_micros(random.below(whole)));
            }
            // Anywhere in the write.
            1 => {
                if wait_for_staging(&out, &mut child) {
                    let write = write_time.as_micros() as u64 * 11 / 10;
                    std::thread::sleep(Duration::from_micros(random.below(write)));
                    during_staging += 1;
                }
            }
            // Just after the switch, in the clean-up.
            _ => {
                if wait_for_staging(&out, &mut child) {
                    let staged = Instant::now();
                    during_staging += 1;
                    if wait_for_switch(&out, &before, &mut child) {
                        write_time = write_time.max(staged.elapsed());
                        std::thread::sleep(Duration::from_micros(random.below(20_000)));
                    }
                }
            }
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let after = one_complete_report(&out, &BTreeSet::new()).generation;
        if status.signal() == Some(9) {
            killed += 1;
            if after == before {
                before_switch += 1;
            } else {
                after_switch += 1;
            }
        }
        eprintln!(
            "kill {i}: after {:?}, {status}, {}",
            started.elapsed(),
            if after == before {
                "previous report"
            } else {
                "new report"
            }
        );
    }
    eprintln!(
        "{killed} kills: {during_staging} after staging began, {before_switch} before the \
         switch, {after_switch} after it"
    );
    assert!(killed >= 50, "only {killed} runs were killed while running");
    assert!(during_staging >= 30, "{during_staging}");
    assert!(
        before_switch >= 20 && after_switch >= 5,
        "{before_switch} / {after_switch}"
    );

    let last = run(report(dir.path(), &subs, "out", "2026-11-06", &[]));
    assert!(last.status.success(), "{}", stderr(&last));
    let manifest = one_complete_report(&out, &BTreeSet::new());
    assert_eq!(
        store_entries(&out),
        ["SKUSUNSET", "current", &manifest.generation],
        "a staging folder or an old generation survived the next run"
    );
}

#[test]
fn one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let subs = many_customers(dir.path(), 300);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // Another writer holds the lock: fail at once, with a message that says so.
    let held = std::fs::File::open(&out).unwrap();
    held.try_lock().unwrap();
    let busy = run(report(dir.path(), &subs, "out", "2026-11-21", &[]));
    assert_eq!(busy.status.code(), Some(2));
    assert!(
        stderr(&busy).contains("another skusunset run is writing to `out`"),
        "{}",
        stderr(&busy)
    );
    held.unlock().unwrap();
    assert_eq!(crate::util::file_names(&out), Vec::<String>::new());

    // Two real runs at once, eight times: each succeeds or says the folder is busy, and the
    // folder always holds one complete report.
    for i in 0..8 {
        let a = report(dir.path(), &subs, "out", "2026-11-21", &[])
            .spawn()
            .unwrap();
        let b = report(dir.path(), &subs, "out", "2026-11-22", &[])
            .spawn()
            .unwrap();
        let results = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        for r in &results {
            assert!(
                r.status.success()
                    || (r.status.code() == Some(2)
                        && stderr(r).contains("another skusunset run is writing")),
                "try {i}: {}",
                stderr(r)
            );
        }
        assert!(results.iter().any(|r| r.status.success()), "try {i}");
        let manifest = one_complete_report(&out, &BTreeSet::new());
        assert_eq!(
            store_entries(&out),
            ["SKUSUNSET", "current", &manifest.generation]
        );
    }
}

#[test]
fn sigterm_and_ctrl_c_leave_the_previous_report_and_no_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let subs = many_customers(dir.path(), 3000);
    let out = dir.path().join("out");
    let first = run(report(dir.path(), &subs, "out", "2026-11-01", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    let previous = one_complete_report(&out, &BTreeSet::new());
    for name in ["TERM", "INT"] {
        let mut child = report(dir.path(), &subs, "out", "2026-11-02", &[])
            .spawn()
            .unwrap();
        assert!(wait_for_staging(&out, &mut child), "no staging folder seen");
        signal(&child, name);
        let done = child.wait_with_output().unwrap();
        assert_eq!(
            done.status.code(),
            Some(130),
            "SIG{name}: {}",
            stderr(&done)
        );
        assert!(
            stderr(&done).contains("previous report is unchanged"),
            "{}",
            stderr(&done)
        );
        assert_eq!(
            one_complete_report(&out, &BTreeSet::new()),
            previous,
            "SIG{name}"
        );
        assert_eq!(
            store_entries(&out),
            ["SKUSUNSET", "current", &previous.generation]
        );
    }
    // During the analysis: nothing staged, nothing changed.
    let child = report(dir.path(), &subs, "out", "2026-11-02", &[])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    signal(&child, "TERM");
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130), "{}", stderr(&done));
    assert_eq!(one_complete_report(&out, &BTreeSet::new()), previous);
}

/// Unmounts on drop, so a failing test leaves no mount behind.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_mount_point_as_out_is_updated_in_place_on_its_own_file_system() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mnt");
    std::fs::create_dir(&out).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("SKIPPED a_mount_point_as_out...: cannot mount a tmpfs here (needs root)");
        return;
    }
    let _mount = Mount(out.clone());
    assert_ne!(
        std::fs::metadata(dir.path()).unwrap().dev(),
        std::fs::metadata(&out).unwrap().dev(),
        "the mount is another file system"
    );
    let subs = fixture("demo/subscriptions.csv");
    for as_of in ["2026-11-21", "2026-11-22"] {
        let done = run(report(dir.path(), &subs, "mnt", as_of, &[]));
        assert!(done.status.success(), "{}", stderr(&done));
        let manifest = one_complete_report(&out, &BTreeSet::new());
        let generation = out.join(".skusunset").join(&manifest.generation);
        assert_eq!(
            std::fs::metadata(&generation).unwrap().dev(),
            std::fs::metadata(&out).unwrap().dev(),
            "staged on the destination's file system"
        );
        assert_eq!(
            store_entries(&out),
            ["SKUSUNSET", "current", &manifest.generation]
        );
    }
}

#[test]
fn out_root_or_home_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("csv")).unwrap();
    std::fs::write(home.join("csv/budget-2026.csv"), "q1,q2\n").unwrap();
    let before = user_files(&home);
    for out in ["/", home.to_str().unwrap()] {
        let refused = run(report(dir.path(), &subs, out, "2026-11-21", &[]));
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{out}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains(&format!(
                "`{out}` is not empty and holds no skusunset report"
            )),
            "{}",
            stderr(&refused)
        );
        assert!(!Path::new(out).join(".skusunset").exists());
    }
    assert_eq!(user_files(&home), before);
}
