//! Publishing a report into `--out` without ever destroying anything skusunset did not write, and
//! so that `--out` holds either the complete previous report or the complete new one at every
//! instant (for a reader during the switch, after a crash, a SIGKILL, or power loss).
//!
//! Layout (`DIR` is `--out`):
//!
//! ```text
//! DIR/.skusunset/SKUSUNSET          marker: this folder is skusunset's
//! DIR/.skusunset/gen-<id>/          one complete report (with its manifest)
//! DIR/.skusunset/current -> gen-<id>
//! DIR/expiry-report.xlsx -> .skusunset/current/expiry-report.xlsx   (one link per entry)
//! DIR/runbooks -> .skusunset/current/runbooks
//! DIR/.skusunset-report.json -> .skusunset/current/.skusunset-report.json
//! ```
//!
//! A run stages the new generation in `.skusunset/stage-<id>/` (same file system as the
//! destination by construction), flushes it, renames it to `gen-<id>`, and switches by renaming
//! a new `current` link over the old one: one `rename(2)`, atomic on POSIX systems, so every
//! visible path resolves into one generation or the other. Then it removes links the new report
//! no longer has and the old generation, deleting only what that generation's manifest lists.

mod generation;
pub mod guard;
pub mod manifest;
mod tree;

use crate::export::OutputFile;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use manifest::{MANIFEST, Manifest, ManifestFile};
use std::path::{Component, Path, PathBuf};
pub use tree::STORE;
use tree::{CURRENT, Tree};

/// Why a report was not written; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    /// `--out` is not empty and holds no skusunset report.
    #[error(
        "`{dir}` is not empty and holds no skusunset report (no `{MANIFEST}`); it contains {listing}. \
         skusunset replaces only files it wrote: choose an empty or new folder, or pass --force \
         to write the report beside these files (nothing of yours is deleted or overwritten)"
    )]
    NotOurs {
        /// The folder.
        dir: PathBuf,
        /// What is in it, shortened.
        listing: String,
    },
    /// A name the report needs is taken by something skusunset did not write.
    #[error(
        "`{}` is not skusunset's, and the report needs that name; move or rename it, or choose \
         another --out (nothing was written)",
        path.display()
    )]
    Conflict {
        /// The path in the way.
        path: PathBuf,
    },
    /// Another run is writing to the same `--out`.
    #[error(
        "another skusunset run is writing to `{}`; wait for it to finish or choose another --out",
        dir.display()
    )]
    Busy {
        /// The folder.
        dir: PathBuf,
    },
    /// A signal stopped the run before the switch.
    #[error("interrupted: the staged report was removed and the previous report is unchanged")]
    Interrupted,
}

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct Destination {
    /// `--out`.
    pub out: PathBuf,
    /// `--force`: write into a non-empty folder that holds no skusunset report.
    pub force: bool,
    /// The report's `--as-of` (recorded in the manifest).
    pub as_of: NaiveDate,
    /// The formats written (recorded in the manifest).
    pub formats: Vec<String>,
}

/// What a publish did.
#[derive(Debug, Default)]
pub struct Published {
    /// The report's files as the user sees them (`--out` joined with each relative path).
    pub written: Vec<PathBuf>,
    /// Things left in place that the user should look at.
    pub warnings: Vec<String>,
}

/// Publishes `files` (relative paths) into `dest.out`.
pub fn publish(files: Vec<OutputFile>, dest: &Destination) -> Result<Published> {
    for (rel, _) in &files {
        check_relative(rel)?;
    }
    let out = dest.out.as_path();
    match std::fs::metadata(out) {
        Ok(meta) if !meta.is_dir() => {
            anyhow::bail!("--out `{}` exists and is not a folder", out.display())
        }
        _ => std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create `{}`", out.display()))?,
    }
    let _lock = guard::lock(out)?;

    let store = out.join(STORE);
    let (current, old_manifest) = previous(out, &store, dest.force)?;

    // Everything that can refuse the run is decided before anything is written.
    let mut tree = Tree::default();
    tree.insert(Path::new(MANIFEST), true);
    for (rel, _) in &files {
        tree.insert(rel, true);
    }
    let current_dir = current.as_ref().map(|c| store.join(c));
    let carried = match (&current_dir, &old_manifest) {
        (Some(dir), Some(m)) => generation::foreign_in(dir, m, &tree)?,
        _ => Vec::new(),
    };
    for (rel, kind) in &carried {
        tree.insert(rel, *kind != generation::Kind::Dir);
    }
    let links = tree::plan_links(out, &tree)?;

    let mut warnings = generation::remove_stale(&store, current.as_deref())?;
    let staging = guard::begin_staging()?;
    let store = generation::ensure_store(out)?;
    let (id, stage) = generation::new_stage(&store)?;
    let name = generation::generation_name(&id);
    let live = store.join(&name);
    let staged = stage_generation(
        &files,
        dest,
        &name,
        &links,
        &stage,
        current_dir.as_deref(),
        &carried,
    )
    .and_then(|()| {
        std::fs::rename(&stage, &live)?;
        generation::sync_dir(&store)?;
        make_links(out, &links)
    })
    .and_then(|()| staging.switch(|| switch(&store, &name)));
    if let Err(err) = staged {
        let _ = std::fs::remove_dir_all(&stage);
        if live.exists() {
            let _ = generation::remove_generation(&live, current_dir.as_deref());
        }
        return Err(err);
    }

    remove_old_links(out, &links, old_manifest.as_ref())?;
    if let Some(dir) = &current_dir {
        warnings.extend(generation::remove_generation(dir, Some(&live))?);
    }
    Ok(Published {
        written: files.into_iter().map(|(rel, _)| out.join(rel)).collect(),
        warnings,
    })
}

/// The live generation's name and manifest when `out` holds a report; without one, a folder
/// holding anything is refused unless `force`.
fn previous(out: &Path, store: &Path, force: bool) -> Result<(Option<String>, Option<Manifest>)> {
    let store_exists = std::fs::symlink_metadata(store).is_ok();
    if store_exists {
        generation::check_store(store)?;
    }
    let current = match std::fs::read_link(store.join(CURRENT)) {
        Ok(target) => Some(target.to_string_lossy().into_owned()),
        Err(_) => None,
    };
    let old_manifest = match &current {
        Some(name) => Some(
            Manifest::read(&store.join(name).join(MANIFEST))?.with_context(|| {
                format!(
                    "`{}` has no manifest; delete `{}` and its links to start afresh",
                    store.join(name).display(),
                    store.display()
                )
            })?,
        ),
        None => None,
    };
    if old_manifest.is_none() && !force {
        let foreign = tree::foreign_entries(out)?;
        if !foreign.is_empty() {
            return Err(OutDirError::NotOurs {
                dir: out.to_path_buf(),
                listing: listing(&foreign),
            }
            .into());
        }
    }

    Ok((current, old_manifest))
}

/// Removes the links of the previous report that the new one does not have (and only links
/// that point into the store: a user's file of the same name is never touched).
fn remove_old_links(out: &Path, links: &[PathBuf], old_manifest: Option<&Manifest>) -> Result<()> {
    let new_links: std::collections::HashSet<&PathBuf> = links.iter().collect();
    let old_links: Vec<PathBuf> = old_manifest
        .into_iter()
        .flat_map(|m| m.links.iter().map(PathBuf::from))
        .chain(tree::top_level_links(out)?)
        .collect();
    for rel in old_links {
        if !new_links.contains(&rel) && tree::is_our_link(out, &rel) {
            std::fs::remove_file(out.join(&rel))?;
        }
    }
    Ok(())
}

/// Writes the manifest, every file and the user's carried entries into the staging folder, and
/// flushes it all to disk.
fn stage_generation(
    files: &[OutputFile],
    dest: &Destination,
    name: &str,
    links: &[PathBuf],
    stage: &Path,
    current: Option<&Path>,
    carried: &[(PathBuf, generation::Kind)],
) -> Result<()> {
    let mut manifest = Manifest::new(name, dest.as_of, dest.formats.clone());
    manifest.files = files
        .iter()
        .map(|(rel, bytes)| ManifestFile::of(&slashed(rel), bytes))
        .collect();
    manifest.links = links.iter().map(|l| slashed(l)).collect();
    // The manifest first: a staging folder with files always says which files are skusunset's.
    generation::write_file(stage, Path::new(MANIFEST), &manifest.to_bytes())?;
    for (rel, bytes) in files {
        generation::write_file(stage, rel, bytes)?;
    }
    if let Some(current) = current {
        generation::carry(current, stage, carried)?;
    }
    generation::sync_generation(stage)
}

/// Creates the links that do not exist yet (one for a new format dangles until the switch).
fn make_links(out: &Path, links: &[PathBuf]) -> Result<()> {
    let mut parents = std::collections::BTreeSet::new();
    for rel in links {
        let path = out.join(rel);
        if std::fs::symlink_metadata(&path).is_err() {
            generation::symlink(&tree::link_target(rel), &path)
                .with_context(|| format!("cannot create the link `{}`", path.display()))?;
            parents.insert(path.parent().map(Path::to_path_buf).unwrap_or_default());
        }
    }
    for dir in parents {
        generation::sync_dir(&dir)?;
    }
    Ok(())
}

/// The switch: a new `current` link renamed over the old one, then flushed.
fn switch(store: &Path, name: &str) -> Result<()> {
    let next = store.join("current.next");
    let _ = std::fs::remove_file(&next);
    generation::symlink(Path::new(name), &next)?;
    std::fs::rename(&next, store.join(CURRENT))
        .with_context(|| format!("cannot switch `{}`", store.join(CURRENT).display()))?;
    generation::sync_dir(store)
}

/// Refuses an output path that is absolute, climbs, or enters skusunset's store.
fn check_relative(rel: &Path) -> Result<()> {
    let normal = rel.components().all(|c| matches!(c, Component::Normal(_)));
    let first = rel.components().next();
    anyhow::ensure!(
        normal && first.is_some() && first != Some(Component::Normal(STORE.as_ref())),
        "internal error: output path `{}` is not a plain relative path",
        rel.display()
    );
    Ok(())
}

/// A relative path with `/` separators.
fn slashed(rel: &Path) -> String {
    rel.iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The first few names and how many more.
fn listing(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    match names.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
