//! The store trusts no link: the linked layout of skusunset 0.1 is upgraded only in the exact
//! shape 0.1 wrote; a `current` in any other spelling, or a store or entry pointing outside
//! `--out`, is refused — and the user's files and everything outside `--out` stay byte for byte.

use super::{entries, one_complete_report, report, run, store_holds};
use crate::util::{fixture, stderr};
use skusunset::outdir::manifest::{MANIFEST, Manifest, sha256_hex};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// Everything below `dir` without following links: each file's SHA-256, each link's target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    (entries(dir).into_iter())
        .map(|(path, ft)| {
            let full = dir.join(&path);
            let what = if ft.is_symlink() {
                format!("link {}", std::fs::read_link(full).unwrap().display())
            } else if ft.is_dir() {
                "folder".to_string()
            } else {
                sha256_hex(&std::fs::read(full).unwrap())
            };
            (path, what)
        })
        .collect()
}

/// Turns the fresh report in `out` into skusunset 0.1's layout: its entries moved into
/// `.skusunset/<generation>/`, a link in their place, and `current` → `spelling`. The user's
/// note sits inside the generation, where 0.1 put a file saved through the `runbooks` link.
fn to_linked_layout(out: &Path, spelling: &str) -> String {
    let manifest = Manifest::read(&out.join(MANIFEST)).unwrap().unwrap();
    let generation = out.join(".skusunset").join(&manifest.generation);
    std::fs::create_dir(&generation).unwrap();
    std::fs::write(
        generation.join(".skusunset-generation"),
        "skusunset report generation\n",
    )
    .unwrap();
    let tops: BTreeSet<String> = (manifest.entries.iter())
        .map(|e| e.split('/').next().unwrap().to_string())
        .collect();
    for top in &tops {
        std::fs::rename(out.join(top), generation.join(top)).unwrap();
        symlink(Path::new(".skusunset/current").join(top), out.join(top)).unwrap();
    }
    std::fs::write(generation.join("runbooks/notes.html"), "<p>mine</p>").unwrap();
    symlink(spelling, out.join(".skusunset/current")).unwrap();
    manifest.generation
}

/// A report in `dir/out` and a folder outside it that holds another report's files.
fn setup(dir: &Path) -> (PathBuf, String) {
    let subs = fixture("demo/subscriptions.csv");
    let first = run(report(dir, &subs, "out", "2026-11-21", &[]));
    assert!(first.status.success(), "{}", stderr(&first));
    let archive = dir.join("archive/gen-archived");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::write(
        archive.join(".skusunset-generation"),
        "skusunset report generation\n",
    )
    .unwrap();
    std::fs::write(archive.join("report.json"), "{\"archived\": true}").unwrap();
    std::fs::copy(dir.join("out").join(MANIFEST), archive.join(MANIFEST)).unwrap();
    let generation = Manifest::read(&dir.join("out").join(MANIFEST))
        .unwrap()
        .unwrap()
        .generation;
    (dir.join("out"), generation)
}

#[test]
fn a_linked_report_of_skusunset_0_1_becomes_plain_files() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = setup(dir.path());
    let generation = to_linked_layout(&out, "GEN");
    std::fs::remove_file(out.join(".skusunset/current")).unwrap();
    symlink(&generation, out.join(".skusunset/current")).unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let upgraded = run(report(dir.path(), &subs, "out", "2026-11-28", &[]));
    assert!(upgraded.status.success(), "{}", stderr(&upgraded));
    let user: BTreeSet<PathBuf> = [PathBuf::from("runbooks/notes.html")].into();
    one_complete_report(&out, &user);
    assert_eq!(
        std::fs::read_to_string(out.join("runbooks/notes.html")).unwrap(),
        "<p>mine</p>"
    );
    let kept = store_holds(&out, 1);
    assert_eq!(
        kept[0].generation, generation,
        "0.1's report is the previous one"
    );
}

#[test]
fn current_spelled_otherwise_or_pointing_outside_is_refused_and_nothing_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let archive = dir.path().join("archive/gen-archived");
    let spellings = |generation: &str, out: &Path| {
        [
            format!("{generation}/"),
            format!("./{generation}"),
            out.join(".skusunset")
                .join(generation)
                .display()
                .to_string(),
            format!("../.skusunset/{generation}"),
            archive.display().to_string(),
            "../../archive/gen-archived".to_string(),
        ]
    };
    for n in 0..6 {
        let (out, generation) = setup(dir.path());
        let spelling = spellings(&generation, &out)[n].clone();
        to_linked_layout(&out, &spelling);
        let before = snapshot(dir.path());
        let refused = run(report(dir.path(), &subs, "out", "2026-11-28", &[]));
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{spelling}: {}",
            stderr(&refused)
        );
        let message = stderr(&refused);
        assert!(
            message.contains("out/.skusunset/current` is a link")
                && message.contains(&spelling)
                && message.contains("nothing was changed"),
            "{spelling}: {message}"
        );
        assert_eq!(
            snapshot(dir.path()),
            before,
            "{spelling}: something changed"
        );
        std::fs::remove_dir_all(&out).unwrap();
        std::fs::remove_dir_all(dir.path().join("archive")).unwrap();
    }
}

#[test]
fn a_store_or_store_entry_that_is_a_link_is_refused_and_nothing_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let subs = fixture("demo/subscriptions.csv");
    // `.skusunset` itself → a folder outside `--out` that holds another report's store.
    let (out, _) = setup(dir.path());
    let elsewhere = dir.path().join("archive");
    std::fs::write(elsewhere.join("SKUSUNSET"), "marker").unwrap();
    std::fs::remove_dir_all(out.join(".skusunset")).unwrap();
    symlink(&elsewhere, out.join(".skusunset")).unwrap();
    let before = snapshot(dir.path());
    let refused = run(report(dir.path(), &subs, "out", "2026-11-28", &[]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("out/.skusunset` is a link"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(snapshot(dir.path()), before);

    // A kept generation that is a link to a folder outside.
    std::fs::remove_file(out.join(".skusunset")).unwrap();
    std::fs::create_dir(out.join(".skusunset")).unwrap();
    std::fs::write(out.join(".skusunset/SKUSUNSET"), "marker").unwrap();
    symlink(
        elsewhere.join("gen-archived"),
        out.join(".skusunset/gen-old"),
    )
    .unwrap();
    let before = snapshot(dir.path());
    let refused = run(report(
        dir.path(),
        &subs,
        "out",
        "2026-11-28",
        &["--keep", "0"],
    ));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("gen-old` is a link"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(snapshot(dir.path()), before);

    // The manifest at the top a link: refused too.
    std::fs::remove_file(out.join(".skusunset/gen-old")).unwrap();
    std::fs::rename(out.join(MANIFEST), dir.path().join("manifest.json")).unwrap();
    symlink(dir.path().join("manifest.json"), out.join(MANIFEST)).unwrap();
    let before = snapshot(dir.path());
    let refused = run(report(dir.path(), &subs, "out", "2026-11-28", &[]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_dangling_out_link_is_named() {
    let dir = tempfile::tempdir().unwrap();
    symlink(dir.path().join("gone"), dir.path().join("out")).unwrap();
    let subs = fixture("demo/subscriptions.csv");
    let refused = run(report(dir.path(), &subs, "out", "2026-11-28", &[]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("is a link to")
            && stderr(&refused).contains("which does not exist"),
        "{}",
        stderr(&refused)
    );
    assert!(!dir.path().join("gone").exists());
}
