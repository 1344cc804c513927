//! What a spreadsheet file is and whether it may be read, decided before calamine builds
//! anything: the format told from its first bytes (and named with the extension's when it is
//! not one), a zip's parts within their declared sizes and free of DOCTYPEs, and the cells an
//! `.ods` declares through its repeat attributes, or each sheet of an `.xls` spans, counted
//! against the file's cell budget.

use crate::base::error::InputError;
use crate::read::limits::{
    MAX_COLUMNS, MAX_SHEET_CELLS, MAX_SHEET_ROWS, MAX_ZIP_PART_BYTES, MAX_ZIP_TOTAL_BYTES,
};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read};

/// The kinds of workbook calamine reads, told from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
    /// Excel 97–2003 (`.xls`).
    Xls,
}

impl Format {
    /// The format as the messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "an Excel workbook (.xlsx)",
            Format::Xlsb => "an Excel binary workbook (.xlsb)",
            Format::Ods => "an OpenDocument spreadsheet (.ods)",
            Format::Xls => "an Excel 97–2003 workbook (.xls)",
        }
    }
}

/// The cells calamine and the table may build from a workbook of `file_bytes` bytes: four per
/// byte of the file (real exports hold far fewer: a cell costs a few compressed bytes), at least
/// a million, at most [`MAX_SHEET_CELLS`]. A few hundred bytes that declare millions of cells
/// are a bomb, not an export.
pub fn cell_budget(file_bytes: usize) -> usize {
    file_bytes
        .saturating_mul(4)
        .clamp(1_000_000, MAX_SHEET_CELLS)
}

/// The first bytes of an OLE compound file (`.xls`, and an encrypted `.xlsx`).
const COMPOUND_FILE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What `bytes` hold, checked: its format, or a message saying what the file is instead and
/// what to do, naming the format its extension `ext` promised.
pub fn check(bytes: &[u8], label: &str, ext: &str) -> Result<Format, InputError> {
    let malformed = |message: String| InputError::Malformed {
        file: label.to_string(),
        message,
    };
    let expected = expected(ext);
    if bytes.is_empty() {
        return Err(malformed(format!(
            "it is empty (0 bytes), not {expected}; export or download it again"
        )));
    }
    if bytes.starts_with(COMPOUND_FILE) {
        let extent = crate::read::xls_extent::extent(bytes);
        if contains(bytes, &utf16("EncryptedPackage"))
            || extent.as_ref().is_some_and(|e| e.encrypted)
        {
            return Err(malformed(format!(
                "it is encrypted (protected with a password), so it cannot be read as \
                 {expected}; open it in Excel, remove the password (File › Info › Protect \
                 Workbook) and save it again"
            )));
        }
        let budget = cell_budget(bytes.len()) as u64;
        let spans = extent.map(|e| e.sheets).unwrap_or_default();
        let total = spans.iter().sum::<u64>();
        if total > budget {
            let (at, widest) = (spans.iter().enumerate())
                .max_by_key(|(_, cells)| **cells)
                .expect("a sheet spans the cells");
            return Err(malformed(format!(
                "its sheet {} spans {widest} cells from its first to its last value{}, over \
                 the limit of {budget} for a file of {} bytes; this is not an export — open \
                 it in Excel, delete the far cells, and save it again (or as CSV)",
                at + 1,
                all_sheets(total, *widest),
                bytes.len()
            )));
        }
        return Ok(Format::Xls);
    }
    if !bytes.starts_with(b"PK") {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
        let what = if head.contains("<html") || head.contains("<!doctype html") {
            "a web page (HTML) saved under a spreadsheet's name; save it from the browser as \
             CSV, or open it in Excel and save it as .xlsx"
        } else if head.trim_start().starts_with('<') {
            "an XML file, not a workbook; open it in Excel and save it as .xlsx"
        } else {
            "text or another file under a spreadsheet's name; if it is CSV, rename it to .csv"
        };
        return Err(malformed(format!("it is not {expected}: it is {what}")));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        malformed(format!(
            "it is not {expected}: it starts as a zip archive but is cut off or damaged ({e}); \
             download or export it again"
        ))
    })?;
    check_parts(&mut archive, &malformed)?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(std::borrow::Cow::into_owned))
        .collect();
    let has = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    let format = if has("xl/workbook.bin") {
        Format::Xlsb
    } else if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("content.xml") {
        Format::Ods
    } else {
        return Err(malformed(format!(
            "it is not {expected}: it is a zip archive without a workbook inside (no \
             `xl/workbook.xml` or `content.xml`); unpack it and read the export it holds"
        )));
    };
    if format == Format::Ods {
        check_ods_cells(&mut archive, bytes.len(), &malformed)?;
    }
    Ok(format)
}

/// `, all its sheets together N` when the sheets together, not the one named, pass the budget.
fn all_sheets(total: u64, named: u64) -> String {
    if total > named {
        format!(", all its sheets together {total}")
    } else {
        String::new()
    }
}

/// How the message names the format the extension promised.
fn expected(ext: &str) -> String {
    match ext {
        "xls" => "an Excel 97–2003 workbook (.xls)".to_string(),
        "ods" => "an OpenDocument spreadsheet (.ods, a zip archive)".to_string(),
        "xlsb" => "an Excel binary workbook (.xlsb, a zip archive)".to_string(),
        other => format!("an Excel workbook (.{other}, a zip archive)"),
    }
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Refuses parts that declare more than the limits once decompressed (the zip reader stops
/// any part at its declared size, so the declarations bound the work) and XML parts that open
/// with a DOCTYPE (no export has one; it is how entity bombs begin).
fn check_parts(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    malformed: &dyn Fn(String) -> InputError,
) -> Result<(), InputError> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(mut part) = archive.by_index(index) else {
            continue;
        };
        let raw = part
            .name()
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        let name = crate::base::text::escape(&raw).to_string();
        let size = part.size();
        if size > MAX_ZIP_PART_BYTES {
            return Err(malformed(format!(
                "its part `{name}` would inflate to {size} bytes, over the limit of \
                 {MAX_ZIP_PART_BYTES}; this is not an export (a zip bomb?)"
            )));
        }
        total = total.saturating_add(size);
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") || lower.ends_with(".rels") {
            let mut head = Vec::with_capacity(4096);
            // A part that cannot be inflated is calamine's to report, with its own words.
            if part.by_ref().take(4096).read_to_end(&mut head).is_ok()
                && String::from_utf8_lossy(&head)
                    .to_ascii_uppercase()
                    .contains("<!DOCTYPE")
            {
                return Err(malformed(format!(
                    "its part `{name}` declares a DOCTYPE, which no export carries (it is how \
                     XML entity bombs begin); refused — open the file in Excel and save it \
                     again"
                )));
            }
        }
    }
    if total > MAX_ZIP_TOTAL_BYTES {
        return Err(malformed(format!(
            "its parts would inflate to {total} bytes, over the limit of {MAX_ZIP_TOTAL_BYTES}; \
             this is not an export (a zip bomb?)"
        )));
    }
    Ok(())
}

/// The cells one `.ods` sheet declares: rows and columns as calamine would build them.
#[derive(Debug, Default)]
struct DeclaredSheet {
    name: String,
    /// Cells of every row element once (calamine keeps each row before repeating it).
    stored: u64,
    /// Rows from the first to the last with a value, repeats counted.
    rows: u64,
    /// Rows repeated since the last row with a value (counted once another follows).
    pending_rows: u64,
    /// Leftmost and rightmost column with a value, plus one.
    left: u64,
    right: u64,
}

/// The row being counted: its repeats, the column reached, and the first column with a value
/// and the column after the last.
#[derive(Debug)]
struct DeclaredRow {
    repeats: u64,
    column: u64,
    first: Option<u64>,
    end: u64,
}

impl DeclaredRow {
    /// Counts a cell element (`filled` when it holds a value or a formula).
    fn cell(&mut self, columns: u64, filled: bool) {
        let after = self.column.saturating_add(columns).min(MAX_COLUMNS as u64);
        if filled && after > self.column {
            self.first.get_or_insert(self.column);
            self.end = after;
        }
        self.column = after;
    }
}

impl DeclaredSheet {
    /// Adds a finished row.
    fn add(&mut self, row: DeclaredRow) {
        self.stored = self.stored.saturating_add(row.end);
        match row.first {
            Some(first) => {
                if self.rows > 0 {
                    self.rows = self.rows.saturating_add(self.pending_rows);
                }
                self.pending_rows = 0;
                self.rows = self.rows.saturating_add(row.repeats);
                self.left = self.left.min(first);
                self.right = self.right.max(row.end);
            }
            None => self.pending_rows = self.pending_rows.saturating_add(row.repeats),
        }
    }

    /// The cells calamine holds for the sheet: each stored row, and the dense grid it builds.
    fn cells(&self) -> u64 {
        let width = self.right.saturating_sub(self.left);
        self.stored.saturating_add(
            self.rows
                .min(u64::from(MAX_SHEET_ROWS))
                .saturating_mul(width),
        )
    }
}

/// Counts the cells an `.ods` declares through `table:number-rows-repeated` and
/// `table:number-columns-repeated`, streaming `content.xml`, and refuses a file that declares
/// more than its [`cell_budget`] before calamine builds any of them.
fn check_ods_cells(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    file_bytes: usize,
    malformed: &dyn Fn(String) -> InputError,
) -> Result<(), InputError> {
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let budget = cell_budget(file_bytes) as u64;
    let mut sheets: Vec<DeclaredSheet> = Vec::new();
    let mut row: Option<DeclaredRow> = None;
    let mut buf = Vec::new();
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break, // calamine reports a broken content.xml
            Ok(event) => event,
        };
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().into_inner() == "table:table" => {
                sheets.push(DeclaredSheet {
                    name: attribute(&e, "table:name").unwrap_or_default(),
                    left: u64::MAX,
                    ..DeclaredSheet::default()
                });
            }
            Event::Start(e) if e.name().into_inner() == "table:table-row" => {
                row = Some(DeclaredRow {
                    repeats: repeat(&e, "table:number-rows-repeated"),
                    column: 0,
                    first: None,
                    end: 0,
                });
            }
            Event::Empty(e) if e.name().into_inner() == "table:table-row" => {
                if let Some(sheet) = sheets.last_mut() {
                    sheet.pending_rows = sheet
                        .pending_rows
                        .saturating_add(repeat(&e, "table:number-rows-repeated"));
                }
            }
            ref event @ (Event::Start(ref e) | Event::Empty(ref e))
                if matches!(
                    e.name().into_inner(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                if let Some(row) = row.as_mut() {
                    let filled = matches!(event, Event::Start(_))
                        || attribute(e, "office:value-type").is_some()
                        || attribute(e, "table:formula").is_some();
                    row.cell(repeat(e, "table:number-columns-repeated"), filled);
                }
            }
            Event::End(e) if e.name().into_inner() == "table:table-row" => {
                let (Some(done), Some(sheet)) = (row.take(), sheets.last_mut()) else {
                    continue;
                };
                sheet.add(done);
                let total = sheets.iter().map(DeclaredSheet::cells).sum::<u64>();
                if total > budget {
                    let sheet = sheets
                        .iter()
                        .max_by_key(|s| s.cells())
                        .expect("a sheet holds the row");
                    return Err(malformed(format!(
                        "its sheet `{}` declares {} cells through repeated rows and columns \
                         (about {} rows × {} columns){}, over the limit of {budget} for a file \
                         of {file_bytes} bytes; this is not an export — open it in LibreOffice \
                         or Excel, delete the empty rows and columns, and save it again (or \
                         as CSV)",
                        crate::base::text::escape(&sheet.name),
                        sheet.cells(),
                        sheet.rows.min(u64::from(MAX_SHEET_ROWS)),
                        sheet.right.saturating_sub(sheet.left),
                        all_sheets(total, sheet.cells()),
                    )));
                }
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// An attribute's value as text.
fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

/// A repeat attribute (1 when absent or not a number; huge numbers saturate).
fn repeat(e: &BytesStart<'_>, name: &str) -> u64 {
    attribute(e, name).map_or(1, |v| {
        let digits = v.trim();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().unwrap_or(u64::MAX)
        } else {
            1
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_says_when_the_sheets_together_pass_the_budget() {
        assert_eq!(super::all_sheets(900, 900), "");
        assert_eq!(
            super::all_sheets(1_500, 900),
            ", all its sheets together 1500"
        );
    }
}
