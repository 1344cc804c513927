//! The folder tree is the pipeline (docs/architecture.md): a room of `src/` imports only from
//! rooms listed before it, and every file of `src/` is in a room of the list.

use std::path::{Path, PathBuf};

/// The rooms in pipeline order; `lib` and `main` are the crate root's two files.
const ROOMS: &[&str] = &[
    "base",
    "model",
    "read",
    "reference",
    "ingest",
    "analyze",
    "export",
    "outdir",
    "config",
    "cli",
    "terminal",
    "lib",
    "main",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The room of a path under `src/`: its first folder, or its file stem at the top.
fn room_of(relative: &Path) -> String {
    let first = relative.components().next().unwrap().as_os_str();
    let first = Path::new(first);
    first
        .file_stem()
        .unwrap_or(first.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// The rooms named by `crate::ROOM` or `skusunset::ROOM` paths on a line that is not a comment
/// (an item of the crate root, like `crate::Outcome`, is the room `lib`).
fn rooms_named(line: &str) -> Vec<String> {
    let code = line.trim_start();
    if code.starts_with("//") {
        return Vec::new();
    }
    let mut named = Vec::new();
    for prefix in ["crate::", "skusunset::"] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            let room = if ROOMS.contains(&name.as_str()) {
                name
            } else {
                "lib".to_string()
            };
            named.push(room);
        }
    }
    named
}

#[test]
fn every_room_imports_only_from_rooms_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let room = room_of(relative);
        let Some(own) = ROOMS.iter().position(|r| *r == room) else {
            panic!("{} is in no room of {ROOMS:?}", relative.display());
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for named in rooms_named(line) {
                let at = ROOMS.iter().position(|r| *r == named).unwrap();
                if at > own {
                    upward.push(format!(
                        "src/{}:{}: {room} imports {named}: {}",
                        relative.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports against the pipeline order:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    assert_eq!(rooms_named("use crate::export::Format;"), ["export"]);
    assert_eq!(rooms_named("    let x = crate::Outcome::Success;"), ["lib"]);
    assert_eq!(rooms_named("// see crate::export"), Vec::<String>::new());
    assert_eq!(rooms_named("skusunset::base::text::escape(x)"), ["base"]);
    assert_eq!(room_of(Path::new("analyze/users.rs")), "analyze");
    assert_eq!(room_of(Path::new("lib.rs")), "lib");
}
