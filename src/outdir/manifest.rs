//! The manifest `.skusunset-report.json`: which files a report generation holds (with their size
//! and SHA-256) and which entries of `--out` are wholly its own. A folder with a manifest is
//! skusunset's to update, wherever it was copied to; nothing that a manifest does not list is
//! ever deleted, and a listed file whose bytes changed is kept as the user's.

use crate::base::text::hex;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The manifest's file name, at the top of `--out` and inside each kept generation.
pub const MANIFEST: &str = ".skusunset-report.json";

/// What `tool` says in every manifest.
const TOOL: &str = "skusunset";

/// The manifest of one report generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `skusunset`.
    pub tool: String,
    /// The version of skusunset that wrote it.
    pub version: String,
    /// The layout version of this file.
    pub manifest_version: u32,
    /// The generation's name (its folder in `.skusunset/` once it is kept).
    pub generation: String,
    /// The report's `--as-of` date.
    pub as_of: NaiveDate,
    /// The formats written.
    pub formats: Vec<String>,
    /// Every file of the report, relative to `--out`, with `/` as separator.
    pub files: Vec<ManifestFile>,
    /// The report's entries: the topmost paths in `--out` that are wholly its own (a folder
    /// whole, or a file inside a folder of the user's), relative to `--out`. (Layout 1 called
    /// them `links`: each was a link into `.skusunset/current/`.)
    #[serde(alias = "links")]
    pub entries: Vec<String>,
}

/// One file of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// The path relative to `--out`, `/`-separated.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex (`sha256sum` format).
    pub sha256: String,
}

impl ManifestFile {
    /// Describes a file about to be written.
    pub fn of(path: &str, bytes: &[u8]) -> ManifestFile {
        ManifestFile {
            path: path.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A writer that counts and hashes what passes through it, for the manifest.
pub struct Hashed<W> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: std::io::Write> Hashed<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Hashed {
            inner,
            sha: Sha256::new(),
            bytes: 0,
        }
    }

    /// The manifest's entry for what was written, at `path`.
    pub fn describe(self, path: &str) -> ManifestFile {
        ManifestFile {
            path: path.to_string(),
            bytes: self.bytes,
            sha256: hex(&self.sha.finalize()),
        }
    }
}

impl<W: std::io::Write> std::io::Write for Hashed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Manifest {
    /// A new manifest.
    pub fn new(generation: &str, as_of: NaiveDate, formats: Vec<String>) -> Manifest {
        Manifest {
            tool: TOOL.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            manifest_version: 2,
            generation: generation.to_string(),
            as_of,
            formats,
            files: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// The manifest as pretty JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        text.push(b'\n');
        text
    }

    /// Reads the manifest at `path`; `Ok(None)` when there is none, an error when the file
    /// exists but is not a skusunset manifest.
    pub fn read(path: &Path) -> Result<Option<Manifest>> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", path.display())),
        };
        let manifest: Manifest = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "`{}` is not a skusunset manifest; remove it if you wrote it yourself",
                path.display()
            )
        })?;
        anyhow::ensure!(
            manifest.tool == TOOL,
            "`{}` is not a skusunset manifest (tool {:?})",
            path.display(),
            manifest.tool
        );
        Ok(Some(manifest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn round_trips_and_rejects_foreign_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST);
        assert_eq!(Manifest::read(&path).unwrap(), None);
        let mut m = Manifest::new(
            "gen-1",
            NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            vec![],
        );
        m.files.push(ManifestFile::of("csv/a.csv", b"x"));
        std::fs::write(&path, m.to_bytes()).unwrap();
        assert_eq!(Manifest::read(&path).unwrap(), Some(m));
        std::fs::write(&path, br#"{"name": "mine"}"#).unwrap();
        let err = Manifest::read(&path).unwrap_err().to_string();
        assert!(err.contains("is not a skusunset manifest"), "{err}");
    }
}
