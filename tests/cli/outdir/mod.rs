//! `--out`: the user's files survive byte for byte, a folder without a manifest is refused, and
//! `--force` deletes and overwrites nothing foreign; `crash` kills, races and interrupts runs.
//! The helpers here check a folder against its manifest.

mod copies;
mod crash;
mod store;

use crate::util::{fixture, stderr};
use skusunset::outdir::manifest::{MANIFEST, Manifest, sha256_hex};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub(super) const BIN: &str = env!("CARGO_BIN_EXE_skusunset");

/// A subscriptions export with `n` customers, each with a retiring Kaizala Pro subscription (so
/// each gets a runbook) and one that is not retiring.
pub(super) fn many_customers(dir: &Path, n: usize) -> PathBuf {
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
pub(super) fn report(cwd: &Path, subs: &Path, out: &str, as_of: &str, extra: &[&str]) -> Command {
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

pub(super) fn run(mut cmd: Command) -> Output {
    cmd.output().expect("the binary runs")
}

/// Every entry below `dir`, parents first, links not followed.
pub(super) fn entries(dir: &Path) -> Vec<(PathBuf, std::fs::FileType)> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let path = rel.join(entry.file_name());
            let ft = entry.file_type().unwrap();
            if ft.is_dir() {
                pending.push(path.clone());
            }
            found.push((path, ft));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Every entry below `dir` (`.skusunset` left out unless `store`) and whether it is a folder; a
/// link anywhere fails the test: a report is plain files.
pub(super) fn walk(dir: &Path, store: bool) -> Vec<(PathBuf, bool)> {
    (entries(dir).into_iter())
        .filter(|(path, _)| store || !path.starts_with(".skusunset"))
        .map(|(path, ft)| {
            assert!(!ft.is_symlink(), "`{}` is a link", path.display());
            (path, ft.is_dir())
        })
        .collect()
}

/// The report's own files in `dir` by its manifest (the manifest included); none without one.
fn report_files(dir: &Path) -> BTreeSet<PathBuf> {
    match Manifest::read(&dir.join(MANIFEST)) {
        Ok(Some(m)) => (m.files.iter().map(|f| PathBuf::from(&f.path)))
            .chain([PathBuf::from(MANIFEST)])
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Every regular file below `dir` that is not skusunset's (outside `.skusunset`, not listed in
/// the manifest), with its bytes.
pub(super) fn user_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let ours = report_files(dir);
    walk(dir, false)
        .into_iter()
        .filter(|(path, is_dir)| !is_dir && !ours.contains(path))
        .map(|(path, _)| {
            let bytes = std::fs::read(dir.join(&path)).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Every file in `out`, except in `.skusunset`.
pub(super) fn visible_files(out: &Path) -> BTreeSet<PathBuf> {
    (walk(out, false).into_iter())
        .filter(|(_, is_dir)| !is_dir)
        .map(|(path, _)| path)
        .collect()
}

/// Asserts that `out` holds exactly one complete report besides the `user` files: every file
/// the manifest lists has the listed bytes, every other visible file is the user's, and nothing
/// anywhere is a link.
pub(super) fn one_complete_report(out: &Path, user: &BTreeSet<PathBuf>) -> Manifest {
    let manifest = Manifest::read(&out.join(MANIFEST))
        .unwrap()
        .expect("a manifest");
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
    walk(out, true);
    manifest
}

/// Asserts that skusunset's store holds its marker and the `kept` earlier generations, each
/// complete by its own manifest, and no staging folder or switch record.
pub(super) fn store_holds(out: &Path, kept: usize) -> Vec<Manifest> {
    let store = out.join(".skusunset");
    let names = crate::util::file_names(&store);
    assert_eq!(names[0], "SKUSUNSET", "{names:?}");
    assert!(
        names[1..].iter().all(|n| n.starts_with("gen-")),
        "a staging folder or switch record survived: {names:?}"
    );
    assert_eq!(names.len() - 1, kept, "{names:?}");
    names[1..]
        .iter()
        .map(|name| {
            let generation = store.join(name);
            let manifest = Manifest::read(&generation.join(MANIFEST))
                .unwrap()
                .unwrap_or_else(|| panic!("{name} has a manifest"));
            for file in &manifest.files {
                let bytes = std::fs::read(generation.join(&file.path))
                    .unwrap_or_else(|e| panic!("{name}/{}: {e}", file.path));
                assert_eq!(sha256_hex(&bytes), file.sha256, "{name}/{}", file.path);
            }
            manifest
        })
        .collect()
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
    // Inside the user's own `csv/`, the report's tables are entries of their own, one per file.
    let expiring = out.join("csv/expiring.csv");
    let manifest = Manifest::read(&out.join(MANIFEST)).unwrap().unwrap();
    assert!(manifest.entries.contains(&"csv/expiring.csv".to_string()));
    assert!(
        manifest
            .entries
            .contains(&"runbooks/index.html".to_string())
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
    store_holds(&out, 1);
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
    store_holds(&out, 0);
}

#[test]
fn a_file_saved_inside_the_report_is_kept_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let out = dir.path().join("out");
    let first = run(report(dir.path(), &subs, "out", "2026-11-21", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    // Saved into the report's own folder: it stays there across runs.
    std::fs::write(out.join("runbooks/notes.html"), "<p>call Contoso first</p>").unwrap();
    std::fs::create_dir(out.join("runbooks/signed")).unwrap();
    std::fs::write(out.join("runbooks/signed/contoso.pdf"), b"%PDF-1.7 mine").unwrap();
    for as_of in ["2026-11-22", "2026-11-23"] {
        let next = run(report(
            dir.path(),
            &subs,
            "out",
            as_of,
            &["--format", "csv"],
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
            !out.join("runbooks/index.html").exists(),
            "the dropped format's files are gone; the user's stay in its folder"
        );
        let kept = store_holds(&out, 1);
        assert_ne!(kept[0].generation, manifest.generation);
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
