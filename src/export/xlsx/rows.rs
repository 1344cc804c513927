//! A table sheet's data rows as SpreadsheetML, written here in parts on every core instead of
//! cell by cell through rust_xlsxwriter (0.46 µs a cell on one core: 1.7 s of a wave's Users
//! sheet at L). The bytes are the ones rust_xlsxwriter writes in constant-memory mode: a `<row>`
//! with its height when it wraps, inline strings escaped as it escapes them, numbers as Rust
//! prints an `f64`, each cell in the format it would get. A test writes every kind of cell both
//! ways, and every workbook checks its first data row, which rust_xlsxwriter still writes,
//! against this writer's (see [`super::package`]).

use super::{Formats, Plain, cell_text, print};
use crate::export::tables::Value;
use anyhow::{Result, ensure};
use rust_xlsxwriter::{ColNum, Format, RowNum, column_number_to_name};
use std::io::Write;

/// Excel's longest cell text, in UTF-16 units (rust_xlsxwriter refuses a longer one).
const MAX_UTF16: usize = 32_767;

/// The workbook's style index of each format a table cell is written in: the formats are
/// registered first, in [`Formats::all`]'s order, and numbered from 1 (0 is the default format)
/// as rust_xlsxwriter numbers them, an equal format sharing the earlier one's index.
#[derive(Debug, Clone, Copy)]
pub(super) struct Styles {
    date: u32,
    int: u32,
    text: u32,
    boolean: u32,
    money: u32,
    wrap: u32,
}

impl Styles {
    pub(super) fn of<'f>(f: &'f Formats) -> Styles {
        let default = Format::default();
        let mut known: Vec<&Format> = vec![&default];
        let mut index = |format: &'f Format| -> u32 {
            let at = known.iter().position(|k| *k == format).unwrap_or_else(|| {
                known.push(format);
                known.len() - 1
            });
            u32::try_from(at).unwrap_or(u32::MAX)
        };
        // `Formats::all`'s order, so the numbering is the registration's.
        let [date, int, text, _bold, boolean, money, _header, wrap] = f.all().map(&mut index);
        Styles {
            date,
            int,
            text,
            boolean,
            money,
            wrap,
        }
    }
}

/// Writes one table sheet's data rows.
pub(super) struct RowWriter<'a> {
    /// Each column's letters.
    names: Vec<String>,
    styles: Styles,
    /// The columns whose format the column carries (set from the first data row).
    plain: &'a [Option<Plain>],
    widths: &'a [f64],
    capped: &'a [bool],
}

impl<'a> RowWriter<'a> {
    pub(super) fn new(
        styles: Styles,
        plain: &'a [Option<Plain>],
        widths: &'a [f64],
        capped: &'a [bool],
    ) -> RowWriter<'a> {
        let names = (0..widths.len())
            .map(|c| column_number_to_name(c as ColNum))
            .collect();
        RowWriter {
            names,
            styles,
            plain,
            widths,
            capped,
        }
    }

    /// Appends sheet row `r` (0 is the header) holding `row` to `out` (nothing when it has no
    /// cell to write, as rust_xlsxwriter writes nothing for it).
    pub(super) fn row(&self, out: &mut Vec<u8>, r: RowNum, row: &[Value]) -> Result<()> {
        let n = r + 1;
        let start = out.len();
        let lines = print::lines(row, self.widths, self.capped);
        if lines > 1 {
            // As rust_xlsxwriter keeps a height: whole pixels, written back in points.
            let pixels = (print::LINE_HEIGHT * lines as f64 * 4.0 / 3.0).round();
            write!(
                out,
                r#"<row r="{n}" ht="{}" customHeight="1">"#,
                pixels * 0.75
            )?;
        } else {
            write!(out, r#"<row r="{n}">"#)?;
        }
        let cells = out.len();
        for (c, value) in row.iter().enumerate() {
            let name = &self.names[c];
            let s = &self.styles;
            match *value {
                Value::Text(text) => {
                    let text = cell_text(text);
                    let style = if self.capped[c] { s.wrap } else { s.text };
                    if text.is_empty() {
                        // A blank cell keeps its format, unless its column carries it.
                        if self.plain[c].is_none() {
                            write!(out, r#"<c r="{name}{n}" s="{style}"/>"#)?;
                        }
                        continue;
                    }
                    ensure!(
                        text.encode_utf16().count() <= MAX_UTF16,
                        "a cell of row {n} holds more than Excel's 32,767 characters"
                    );
                    let space = if text.starts_with(['\t', '\n', ' '])
                        || text.ends_with(['\t', '\n', ' '])
                    {
                        r#" xml:space="preserve""#
                    } else {
                        ""
                    };
                    write!(
                        out,
                        r#"<c r="{name}{n}" s="{style}" t="inlineStr"><is><t{space}>"#
                    )?;
                    escape(out, &text);
                    out.extend_from_slice(b"</t></is></c>");
                }
                Value::Int(v) => number(out, name, n, s.int, v as f64)?,
                Value::Date(d) => number(out, name, n, s.date, excel_date(d))?,
                Value::Money(m) => number(out, name, n, s.money, m.as_f64())?,
                Value::Bool(b) => write!(
                    out,
                    r#"<c r="{name}{n}" s="{}" t="b"><v>{}</v></c>"#,
                    s.boolean,
                    u8::from(b)
                )?,
                Value::Empty => {}
            }
        }
        if out.len() == cells && lines == 1 {
            out.truncate(start);
        } else {
            out.extend_from_slice(b"</row>");
        }
        Ok(())
    }
}

fn number(out: &mut Vec<u8>, name: &str, n: RowNum, style: u32, v: f64) -> Result<()> {
    ensure!(
        v.is_finite(),
        "internal error: row {n} holds the number {v}"
    );
    write!(out, r#"<c r="{name}{n}" s="{style}"><v>{v}</v></c>"#)?;
    Ok(())
}

/// Excel's serial number of a date (1900 counted as a leap year, as Excel does).
fn excel_date(date: chrono::NaiveDate) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 31).unwrap_or_default();
    let days = (date - epoch).num_days() as f64;
    if days > 59.0 { days + 1.0 } else { days }
}

/// Appends `text` as cell text: `_xHHHH_` is kept literal (`_x005F_xHHHH_`), `&`, `<`, `>` are
/// entities, control characters but tab and newline and the non-characters U+FFFE and U+FFFF
/// become `_xHHHH_`.
fn escape(out: &mut Vec<u8>, text: &str) {
    let plain = |b: u8| {
        !matches!(b, b'&' | b'<' | b'>' | b'_' | 0xEF) && (b >= 0x20 || b == b'\t' || b == b'\n')
    };
    if text.bytes().all(plain) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let literal = keep_escapes_literal(text);
    for ch in literal.chars() {
        match ch {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(ch as u8),
            '\0'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "_x{:04X}_", u32::from(ch));
            }
            _ => {
                let mut buf = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// `text` with every `_xHHHH_` (four hex digits) written `_x005F_xHHHH_`, so Excel reads it as
/// the characters it is.
fn keep_escapes_literal(text: &str) -> std::borrow::Cow<'_, str> {
    const LENGTH: usize = "_xHHHH_".len();
    let literal = |i: usize| {
        i + LENGTH <= text.len()
            && text.is_char_boundary(i + LENGTH - 1)
            && text[i + LENGTH - 1..].starts_with('_')
            && text[i + 2..i + LENGTH - 1]
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
    };
    let found: Vec<usize> = text
        .match_indices("_x")
        .map(|(i, _)| i)
        .filter(|&i| literal(i))
        .collect();
    if found.is_empty() {
        return text.into();
    }
    let mut kept = String::with_capacity(text.len() + 6 * found.len());
    let mut from = 0;
    for i in found {
        kept.push_str(&text[from..i]);
        kept.push_str("_x005F");
        from = i;
    }
    kept.push_str(&text[from..]);
    kept.into()
}
