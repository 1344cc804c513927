//! The table sheets: `Users`, `Users (2)`, … past Excel's row limit, each an Excel table over
//! its rows. rust_xlsxwriter writes each sheet's frame: widths, frozen header, print setup, the
//! table, the urgency colours, the header and the first data row. The data rows are written
//! here in parts of [`ROWS_PER_PIECE`] on every core and deflated as they are made
//! ([`super::package`] puts them in their frames).

use super::deflate::Deflated;
use super::package::SheetRows;
use super::rows::{RowWriter, Styles};
use super::table_ranges::Range as TableRange;
use super::{Formats, cell_text, needs, print, row_rules, write_value};
use crate::export::locale::Reasons;
use crate::export::tables::{Table, Value, users};
use crate::model::UserRow;
use anyhow::Result;
use rayon::prelude::*;
use rust_xlsxwriter::{
    ColNum, ConditionalFormatFormula, RowNum, TableColumn, TableStyle, Workbook, Worksheet,
};
use std::ops::Range;

/// Data rows written and deflated in one job: about 7 MB of a Users sheet's XML.
const ROWS_PER_PIECE: usize = 8192;

/// A table's rows: made, or (the users', a wave's largest table) made a part at a time.
enum Rows<'a> {
    Made(Vec<Vec<Value<'a>>>),
    Users(&'a [UserRow], &'a Reasons<'a>),
}

impl<'a> Rows<'a> {
    fn len(&self) -> usize {
        match self {
            Rows::Made(rows) => rows.len(),
            Rows::Users(rows, _) => rows.len(),
        }
    }

    /// Calls `each` with rows `range`, in print order.
    fn each(
        &self,
        range: Range<usize>,
        mut each: impl FnMut(&[Value<'a>]) -> Result<()>,
    ) -> Result<()> {
        match self {
            Rows::Made(rows) => rows[range].iter().try_for_each(|row| each(row)),
            Rows::Users(rows, reasons) => {
                let (table, _) = print::print_order(users(rows[range].iter(), reasons));
                table.rows.into_iter().try_for_each(|row| each(&row))
            }
        }
    }
}

/// A table and its sheets, added to the workbook in order.
pub(super) struct TableSheets<'a> {
    /// Its columns and names (its rows are in `body`).
    table: Table<'a>,
    /// How many columns print.
    printed: usize,
    pub body: Body<'a>,
}

/// What a table's data rows are written from, shared by the cores.
pub(super) struct Body<'a> {
    rows: Rows<'a>,
    /// Each sheet's data rows.
    counts: Vec<usize>,
    widths: Vec<f64>,
    capped: Vec<bool>,
    /// Each sheet's columns carrying their format, once its frame is written.
    plain: Vec<Vec<Option<Plain>>>,
    last_col: ColNum,
}

impl<'a> TableSheets<'a> {
    /// Adds `table`'s sheets (`Users`, `Users (2)`, … with `per_sheet` rows each) to `wb`;
    /// `users`: the report's users and their reasons when `table` is the users table, whose rows
    /// are then made a part at a time.
    pub(super) fn add(
        wb: &mut Workbook,
        table: Table<'a>,
        users: Option<(&'a [UserRow], &'a Reasons<'a>)>,
        per_sheet: usize,
    ) -> Result<TableSheets<'a>> {
        let (mut table, printed) = print::print_order(table);
        let rest = std::mem::replace(&mut table.rows, Box::new(std::iter::empty()));
        let (rows, sample) = match users {
            Some((rows, reasons)) => (Rows::Users(rows, reasons), rest.take(1000).collect()),
            None => {
                let rows: Vec<Vec<Value>> = rest.collect();
                let sample = rows[..rows.len().min(1000)].to_vec();
                (Rows::Made(rows), sample)
            }
        };
        let (widths, capped) = print::widths(&needs(&table.columns, &sample), printed);
        let mut counts = Vec::new();
        for (name, count) in sheet_names(table.sheet, rows.len(), per_sheet) {
            wb.add_worksheet_with_constant_memory()?.set_name(name)?;
            counts.push(count);
        }
        let last_col = (table.columns.len() - 1) as ColNum;
        Ok(TableSheets {
            table,
            printed,
            body: Body {
                rows,
                counts,
                widths,
                capped,
                plain: Vec::new(),
                last_col,
            },
        })
    }

    /// Writes the frames of the table's sheets, `sheets` (as many as it added); the Excel
    /// tables added, in sheet order.
    pub(super) fn frame(
        &mut self,
        sheets: &mut [Worksheet],
        f: &Formats,
    ) -> Result<Vec<TableRange>> {
        let body = &mut self.body;
        let mut added = Vec::new();
        let mut start = 0;
        for (ws, &count) in sheets.iter_mut().zip(&body.counts) {
            let print = (&body.widths[..], &body.capped[..], self.printed);
            let mut first = Vec::new();
            body.rows.each(start..start + count.min(1), |row| {
                first = row.to_vec();
                Ok(())
            })?;
            let (range, plain) = frame(ws, &self.table, &first, count, print, f)?;
            added.extend(range);
            body.plain.push(plain);
            start += count;
        }
        Ok(added)
    }
}

impl Body<'_> {
    /// How many sheets the table fills.
    pub(super) fn sheet_count(&self) -> usize {
        self.counts.len()
    }

    /// The data rows of the table's sheets, the first of which is workbook sheet `number`
    /// (`xl/worksheets/sheet{number}.xml`), written and deflated on every core.
    pub(super) fn rows(&self, number: usize, styles: Styles, level: u8) -> Result<Vec<SheetRows>> {
        let mut sheets = Vec::with_capacity(self.counts.len());
        let mut start = 0;
        for (i, &count) in self.counts.iter().enumerate() {
            let writer = RowWriter::new(styles, &self.plain[i], &self.widths, &self.capped);
            let mut first = Vec::new();
            (self.rows).each(start..start + count.min(1), |row| {
                writer.row(&mut first, 1, row)
            })?;
            let pieces = (0..count.div_ceil(ROWS_PER_PIECE))
                .into_par_iter()
                .map(|piece| {
                    let from = piece * ROWS_PER_PIECE;
                    let to = (from + ROWS_PER_PIECE).min(count);
                    let mut xml = Vec::with_capacity((to - from) * 1024);
                    let mut r = (from + 1) as RowNum;
                    self.rows.each(start + from..start + to, |row| {
                        writer.row(&mut xml, r, row)?;
                        r += 1;
                        Ok(())
                    })?;
                    Deflated::new(&xml, level, false)
                })
                .collect::<Result<_>>()?;
            sheets.push(SheetRows {
                part: format!("xl/worksheets/sheet{}.xml", number + i),
                first,
                pieces,
                rows: count,
                last_col: self.last_col,
            });
            start += count;
        }
        Ok(sheets)
    }
}

/// Writes one sheet's frame: `first` is its first data row (none when `count`, its rows, is 0).
/// The Excel table it adds (none without rows) is added over fewer rows than it spans: see
/// [`super::table_ranges`]. Returns the table and the columns that carry their format.
fn frame(
    ws: &mut Worksheet,
    table: &Table,
    first: &[Value],
    count: usize,
    (widths, capped, printed): (&[f64], &[bool], usize),
    f: &Formats,
) -> Result<(Option<TableRange>, Vec<Option<Plain>>)> {
    let last_col = (table.columns.len() - 1) as ColNum;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as ColNum, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Titles wrap in a capped column: the header row gets their lines.
    let title_lines = (table.columns.iter().zip(widths))
        .map(|(c, w)| print::line_count(c.title, w - 3.0))
        .max()
        .unwrap_or(1);
    if title_lines > 1 {
        ws.set_row_height(0, print::LINE_HEIGHT * title_lines as f64)?;
    }
    let last_row = count as RowNum;
    print::page_setup(ws, true)?;
    if printed < table.columns.len() {
        ws.set_print_area(0, 0, last_row, (printed - 1) as ColNum)?;
    }
    if count == 0 {
        for (i, c) in table.columns.iter().enumerate() {
            ws.write_string_with_format(0, i as ColNum, c.title, &f.bold)?;
        }
        ws.autofilter(0, 0, 0, last_col)?;
        return Ok((None, Vec::new()));
    }
    let columns: Vec<TableColumn> = (table.columns.iter())
        .map(|c| {
            TableColumn::new()
                .set_header(c.title)
                .set_header_format(&f.header)
        })
        .collect();
    let excel_table = rust_xlsxwriter::Table::new()
        .set_columns(&columns)
        .set_style(TableStyle::Light9)
        .set_banded_rows(true)
        .set_autofilter(true);
    let range = TableRange {
        last_col,
        rows: count,
    };
    ws.add_table(0, 0, range.added_rows() as RowNum, last_col, &excel_table)?;
    for (rule, shade) in row_rules(table) {
        let format = ConditionalFormatFormula::new()
            .set_rule(rule.as_str())
            .set_format(shade.format())
            .set_stop_if_true(true);
        ws.add_conditional_format(1, 0, last_row, last_col, &format)?;
    }
    let lines = print::lines(first, widths, capped);
    if lines > 1 {
        ws.set_row_height(1, print::LINE_HEIGHT * lines as f64)?;
    }
    let plain = column_formats(ws, first, capped, f)?;
    write_row(ws, 1, first, &plain, capped, f)?;
    Ok((Some(range), plain))
}

/// Writes data row `r` through rust_xlsxwriter (`plain`: the columns carrying their format).
fn write_row(
    ws: &mut Worksheet,
    r: RowNum,
    row: &[Value],
    plain: &[Option<Plain>],
    capped: &[bool],
    f: &Formats,
) -> Result<()> {
    for (c, value) in row.iter().enumerate() {
        let col = c as ColNum;
        match (value, plain[c]) {
            // In its column's format: written bare, the column's format applies.
            (Value::Text(s), Some(Plain::Text | Plain::Wrap)) => {
                ws.write_string(r, col, cell_text(s).as_ref())?;
            }
            (Value::Int(n), Some(Plain::Int)) => {
                ws.write_number(r, col, *n as f64)?;
            }
            (Value::Text(s), _) if capped[c] => {
                ws.write_string_with_format(r, col, cell_text(s).as_ref(), &f.wrap)?;
            }
            (value, _) => write_value(ws, r, col, value, f)?,
        }
    }
    Ok(())
}

/// A column whose cells are written without a format of their own: the column carries it.
/// rust_xlsxwriter otherwise hashes the whole format for every cell (8 % of a large workbook).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Plain {
    Text,
    Wrap,
    Int,
}

/// Sets each text or number column's format from its first row's value, and says which
/// columns are so set (an empty first value, a date or a boolean leaves the column per cell).
fn column_formats(
    ws: &mut Worksheet,
    first: &[Value],
    capped: &[bool],
    f: &Formats,
) -> Result<Vec<Option<Plain>>> {
    let mut plain = Vec::with_capacity(first.len());
    for (c, value) in first.iter().enumerate() {
        let kind = match value {
            Value::Text(_) if capped[c] => Some((Plain::Wrap, &f.wrap)),
            Value::Text(_) => Some((Plain::Text, &f.text)),
            Value::Int(_) => Some((Plain::Int, &f.int)),
            _ => None,
        };
        if let Some((_, format)) = kind {
            ws.set_column_format(c as ColNum, format)?;
        }
        plain.push(kind.map(|(p, _)| p));
    }
    Ok(plain)
}

/// Sheet names of a table with `rows` data rows: `Users`, `Users (2)`, …
pub(super) fn sheet_names(sheet: &str, rows: usize, per_sheet: usize) -> Vec<(String, usize)> {
    let parts = rows.div_ceil(per_sheet).max(1);
    (0..parts)
        .map(|i| {
            let name = if i == 0 {
                sheet.to_string()
            } else {
                format!("{sheet} ({})", i + 1)
            };
            (name, (rows - i * per_sheet).min(per_sheet))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::money::Money;
    use chrono::NaiveDate;
    use std::io::Read;

    /// `rows` under a header written cell by cell through rust_xlsxwriter, as the old table
    /// sheets were: their XML, and the columns carrying their format.
    fn through_rust_xlsxwriter(
        rows: &[Vec<Value>],
        widths: &[f64],
        capped: &[bool],
        f: &Formats,
    ) -> (String, Vec<Option<Plain>>) {
        let mut wb = Workbook::new();
        for format in f.all() {
            wb.register_format(format);
        }
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        ws.write_string(0, 0, "header").unwrap();
        let plain = column_formats(ws, &rows[0], capped, f).unwrap();
        for (i, row) in rows.iter().enumerate() {
            let r = i as RowNum + 1;
            let lines = print::lines(row, widths, capped);
            if lines > 1 {
                ws.set_row_height(r, print::LINE_HEIGHT * lines as f64)
                    .unwrap();
            }
            write_row(ws, r, row, &plain, capped, f).unwrap();
        }
        // A last row without a height: rust_xlsxwriter repeats a last row that has one.
        ws.write_string(rows.len() as RowNum + 1, 0, "end").unwrap();
        let saved = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(saved)).unwrap();
        let mut xml = String::new();
        (zip.by_name("xl/worksheets/sheet1.xml").unwrap())
            .read_to_string(&mut xml)
            .unwrap();
        let from = xml.find("</row>").unwrap() + "</row>".len();
        let to = xml.find(&format!("<row r=\"{}\"", rows.len() + 2)).unwrap();

        (xml[from..to].to_string(), plain)
    }

    /// Rows written cell by cell through rust_xlsxwriter and by [`RowWriter`] are the same XML.
    #[test]
    fn rows_are_written_as_rust_xlsxwriter_writes_them() {
        let date = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let long = "a long reason that wraps over several lines of its narrow column ".repeat(3);
        let rows: Vec<Vec<Value>> = vec![
            vec![
                Value::Text("Contoso"),
                Value::Int(3),
                date(2026, 11, 21),
                Value::Bool(true),
                Value::Money(Money::parse("12.5").unwrap()),
                Value::Text("short"),
                Value::Empty,
            ],
            vec![
                Value::Text("A & B <c> \"q\" 'x'"),
                Value::Int(-40),
                date(1900, 2, 28),
                Value::Bool(false),
                Value::Money(Money::parse("-0.0125").unwrap()),
                Value::Text(&long),
                Value::Text("x"),
            ],
            vec![
                Value::Text(" lead and trail\t"),
                Value::Empty,
                date(1900, 3, 1),
                Value::Empty,
                Value::Empty,
                Value::Text(""),
                Value::Text(""),
            ],
            vec![
                Value::Text("_x0041_ and _x00zz_ and _X0041_ and _x0041"),
                Value::Int(1 << 53),
                date(9999, 12, 31),
                Value::Bool(true),
                Value::Money(Money::parse("1000000000").unwrap()),
                Value::Text("\u{1}ctl\u{1f}\u{FFFE}é€😀"),
                Value::Int(7),
            ],
            vec![Value::Empty; 7],
            vec![
                Value::Text(""),
                Value::Text("text in a number column"),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Text("line\nbreak"),
                Value::Empty,
            ],
        ];
        let widths = [12.0, 8.0, 11.0, 6.0, 10.0, 20.0, 9.0];
        let capped = [false, false, false, false, false, true, false];
        let f = Formats::new();
        let (xml, plain) = through_rust_xlsxwriter(&rows, &widths, &capped, &f);
        let writer = RowWriter::new(Styles::of(&f), &plain, &widths, &capped);
        let mut ours = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            writer.row(&mut ours, i as RowNum + 1, row).unwrap();
        }
        assert_eq!(String::from_utf8(ours).unwrap(), xml);
    }
}
