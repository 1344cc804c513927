//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) through calamine: the first sheet, or
//! the one `--sheet` names. Date cells arrive as dates; everything else keeps its cell type.
//!
//! Hostile workbooks are refused with a message, never read into exhaustion: [`workbook`]
//! checks the format, the zip parts and an `.ods`'s declared cells before calamine builds
//! anything; `.xlsx` and `.xlsb` sheets are streamed cell by cell (a lone cell at `XFD1048576`
//! costs one cell, not a dense grid of 17 billion); cell references beyond Excel's last row or
//! column, and sheets over the file's [`workbook::cell_budget`] (in cells, or in the grid the
//! table would hold), are refused; and a panic inside calamine on a malformed file becomes an
//! error naming the file.

use crate::base::error::InputError;
use crate::read::limits::{MAX_COLUMNS, MAX_SHEET_ROWS};
use crate::read::table::{Cell, Keep, Table, TableBuilder};
use crate::read::workbook::{self, Format};
use anyhow::{Context, Result, bail};
use calamine::{Data, DataRef, Error, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};
use std::io::Cursor;

/// One non-empty cell: row and column (0-based, as the file numbers them) and value.
type Placed = (u32, u32, Cell);

/// Reads one sheet of a workbook held in `bytes` (the path is only for messages; `ext` is the
/// file's extension, naming the format expected when the bytes are something else).
/// Only the columns `keep` names are held.
pub fn read(
    bytes: Vec<u8>,
    path: &str,
    ext: &str,
    sheet: Option<&str>,
    keep: Keep,
) -> Result<Table> {
    let format = workbook::check(&bytes, path, ext)?;
    let budget = workbook::cell_budget(bytes.len());
    match crate::base::panic::contain(|| read_sheet(bytes, format, path, sheet, budget, keep)) {
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

fn read_sheet(
    bytes: Vec<u8>,
    format: Format,
    path: &str,
    sheet: Option<&str>,
    budget: usize,
    keep: Keep,
) -> Result<Table> {
    let cursor = Cursor::new(bytes);
    let opened = match format {
        Format::Xlsx => Xlsx::new(cursor).map(Sheets::Xlsx).map_err(Error::from),
        Format::Xlsb => Xlsb::new(cursor).map(Sheets::Xlsb).map_err(Error::from),
        Format::Ods => Ods::new(cursor).map(Sheets::Ods).map_err(Error::from),
        Format::Xls => Xls::new(cursor).map(Sheets::Xls).map_err(Error::from),
    };
    let mut workbook = opened.map_err(|e| {
        malformed(
            path,
            format!(
                "it cannot be opened as {} ({e}); open it in Excel and save it again",
                format.name()
            ),
        )
    })?;
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
    let mut cells = Placer {
        cells: Vec::new(),
        budget,
        path,
    };
    match &mut workbook {
        Sheets::Xlsx(xlsx) => {
            let mut reader = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            cells.streamed(|| reader.next_cell(), &unreadable)?;
        }
        Sheets::Xlsb(xlsb) => {
            let mut reader = xlsb
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            cells.streamed(|| reader.next_cell(), &unreadable)?;
        }
        // `.xls` holds at most 65,536 × 256 cells; an `.ods` was counted before it was opened.
        other => {
            let range = other.worksheet_range(&name).map_err(|e| unreadable(&e))?;
            let (top, left) = range.start().unwrap_or((0, 0));
            for (row, col, data) in range.used_cells() {
                let at = (top + row as u32, left + col as u32);
                cells.place(at, data)?;
            }
        }
    }
    build(cells.cells, name, budget, path, keep)
}

/// The non-empty cells of a sheet, as they are read, within the file's cell budget.
struct Placer<'p> {
    cells: Vec<Placed>,
    budget: usize,
    path: &'p str,
}

impl Placer<'_> {
    /// Places every cell a streaming reader (`.xlsx` or `.xlsb`) gives through `next`.
    fn streamed<'a, E: std::fmt::Display>(
        &mut self,
        mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, E>,
        unreadable: &dyn Fn(&dyn std::fmt::Display) -> anyhow::Error,
    ) -> Result<()> {
        while let Some(cell) = next().map_err(|e| unreadable(&e))? {
            let value = Data::from(cell.get_value().clone());
            self.place(cell.get_position(), &value)?;
        }
        Ok(())
    }

    /// Adds a non-empty cell, refusing positions Excel cannot have and sheets over the budget.
    fn place(&mut self, (row, col): (u32, u32), value: &Data) -> Result<()> {
        let cell = to_cell(value);
        if cell.is_empty() {
            return Ok(());
        }
        if row >= MAX_SHEET_ROWS || col as usize >= MAX_COLUMNS {
            return Err(malformed(
                self.path,
                format!(
                    "it has a cell at row {}, column {}, beyond Excel's last cell (XFD1048576); \
                     open it in Excel and save it again",
                    u64::from(row) + 1,
                    u64::from(col) + 1
                ),
            ));
        }
        if self.cells.len() >= self.budget {
            return Err(over_budget(self.path, "non-empty cells", self.budget));
        }
        self.cells.push((row, col, cell));
        Ok(())
    }
}

/// The message for a sheet that holds more than the file's budget allows.
fn over_budget(path: &str, what: &str, budget: usize) -> anyhow::Error {
    malformed(
        path,
        format!(
            "its sheet holds over {budget} {what}, more than a workbook of its size can hold as \
             an export; if it is a real export, split it or save it as CSV"
        ),
    )
}

/// The table of `cells`: its first row with a value is the header, its leftmost column with a
/// value the first column; rows without a value in between are blank rows.
/// A table whose grid (header columns × data rows) would exceed four times the budget is
/// refused: its empty cells cost memory too.
fn build(
    mut cells: Vec<Placed>,
    sheet: String,
    budget: usize,
    path: &str,
    keep: Keep,
) -> Result<Table> {
    if !cells.is_sorted_by_key(|(row, col, _)| (*row, *col)) {
        cells.sort_by_key(|(row, col, _)| (*row, *col));
    }
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
        return Ok(TableBuilder::new(Vec::new(), 1, 0, keep).finish(Some(sheet)));
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
    let data_rows = cells.chunk_by(|a, b| a.0 == b.0).count() - 1;
    let grid = budget.saturating_mul(4);
    if header.len().saturating_mul(data_rows) > grid {
        return Err(over_budget(
            path,
            "cells between its header and its last row",
            grid,
        ));
    }
    let mut table = TableBuilder::new(header, top as usize + 1, (bottom - top) as usize, keep);
    let mut next = top + 1;
    for (row, dense) in rows {
        table.skip_blank_rows((row - next) as usize);
        table.push_cells(dense);
        next = row + 1;
    }
    Ok(table.finish(Some(sheet)))
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
