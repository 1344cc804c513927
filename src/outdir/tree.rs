//! The visible side of `--out`: which paths become links into `.skusunset/current/`, which links
//! are skusunset's (recognised by their exact target, so a user's own link is never touched),
//! and which entries of a folder are not skusunset's.

use super::OutDirError;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// skusunset's own folder inside `--out`: the generations and the `current` link.
pub use crate::base::layout::STORE;
/// The link inside [`STORE`] that names the live generation.
pub(super) const CURRENT: &str = "current";

/// The paths of one report generation, as a tree of names.
#[derive(Debug, Default)]
pub(super) struct Tree {
    children: BTreeMap<OsString, Tree>,
    is_file: bool,
}

impl Tree {
    /// Adds a path (relative, normal components only); `is_file` for a file or link, else a
    /// folder.
    pub(super) fn insert(&mut self, rel: &Path, is_file: bool) {
        let mut node = self;
        for part in rel {
            node = node.children.entry(part.to_os_string()).or_default();
        }
        node.is_file = is_file;
    }

    /// Whether `rel` is in the tree.
    pub(super) fn contains(&self, rel: &Path) -> bool {
        let mut node = self;
        for part in rel {
            match node.children.get(part) {
                Some(child) => node = child,
                None => return false,
            }
        }
        true
    }
}

/// The target of skusunset's link at `rel` (relative to `--out`): `../` per folder level, then
/// `.skusunset/current/<rel>`. Relative, so a moved or copied `--out` keeps working.
pub(super) fn link_target(rel: &Path) -> PathBuf {
    let mut target = PathBuf::new();
    for _ in 1..rel.components().count() {
        target.push("..");
    }
    target.push(STORE);
    target.push(CURRENT);
    target.push(rel);
    target
}

/// Whether `out/rel` is a link skusunset made (a symbolic link with exactly the target skusunset
/// gives it).
pub(super) fn is_our_link(out: &Path, rel: &Path) -> bool {
    std::fs::read_link(out.join(rel)).is_ok_and(|target| target == link_target(rel))
}

/// Where each path of `tree` appears in `out`: a link per top-level entry, except inside a
/// folder that is not skusunset's (kept, with a link per entry inside it). A name that is taken
/// by something not skusunset's is refused, whatever `--force` says.
pub(super) fn plan_links(out: &Path, tree: &Tree) -> Result<Vec<PathBuf>> {
    let mut links = Vec::new();
    plan_in(out, Path::new(""), tree, &mut links)?;
    Ok(links)
}

fn plan_in(out: &Path, rel: &Path, node: &Tree, links: &mut Vec<PathBuf>) -> Result<()> {
    for (name, child) in &node.children {
        let path = rel.join(name);
        let visible = out.join(&path);
        match std::fs::symlink_metadata(&visible) {
            Err(e) if e.kind() == ErrorKind::NotFound => links.push(path),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot inspect `{}`", visible.display()));
            }
            Ok(meta) if meta.file_type().is_symlink() && is_our_link(out, &path) => {
                links.push(path);
            }
            Ok(meta) if meta.is_dir() && !child.is_file => plan_in(out, &path, child, links)?,
            Ok(_) => return Err(OutDirError::Conflict { path: visible }.into()),
        }
    }
    Ok(())
}

/// The entries directly in `out` that are not skusunset's: everything except its store folder
/// and its links.
pub(super) fn foreign_entries(out: &Path) -> Result<Vec<String>> {
    let mut foreign = Vec::new();
    for entry in
        std::fs::read_dir(out).with_context(|| format!("cannot list `{}`", out.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if name == STORE || is_our_link(out, Path::new(&name)) {
            continue;
        }
        foreign.push(name.to_string_lossy().into_owned());
    }
    foreign.sort();
    Ok(foreign)
}

/// skusunset's links directly in `out` (also those a killed run left behind).
pub(super) fn top_level_links(out: &Path) -> Result<Vec<PathBuf>> {
    let mut links = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let name = PathBuf::from(entry?.file_name());
        if is_our_link(out, &name) {
            links.push(name);
        }
    }
    Ok(links)
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

    #[test]
    fn a_foreign_folder_gets_links_inside_and_a_foreign_file_is_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir(out.join("csv")).unwrap();
        std::fs::write(out.join("csv/mine.csv"), "mine").unwrap();
        let mut tree = Tree::default();
        tree.insert(Path::new("csv/users.csv"), true);
        tree.insert(Path::new("report.json"), true);
        tree.insert(Path::new("runbooks/index.html"), true);
        let links = plan_links(out, &tree).unwrap();
        assert_eq!(
            links,
            [
                PathBuf::from("csv/users.csv"),
                PathBuf::from("report.json"),
                PathBuf::from("runbooks")
            ]
        );
        std::fs::write(out.join("report.json"), "mine").unwrap();
        let err = plan_links(out, &tree).unwrap_err().to_string();
        assert!(err.contains("report.json"), "{err}");
    }
}
