//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) through calamine: the first sheet, or
//! the one `--sheet` names. Date cells arrive as dates; everything else keeps its cell type.

use super::table::{Cell, Table, TableBuilder};
use anyhow::{Context, Result, bail};
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use std::io::Cursor;

/// Reads one sheet of a workbook held in `bytes` (the path is only for messages).
pub fn read(bytes: Vec<u8>, path: &str, sheet: Option<&str>) -> Result<Table> {
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
    let range = workbook
        .worksheet_range(&name)
        .with_context(|| format!("cannot read sheet `{name}` of `{path}`"))?;
    // Row numbers as Excel shows them: the range may start below row 1.
    let first_row = range.start().map_or(0, |(row, _)| row as usize) + 1;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|c| to_cell(c).as_text().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let mut table = TableBuilder::new(header, first_row, range.height());
    for row in rows {
        table.push_cells(row.iter().map(to_cell).collect());
    }
    Ok(table.finish(Some(name)))
}

fn to_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map_or_else(|| Cell::Number(dt.as_f64()), Cell::DateTime),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}
