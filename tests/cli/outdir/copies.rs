//! A report is plain files: copied with `cp -r`, zipped and unzipped, or written on an exFAT
//! stick, it is one copy of each file, and a rerun into it works and keeps the user's files.

use super::{one_complete_report, report, run, store_holds, user_files, visible_files, walk};
use crate::util::{fixture, stderr};
use skusunset::outdir::manifest::{MANIFEST, Manifest};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Zips every file below `dir` (as `zip -r` would) into `archive`; returns the entry count.
fn zip_folder(dir: &Path, archive: &Path) -> usize {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(archive).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut entries = 0;
    for (path, is_dir) in walk(dir, true) {
        let name = path.to_string_lossy().replace('\\', "/");
        if is_dir {
            zip.add_directory(format!("{name}/"), options).unwrap();
        } else {
            zip.start_file(name, options).unwrap();
            zip.write_all(&std::fs::read(dir.join(&path)).unwrap())
                .unwrap();
            entries += 1;
        }
    }
    zip.finish().unwrap();
    entries
}

/// Unzips `archive` into `dir`.
fn unzip(archive: &Path, dir: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let path = dir.join(entry.enclosed_name().expect("a plain name"));
        if entry.is_dir() {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
}

#[test]
fn a_copied_or_unzipped_report_is_one_copy_of_each_file_and_reruns() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let first = run(report(dir.path(), &subs, "out", "2026-11-21", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    let out = dir.path().join("out");
    std::fs::write(out.join("runbooks/notes.html"), "<p>call Contoso first</p>").unwrap();
    let user: BTreeSet<PathBuf> = [PathBuf::from("runbooks/notes.html")].into();
    let manifest = one_complete_report(&out, &user);

    // `cp -r`: every file once, the bytes of the manifest.
    let copied = Command::new("cp")
        .args(["-r", "out", "copied"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(copied.success());
    let copy = dir.path().join("copied");
    assert_eq!(one_complete_report(&copy, &user), manifest);
    assert_eq!(visible_files(&copy), visible_files(&out));

    // zip and unzip: one entry per file (the report, its manifest, the user's note, the store's
    // marker), nothing stored twice.
    let archive = dir.path().join("report.zip");
    let entries = zip_folder(&out, &archive);
    assert_eq!(entries, manifest.files.len() + 3, "one entry per file");
    let unzipped = dir.path().join("unzipped");
    unzip(&archive, &unzipped);
    assert_eq!(one_complete_report(&unzipped, &user), manifest);

    // Each copy is still the user's report: a rerun replaces it and keeps the note.
    for name in ["copied", "unzipped"] {
        let again = run(report(dir.path(), &subs, name, "2026-11-28", &[]));
        assert!(again.status.success(), "{name}: {}", stderr(&again));
        let folder = dir.path().join(name);
        let now = one_complete_report(&folder, &user);
        assert_eq!(now.as_of.to_string(), "2026-11-28");
        assert_eq!(
            std::fs::read_to_string(folder.join("runbooks/notes.html")).unwrap(),
            "<p>call Contoso first</p>"
        );
        // The copied report is now the kept previous generation, its report.json whole.
        let kept = store_holds(&folder, 1);
        assert_eq!(kept[0].generation, manifest.generation);
        assert!(
            folder
                .join(".skusunset")
                .join(&manifest.generation)
                .join("report.json")
                .is_file()
        );
    }
}

#[test]
fn an_edited_report_file_is_kept_beside_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let first = run(report(dir.path(), &subs, "out", "2026-11-21", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    let out = dir.path().join("out");
    let users = out.join("csv/users.csv");
    let mut edited = std::fs::read_to_string(&users).unwrap();
    edited.push_str("# called Adele on Monday\n");
    std::fs::write(&users, &edited).unwrap();
    let day = chrono::DateTime::<chrono::Utc>::from(
        std::fs::metadata(&users).unwrap().modified().unwrap(),
    )
    .date_naive();

    let again = run(report(dir.path(), &subs, "out", "2026-11-28", &[]));
    assert!(again.status.success(), "{}", stderr(&again));
    let kept_as = format!("csv/users.edited-{day}.csv");
    let message = stderr(&again);
    assert!(
        message.contains("you changed `out/csv/users.csv` since skusunset wrote it")
            && message.contains(&kept_as),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(out.join(&kept_as)).unwrap(), edited);
    one_complete_report(&out, &[PathBuf::from(&kept_as)].into());
    // The edited copy is the user's from now on: the next run leaves it alone.
    let third = run(report(dir.path(), &subs, "out", "2026-12-05", &[]));
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(
        !stderr(&third).contains("you changed"),
        "{}",
        stderr(&third)
    );
    assert_eq!(std::fs::read_to_string(out.join(&kept_as)).unwrap(), edited);
}

#[test]
fn keep_n_keeps_that_many_earlier_reports() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let mut generations = Vec::new();
    for as_of in ["2026-11-07", "2026-11-14", "2026-11-21", "2026-11-28"] {
        let done = run(report(dir.path(), &subs, "out", as_of, &["--keep", "2"]));
        assert!(done.status.success(), "{}", stderr(&done));
        generations.push(one_complete_report(
            &dir.path().join("out"),
            &BTreeSet::new(),
        ));
    }
    let kept: BTreeSet<String> = (store_holds(&dir.path().join("out"), 2).into_iter())
        .map(|m| m.as_of.to_string())
        .collect();
    assert_eq!(kept, ["2026-11-14", "2026-11-21"].map(String::from).into());
    let none = run(report(
        dir.path(),
        &subs,
        "out",
        "2026-12-05",
        &["--keep", "0"],
    ));
    assert!(none.status.success(), "{}", stderr(&none));
    store_holds(&dir.path().join("out"), 0);
}

/// An exFAT image on a loop device, mounted through FUSE; unmounted and detached on drop.
struct ExFat {
    mount: PathBuf,
    device: String,
}

impl ExFat {
    /// Mounts a fresh 64 MB exFAT file system at `dir/stick`, or says why it cannot.
    fn mount(dir: &Path) -> Result<ExFat, String> {
        let image = dir.join("stick.img");
        let file = std::fs::File::create(&image).map_err(|e| e.to_string())?;
        file.set_len(64 << 20).map_err(|e| e.to_string())?;
        let quiet = |cmd: &mut Command| cmd.stdout(Stdio::null()).stderr(Stdio::null()).status();
        let made = quiet(Command::new("mkfs.exfat").arg(&image));
        if !made.is_ok_and(|s| s.success()) {
            return Err("no mkfs.exfat (Debian: exfatprogs)".into());
        }
        let attached = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(&image)
            .output()
            .map_err(|e| e.to_string())?;
        if !attached.status.success() {
            return Err("cannot attach a loop device (needs root)".into());
        }
        let device = String::from_utf8_lossy(&attached.stdout).trim().to_string();
        let mount = dir.join("stick");
        std::fs::create_dir(&mount).map_err(|e| e.to_string())?;
        let stick = ExFat { mount, device };
        let mounted = quiet(
            Command::new("mount.exfat-fuse")
                .arg(&stick.device)
                .arg(&stick.mount),
        );
        if !mounted.is_ok_and(|s| s.success()) {
            return Err("cannot mount exFAT through FUSE (Debian: exfat-fuse, /dev/fuse)".into());
        }
        Ok(stick)
    }
}

impl Drop for ExFat {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount).status();
        let _ = Command::new("losetup").args(["-d", &self.device]).status();
    }
}

#[test]
fn an_exfat_stick_as_out_gets_plain_files_and_keeps_user_files() {
    let dir = tempfile::tempdir().unwrap();
    let stick = match ExFat::mount(dir.path()) {
        Ok(stick) => stick,
        Err(why) => {
            crate::util::skipped(&format!("an_exfat_stick_as_out...: {why}"));
            return;
        }
    };
    let link = stick.mount.join("probe-link");
    assert!(
        std::os::unix::fs::symlink("x", &link).is_err(),
        "exFAT has no links"
    );
    let subs = fixture("demo/subscriptions.csv");
    let out = stick.mount.join("report");
    let mut user = BTreeSet::new();
    for (i, as_of) in ["2026-11-21", "2026-11-28", "2026-12-05"]
        .into_iter()
        .enumerate()
    {
        let done = run(report(
            dir.path(),
            &subs,
            out.to_str().unwrap(),
            as_of,
            &["--format", "xlsx,csv,html,json"],
        ));
        assert!(done.status.success(), "{}", stderr(&done));
        let manifest = one_complete_report(&out, &user);
        assert_eq!(manifest.as_of.to_string(), as_of);
        store_holds(&out, i.min(1));
        if i == 0 {
            std::fs::write(out.join("runbooks/notes.html"), "mine").unwrap();
            std::fs::write(out.join("todo.txt"), "call Contoso").unwrap();
            user = ["runbooks/notes.html", "todo.txt"]
                .map(PathBuf::from)
                .into();
        }
    }
    let kept = user_files(&out);
    assert_eq!(kept[Path::new("runbooks/notes.html")], b"mine");
    assert_eq!(kept[Path::new("todo.txt")], b"call Contoso");
    assert!(Manifest::read(&out.join(MANIFEST)).unwrap().is_some());
}
