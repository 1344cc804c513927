//! Exporters: each output format turns the `Report` into files (relative path → bytes, or what
//! writes the bytes) without touching the disk; `outdir::publish` puts them into `--out`.

mod csv_tables;
pub mod html;
mod ics;
mod json;
pub mod locale;
pub mod notices;
pub mod numbers;
mod scripts;
pub mod slug;
mod tables;
mod xlsx;

pub use html::HtmlExporter;
pub use locale::{Locale, Messages};
pub use scripts::{CSV_COLUMNS as SCRIPT_CSV_COLUMNS, ScriptsExporter};
pub use xlsx::{EXCEL_MAX_ROWS, XlsxExporter};

use crate::model::Report;
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;

/// The workbook's file name in the report.
pub const WORKBOOK: &str = "expiry-report.xlsx";
/// The CSV tables' folder.
pub const CSV_DIR: &str = "csv";
/// The issues table as CSV, in [`CSV_DIR`].
pub const ISSUES_CSV: &str = "issues.csv";
/// The whole report as JSON.
pub const REPORT_JSON: &str = "report.json";
/// The runbooks' folder, and their index in it.
pub const RUNBOOKS: &str = "runbooks";
/// The step B scripts' folder.
pub const SCRIPTS: &str = "scripts";

/// One output file: a path relative to the output directory, and its bytes.
pub type OutputFile = (PathBuf, Vec<u8>);

/// What writes a file's bytes, for a file too large to hold whole (`report.json` of a wave is
/// hundreds of megabytes): it runs once, when the file is staged, and writes into the file.
pub type WriteFn<'r> = Box<dyn FnOnce(&mut (dyn Write + Send)) -> Result<()> + Send + 'r>;

/// A file's content: its bytes, or what writes them.
pub enum Content<'r> {
    /// Rendered already.
    Bytes(Vec<u8>),
    /// Written when the file is staged.
    Streamed(WriteFn<'r>),
}

/// One output file of a report being published: a path relative to the output directory, and
/// its content.
pub struct Output<'r> {
    /// The relative path.
    pub path: PathBuf,
    /// Its bytes, or what writes them.
    pub content: Content<'r>,
    /// About how many bytes it has (exact for bytes rendered already): staging starts the
    /// largest files first, so a long one is written beside the many small ones, not after them.
    pub size_hint: u64,
}

impl<'r> Output<'r> {
    /// A file written when it is staged, about `size_hint` bytes long.
    pub fn streamed(path: PathBuf, size_hint: u64, write: WriteFn<'r>) -> Output<'r> {
        Output {
            path,
            content: Content::Streamed(write),
            size_hint,
        }
    }

    /// The path and the whole bytes (a streamed file is written into memory).
    pub fn into_file(self) -> Result<OutputFile> {
        let bytes = match self.content {
            Content::Bytes(bytes) => bytes,
            Content::Streamed(write) => {
                let mut bytes = Vec::new();
                write(&mut bytes)?;
                bytes
            }
        };
        Ok((self.path, bytes))
    }
}

impl From<OutputFile> for Output<'_> {
    fn from((path, bytes): OutputFile) -> Self {
        Output {
            path,
            size_hint: bytes.len() as u64,
            content: Content::Bytes(bytes),
        }
    }
}

/// Serialises a report into files; pure (no I/O, no clock).
pub trait Exporter {
    /// The files this format produces, as bytes.
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>>;

    /// The files this format produces, a large one as what writes it when it is staged, so it is
    /// never held whole. The bytes are those of [`Exporter::export`].
    fn outputs<'r>(&self, report: &'r Report) -> Result<Vec<Output<'r>>> {
        Ok(self.export(report)?.into_iter().map(Output::from).collect())
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// `expiry-report.xlsx`.
    Xlsx,
    /// `runbooks/`.
    Html,
    /// `csv/`.
    Csv,
    /// `report.json`.
    Json,
    /// `scripts/`: step B as a PowerShell script and its input CSV per customer.
    Scripts,
    /// `calendar/`: the deadlines as iCalendar files, for all customers and per customer.
    Ics,
    /// `notices/`: a ready-to-send notice (`.eml` and its HTML) per affected customer.
    Notices,
}

impl Format {
    /// Every format, in the order they are written.
    pub const ALL: [Format; 7] = [
        Format::Xlsx,
        Format::Html,
        Format::Csv,
        Format::Json,
        Format::Scripts,
        Format::Ics,
        Format::Notices,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Scripts => "scripts",
            Format::Ics => "ics",
            Format::Notices => "notices",
        }
    }
}

/// What a run renders, and how.
#[derive(Debug, Clone, Copy)]
pub struct Rendering<'a> {
    /// The formats written (the runbooks link to the scripts only when those are written too).
    pub formats: &'a [Format],
    /// The runbooks' language.
    pub locale: Locale,
    /// `--raw-csv`: write the CSV tables' text exactly as read, formula-like cells included.
    pub raw_csv: bool,
    /// `--notice-to`, `--notice-locale`, `--notice-from`.
    pub notices: &'a notices::NoticeOptions,
}

/// The exporter of a format in `rendering`.
pub fn exporter(format: Format, rendering: &Rendering) -> Box<dyn Exporter> {
    match format {
        Format::Csv => Box::new(csv_tables::CsvExporter {
            raw: rendering.raw_csv,
        }),
        Format::Json => Box::new(json::JsonExporter),
        Format::Xlsx => Box::new(XlsxExporter::default()),
        Format::Html => Box::new(HtmlExporter {
            locale: rendering.locale,
            beside: rendering.formats.to_vec(),
            raw_csv: rendering.raw_csv,
        }),
        Format::Scripts => Box::new(scripts::ScriptsExporter),
        Format::Ics => Box::new(ics::IcsExporter {
            locale: rendering.locale,
        }),
        Format::Notices => Box::new(notices::NoticesExporter {
            locale: rendering.locale,
            options: rendering.notices.clone(),
        }),
    }
}

/// Renders every format into files (relative path → bytes, or what writes a large file's bytes
/// as it is staged); `outdir::publish` writes them. The formats render in parallel; the files
/// come out in the order of the formats.
pub fn render<'r>(report: &'r Report, rendering: &Rendering) -> Result<Vec<Output<'r>>> {
    use rayon::prelude::*;
    let rendered: Vec<Result<Vec<Output<'r>>>> = rendering
        .formats
        .par_iter()
        .map(|format| exporter(*format, rendering).outputs(report))
        .collect();
    let mut files = Vec::new();
    for format_files in rendered {
        files.extend(format_files?);
    }
    Ok(files)
}
