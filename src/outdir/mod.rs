//! Publishing a report into `--out` as plain files and folders — copy it, zip it, sync it, put it
//! on a FAT stick — without ever destroying anything skusunset did not write, and so that a run
//! killed at any point is completed by the next.
//!
//! Layout (`DIR` is `--out`):
//!
//! ```text
//! DIR/.skusunset-report.json        the manifest: every file of the report with its SHA-256
//! DIR/expiry-report.xlsx, DIR/csv/, DIR/runbooks/, …   the report, plain files
//! DIR/.skusunset/SKUSUNSET          marker: this folder is skusunset's
//! DIR/.skusunset/gen-<id>/          earlier generations kept for comparison (`--keep`)
//! DIR/.skusunset/stage-<id>/        the next generation while it is written (never visible)
//! DIR/.skusunset/switch.json        the intent record while a switch runs
//! ```
//!
//! A run decides everything that can refuse it before it writes anything ([`plan`]), stages the
//! new generation on the destination's file system and flushes it, then switches entry by entry
//! ([`switch`]). Nothing outside `--out` is touched: every path is `--out` joined with a plain
//! relative path, and no link is followed or trusted.

mod files;
pub mod guard;
mod legacy;
pub mod manifest;
mod plan;
mod store;
mod switch;

use crate::export::Output;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use files::{Kind, kind_of};
use manifest::{MANIFEST, Manifest};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
pub use store::STORE;
use store::Store;
use switch::Intent;

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
    /// How many earlier generations the store keeps (`--keep`).
    pub keep: usize,
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
pub fn publish(files: Vec<Output<'_>>, dest: &Destination) -> Result<Published> {
    for file in &files {
        check_relative(&file.path)?;
    }
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let out = dest.out.as_path();
    prepare_out(out)?;
    let _lock = guard::lock(out)?;

    let Previous {
        store,
        legacy,
        live_manifest,
        mut warnings,
    } = previous(out)?;
    let old_manifest = legacy
        .as_ref()
        .map(|l| &l.manifest)
        .or(live_manifest.as_ref());
    let unlinked: BTreeSet<PathBuf> = (legacy.iter().flat_map(|l| &l.links))
        .map(|(rel, _)| PathBuf::from(rel))
        .collect();
    let new_paths: Vec<PathBuf> = (paths.iter().cloned())
        .chain([PathBuf::from(MANIFEST)])
        .collect();
    let previous = plan::Previous {
        manifest: old_manifest,
        unlinked: &unlinked,
    };
    // Everything that can refuse the run is decided before anything is written.
    let plan = plan::plan(out, &new_paths, &previous, dest.force)?;

    let staging = guard::begin_staging()?;
    let store = match store {
        Some(store) => store,
        None => Store::create(out)?,
    };
    let (generation, stage) = store.new_stage()?;
    let prepared = stage_generation(files, dest, &generation, &plan.entries, &stage)
        .and_then(|()| intent_for(&store, &stage, &plan, legacy.as_ref(), old_manifest));
    let intent = match prepared {
        Ok(intent) => intent,
        Err(err) => {
            let _ = std::fs::remove_dir_all(&stage);
            return Err(err);
        }
    };
    let switched = staging.switch(|| {
        intent.write(&store)?;
        switch::apply(out, &store, &intent).context(
            "the switch to the new report stopped part way; every file in --out is whole, and \
             the next run completes the switch before anything else",
        )
    });
    if let Err(err) = switched {
        if kind_of(&store.dir.join(switch::INTENT))?.is_none() {
            let _ = std::fs::remove_dir_all(&stage);
        }
        return Err(err);
    }
    warnings.extend(switched?);
    for edit in &plan.edited {
        warnings.push(format!(
            "you changed `{}` since skusunset wrote it: your copy is kept as `{}` beside the new \
             one",
            out.join(&edit.path).display(),
            out.join(&edit.keep_as).display()
        ));
    }
    warnings.extend(store.prune(dest.keep)?);
    Ok(Published {
        written: paths.into_iter().map(|rel| out.join(rel)).collect(),
        warnings,
    })
}

/// What `--out` holds before a run.
struct Previous {
    store: Option<Store>,
    legacy: Option<legacy::Legacy>,
    live_manifest: Option<Manifest>,
    warnings: Vec<String>,
}

/// Reads `--out`'s store and report, completing a switch a killed run left first.
fn previous(out: &Path) -> Result<Previous> {
    let mut warnings = Vec::new();
    let store = Store::open(out)?;
    if let Some(store) = &store {
        warnings.extend(complete_interrupted(out, store)?);
    }
    let legacy = match &store {
        Some(store) => legacy::inspect(out, store)?,
        None => None,
    };
    let live_manifest = match &legacy {
        Some(_) => None,
        None => read_live_manifest(out)?,
    };
    Ok(Previous {
        store,
        legacy,
        live_manifest,
        warnings,
    })
}

/// The intent record of switching the staged generation in, with a kept folder for the previous.
fn intent_for(
    store: &Store,
    stage: &Path,
    plan: &plan::Plan,
    legacy: Option<&legacy::Legacy>,
    old_manifest: Option<&Manifest>,
) -> Result<Intent> {
    let stage_name = stage
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut intent = Intent::new(store, &stage_name, &plan.entries)?;
    intent.kept = match (legacy, old_manifest) {
        (Some(legacy), _) => Some(legacy.generation.clone()),
        (None, Some(old)) => Some(store.free_kept_name(&old.generation)?),
        (None, None) => None,
    };
    intent.dropped = plan.dropped.iter().map(|p| slashed(p)).collect();
    intent.edited.clone_from(&plan.edited);
    intent.unlink = legacy.iter().flat_map(|l| l.links.clone()).collect();
    Ok(intent)
}

/// The previous report's `report.json` in `out`, for the weekly comparison: the live report's
/// when its manifest lists it and its bytes are the manifest's, else the newest kept
/// generation's (same check); with where it was found. Nothing is followed through a link.
pub fn previous_report_json(out: &Path) -> Result<Option<(PathBuf, Vec<u8>)>> {
    const REPORT_JSON: &str = "report.json";
    let checked = |dir: &Path| -> Result<Option<(PathBuf, Vec<u8>)>> {
        if kind_of(&dir.join(MANIFEST))? != Some(Kind::File) {
            return Ok(None);
        }
        let Ok(Some(manifest)) = Manifest::read(&dir.join(MANIFEST)) else {
            return Ok(None);
        };
        let Some(listed) = manifest.files.iter().find(|f| f.path == REPORT_JSON) else {
            return Ok(None);
        };
        let path = dir.join(REPORT_JSON);
        if kind_of(&path)? != Some(Kind::File) {
            return Ok(None);
        }
        let bytes = std::fs::read(&path)?;
        Ok((manifest::sha256_hex(&bytes) == listed.sha256).then_some((path, bytes)))
    };
    if !out.is_dir() {
        return Ok(None);
    }
    if let Some(found) = checked(out)? {
        return Ok(Some(found));
    }
    let Ok(Some(store)) = Store::open(out) else {
        return Ok(None);
    };
    for generation in store.generations()? {
        if let Some(found) = checked(&store.dir.join(generation))? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Creates `--out` when missing; one that is a file, or a link that leads nowhere, is refused.
fn prepare_out(out: &Path) -> Result<()> {
    match std::fs::metadata(out) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => anyhow::bail!("--out `{}` exists and is not a folder", out.display()),
        Err(_) if kind_of(out)? == Some(Kind::Link) => {
            let target = std::fs::read_link(out)?;
            anyhow::bail!(
                "--out `{}` is a link to `{}`, which does not exist; create that folder, or \
                 choose another --out",
                out.display(),
                target.display()
            )
        }
        Err(_) => std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create `{}`", out.display())),
    }
}

/// Completes the switch a killed run left (before anything else), and removes staging folders
/// that no switch needs.
fn complete_interrupted(out: &Path, store: &Store) -> Result<Vec<String>> {
    let intent = Intent::read(store)?;
    store.remove_stale_stages(intent.as_ref().map(|i| i.stage.as_str()))?;
    let Some(intent) = intent else {
        return Ok(Vec::new());
    };
    let mut warnings = vec![format!(
        "`{}` was mid-switch (an earlier run was stopped while switching reports): the switch \
         was completed first",
        out.display()
    )];
    warnings.extend(switch::apply(out, store, &intent)?);
    Ok(warnings)
}

/// The manifest at the top of `out`, when there is one (a plain file: a link there is refused).
fn read_live_manifest(out: &Path) -> Result<Option<Manifest>> {
    let path = out.join(MANIFEST);
    match kind_of(&path)? {
        None => Ok(None),
        Some(Kind::File) => Manifest::read(&path),
        Some(Kind::Link) => Err(store::foreign_link(&path)),
        Some(_) => Err(OutDirError::Conflict { path }.into()),
    }
}

/// Writes the manifest and every file into the staging folder, and flushes it all to disk.
fn stage_generation(
    files: Vec<Output<'_>>,
    dest: &Destination,
    generation: &str,
    entries: &[PathBuf],
    stage: &Path,
) -> Result<()> {
    use rayon::prelude::*;
    let mut manifest = Manifest::new(generation, dest.as_of, dest.formats.clone());
    // In parallel: a streamed file is serialised, written and hashed in one pass while the
    // others are written. The largest first (the longest job first): written last, a wave's
    // `report.json` kept one core busy for seconds after the runbooks were done.
    let mut files: Vec<(usize, Output<'_>)> = files.into_iter().enumerate().collect();
    files.sort_by_key(|(_, file)| std::cmp::Reverse(file.size_hint));
    let mut staged = files
        .into_par_iter()
        .map(|(at, file)| {
            let path = slashed(&file.path);
            Ok((at, files::stage_file(stage, file, &path)?))
        })
        .collect::<Result<Vec<_>>>()?;
    staged.sort_unstable_by_key(|(at, _)| *at);
    manifest.files = staged.into_iter().map(|(_, file)| file).collect();
    manifest.entries = entries.iter().map(|e| slashed(e)).collect();
    files::write_file(stage, Path::new(MANIFEST), &manifest.to_bytes())?;
    files::sync_tree(stage)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Files are staged largest first, and the manifest still lists them in the order given.
    #[test]
    fn the_largest_file_is_staged_first_and_the_manifest_keeps_the_order_given() {
        let dir = tempfile::tempdir().unwrap();
        let started = Arc::new(Mutex::new(Vec::new()));
        let files: Vec<Output<'_>> = (0..8u64)
            .map(|size| {
                let started = Arc::clone(&started);
                Output::streamed(
                    PathBuf::from(format!("f{size}.txt")),
                    size,
                    Box::new(move |w| {
                        started.lock().unwrap().push(size);
                        w.write_all(&vec![b'x'; usize::try_from(size).unwrap()])?;
                        Ok(())
                    }),
                )
            })
            .collect();
        let dest = Destination {
            out: dir.path().join("out"),
            force: false,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            formats: vec!["csv".into()],
            keep: 1,
        };
        publish(files, &dest).unwrap();

        let started = started.lock().unwrap();
        let cores = rayon::current_num_threads().min(started.len());
        assert!(started[..cores].contains(&7), "started in {started:?}");
        let manifest = read_live_manifest(&dest.out).unwrap().unwrap();
        let listed: Vec<(&str, u64)> = (manifest.files.iter())
            .map(|f| (f.path.as_str(), f.bytes))
            .collect();
        let given: Vec<(String, u64)> = (0..8).map(|size| (format!("f{size}.txt"), size)).collect();
        let given: Vec<(&str, u64)> = given.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        assert_eq!(listed, given);
    }
}
