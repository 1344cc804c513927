//! Report generations inside `--out/.skusunset/`: a run writes `stage-<id>/` (never visible),
//! makes it durable, renames it to `gen-<id>/`, and the switch points `current` at it. Removing a
//! generation deletes only what its manifest lists (and user files whose other link lives on in
//! the current generation); a staging folder, never visible to anyone, is removed whole.

use super::OutDirError;
use super::guard;
use super::manifest::{MANIFEST, Manifest};
use super::tree::{STORE, Tree};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The file that marks `.skusunset/` as skusunset's.
pub(super) const STORE_MARKER: &str = "SKUSUNSET";
/// The file inside every generation folder that marks it as skusunset's.
pub(super) const GENERATION_MARKER: &str = ".skusunset-generation";
const STAGE_PREFIX: &str = "stage-";
const GENERATION_PREFIX: &str = "gen-";

/// The store folder `out/.skusunset`, created (with its marker) when missing. A `.skusunset`
/// without the marker is not skusunset's and is refused.
pub(super) fn ensure_store(out: &Path) -> Result<PathBuf> {
    let store = out.join(STORE);
    match fs::create_dir(&store) {
        Ok(()) => {
            fs::write(
                store.join(STORE_MARKER),
                "skusunset keeps its report generations here; `current` is the live one.\n\
                 Do not edit; delete the whole folder together with the links next to it.\n",
            )?;
            sync_dir(&store)?;
            sync_dir(out)?;
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => check_store(&store)?,
        Err(e) => return Err(e).with_context(|| format!("cannot create `{}`", store.display())),
    }
    Ok(store)
}

/// Refuses a `.skusunset` that does not carry skusunset's marker.
pub(super) fn check_store(store: &Path) -> Result<()> {
    if store.join(STORE_MARKER).is_file() {
        Ok(())
    } else {
        Err(OutDirError::Conflict {
            path: store.to_path_buf(),
        }
        .into())
    }
}

/// A new, empty staging folder with its marker; returns its id.
pub(super) fn new_stage(store: &Path) -> Result<(String, PathBuf)> {
    for n in 0u32.. {
        let id = format!("{}-{n}", std::process::id());
        let path = store.join(format!("{STAGE_PREFIX}{id}"));
        let taken = store.join(format!("{GENERATION_PREFIX}{id}")).exists();
        if taken {
            continue;
        }
        match fs::create_dir(&path) {
            Ok(()) => {
                fs::write(
                    path.join(GENERATION_MARKER),
                    "skusunset report generation\n",
                )?;
                return Ok((id, path));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("cannot create `{}`", path.display())),
        }
    }
    unreachable!("u32 ids run out only after 4 billion leftover folders")
}

/// The generation folder name for an id.
pub(super) fn generation_name(id: &str) -> String {
    format!("{GENERATION_PREFIX}{id}")
}

/// Writes one file into the staging folder (its folders created one level at a time, so a
/// staging folder removed underneath is never silently re-created); [`sync_generation`] flushes
/// it to disk.
pub(super) fn write_file(stage: &Path, rel: &Path, bytes: &[u8]) -> Result<()> {
    guard::check_interrupted()?;
    let mut dir = stage.to_path_buf();
    if let Some(parent) = rel.parent() {
        for part in parent {
            dir.push(part);
            match fs::create_dir(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create `{}`", dir.display()));
                }
            }
        }
    }
    let path = stage.join(rel);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened).
pub(super) fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(path)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush `{}`", path.display()))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Makes everything in a staged generation durable. On Linux one `syncfs(2)` flushes the data
/// and metadata of the file system that holds it (one journal commit instead of one per file);
/// elsewhere every file and folder is flushed, deepest first.
pub(super) fn sync_generation(root: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let dir = fs::File::open(root)?;
        // SAFETY: `dir` is an open descriptor for the whole call; syncfs only reads it.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error())
                .with_context(|| format!("cannot flush `{}` to disk", root.display()));
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        for (rel, kind) in walk(root)?.into_iter().rev() {
            let path = root.join(rel);
            match kind {
                Kind::Dir => sync_dir(&path)?,
                Kind::File => fs::File::open(&path)
                    .and_then(|f| f.sync_all())
                    .with_context(|| format!("cannot flush `{}`", path.display()))?,
                _ => {}
            }
        }
        sync_dir(root)
    }
}

/// What a walked entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link.
    Link,
    /// A FIFO, socket or device.
    Other,
}

/// Every entry below `root`, parents before children, without following links.
pub(super) fn walk(root: &Path) -> Result<Vec<(PathBuf, Kind)>> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let dir = root.join(&rel);
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .with_context(|| format!("cannot list `{}`", dir.display()))?
            .collect::<std::io::Result<_>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = rel.join(entry.file_name());
            let ft = entry.file_type()?;
            let kind = if ft.is_symlink() {
                Kind::Link
            } else if ft.is_dir() {
                Kind::Dir
            } else if ft.is_file() {
                Kind::File
            } else {
                Kind::Other
            };
            if kind == Kind::Dir {
                pending.push(path.clone());
            }
            out.push((path, kind));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The paths a generation owns: the files its manifest lists, the manifest and the marker.
fn owned(manifest: Option<&Manifest>) -> BTreeSet<PathBuf> {
    let listed = manifest.into_iter().flat_map(|m| &m.files);
    listed
        .map(|f| PathBuf::from(&f.path))
        .chain([PathBuf::from(MANIFEST), PathBuf::from(GENERATION_MARKER)])
        .collect()
}

/// Files a user put inside the live generation (through a visible folder link): everything that
/// is neither in its manifest nor skusunset's marker. They are carried into the new generation
/// so they stay where the user put them; one that a new report file would replace is refused.
pub(super) fn foreign_in(
    generation: &Path,
    manifest: &Manifest,
    new: &Tree,
) -> Result<Vec<(PathBuf, Kind)>> {
    let ours = owned(Some(manifest));
    let ours_dirs: BTreeSet<PathBuf> = ours
        .iter()
        .flat_map(|p| p.ancestors().skip(1).map(Path::to_path_buf))
        .collect();
    let mut foreign = Vec::new();
    for (rel, kind) in walk(generation)? {
        let is_ours = match kind {
            Kind::Dir => ours_dirs.contains(&rel),
            _ => ours.contains(&rel),
        };
        if is_ours {
            continue;
        }
        if kind != Kind::Dir && new.contains(&rel) {
            return Err(OutDirError::Conflict {
                path: generation.join(&rel),
            }
            .into());
        }
        if kind == Kind::Other {
            anyhow::bail!(
                "`{}` (a FIFO, socket or device) sits inside the report; move it out of the \
                 report folder and run again",
                generation.join(&rel).display()
            );
        }
        foreign.push((rel, kind));
    }
    Ok(foreign)
}

/// Gives the new generation the user's entries of the old one: folders re-created, files
/// hard-linked (the same file, no copy), links re-made.
pub(super) fn carry(from: &Path, to: &Path, items: &[(PathBuf, Kind)]) -> Result<()> {
    for (rel, kind) in items {
        let (src, dst) = (from.join(rel), to.join(rel));
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent)?;
        }
        let done = match kind {
            Kind::Dir => match fs::create_dir(&dst) {
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
                other => other,
            },
            Kind::File => fs::hard_link(&src, &dst),
            Kind::Link => fs::read_link(&src).and_then(|target| symlink(&target, &dst)),
            Kind::Other => Ok(()),
        };
        done.with_context(|| {
            format!(
                "cannot keep your `{}` in the new report (it is left where it was; nothing \
                 was switched)",
                src.display()
            )
        })?;
    }
    Ok(())
}

/// Makes a symbolic link `path` → `target`.
pub(super) fn symlink(target: &Path, path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(target, path);
    #[cfg(windows)]
    return if path.extension().is_some() {
        std::os::windows::fs::symlink_file(target, path)
    } else {
        std::os::windows::fs::symlink_dir(target, path)
    };
}

/// Removes what killed or finished runs left in the store (whose marker was checked): every
/// staging folder (never visible) and every generation other than `current`, the latter only as
/// far as [`remove_generation`] allows. Returns a warning per generation that had to stay.
pub(super) fn remove_stale(store: &Path, current: Option<&str>) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    if !store.is_dir() {
        return Ok(warnings);
    }
    for entry in fs::read_dir(store)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !entry.file_type()?.is_dir() {
            continue;
        }
        // Staging folders were never visible: the store's own marker vouches for them, even when
        // a run was killed before it wrote the folder's marker.
        if name.starts_with(STAGE_PREFIX) {
            fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove `{}`", path.display()))?;
        } else if name.starts_with(GENERATION_PREFIX) && Some(name.as_str()) != current {
            let current_path = current.map(|c| store.join(c));
            warnings.extend(remove_generation(&path, current_path.as_deref())?);
        }
    }
    Ok(warnings)
}

/// Removes a generation that is not live: the files its manifest lists, the user's files whose
/// other link is in the `current` generation, then the emptied folders. Anything else stays, and
/// a warning says where.
pub(super) fn remove_generation(generation: &Path, current: Option<&Path>) -> Result<Vec<String>> {
    let manifest = Manifest::read(&generation.join(MANIFEST)).ok().flatten();
    let ours = owned(manifest.as_ref());
    let mut kept = Vec::new();
    for (rel, kind) in walk(generation)?.into_iter().rev() {
        let path = generation.join(&rel);
        let removed = match kind {
            Kind::Dir => fs::remove_dir(&path).is_ok(),
            _ if ours.contains(&rel) || same_file_in(current, &rel, &path) => {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove `{}`", path.display()))?;
                true
            }
            _ => false,
        };
        if !removed && kind != Kind::Dir {
            kept.push(rel.display().to_string());
        }
    }
    if kept.is_empty() {
        fs::remove_dir(generation)
            .with_context(|| format!("cannot remove `{}`", generation.display()))?;
        return Ok(Vec::new());
    }
    Ok(vec![format!(
        "`{}` holds files skusunset did not write, so it was kept: {}; move them out and delete \
         the folder",
        generation.display(),
        kept.join(", ")
    )])
}

/// Whether `path` is the same file (or an identical link) as `current/rel`.
fn same_file_in(current: Option<&Path>, rel: &Path, path: &Path) -> bool {
    let Some(current) = current else { return false };
    let other = current.join(rel);
    let (Ok(a), Ok(b)) = (fs::symlink_metadata(path), fs::symlink_metadata(&other)) else {
        return false;
    };
    if a.file_type().is_symlink() && b.file_type().is_symlink() {
        return fs::read_link(path).ok() == fs::read_link(&other).ok();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}
