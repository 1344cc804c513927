//! Reading tables, whatever the format: CSV in any dialect and encoding, and spreadsheets,
//! into a raw [`table::Table`] of text cells; size and shape limits checked before anything is
//! built. Format-neutral: ingest reads the exports through it, the reference data its CSV.

mod csv_records; // CSV records into a table by one reader: row numbers, limits
pub mod csv_text; // CSV: encoding, delimiter, streaming
pub mod excel; // spreadsheets through calamine, zip bombs refused
pub mod headers; // which header holds which field
pub mod limits; // file, column, row and cell limits; the size-checked reader
pub mod table; // the raw table of cells
mod text_column; // a text column whose repeated cells share their bytes
pub mod workbook; // a spreadsheet's format, parts and declared cells, checked before reading
pub mod xls_extent; // the cells each sheet of an .xls spans, from its records

use crate::base::error::InputError;
use anyhow::Result;
use std::path::Path;
use table::{Keep, Table};

/// Spreadsheet extensions read through calamine; anything else is read as CSV.
const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];
/// Extensions picked up when a directory is given.
pub const DATA_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Reads a file into a raw table, choosing the reader by extension. The file is opened once;
/// only a regular file within [`limits::MAX_FILE_BYTES`] is read, and no further than its size
/// when opened. A UTF-8 CSV file is streamed; other encodings and spreadsheets are read whole.
/// Only the columns `keep` names are held (the others are empty).
pub fn read_table(path: &Path, label: &str, sheet: Option<&str>, keep: Keep) -> Result<Table> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(workbook) = name.strip_prefix("~$") {
        anyhow::bail!(InputError::LockFile {
            file: label.to_string(),
            workbook: workbook.to_string(),
        });
    }
    let table = read_any_table(path, label, sheet, keep)?;
    if table.headers.iter().all(String::is_empty) {
        anyhow::bail!(InputError::Malformed {
            file: label.to_string(),
            message: format!(
                "it is empty: no header row{}; export it again",
                table
                    .sheet
                    .as_ref()
                    .map(|s| format!(" on sheet `{s}`"))
                    .unwrap_or_default()
            ),
        });
    }
    Ok(table)
}

fn read_any_table(path: &Path, label: &str, sheet: Option<&str>, keep: Keep) -> Result<Table> {
    let mut opened = limits::open_checked(path, label, limits::MAX_FILE_BYTES)?;
    let malformed = |message: String| InputError::Malformed {
        file: label.to_string(),
        message,
    };
    let ext = extension(path);
    if SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        return excel::read(opened.read_all()?, label, &ext, sheet, keep);
    }
    let size = usize::try_from(opened.size).unwrap_or(usize::MAX);
    let reader = opened.reader().map_err(|error| InputError::Unreadable {
        file: label.to_string(),
        error,
    })?;
    if let Some(table) = csv_text::read_streaming(reader, size, keep).map_err(malformed)? {
        return Ok(table);
    }
    Ok(csv_text::read_keeping(&opened.read_all()?, keep).map_err(malformed)?)
}

/// A path's extension, lower-cased (empty when it has none).
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}
