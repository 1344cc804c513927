//! Exporters: each output format turns the `Report` into files (relative path → bytes) without
//! touching the disk; `outdir::publish` puts them into `--out`.

mod csv_tables;
pub mod html;
mod json;
mod tables;
mod xlsx;

pub use html::HtmlExporter;
pub use xlsx::{EXCEL_MAX_ROWS, XlsxExporter};

use crate::cli::{FormatArg, LocaleArg};
use crate::model::Report;
use anyhow::Result;
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

/// Renders every format into files (relative path → bytes); `outdir::publish` writes them.
pub fn render(
    report: &Report,
    formats: &[FormatArg],
    locale: LocaleArg,
) -> Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for format in formats {
        files.extend(exporter(*format, locale).export(report)?);
    }
    Ok(files)
}
