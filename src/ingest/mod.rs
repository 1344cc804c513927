//! Ingest: reads subscription and license exports (CSV in any dialect, or spreadsheets) into
//! canonical polars frames, recording every row it cannot use as an issue and accounting for
//! every row read.

pub mod csv_text;
pub mod excel;
pub mod fields;
pub mod headers;
pub mod licenses;
pub mod subscriptions;
pub mod table;
pub mod values;

use crate::error::InputError;
use crate::issues::{FileAccounting, FileKind, Issue, IssueCode};
use crate::resolve::Resolver;
use anyhow::{Context, Result};
use polars::prelude::DataFrame;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use table::RawTable;

/// Spreadsheet extensions read through calamine; anything else is read as CSV.
const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];
/// Extensions picked up when a directory is given.
const DATA_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"];

/// One input file, optionally tied to a customer (`KEY=FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The customer id, name or domain the file belongs to.
    pub key: Option<String>,
    /// The path.
    pub path: PathBuf,
    /// How outputs and messages name the file (the path as given).
    pub name: String,
}

impl InputFile {
    /// Parses `FILE` or `KEY=FILE` (an existing path containing `=` is taken as a path).
    pub fn parse(arg: &str) -> InputFile {
        if !Path::new(arg).exists()
            && let Some((key, path)) = arg.split_once('=')
            && !key.is_empty()
        {
            return InputFile {
                key: Some(key.to_string()),
                path: PathBuf::from(path),
                name: path.to_string(),
            };
        }
        InputFile {
            key: None,
            path: PathBuf::from(arg),
            name: arg.to_string(),
        }
    }

    /// The path as shown in messages and outputs.
    pub fn label(&self) -> String {
        self.name.clone()
    }
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct InputSpec {
    /// Subscription exports.
    pub subscriptions: Vec<InputFile>,
    /// License exports or directories of them.
    pub licenses: Vec<InputFile>,
    /// The sheet to read from spreadsheets (first sheet when `None`).
    pub sheet: Option<String>,
    /// Read every slash date day-first.
    pub day_first: bool,
}

/// Everything read, before attribution and analysis.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// Canonical subscriptions (see [`subscriptions::to_frame`]).
    pub subscriptions: DataFrame,
    /// Canonical licenses (see [`licenses::to_frame`]).
    pub licenses: DataFrame,
    /// Every problem found.
    pub issues: Vec<Issue>,
    /// Per-file counts.
    pub accounting: Vec<FileAccounting>,
}

/// Reads a file into a raw table, choosing the reader by extension.
pub fn read_table(path: &Path, label: &str, sheet: Option<&str>) -> Result<RawTable> {
    let label = label.to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Unreadable {
        file: label.clone(),
        source,
    })?;
    let ext = extension(path);
    if SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        excel::read(bytes, &label, sheet)
    } else {
        csv_text::read(&bytes).map_err(|e| {
            InputError::Malformed {
                file: label,
                message: e.to_string(),
            }
            .into()
        })
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Expands directories into their data files (sorted by name, not recursive).
fn expand(files: &[InputFile]) -> Result<Vec<InputFile>> {
    let mut out = Vec::new();
    for file in files {
        if file.path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&file.path)
                .with_context(|| format!("cannot list directory `{}`", file.label()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && DATA_EXTENSIONS.contains(&extension(p).as_str()))
                .collect();
            entries.sort();
            out.extend(entries.into_iter().map(|path| {
                let name = match path.file_name() {
                    Some(f) => Path::new(&file.name).join(f).display().to_string(),
                    None => path.display().to_string(),
                };
                InputFile {
                    key: file.key.clone(),
                    path,
                    name,
                }
            }));
        } else {
            out.push(file.clone());
        }
    }
    Ok(out)
}

fn accounting(file: &InputFile, table: &RawTable, kind: FileKind, used: usize) -> FileAccounting {
    FileAccounting {
        file: file.label(),
        sheet: table.sheet.clone(),
        kind,
        rows_read: table.rows.len(),
        rows_used: used,
        rows_rejected: table.rows.len() - used,
        blank_rows: table.blank_rows,
    }
}

/// Reads every input. Unreadable files and missing columns are errors; row problems are issues.
pub fn load(spec: &InputSpec, resolver: &Resolver) -> Result<Ingested> {
    load_observed(spec, resolver, &|_| {})
}

/// [`load`], calling `reading` with each file's label before the file is read.
pub fn load_observed(
    spec: &InputSpec,
    resolver: &Resolver,
    reading: &dyn Fn(&str),
) -> Result<Ingested> {
    let mut issues = Vec::new();
    let mut counts = Vec::new();
    let mut subs = Vec::new();
    for file in expand(&spec.subscriptions)? {
        reading(&file.label());
        let table = read_table(&file.path, &file.label(), spec.sheet.as_deref())?;
        let label = file.label();
        let records = subscriptions::read(
            &label,
            &table,
            file.key.as_deref(),
            spec.day_first,
            &mut issues,
        )?;
        counts.push(accounting(
            &file,
            &table,
            FileKind::Subscriptions,
            records.len(),
        ));
        subs.extend(records);
    }
    let subs = drop_superseded(subs, &mut issues, &mut counts);
    let mut lics = Vec::new();
    for file in expand(&spec.licenses)? {
        reading(&file.label());
        let table = read_table(&file.path, &file.label(), spec.sheet.as_deref())?;
        let label = file.label();
        let (records, used, kind) =
            licenses::read(&label, &table, file.key.as_deref(), resolver, &mut issues)?;
        counts.push(accounting(&file, &table, kind, used));
        lics.extend(records);
    }
    Ok(Ingested {
        subscriptions: subscriptions::to_frame(&subs)?,
        licenses: licenses::to_frame(&lics)?,
        issues,
        accounting: counts,
    })
}

/// A subscription id seen twice: the later row wins; a warning on it names both rows, and the
/// earlier row moves from used to rejected.
fn drop_superseded(
    records: Vec<subscriptions::SubscriptionRecord>,
    issues: &mut Vec<Issue>,
    counts: &mut [FileAccounting],
) -> Vec<subscriptions::SubscriptionRecord> {
    let mut latest: HashMap<String, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(earlier) = latest.insert(r.subscription_id.to_lowercase(), i) {
            let e = &records[earlier];
            issues.push(Issue::warning(
                &r.file,
                r.row,
                "subscription_id",
                IssueCode::DuplicateSubscription,
                format!(
                    "subscription {} also appears in `{}` row {}; this later row is used and \
                     the earlier one ignored",
                    r.subscription_id, e.file, e.row
                ),
            ));
            if let Some(count) = counts.iter_mut().find(|c| *c.file == *e.file) {
                count.rows_used -= 1;
                count.rows_rejected += 1;
            }
        }
    }
    let keep: std::collections::HashSet<usize> = latest.into_values().collect();
    records
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, r)| r)
        .collect()
}
