//! The linked layout of skusunset 0.1, upgraded on the first run: its report was links in
//! `--out` into `.skusunset/current/`, and `current` a link to `gen-<id>`. Only that exact shape
//! is recognised — `current` spelled as the plain name of a real generation folder beside it,
//! links whose text is exactly what 0.1 wrote — and nothing is followed: any other link is refused
//! with its name. The upgrade removes the links and keeps the generation as the previous one;
//! the user's files in it go back to where they were seen.

use super::files::{Kind, is_plain, kind_of};
use super::manifest::{MANIFEST, Manifest};
use super::store::{GENERATION_MARKER, LEGACY_CURRENT, STORE, Store, foreign_link};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// A report in the old layout.
#[derive(Debug)]
pub(super) struct Legacy {
    /// Its generation folder in the store.
    pub(super) generation: String,
    /// Its manifest.
    pub(super) manifest: Manifest,
    /// Its links in `--out` (path, exact target).
    pub(super) links: Vec<(String, String)>,
}

/// The target 0.1 gave the link at `rel`: `../` per folder level, then `.skusunset/current/<rel>`.
fn link_target(rel: &Path) -> PathBuf {
    let mut target = PathBuf::new();
    for _ in 1..rel.components().count() {
        target.push("..");
    }
    target.push(STORE);
    target.push(LEGACY_CURRENT);
    target.push(rel);
    target
}

/// The old-layout report in `out`, if the store has a `current` link; one spelled or pointing
/// any other way is refused (nothing followed, nothing changed).
pub(super) fn inspect(out: &Path, store: &Store) -> Result<Option<Legacy>> {
    let current = store.dir.join(LEGACY_CURRENT);
    match kind_of(&current)? {
        None => return Ok(None),
        Some(Kind::Link) => {}
        Some(_) => {
            return Err(super::OutDirError::Conflict { path: current }.into());
        }
    }
    let target = std::fs::read_link(&current)?;
    // The link's own text, not a path made of it: `gen-X/` and `./gen-X` are other spellings.
    let name = target.to_string_lossy().into_owned();
    if name.contains(['/', '\\']) || !is_plain(Path::new(&name)) {
        return Err(foreign_link(&current));
    }
    let generation = store.dir.join(&name);
    if !name.starts_with("gen-")
        || kind_of(&generation)? != Some(Kind::Dir)
        || kind_of(&generation.join(GENERATION_MARKER))? != Some(Kind::File)
    {
        return Err(foreign_link(&current));
    }
    let manifest = Manifest::read(&generation.join(MANIFEST))?.with_context(|| {
        format!(
            "`{}` has no manifest; delete `{}` and the links beside it to start afresh",
            generation.display(),
            store.dir.display()
        )
    })?;
    let mut candidates: Vec<PathBuf> = manifest.entries.iter().map(PathBuf::from).collect();
    for entry in std::fs::read_dir(out)? {
        candidates.push(PathBuf::from(entry?.file_name()));
    }
    candidates.sort();
    candidates.dedup();
    let mut links = Vec::new();
    for rel in candidates {
        let expected = link_target(&rel);
        if is_plain(&rel) && std::fs::read_link(out.join(&rel)).is_ok_and(|t| t == expected) {
            links.push((
                super::slashed(&rel),
                expected.to_string_lossy().into_owned(),
            ));
        }
    }
    Ok(Some(Legacy {
        generation: name,
        manifest,
        links,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_climb_one_level_per_folder() {
        assert_eq!(
            link_target(Path::new("csv")),
            Path::new(".skusunset/current/csv")
        );
        assert_eq!(
            link_target(Path::new("csv/users.csv")),
            Path::new("../.skusunset/current/csv/users.csv")
        );
    }
}
