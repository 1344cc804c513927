//! The switch: the staged generation's entries renamed into `--out` one at a time, the previous
//! generation's moved into a kept folder of the store, the user's files in them moved back.
//!
//! Before the first rename an intent record (`.skusunset/switch.json`) is written and flushed;
//! every step can be redone, so a run killed at any point is completed by the next run (always
//! forward: the record is written only once the new generation is complete and on disk). Where
//! the kernel can, an entry is exchanged with the live one in one step (`renameat2`
//! `RENAME_EXCHANGE`), so no name is ever missing; elsewhere (FAT, exFAT, SMB) the live entry is
//! moved away and the new one moved in, and the name is missing for that moment. A reader sees
//! whole files only, each of one generation or the other.

use super::files::{
    Kind, can_exchange, exchange, identity, kind_of, make_dirs_beneath, rename_new, sync_dir, walk,
};
use super::manifest::{MANIFEST, Manifest};
use super::plan::Edited;
use super::store::{GENERATION_MARKER, LEGACY_CURRENT, Store};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The intent record's file name in the store.
pub(super) const INTENT: &str = "switch.json";

/// One entry to switch in, and how to know it after an exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Entry {
    /// Relative to `--out`, `/`-separated.
    pub(super) path: String,
    /// The staged entry's device and inode: after an exchange, the staged name holds the old one.
    pub(super) identity: Option<(u64, u64)>,
}

/// What a switch does, written before it starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Intent {
    /// The staging folder (in the store) holding the new generation.
    pub(super) stage: String,
    /// The store folder that receives the previous generation, if there is one.
    pub(super) kept: Option<String>,
    /// The new generation's entries, the manifest last.
    pub(super) entries: Vec<Entry>,
    /// The previous generation's entries that the new one has not.
    pub(super) dropped: Vec<String>,
    /// The previous generation's files the user changed, kept under a new name.
    pub(super) edited: Vec<Edited>,
    /// The old layout's links to remove first (each only while it is still that very link).
    pub(super) unlink: Vec<(String, String)>,
    /// Whether entries are exchanged (else moved away and in).
    pub(super) exchange: bool,
}

impl Intent {
    /// The intent of switching `entries` of the staged `stage` in.
    pub(super) fn new(store: &Store, stage: &str, entries: &[PathBuf]) -> Result<Intent> {
        let staged = store.dir.join(stage);
        let entries = (entries.iter())
            .map(|e| {
                Ok(Entry {
                    path: super::slashed(e),
                    identity: identity(&staged.join(e))?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Intent {
            stage: stage.to_string(),
            kept: None,
            entries,
            dropped: Vec::new(),
            edited: Vec::new(),
            unlink: Vec::new(),
            exchange: can_exchange(&store.dir)?,
        })
    }

    /// Writes the record and flushes it, so the switch can always be completed.
    pub(super) fn write(&self, store: &Store) -> Result<()> {
        let next = store.dir.join("switch.json.next");
        let text = serde_json::to_vec_pretty(self).expect("an intent always serialises");
        std::fs::write(&next, text)?;
        std::fs::File::open(&next)?.sync_all()?;
        std::fs::rename(&next, store.dir.join(INTENT))?;
        sync_dir(&store.dir)
    }

    /// The record of a switch a killed run left, if any.
    pub(super) fn read(store: &Store) -> Result<Option<Intent>> {
        let path = store.dir.join(INTENT);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        };
        let intent = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "`{}` is not skusunset's switch record; was it edited? Remove it and the \
                 `stage-*` folder beside it, then run again",
                path.display()
            )
        })?;
        Ok(Some(intent))
    }
}

/// Carries out (or completes) the switch of `intent`; returns warnings for what had to stay.
pub(super) fn apply(out: &Path, store: &Store, intent: &Intent) -> Result<Vec<String>> {
    for (rel, target) in &intent.unlink {
        let path = confined(out, rel)?;
        if std::fs::read_link(&path).is_ok_and(|t| t == Path::new(target)) {
            std::fs::remove_file(&path)?;
        }
    }
    let legacy_current = store.dir.join(LEGACY_CURRENT);
    if !intent.unlink.is_empty() && kind_of(&legacy_current)? == Some(Kind::Link) {
        std::fs::remove_file(&legacy_current)?;
    }
    let stage = store.dir.join(&intent.stage);
    let kept = intent.kept.as_ref().map(|k| store.dir.join(k));
    let keep = |rel: &Path, from: &Path| -> Result<()> {
        let Some(kept) = &kept else {
            anyhow::bail!(
                "`{}` is in the way of the new report and belongs to no earlier one",
                from.display()
            );
        };
        if kind_of(kept)?.is_none() {
            std::fs::create_dir(kept)
                .with_context(|| format!("cannot create `{}`", kept.display()))?;
            std::fs::write(
                kept.join(GENERATION_MARKER),
                "skusunset report generation\n",
            )?;
        }
        if let Some(parent) = rel.parent() {
            make_dirs_beneath(kept, parent)?;
        }
        rename_new(from, &kept.join(rel))
    };
    for entry in &intent.entries {
        let rel = PathBuf::from(&entry.path);
        let (staged, live) = (stage.join(&rel), confined(out, &entry.path)?);
        if kind_of(&staged)?.is_none() {
            continue; // switched
        }
        if intent.exchange && identity(&staged)? != entry.identity {
            keep(&rel, &staged)?; // exchanged: the staged name holds the previous entry
            continue;
        }
        if let Some(parent) = rel.parent() {
            make_dirs_beneath(out, parent)?;
        }
        if kind_of(&live)?.is_none() {
            rename_new(&staged, &live)?;
        } else if intent.exchange && exchange(&staged, &live)? {
            keep(&rel, &staged)?;
        } else {
            keep(&rel, &live)?;
            rename_new(&staged, &live)?;
        }
    }
    for rel in &intent.dropped {
        let live = confined(out, rel)?;
        if kind_of(&live)?.is_some() {
            keep(Path::new(rel), &live)?;
        }
    }
    let warnings = match &kept {
        Some(kept) if kind_of(kept)?.is_some() => {
            let warnings = carry(out, kept, &intent.edited)?;
            sync_dir(kept)?;
            warnings
        }
        _ => Vec::new(),
    };
    sync_dir(out)?;
    if kind_of(&stage)?.is_some() {
        std::fs::remove_dir_all(&stage)
            .with_context(|| format!("cannot remove `{}`", stage.display()))?;
    }
    std::fs::remove_file(store.dir.join(INTENT))?;
    sync_dir(&store.dir)?;
    Ok(warnings)
}

/// `out/rel` for a recorded path, refused unless it is plain (no `..`, not absolute).
fn confined(out: &Path, rel: &str) -> Result<PathBuf> {
    let rel = Path::new(rel);
    anyhow::ensure!(
        super::files::is_plain(rel),
        "the switch record names `{}`, which is not inside --out; remove `.skusunset/{INTENT}`",
        rel.display()
    );
    Ok(out.join(rel))
}

/// Moves the user's files out of the kept generation back to where they were in `--out`: every
/// file its manifest does not list (a folder of them whole), and each edited file under its new
/// name. One whose place is taken meanwhile stays, and a warning says where.
fn carry(out: &Path, kept: &Path, edited: &[Edited]) -> Result<Vec<String>> {
    let manifest = Manifest::read(&kept.join(MANIFEST))?;
    let listed: BTreeSet<PathBuf> = (manifest.iter().flat_map(|m| &m.files))
        .map(|f| PathBuf::from(&f.path))
        .chain([PathBuf::from(MANIFEST), PathBuf::from(GENERATION_MARKER)])
        .collect();
    let ours_dirs: BTreeSet<&Path> = listed.iter().flat_map(|p| p.ancestors().skip(1)).collect();
    let mut moves: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut moved_dirs: Vec<PathBuf> = Vec::new();
    for (rel, kind) in walk(kept)? {
        if moved_dirs.iter().any(|d| rel.starts_with(d)) {
            continue;
        }
        if let Some(e) = edited.iter().find(|e| Path::new(&e.path) == rel) {
            moves.push((rel, PathBuf::from(&e.keep_as)));
        } else if kind == Kind::Dir {
            if !ours_dirs.contains(rel.as_path()) {
                moved_dirs.push(rel.clone());
                moves.push((rel.clone(), rel));
            }
        } else if !listed.contains(&rel) {
            moves.push((rel.clone(), rel));
        }
    }
    let mut stayed = Vec::new();
    for (from, to) in moves {
        if let Some(parent) = to.parent() {
            make_dirs_beneath(out, parent)?;
        }
        if kind_of(&out.join(&to))?.is_some() {
            stayed.push(from.display().to_string());
            continue;
        }
        rename_new(&kept.join(&from), &out.join(&to))?;
    }
    if stayed.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![format!(
        "your files {} could not go back into the report (their names are taken) and are in \
         `{}`",
        stayed.join(", "),
        kept.display()
    )])
}
