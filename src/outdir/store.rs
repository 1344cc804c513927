//! skusunset's store `--out/.skusunset/`: its marker, the staging folder of a run (never visible),
//! the earlier report generations kept for comparison (`gen-<id>/`, each with its manifest), and
//! the switch's intent record. Nothing in it is a link and nothing in it is followed: a store
//! that is a link, or holds one, is refused with its name.

use super::OutDirError;
use super::files::{Kind, kind_of, sync_dir, walk};
use super::manifest::{MANIFEST, Manifest};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// skusunset's own folder inside `--out`.
pub use crate::base::layout::STORE;
/// The file that marks `.skusunset/` as skusunset's.
pub(super) const STORE_MARKER: &str = "SKUSUNSET";
/// The file inside every generation folder that marks it as skusunset's.
pub(super) const GENERATION_MARKER: &str = ".skusunset-generation";
/// The link of the old layout (skusunset 0.1) that named the live generation.
pub(super) const LEGACY_CURRENT: &str = "current";
const STAGE_PREFIX: &str = "stage-";
const GENERATION_PREFIX: &str = "gen-";

/// The store of one `--out`.
#[derive(Debug)]
pub(super) struct Store {
    /// `--out/.skusunset`.
    pub(super) dir: PathBuf,
}

impl Store {
    /// The store of `out` when there is one. One without skusunset's marker, one that is a link,
    /// or one holding a link (but the old layout's `current`, see `legacy`) is refused.
    pub(super) fn open(out: &Path) -> Result<Option<Store>> {
        let dir = out.join(STORE);
        match kind_of(&dir)? {
            None => Ok(None),
            Some(Kind::Dir) => {
                if kind_of(&dir.join(STORE_MARKER))? != Some(Kind::File) {
                    return Err(OutDirError::Conflict { path: dir }.into());
                }
                for entry in fs::read_dir(&dir)? {
                    let entry = entry?;
                    if entry.file_type()?.is_symlink() && entry.file_name() != LEGACY_CURRENT {
                        return Err(foreign_link(&entry.path()));
                    }
                }
                Ok(Some(Store { dir }))
            }
            Some(Kind::Link) => Err(foreign_link(&dir)),
            Some(_) => Err(OutDirError::Conflict { path: dir }.into()),
        }
    }

    /// Creates the store of `out` with its marker.
    pub(super) fn create(out: &Path) -> Result<Store> {
        let dir = out.join(STORE);
        fs::create_dir(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        fs::write(
            dir.join(STORE_MARKER),
            "skusunset keeps its earlier report generations here (gen-*), for comparison.\n\
             Do not edit; deleting this folder loses only the earlier generations.\n",
        )?;
        sync_dir(&dir)?;
        sync_dir(out)?;
        Ok(Store { dir })
    }

    /// A new, empty staging folder; returns the new generation's name and the folder.
    pub(super) fn new_stage(&self) -> Result<(String, PathBuf)> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        for n in 0u32.. {
            let id = format!("{secs:010}-{}-{n}", std::process::id());
            let generation = format!("{GENERATION_PREFIX}{id}");
            if kind_of(&self.dir.join(&generation))?.is_some() {
                continue;
            }
            let path = self.dir.join(format!("{STAGE_PREFIX}{id}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok((generation, path)),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create `{}`", path.display()));
                }
            }
        }
        unreachable!("u32 ids run out only after 4 billion leftover folders")
    }

    /// A free name for the folder that keeps the previous generation: its own name where that
    /// is free (the folder is made when the switch first moves something into it).
    pub(super) fn free_kept_name(&self, generation: &str) -> Result<String> {
        let usable = !generation.contains(['/', '\\']) && generation.starts_with(GENERATION_PREFIX);
        let base = if usable {
            generation.to_string()
        } else {
            format!("{GENERATION_PREFIX}earlier")
        };
        for n in 0u32.. {
            let name = if n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if kind_of(&self.dir.join(&name))?.is_none() {
                return Ok(name);
            }
        }
        unreachable!("u32 ids run out only after 4 billion leftover folders")
    }

    /// Removes the staging folders of killed runs except `keep` (the one an unfinished switch
    /// still needs). A staging folder was never visible: the store's marker vouches for it.
    pub(super) fn remove_stale_stages(&self, keep: Option<&str>) -> Result<()> {
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(STAGE_PREFIX)
                && Some(name.as_str()) != keep
                && entry.file_type()?.is_dir()
            {
                fs::remove_dir_all(entry.path())
                    .with_context(|| format!("cannot remove `{}`", entry.path().display()))?;
            }
        }
        Ok(())
    }

    /// The kept generation folders, newest first (by when they stopped being the report); those
    /// without a manifest (a switch killed before it moved anything there) last.
    pub(super) fn generations(&self) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(GENERATION_PREFIX) && entry.file_type()?.is_dir() {
                let complete = kind_of(&entry.path().join(MANIFEST))? == Some(Kind::File);
                let when = entry.metadata()?.modified().ok();
                found.push((complete, when, name));
            }
        }
        found.sort();
        Ok(found.into_iter().rev().map(|(_, _, name)| name).collect())
    }

    /// Keeps the `keep` newest complete generations and removes the others (as far as
    /// [`remove_generation`] allows); returns a warning per generation that had to stay.
    pub(super) fn prune(&self, keep: usize) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        for (i, name) in self.generations()?.into_iter().enumerate() {
            let path = self.dir.join(&name);
            if i >= keep || kind_of(&path.join(MANIFEST))? != Some(Kind::File) {
                warnings.extend(remove_generation(&path)?);
            }
        }
        Ok(warnings)
    }
}

/// The refusal of a link where skusunset expects its own folder or file.
pub(super) fn foreign_link(path: &Path) -> anyhow::Error {
    let target = fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
    anyhow::anyhow!(
        "`{}` is a link (to `{target}`), not skusunset's: skusunset follows no link out of \
         --out and writes no report through one. Remove the link (what it points to is not \
         touched) and run again; nothing was changed",
        path.display()
    )
}

/// Removes a kept generation: the files its manifest lists, its manifest and marker, then the
/// emptied folders. Anything else stays, and a warning says where.
pub(super) fn remove_generation(generation: &Path) -> Result<Vec<String>> {
    let manifest = Manifest::read(&generation.join(MANIFEST)).ok().flatten();
    let owned: BTreeSet<PathBuf> = (manifest.iter().flat_map(|m| &m.files))
        .map(|f| PathBuf::from(&f.path))
        .chain([PathBuf::from(MANIFEST), PathBuf::from(GENERATION_MARKER)])
        .collect();
    let mut kept = Vec::new();
    for (rel, kind) in walk(generation)?.into_iter().rev() {
        let path = generation.join(&rel);
        match kind {
            Kind::Dir => {
                let _ = fs::remove_dir(&path);
            }
            _ if owned.contains(&rel) => fs::remove_file(&path)
                .with_context(|| format!("cannot remove `{}`", path.display()))?,
            _ => kept.push(rel.display().to_string()),
        }
    }
    if kept.is_empty() {
        fs::remove_dir(generation)
            .with_context(|| format!("cannot remove `{}`", generation.display()))?;
        return Ok(Vec::new());
    }
    kept.sort();
    Ok(vec![format!(
        "`{}` holds files skusunset did not write, so it was kept: {}; move them out and delete \
         the folder",
        generation.display(),
        kept.join(", ")
    )])
}
