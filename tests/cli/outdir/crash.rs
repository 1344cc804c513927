//! A run killed at any point leaves exactly one complete report; one writer at a time; SIGTERM
//! and Ctrl-C clean up; a mount point as `--out` works.

use super::{many_customers, one_complete_report, report, run, store_holds, visible_files};
use crate::util::{fixture, stderr};
use skusunset::outdir::manifest::{MANIFEST, Manifest, sha256_hex};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// Polls `seen` every `every` until it holds (true), the child ends or a minute passes (false).
fn wait_until(child: &mut Child, every: Duration, mut seen: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_mins(1);
    while Instant::now() < deadline {
        if seen() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(every);
    }
    false
}

/// Waits until a staging folder appears in `out/.skusunset` or the child ends.
fn wait_for_staging(out: &Path, child: &mut Child) -> bool {
    wait_until(child, Duration::from_millis(1), || {
        std::fs::read_dir(out.join(".skusunset")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("stage-"))
        })
    })
}

/// The generation of the manifest at the top of `out` (none while a rename replaces it).
fn live_generation(out: &Path) -> Option<String> {
    Manifest::read(&out.join(MANIFEST))
        .ok()
        .flatten()
        .map(|m| m.generation)
}

/// Waits until the switch begins (its record appears) or the child ends.
fn wait_for_switch(out: &Path, child: &mut Child) -> bool {
    wait_until(child, Duration::from_micros(200), || {
        out.join(".skusunset/switch.json").exists()
    })
}

/// After a kill, whatever the moment: every visible file is whole and the file of one of the
/// generations there are (the live one, the staged one, or the one being kept).
fn every_file_whole_and_of_a_generation(out: &Path) {
    let mut manifests = vec![out.join(MANIFEST)];
    for entry in std::fs::read_dir(out.join(".skusunset")).unwrap() {
        manifests.push(entry.unwrap().path().join(MANIFEST));
    }
    let known: BTreeSet<(PathBuf, String)> = (manifests.iter())
        .filter_map(|path| Manifest::read(path).ok().flatten())
        .flat_map(|m| m.files)
        .map(|f| (PathBuf::from(f.path), f.sha256))
        .collect();
    for path in visible_files(out) {
        if path == Path::new(MANIFEST) {
            continue;
        }
        let bytes = std::fs::read(out.join(&path)).unwrap();
        assert!(
            known.contains(&(path.clone(), sha256_hex(&bytes))),
            "`{}` is neither generation's file",
            path.display()
        );
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

// Over the house's 80 lines: the kill loop and its tallies are one experiment.
#[allow(clippy::too_many_lines)]
#[test]
fn a_run_killed_at_any_point_leaves_exactly_one_complete_report() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let subs = many_customers(dir.path(), 2000);
    let out = dir.path().join("out");
    let first = run(report(dir.path(), &subs, "out", "2026-11-01", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    let full = one_complete_report(&out, &BTreeSet::new());
    assert!(full.files.len() > 2000, "{} files", full.files.len());

    // One watched run: when staging starts and when the run ends, so the kills below land all
    // over the write: while staging, around the switch, and during the clean-up after it.
    let started = Instant::now();
    let mut child = report(dir.path(), &subs, "out", "2026-11-02", &[])
        .spawn()
        .unwrap();
    assert!(wait_for_staging(&out, &mut child));
    let staging_at = started.elapsed();
    assert!(child.wait().unwrap().success());
    let write_time = started.elapsed().checked_sub(staging_at).unwrap();
    eprintln!("calibration: staging after {staging_at:?}, then {write_time:?} to the end");

    let mut random = Random(0x5eed_1234_abcd_9876);
    let mut write_time = write_time;
    let (mut killed, mut during_staging, mut before_switch, mut after_switch) = (0, 0, 0, 0);
    let mut mid_switch = 0;
    // Runs that end before their kill lands (a loaded machine) do not count: go on until 55
    // runs were really killed.
    for i in 0..200 {
        if killed >= 55 {
            break;
        }
        let before = live_generation(&out).expect("a manifest");
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
            // In the switch or just after it, in the clean-up.
            _ => {
                if wait_for_staging(&out, &mut child) {
                    let staged = Instant::now();
                    during_staging += 1;
                    if wait_for_switch(&out, &mut child) {
                        write_time = write_time.max(staged.elapsed());
                        if i % 2 == 0 {
                            std::thread::sleep(Duration::from_micros(random.below(3_000)));
                        } else {
                            // Just after it, in the clean-up.
                            let record = out.join(".skusunset/switch.json");
                            wait_until(&mut child, Duration::from_micros(100), || !record.exists());
                        }
                    }
                }
            }
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        every_file_whole_and_of_a_generation(&out);
        let after = live_generation(&out).unwrap_or_default();
        if status.signal() == Some(9) {
            killed += 1;
            if out.join(".skusunset/switch.json").exists() {
                mid_switch += 1;
            } else if after == before {
                before_switch += 1;
            } else {
                after_switch += 1;
            }
        }
        eprintln!(
            "kill {i}: after {:?}, {status}, {}",
            started.elapsed(),
            if out.join(".skusunset/switch.json").exists() {
                "mid-switch"
            } else if after == before {
                "previous report"
            } else {
                "new report"
            }
        );
    }
    eprintln!(
        "{killed} kills: {during_staging} after staging began, {before_switch} before the \
         switch, {mid_switch} during it, {after_switch} after it"
    );
    assert!(killed >= 50, "only {killed} runs were killed while running");
    assert!(during_staging >= 30, "{during_staging}");
    assert!(
        before_switch >= 5 && mid_switch >= 5 && after_switch >= 5,
        "{before_switch} / {mid_switch} / {after_switch}"
    );

    let last = run(report(dir.path(), &subs, "out", "2026-11-06", &[]));
    assert!(last.status.success(), "{}", stderr(&last));
    let manifest = one_complete_report(&out, &BTreeSet::new());
    // Exactly one complete report, and the one before it kept whole with its report.json.
    let kept = store_holds(&out, 1);
    assert_ne!(kept[0].generation, manifest.generation);
    assert!(kept[0].files.iter().any(|f| f.path == "report.json"));
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
    let mut written = 0;
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
        one_complete_report(&out, &BTreeSet::new());
        written += results.iter().filter(|r| r.status.success()).count();
        store_holds(&out, (written - 1).min(1));
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
        store_holds(&out, 0);
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
        crate::util::skipped("a_mount_point_as_out...: cannot mount a tmpfs here (needs root)");
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
        assert_eq!(
            std::fs::metadata(out.join(".skusunset")).unwrap().dev(),
            std::fs::metadata(&out).unwrap().dev(),
            "staged on the destination's file system"
        );
        assert_eq!(manifest.as_of.to_string(), as_of);
        store_holds(&out, usize::from(as_of == "2026-11-22"));
    }
}
