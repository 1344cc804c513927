//! Exporters: each output format turns the `Report` into files (relative path → bytes) without
//! touching the disk; [`write_all`] stages every file in a temporary directory and moves them into
//! place only when all are complete, so a failed run leaves no partial output.

mod csv_tables;
pub mod html;
mod json;
mod tables;
mod xlsx;

pub use html::HtmlExporter;
pub use xlsx::{EXCEL_MAX_ROWS, XlsxExporter};

use crate::cli::{FormatArg, LocaleArg};
use crate::config::OutputConfig;
use crate::model::Report;
use anyhow::{Context, Result};
use std::path::PathBuf;

/// One output file: a path relative to the output directory, and its bytes.
pub type OutputFile = (PathBuf, Vec<u8>);

/// Serialises a report into files; pure (no I/O, no clock).
pub trait Exporter {
    /// The files this format produces.
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>>;
}

/// The exporter of a format.
pub fn exporter(format: FormatArg, locale: LocaleArg) -> Box<dyn Exporter> {
    match format {
        FormatArg::Csv => Box::new(csv_tables::CsvExporter),
        FormatArg::Json => Box::new(json::JsonExporter),
        FormatArg::Xlsx => Box::new(XlsxExporter::default()),
        FormatArg::Html => Box::new(HtmlExporter { locale }),
    }
}

/// Renders every format, then writes the files into `out` atomically (per run): all files are
/// staged next to `out` first; only then are the top-level entries moved into place.
pub fn write_all(report: &Report, output: &OutputConfig) -> Result<Vec<PathBuf>> {
    let out = output.out.as_path();
    let mut files = Vec::new();
    for format in &output.formats {
        files.extend(exporter(*format, output.locale).export(report)?);
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create `{}`", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".skusunset-staging-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot write in `{}`", parent.display()))?;
    for (rel, bytes) in &files {
        let path = staging.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut tops: Vec<PathBuf> = files
        .iter()
        .filter_map(|(rel, _)| {
            rel.components()
                .next()
                .map(|c| PathBuf::from(c.as_os_str()))
        })
        .collect();
    tops.sort();
    tops.dedup();
    for top in &tops {
        let target = out.join(top);
        if target.is_dir() {
            std::fs::remove_dir_all(&target)?;
        } else if target.exists() {
            std::fs::remove_file(&target)?;
        }
        std::fs::rename(staging.path().join(top), &target)
            .with_context(|| format!("cannot move output into `{}`", target.display()))?;
    }
    Ok(files.into_iter().map(|(rel, _)| out.join(rel)).collect())
}
