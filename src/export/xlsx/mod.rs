//! `expiry-report.xlsx`: the weekly expiry workbook (docs/rules.md §4). A Summary sheet that
//! leads with what to do first, then one sheet per table (Expiring ordered by urgency, then end
//! date; the others as in the CSV): typed cells, an Excel table (bold frozen header, autofilter,
//! banding), column widths fitted for print, and urgency colours as conditional formats so they
//! follow the rows when re-sorted. Table sheets continue on `Users (2)`, … past Excel's row limit
//! ([`sheets`]). The creation date is the as-of date, so the same inputs
//! give the same bytes.

mod costs;
mod deflate;
mod package;
mod print;
mod rows;
mod sheets;
mod summary;
mod table_ranges;

use super::locale::Reasons;
use super::tables::{Column, ExpiringOrder, Table, USERS_TABLE, Value, tables};
use super::{Exporter, Messages, Output, OutputFile};
use crate::base::laps::Laps;
use crate::model::{Report, Urgency, WindowState};
use anyhow::Result;
use chrono::NaiveTime;
use rust_xlsxwriter::{
    ColNum, DocProperties, Format, RowNum, Workbook, Worksheet, column_number_to_name,
};
use sheets::{Plain, TableSheets};
use std::path::PathBuf;

/// Excel's rows per sheet, the header included.
pub const EXCEL_MAX_ROWS: usize = 1_048_576;
/// The zip's compression level: Excel's own, a third of level 6's time for a file about a sixth
/// larger.
const ZIP_LEVEL: u8 = 3;
/// About how many bytes of sheet XML a user row makes: the workbook's size hint (compressed it is
/// far smaller, but building it takes as long as that much text).
const USER_ROW_XML_BYTES: u64 = 400;
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
/// `=SUM(A1)` stays text), and cut at Excel's limit with a visible marker. The limit counts
/// UTF-16 units, as Excel does: a character outside the Basic Multilingual Plane (an emoji)
/// counts two.
pub(crate) fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    // A UTF-16 unit takes at least one byte of UTF-8.
    if text.len() <= EXCEL_MAX_TEXT || text.encode_utf16().count() <= EXCEL_MAX_TEXT {
        return text.into();
    }
    let mut units = 0;
    let end = (text.char_indices())
        .find(|(_, c)| {
            units += c.len_utf16();
            units > EXCEL_MAX_TEXT - 20
        })
        .map_or(text.len(), |(at, _)| at);
    format!("{} … [cut at 32,767]", &text[..end]).into()
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
        let size = report.users.len() as u64 * USER_ROW_XML_BYTES;
        Ok(vec![Output::streamed(
            PathBuf::from(super::WORKBOOK),
            size,
            Box::new(move |w| {
                w.write_all(&exporter.workbook(report)?)?;
                Ok(())
            }),
        )])
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
        // Every format a table sheet uses gets its index now, in this order: the data rows are
        // written apart from the workbook, in the styles `Styles` numbers the same way.
        for format in f.all() {
            wb.register_format(format);
        }
        let first = wb.worksheets().len();
        let mut filled = Vec::new();
        for table in tables(report, &reasons, ExpiringOrder::ByUrgency) {
            let users = (table.name == USERS_TABLE).then_some((&report.users[..], &reasons));
            filled.push(TableSheets::add(&mut wb, table, users, per_sheet)?);
        }
        let mut ranges = Vec::new();
        let mut sheets = &mut wb.worksheets_mut()[first..];
        for table in &mut filled {
            let (mine, rest) = std::mem::take(&mut sheets).split_at_mut(table.body.sheet_count());
            sheets = rest;
            ranges.extend(table.frame(mine, &f)?);
        }
        laps.lap("table frames");
        wb.set_zip_compression_level(ZIP_LEVEL);
        let styles = rows::Styles::of(&f);
        let bodies: Vec<&sheets::Body> = filled.iter().map(|t| &t.body).collect();
        let (saved, rows) = rayon::join(
            || wb.save_to_buffer(),
            || -> Result<Vec<package::SheetRows>> {
                let mut number = first + 1;
                let mut all = Vec::new();
                for body in bodies {
                    all.extend(body.rows(number, styles, ZIP_LEVEL)?);
                    number += body.sheet_count();
                }
                Ok(all)
            },
        );
        let (saved, rows) = (saved?, rows?);
        laps.lap("table rows");
        let bytes = package::assemble(saved, &ranges, rows, ZIP_LEVEL)?;
        laps.lap("zipped");
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_split_at_the_limit() {
        let names = |rows, per| -> Vec<(String, usize)> { sheets::sheet_names("Users", rows, per) };
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

    #[test]
    fn text_is_cut_at_excels_limit_in_utf16_units() {
        // 20,000 characters, 40,000 UTF-16 units: over the limit Excel and rust_xlsxwriter hold.
        let emoji = "😀".repeat(20_000);
        let cut = cell_text(&emoji);
        assert!(
            cut.encode_utf16().count() <= EXCEL_MAX_TEXT,
            "{}",
            cut.len()
        );
        assert!(cut.starts_with("😀😀") && cut.ends_with("[cut at 32,767]"));
        let mut ws = Worksheet::new();
        ws.write_string(0, 0, cut.as_ref()).unwrap();
        // Exactly at the limit: kept whole.
        let full = format!("{}{}", "😀".repeat(16_000), "x".repeat(767));
        assert_eq!(full.encode_utf16().count(), EXCEL_MAX_TEXT);
        assert_eq!(cell_text(&full), full.as_str());
    }
}
