//! `expiry-report.xlsx`: the weekly expiry workbook (docs/rules.md §4). A Summary sheet that
//! leads with what to do first, then one sheet per table (Expiring ordered by urgency, then end
//! date; the others as in the CSV): typed cells, an Excel table (bold frozen header, autofilter,
//! banding), column widths fitted for print, and urgency colours as conditional formats so they
//! follow the rows when re-sorted. Table sheets are written in constant-memory mode and continue on
//! `Users (2)`, … past Excel's row limit. The creation date is the as-of date, so the same inputs
//! give the same bytes.

mod costs;
mod print;
mod summary;
mod table_ranges;

use super::locale::Reasons;
use super::tables::{Column, ExpiringOrder, Table, USERS_TABLE, Value, tables, users};
use super::{Content, Exporter, Messages, Output, OutputFile};
use crate::base::laps::Laps;
use crate::model::{Report, Urgency, WindowState};
use anyhow::{Context, Result};
use chrono::NaiveTime;
use rayon::prelude::*;
use rust_xlsxwriter::{
    ColNum, ConditionalFormatFormula, DocProperties, Format, RowNum, TableColumn, TableStyle,
    Workbook, Worksheet, column_number_to_name,
};
use std::path::PathBuf;

/// Excel's rows per sheet, the header included.
pub const EXCEL_MAX_ROWS: usize = 1_048_576;
/// The zip's compression level: Excel's own, a third of level 6's time for a file about a sixth
/// larger.
const ZIP_LEVEL: u8 = 3;
/// Excel's longest cell text.
const EXCEL_MAX_TEXT: usize = 32_767;

/// Writes `expiry-report.xlsx`.
#[derive(Clone, Copy)]
pub struct XlsxExporter {
    /// Rows per sheet, the header included (Excel's limit; smaller in tests).
    pub max_rows_per_sheet: usize,
}

impl Default for XlsxExporter {
    fn default() -> Self {
        XlsxExporter {
            max_rows_per_sheet: EXCEL_MAX_ROWS,
        }
    }
}

/// Colour of one urgency level: fill and font.
pub(crate) struct Shade {
    pub fill: u32,
    pub font: u32,
}

/// overdue (red), due-30 (amber), due-90 (yellow).
pub(crate) const RED: Shade = Shade {
    fill: 0xFFC7CE,
    font: 0x9C0006,
};
pub(crate) const AMBER: Shade = Shade {
    fill: 0xFFD8A8,
    font: 0x7F3F00,
};
pub(crate) const YELLOW: Shade = Shade {
    fill: 0xFFF2AB,
    font: 0x5C4B00,
};

impl Shade {
    pub(crate) fn format(&self) -> Format {
        Format::new()
            .set_background_color(self.fill)
            .set_font_color(self.font)
    }
}

/// The formats cells are written with.
pub(crate) struct Formats {
    pub date: Format,
    pub int: Format,
    pub text: Format,
    pub bold: Format,
    pub boolean: Format,
    /// Amounts of money: two decimals, up to four where the price has them.
    pub money: Format,
    pub header: Format,
    /// Text in a column capped for printing: wraps, top-aligned.
    pub wrap: Format,
}

impl Formats {
    /// Every format, in a fixed order (destructured, so a new format cannot be left out).
    fn all(&self) -> [&Format; 8] {
        let Formats {
            date,
            int,
            text,
            bold,
            boolean,
            money,
            header,
            wrap,
        } = self;
        [date, int, text, bold, boolean, money, header, wrap]
    }

    pub(crate) fn new() -> Formats {
        Formats {
            // Top-aligned like wrapped text, so a row's values line up when one cell wraps.
            date: top().set_num_format("yyyy-mm-dd"),
            // `_)`: a gap the width of `)` after a right-aligned number, so it never touches the
            // text of the next column on paper ("14 active", not "14active").
            int: top().set_num_format("#,##0_);-#,##0_)"),
            text: top(),
            bold: Format::new().set_bold(),
            // Excel shows booleans as TRUE/FALSE anyway; LibreOffice needs the format.
            boolean: top().set_num_format("\"TRUE\";\"TRUE\";\"FALSE\""),
            money: top().set_num_format("#,##0.00##_);-#,##0.00##_)"),
            header: top().set_bold().set_text_wrap(),
            wrap: top().set_text_wrap(),
        }
    }
}

fn top() -> Format {
    Format::new().set_align(rust_xlsxwriter::FormatAlign::Top)
}

/// Text as a cell holds it: never a formula (rust_xlsxwriter writes strings as strings, so
/// `=SUM(A1)` stays text), and cut at Excel's limit with a visible marker.
pub(crate) fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= EXCEL_MAX_TEXT {
        return text.into();
    }
    let keep: String = text.chars().take(EXCEL_MAX_TEXT - 20).collect();
    format!("{keep} … [cut at 32,767]").into()
}

/// Writes one typed value.
pub(crate) fn write_value(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    value: &Value,
    f: &Formats,
) -> Result<()> {
    match value {
        Value::Text(s) => {
            ws.write_string_with_format(row, col, cell_text(s).as_ref(), &f.text)?;
        }
        Value::Int(n) => {
            ws.write_number_with_format(row, col, *n as f64, &f.int)?;
        }
        Value::Date(d) => {
            ws.write_date_with_format(row, col, d, &f.date)?;
        }
        Value::Bool(b) => {
            ws.write_boolean_with_format(row, col, *b, &f.boolean)?;
        }
        Value::Money(m) => {
            ws.write_number_with_format(row, col, m.as_f64(), &f.money)?;
        }
        Value::Empty => {}
    }
    Ok(())
}

/// What each column's title and sample values need to print (see [`print::fit`]).
fn needs(columns: &[Column], sample: &[Vec<Value>]) -> Vec<print::Need> {
    let chars = |value: &Value| match value {
        Value::Text(s) => s.chars().count(),
        Value::Int(n) => n.to_string().len() + 1,
        Value::Date(_) => 10,
        Value::Bool(_) => 5,
        Value::Money(m) => m.to_string().len() + 1,
        Value::Empty => 0,
    };
    // Lines break between words and after hyphens (`skype-business-online-p1`).
    let longest_word = |value: &Value| match value {
        Value::Text(s) => (s.split_whitespace())
            .flat_map(|w| w.split_inclusive('-'))
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0),
        value => chars(value),
    };
    (columns.iter().enumerate())
        .map(|(i, c)| {
            let words = sample.iter().map(|row| longest_word(&row[i])).max();
            print::Need::of(
                c.title,
                sample.iter().map(|row| chars(&row[i])),
                words.unwrap_or(0),
                c.key.ends_with("_id"),
            )
        })
        .collect()
}

/// Conditional formats of a table sheet: `(formula on the first data row, shade)`, in priority
/// order (the first true one applies).
fn row_rules(table: &Table) -> Vec<(String, &'static Shade)> {
    let cell = |key: &str| {
        table
            .column(key)
            .map(|i| format!("${}2", column_number_to_name(i as ColNum)))
    };
    match table.name {
        "expiring" => cell("urgency")
            .map(|u| {
                vec![
                    (format!("{u}=\"{}\"", Urgency::Overdue), &RED),
                    (format!("{u}=\"{}\"", Urgency::Due30), &AMBER),
                    (format!("{u}=\"{}\"", Urgency::Due90), &YELLOW),
                ]
            })
            .unwrap_or_default(),
        "deprovisioning" => match (cell("state"), cell("days_left")) {
            (Some(s), Some(d)) => {
                let (overdue, open) = (WindowState::Overdue, WindowState::InWindow);
                let (due30, due90) = (Urgency::DUE_30_DAYS, Urgency::DUE_90_DAYS);
                vec![
                    (format!("{s}=\"{overdue}\""), &RED),
                    (format!("AND({s}=\"{open}\",{d}<={due30})"), &AMBER),
                    (format!("AND({s}=\"{open}\",{d}<={due90})"), &YELLOW),
                ]
            }
            _ => Vec::new(),
        },
        "issues" => cell("severity")
            .map(|s| vec![(format!("{s}=\"error\""), &RED)])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A table and the sheets it fills, added to the workbook in order and filled in parallel.
struct TableSheets<'a> {
    table: Table<'a>,
    /// The table's rows, taken out of it: its sheets take them in turn.
    rows: Box<dyn Iterator<Item = Vec<Value<'a>>> + Send + 'a>,
    /// Each sheet's data rows.
    counts: Vec<usize>,
    widths: Vec<f64>,
    capped: Vec<bool>,
    /// How many columns print.
    printed: usize,
}

impl<'a> TableSheets<'a> {
    /// Adds `table`'s sheets (`Users`, `Users (2)`, … with `per_sheet` rows each) to `wb`.
    fn add(wb: &mut Workbook, table: Table<'a>, per_sheet: usize) -> Result<TableSheets<'a>> {
        let (mut table, printed) = print::print_order(table);
        let total = table.rows.len();
        let mut rest = std::mem::replace(&mut table.rows, Box::new(std::iter::empty()));
        let sample: Vec<Vec<Value>> = rest.by_ref().take(1000).collect();
        let (widths, capped) = print::widths(&needs(&table.columns, &sample), printed);
        let mut counts = Vec::new();
        for (name, count) in sheet_names(table.sheet, total, per_sheet) {
            wb.add_worksheet_with_constant_memory()?.set_name(name)?;
            counts.push(count);
        }
        Ok(TableSheets {
            table,
            rows: Box::new(sample.into_iter().chain(rest)),
            counts,
            widths,
            capped,
            printed,
        })
    }

    /// Adds the users table's sheets to `wb` as [`TableSheets::add`] does (`table`: the users
    /// table of all the report's users), each as a table of its own over its slice of the
    /// users: a wave's Users sheets then fill on both cores, where sheets sharing one table's
    /// rows fill one after another.
    fn add_users(
        wb: &mut Workbook,
        table: Table<'a>,
        report: &'a Report,
        reasons: &'a Reasons<'a>,
        per_sheet: usize,
    ) -> Result<Vec<TableSheets<'a>>> {
        let whole = TableSheets::add(wb, table, per_sheet)?;
        let mut start = 0;
        let parts = (whole.counts.iter()).map(|&count| {
            let rows = &report.users[start..start + count];
            start += count;
            let (mut table, _) = print::print_order(users(rows.iter(), reasons));
            let rows = std::mem::replace(&mut table.rows, Box::new(std::iter::empty()));
            TableSheets {
                rows: Box::new(rows),
                table,
                counts: vec![count],
                widths: whole.widths.clone(),
                capped: whole.capped.clone(),
                printed: whole.printed,
            }
        });
        Ok(parts.collect())
    }

    /// Fills the table's sheets, `sheets` (as many as it added); the Excel tables added, in
    /// sheet order.
    fn fill(mut self, sheets: &mut [Worksheet], f: &Formats) -> Result<Vec<table_ranges::Range>> {
        let mut added = Vec::new();
        for (ws, &count) in sheets.iter_mut().zip(&self.counts) {
            let print = (&self.widths[..], &self.capped[..], self.printed);
            added.extend(table_sheet(
                ws,
                &self.table,
                &mut self.rows,
                count,
                print,
                f,
            )?);
        }
        Ok(added)
    }
}

/// Writes one sheet of a table: `rows` are its data rows on this sheet. The Excel table it adds
/// (none when the sheet has no rows) is added over fewer rows than it spans: see
/// [`table_ranges`].
fn table_sheet(
    ws: &mut Worksheet,
    table: &Table,
    rows: &mut dyn Iterator<Item = Vec<Value>>,
    count: usize,
    (widths, capped, printed): (&[f64], &[bool], usize),
    f: &Formats,
) -> Result<Option<table_ranges::Range>> {
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
        return Ok(None);
    }
    let columns: Vec<TableColumn> = table
        .columns
        .iter()
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
    let range = table_ranges::Range {
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
    let mut plain: Vec<Option<Plain>> = Vec::new();
    for r in 1..=last_row {
        let row = rows.next().context("table ended early")?;
        let lines = print::lines(&row, widths, capped);
        if lines > 1 {
            ws.set_row_height(r, print::LINE_HEIGHT * lines as f64)?;
        }
        if r == 1 {
            plain = column_formats(ws, &row, capped, f)?;
        }
        for (c, value) in row.into_iter().enumerate() {
            let col = c as ColNum;
            match (value, plain.get(c).copied().flatten()) {
                // In its column's format: written bare, the column's format applies.
                (Value::Text(s), Some(Plain::Text | Plain::Wrap)) => {
                    ws.write_string(r, col, cell_text(s).as_ref())?;
                }
                (Value::Int(n), Some(Plain::Int)) => {
                    ws.write_number(r, col, n as f64)?;
                }
                (Value::Text(s), _) if capped[c] => {
                    ws.write_string_with_format(r, col, cell_text(s).as_ref(), &f.wrap)?;
                }
                (value, _) => write_value(ws, r, col, &value, f)?,
            }
        }
    }
    Ok(Some(range))
}

/// A column whose cells are written without a format of their own: the column carries it.
/// rust_xlsxwriter otherwise hashes the whole format for every cell (8 % of a large workbook).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plain {
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
fn sheet_names(sheet: &str, rows: usize, per_sheet: usize) -> Vec<(String, usize)> {
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

impl Exporter for XlsxExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        Ok(vec![(
            PathBuf::from(super::WORKBOOK),
            self.workbook(report)?,
        )])
    }

    /// Built as it is staged, beside the other files: a wave's Users sheet keeps one core busy
    /// for seconds, while `report.json` is serialised on the other.
    fn outputs<'r>(&self, report: &'r Report) -> Result<Vec<Output<'r>>> {
        let exporter = *self;
        Ok(vec![Output {
            path: PathBuf::from(super::WORKBOOK),
            content: Content::Streamed(Box::new(move |w| {
                w.write_all(&exporter.workbook(report)?)?;
                Ok(())
            })),
        }])
    }
}

impl XlsxExporter {
    /// The workbook's bytes.
    fn workbook(self, report: &Report) -> Result<Vec<u8>> {
        let per_sheet = self.max_rows_per_sheet.saturating_sub(1).max(1);
        let mut f = Formats::new();
        if let Some(prices) = &report.run.prices {
            // Every amount in the price list's currency, as a typed number.
            f.money = costs::currency_format(&prices.currency);
        }
        let mut wb = Workbook::new();
        let created = report.run.as_of.and_time(NaiveTime::MIN);
        wb.set_properties(
            &DocProperties::new()
                .set_title("skusunset expiry report")
                .set_author("skusunset")
                .set_comment(format!("As of {}", report.run.as_of))
                .set_creation_datetime(&created),
        );
        let mut laps = Laps::start("xlsx");
        summary::sheet(wb.add_worksheet(), report, &f)?;
        costs::sheet(&mut wb, report, &f)?;
        laps.lap("summary and costs");
        let english = Messages::english();
        let reasons = Reasons::word(report, &english);
        // Every format a table sheet uses gets its index now, in this order: the sheets are
        // filled in parallel, and formats indexed as each sheet first met them would number
        // differently from run to run.
        for format in f.all() {
            wb.register_format(format);
        }
        let first = wb.worksheets().len();
        let mut filled = Vec::new();
        for table in tables(report, &reasons, ExpiringOrder::ByUrgency) {
            if table.name == USERS_TABLE {
                filled.extend(TableSheets::add_users(
                    &mut wb, table, report, &reasons, per_sheet,
                )?);
            } else {
                filled.push(TableSheets::add(&mut wb, table, per_sheet)?);
            }
        }
        // Each table's sheets in one job (each Users sheet in its own): a wave's Users sheets are
        // most of the workbook's time, the other tables share the other core.
        let mut sheets = &mut wb.worksheets_mut()[first..];
        let mut jobs = Vec::with_capacity(filled.len());
        for table in filled {
            let (mine, rest) = std::mem::take(&mut sheets).split_at_mut(table.counts.len());
            sheets = rest;
            jobs.push((table, mine));
        }
        let f = &f;
        let ranges: Vec<Vec<table_ranges::Range>> = (jobs.into_par_iter())
            .map(|(table, sheets)| table.fill(sheets, f))
            .collect::<Result<_>>()?;
        laps.lap("table sheets");
        wb.set_zip_compression_level(ZIP_LEVEL);
        let bytes = table_ranges::widen(wb.save_to_buffer()?, &ranges.concat())?;
        laps.lap("zipped");
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_split_at_the_limit() {
        let names = |rows, per| -> Vec<(String, usize)> { sheet_names("Users", rows, per) };
        assert_eq!(names(0, 3), [("Users".to_string(), 0)]);
        assert_eq!(names(3, 3), [("Users".to_string(), 3)]);
        assert_eq!(
            names(7, 3),
            [
                ("Users".to_string(), 3),
                ("Users (2)".to_string(), 3),
                ("Users (3)".to_string(), 1)
            ]
        );
        assert_eq!(
            names(EXCEL_MAX_ROWS, EXCEL_MAX_ROWS - 1),
            [
                ("Users".to_string(), EXCEL_MAX_ROWS - 1),
                ("Users (2)".to_string(), 1)
            ]
        );
    }

    #[test]
    fn long_text_is_cut_visibly() {
        let long = "x".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(
            cut.chars().count(),
            EXCEL_MAX_TEXT - 20 + " … [cut at 32,767]".chars().count()
        );
        assert!(cut.chars().count() <= EXCEL_MAX_TEXT);
        assert!(cut.ends_with("[cut at 32,767]"));
    }
}
