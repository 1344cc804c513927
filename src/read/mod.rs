//! Reading tables, whatever the format: CSV in any dialect and encoding, and spreadsheets,
//! into a raw [`table::Table`] of text cells; size and shape limits checked before anything is
//! built. Format-neutral: ingest reads the exports through it, the reference data its CSV.

pub mod csv_text; // CSV: encoding, delimiter, streaming
pub mod excel; // spreadsheets through calamine, zip bombs refused
pub mod headers; // which header holds which field
pub mod limits; // file, column, row and cell limits; the size-checked reader
pub mod table; // the raw table of cells

use crate::base::error::InputError;
use anyhow::Result;
use std::path::Path;
use table::Table;

/// Spreadsheet extensions read through calamine; anything else is read as CSV.
const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];
/// Extensions picked up when a directory is given.
pub const DATA_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Reads a file into a raw table, choosing the reader by extension. Only a regular file within
/// [`limits::MAX_FILE_BYTES`] is read. A UTF-8 CSV file is streamed; other encodings and
/// spreadsheets are read whole.
pub fn read_table(path: &Path, label: &str, sheet: Option<&str>) -> Result<Table> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(workbook) = name.strip_prefix("~$") {
        anyhow::bail!(InputError::LockFile {
            file: label.to_string(),
            workbook: workbook.to_string(),
        });
    }
    let table = read_any_table(path, label, sheet)?;
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

fn read_any_table(path: &Path, label: &str, sheet: Option<&str>) -> Result<Table> {
    let size = limits::check_file(path, label, limits::MAX_FILE_BYTES)?;
    let malformed = |message: String| InputError::Malformed {
        file: label.to_string(),
        message,
    };
    let ext = extension(path);
    if !SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        let file = std::fs::File::open(path).map_err(|error| InputError::Unreadable {
            file: label.to_string(),
            error,
        })?;
        if let Some(table) = csv_text::read_streaming(file, size as usize).map_err(malformed)? {
            return Ok(table);
        }
    }
    let bytes = limits::read_file(path, label, limits::MAX_FILE_BYTES)?;
    if SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        excel::read(bytes, label, sheet)
    } else {
        Ok(csv_text::read(&bytes).map_err(malformed)?)
    }
}

/// A path's extension, lower-cased (empty when it has none).
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}
