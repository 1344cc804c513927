//! What a run may replace in `--out`, decided before anything is written. A report owns the
//! *entries* its manifest lists — the topmost paths that are wholly its own (`csv`, `runbooks`,
//! `report.json`; inside a user's folder, each file) — and the files below them that the manifest
//! lists. A name the new report needs that is taken by anything else is refused; a report file
//! the user changed since (its SHA-256 differs) is kept under a new name.

use super::OutDirError;
use super::files::{Kind, kind_of};
use super::manifest::{MANIFEST, Manifest, sha256_hex};
use super::store::STORE;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A previous report file the user changed, and the name it is kept under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Edited {
    /// Its path in the report, `/`-separated.
    pub(super) path: String,
    /// Where it stays: beside the new file, `users.edited-2026-12-06.csv`.
    pub(super) keep_as: String,
}

/// What the switch does.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The new report's entries, the manifest last.
    pub(super) entries: Vec<PathBuf>,
    /// The previous report's entries that the new one has not (they go with it into the store).
    pub(super) dropped: Vec<PathBuf>,
    /// The previous report's files the user changed.
    pub(super) edited: Vec<Edited>,
}

/// What is known of `--out` before the run.
pub(super) struct Previous<'a> {
    /// The live report's manifest.
    pub(super) manifest: Option<&'a Manifest>,
    /// Paths that read as absent: the old layout's links, removed by the switch.
    pub(super) unlinked: &'a BTreeSet<PathBuf>,
}

impl Previous<'_> {
    fn kind(&self, out: &Path, rel: &Path) -> Result<Option<Kind>> {
        if self.unlinked.contains(rel) {
            return Ok(None);
        }
        kind_of(&out.join(rel))
    }
}

/// Plans the switch of the report `new` (relative file paths, the manifest included) into `out`.
pub(super) fn plan(out: &Path, new: &[PathBuf], previous: &Previous, force: bool) -> Result<Plan> {
    let old_files: BTreeSet<PathBuf> = (previous.manifest.iter().flat_map(|m| &m.files))
        .map(|f| PathBuf::from(&f.path))
        .chain(previous.manifest.map(|_| PathBuf::from(MANIFEST)))
        .collect();
    let old_entries: BTreeSet<PathBuf> = (previous.manifest.iter())
        .flat_map(|m| m.entries.iter().map(PathBuf::from))
        .chain(previous.manifest.map(|_| PathBuf::from(MANIFEST)))
        .collect();
    if previous.manifest.is_none() && !force {
        refuse_foreign(out, previous)?;
    }
    let mut entries = Vec::new();
    for file in new {
        let entry = entry_of(out, file, &old_entries, previous)?;
        if entry != *file {
            check_inside(out, &entry, file, &old_files, previous)?;
        } else if previous
            .kind(out, file)?
            .is_some_and(|kind| kind != Kind::File || !old_files.contains(file))
        {
            return Err(conflict(out, file));
        }
        if !entries.contains(&entry) {
            entries.push(entry);
        }
    }
    let manifest = Path::new(MANIFEST);
    entries.retain(|e| e != manifest);
    entries.push(manifest.to_path_buf());
    let mut dropped = Vec::new();
    for entry in &old_entries {
        if !entries.contains(entry) && previous.kind(out, entry)?.is_some() {
            dropped.push(entry.clone());
        }
    }
    let taken: BTreeSet<&PathBuf> = new.iter().collect();
    let edited = edited(out, &old_files, previous, &taken)?;
    Ok(Plan {
        entries,
        dropped,
        edited,
    })
}

/// Without a manifest, `out` must hold nothing but skusunset's store.
fn refuse_foreign(out: &Path, previous: &Previous) -> Result<()> {
    let mut foreign = Vec::new();
    for entry in
        std::fs::read_dir(out).with_context(|| format!("cannot list `{}`", out.display()))?
    {
        let name = entry?.file_name();
        if name != STORE && !previous.unlinked.contains(Path::new(&name)) {
            foreign.push(name.to_string_lossy().into_owned());
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    Err(OutDirError::NotOurs {
        dir: out.to_path_buf(),
        listing: listing(&foreign),
    }
    .into())
}

/// The entry that holds `file`: the first of its paths that is the previous report's entry or
/// free; a folder of the user's is entered (its other files are left alone).
fn entry_of(
    out: &Path,
    file: &Path,
    old_entries: &BTreeSet<PathBuf>,
    previous: &Previous,
) -> Result<PathBuf> {
    let mut path = PathBuf::new();
    for part in file {
        path.push(part);
        if old_entries.contains(&path) {
            return Ok(path);
        }
        match previous.kind(out, &path)? {
            None => return Ok(path),
            Some(Kind::Dir) if path != file => {}
            Some(_) => return Err(conflict(out, &path)),
        }
    }
    Err(conflict(out, file))
}

/// Inside the previous report's folder `entry`, the path of `file` must be free or the previous
/// report's own file.
fn check_inside(
    out: &Path,
    entry: &Path,
    file: &Path,
    old_files: &BTreeSet<PathBuf>,
    previous: &Previous,
) -> Result<()> {
    match previous.kind(out, entry)? {
        None | Some(Kind::Dir) => {}
        Some(_) => return Err(conflict(out, entry)),
    }
    let mut path = entry.to_path_buf();
    for part in file.strip_prefix(entry).unwrap_or(file) {
        path.push(part);
        match previous.kind(out, &path)? {
            None => return Ok(()),
            Some(Kind::Dir) if path != file => {}
            Some(Kind::File) if path == file && old_files.contains(file) => {}
            Some(_) => return Err(conflict(out, &path)),
        }
    }
    Ok(())
}

fn conflict(out: &Path, rel: &Path) -> anyhow::Error {
    OutDirError::Conflict {
        path: out.join(rel),
    }
    .into()
}

/// The previous report's files whose bytes differ from its manifest, each with the free name it
/// is kept under.
fn edited(
    out: &Path,
    old_files: &BTreeSet<PathBuf>,
    previous: &Previous,
    taken: &BTreeSet<&PathBuf>,
) -> Result<Vec<Edited>> {
    let Some(manifest) = previous.manifest else {
        return Ok(Vec::new());
    };
    let mut edited = Vec::new();
    for file in &manifest.files {
        let rel = PathBuf::from(&file.path);
        let path = out.join(&rel);
        if previous.kind(out, &rel)? != Some(Kind::File) {
            continue;
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        if sha256_hex(&bytes) == file.sha256 {
            continue;
        }
        let day = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_or_else(
                |_| "unknown".into(),
                |t| {
                    chrono::DateTime::<chrono::Utc>::from(t)
                        .date_naive()
                        .to_string()
                },
            );
        let keep_as = free_name(out, &rel, &day, |p| {
            taken.contains(p) || old_files.contains(p)
        })?;
        edited.push(Edited {
            path: file.path.clone(),
            keep_as: super::slashed(&keep_as),
        });
    }
    Ok(edited)
}

/// `users.edited-<day>.csv` beside `rel` (then `-2`, `-3`, …) that neither exists nor is `taken`.
fn free_name(
    out: &Path,
    rel: &Path,
    day: &str,
    taken: impl Fn(&PathBuf) -> bool,
) -> Result<PathBuf> {
    let stem = rel.file_stem().unwrap_or_default().to_string_lossy();
    let ext = rel
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1u32.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = rel.with_file_name(format!("{stem}.edited-{day}{suffix}{ext}"));
        if !taken(&candidate) && kind_of(&out.join(&candidate))?.is_none() {
            return Ok(candidate);
        }
    }
    unreachable!("u32 suffixes run out only after 4 billion edited copies")
}

/// The first few names and how many more.
pub(super) fn listing(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    match names.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
