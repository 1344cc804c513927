//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) through calamine: the first sheet, or
//! the one `--sheet` names. Date cells arrive as dates; everything else keeps its cell type.
//!
//! Hostile workbooks are refused with a message, never read into exhaustion: a zip part that
//! would inflate past [`MAX_ZIP_PART_BYTES`] is refused before anything is decompressed;
//! `.xlsx` and `.xlsb` sheets are streamed cell by cell (a lone cell at `XFD1048576` costs one
//! cell, not a dense grid of 17 billion); cell references beyond Excel's last row or column and
//! sheets over [`MAX_SHEET_CELLS`] cells are refused; and a panic inside calamine on a
//! malformed file becomes an error naming the file.

use crate::base::error::InputError;
use crate::read::limits::{
    MAX_COLUMNS, MAX_SHEET_CELLS, MAX_SHEET_ROWS, MAX_ZIP_PART_BYTES, MAX_ZIP_TOTAL_BYTES,
};
use crate::read::table::{Cell, Table, TableBuilder};
use anyhow::{Context, Result, bail};
use calamine::{Data, DataRef, Reader, Sheets, open_workbook_auto_from_rs};
use std::io::Cursor;

/// One non-empty cell: row and column (0-based, as the file numbers them) and value.
type Placed = (u32, u32, Cell);

/// Reads one sheet of a workbook held in `bytes` (the path is only for messages).
pub fn read(bytes: Vec<u8>, path: &str, sheet: Option<&str>) -> Result<Table> {
    check_zip(&bytes, path)?;
    match crate::base::panic::contain(|| read_sheet(bytes, path, sheet)) {
        Ok(result) => result,
        Err(panic) => Err(malformed(
            path,
            format!(
                "the spreadsheet is malformed and its reader stopped on it ({panic}); open it in \
                 Excel and save it again"
            ),
        )),
    }
}

fn malformed(path: &str, message: String) -> anyhow::Error {
    InputError::Malformed {
        file: path.to_string(),
        message,
    }
    .into()
}

/// Refuses a zip-based workbook whose parts declare more than the limits once decompressed (the
/// zip reader stops any part at its declared size, so the declarations bound the work).
fn check_zip(bytes: &[u8], path: &str) -> Result<()> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    // Not a readable zip: calamine says what is wrong with it.
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(index) else {
            continue;
        };
        let size = part.size();
        if size > MAX_ZIP_PART_BYTES {
            let name = part
                .name()
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            return Err(malformed(
                path,
                format!(
                    "its part `{}` would inflate to {size} bytes, over the limit of \
                     {MAX_ZIP_PART_BYTES}; this is not an export (a zip bomb?)",
                    crate::base::text::escape(&name)
                ),
            ));
        }
        total = total.saturating_add(size);
    }
    if total > MAX_ZIP_TOTAL_BYTES {
        return Err(malformed(
            path,
            format!(
                "its parts would inflate to {total} bytes, over the limit of \
                 {MAX_ZIP_TOTAL_BYTES}; this is not an export (a zip bomb?)"
            ),
        ));
    }
    Ok(())
}

fn read_sheet(bytes: Vec<u8>, path: &str, sheet: Option<&str>) -> Result<Table> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .with_context(|| format!("cannot open `{path}` as a spreadsheet"))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .cloned()
            .with_context(|| {
                format!(
                    "`{path}` has no sheet `{wanted}`; its sheets are: {}",
                    names.join(", ")
                )
            })?,
        None => match names.first() {
            Some(first) => first.clone(),
            None => bail!("`{path}` contains no sheets"),
        },
    };
    // calamine's errors repeat their causes in their messages: say the outermost one once.
    let unreadable = |e: &dyn std::fmt::Display| malformed(path, format!("sheet `{name}`: {e}"));
    let mut cells = Vec::new();
    match &mut workbook {
        Sheets::Xlsx(xlsx) => {
            let mut reader = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            place_streamed(&mut cells, || reader.next_cell(), &unreadable, path)?;
        }
        Sheets::Xlsb(xlsb) => {
            let mut reader = xlsb
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            place_streamed(&mut cells, || reader.next_cell(), &unreadable, path)?;
        }
        // `.xls` holds at most 65,536 × 256 cells and calamine caps `.ods` repeats at Excel's
        // limits, so their dense ranges are bounded.
        other => {
            let range = other.worksheet_range(&name).map_err(|e| unreadable(&e))?;
            let (top, left) = range.start().unwrap_or((0, 0));
            for (row, col, data) in range.used_cells() {
                let at = (top + row as u32, left + col as u32);
                place(&mut cells, at, data, path)?;
            }
        }
    }
    Ok(build(cells, name))
}

/// Places every cell a streaming reader (`.xlsx` or `.xlsb`) gives through `next`.
fn place_streamed<'a, E: std::fmt::Display>(
    cells: &mut Vec<Placed>,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, E>,
    unreadable: &dyn Fn(&dyn std::fmt::Display) -> anyhow::Error,
    path: &str,
) -> Result<()> {
    while let Some(cell) = next().map_err(|e| unreadable(&e))? {
        let value = Data::from(cell.get_value().clone());
        place(cells, cell.get_position(), &value, path)?;
    }
    Ok(())
}

/// Adds a non-empty cell, refusing positions Excel cannot have and sheets over the cell limit.
fn place(cells: &mut Vec<Placed>, (row, col): (u32, u32), value: &Data, path: &str) -> Result<()> {
    let cell = to_cell(value);
    if cell.is_empty() {
        return Ok(());
    }
    if row >= MAX_SHEET_ROWS || col as usize >= MAX_COLUMNS {
        return Err(malformed(
            path,
            format!(
                "it has a cell at row {}, column {}, beyond Excel's last cell (XFD1048576); \
                 open it in Excel and save it again",
                u64::from(row) + 1,
                u64::from(col) + 1
            ),
        ));
    }
    if cells.len() >= MAX_SHEET_CELLS {
        return Err(malformed(
            path,
            format!(
                "its sheet has over {MAX_SHEET_CELLS} non-empty cells; split the export or save \
                 it as CSV"
            ),
        ));
    }
    cells.push((row, col, cell));
    Ok(())
}

/// The table of `cells`: its first row with a value is the header, its leftmost column with a
/// value the first column; rows without a value in between are blank rows.
fn build(mut cells: Vec<Placed>, sheet: String) -> Table {
    if !cells.is_sorted_by_key(|(row, col, _)| (*row, *col)) {
        cells.sort_by_key(|(row, col, _)| (*row, *col));
    }
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
        return TableBuilder::new(Vec::new(), 1, 0).finish(Some(sheet));
    };
    let (top, bottom) = (first.0, last.0);
    let left = cells.iter().map(|(_, col, _)| *col).min().unwrap_or(0);
    let mut rows = cells.chunk_by(|a, b| a.0 == b.0).map(|run| {
        let width = run
            .last()
            .map_or(0, |(_, col, _)| (col - left) as usize + 1);
        let mut dense = vec![Cell::Empty; width];
        for (_, col, cell) in run {
            dense[(col - left) as usize] = cell.clone();
        }
        (run[0].0, dense)
    });
    let header: Vec<String> = rows
        .next()
        .map(|(_, cells)| {
            cells
                .iter()
                .map(|c| c.as_text().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let mut table = TableBuilder::new(header, top as usize + 1, (bottom - top) as usize);
    let mut next = top + 1;
    for (row, dense) in rows {
        table.skip_blank_rows((row - next) as usize);
        table.push_cells(dense);
        next = row + 1;
    }
    table.finish(Some(sheet))
}

/// The largest magnitude of a date serial turned into a date (Excel's own range ends at
/// 2,958,465, 9999-12-31); anything beyond stays a number, which the date rules then reject.
const DATE_SERIAL_LIMIT: f64 = 3_000_000.0;

fn to_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            if serial.is_finite() && serial.abs() < DATE_SERIAL_LIMIT {
                dt.as_datetime()
                    .map_or_else(|| Cell::Number(serial), Cell::DateTime)
            } else {
                Cell::Number(serial)
            }
        }
        Data::Error(e) => Cell::FormulaError(e.to_string()),
    }
}
