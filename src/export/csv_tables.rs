//! `csv/*.csv`: one file per table with exactly the columns of docs/rules.md §4. Dates are
//! `YYYY-MM-DD`, booleans `true`/`false`, missing values empty.
//!
//! A text cell that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a
//! tab or a carriage return — values come from the partner's exports, and a colleague opens
//! these files in Excel) is written with a leading `'`, which Excel shows as text; `--raw-csv`
//! writes every value exactly as read. Numbers and dates are never changed.

use super::locale::Reasons;
use super::tables::{ExpiringOrder, Table, USERS_TABLE, Value, tables, users};
use super::{Exporter, Messages, Output, OutputFile};
use crate::model::Report;
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Writes the five CSV tables.
pub(super) struct CsvExporter {
    /// Write text cells as read, without neutralising formula-like ones.
    pub raw: bool,
}

/// Whether a spreadsheet would take `text` for a formula (or a DDE command).
fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `text` as a spreadsheet shows it as text: with a leading `'` when it is formula-like.
fn neutralised(text: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A table as CSV bytes: the header row of column keys, then the rows (formula-like text
/// neutralised unless `raw`).
pub(super) fn write(table: Table, raw: bool) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write_into(table, raw, &mut bytes)?;
    Ok(bytes)
}

/// A table as CSV bytes under a header row of `titles` (one per column, in a reader's
/// language) instead of the column keys: the users file beside a runbook.
pub(super) fn write_titled(table: Table, raw: bool, titles: &[String]) -> Result<Vec<u8>> {
    anyhow::ensure!(titles.len() == table.columns.len(), "a title per column");
    let mut bytes = Vec::new();
    write_rows(table, raw, titles.iter().map(String::as_str), &mut bytes)?;
    Ok(bytes)
}

/// [`write`] into `out`.
fn write_into(table: Table, raw: bool, out: &mut dyn Write) -> Result<()> {
    let keys: Vec<&str> = table.columns.iter().map(|c| c.key).collect();
    write_rows(table, raw, keys.into_iter(), out)
}

/// The header row, then the rows. Each field is encoded as the csv crate encodes it (quoted
/// only where a delimiter, quote or line break needs it); a text equal to the one above it in
/// its column reuses that one's bytes: a users table repeats its customer, plan and reason row
/// after row.
fn write_rows<'h>(
    table: Table,
    raw: bool,
    header: impl Iterator<Item = &'h str>,
    out: &mut dyn Write,
) -> Result<()> {
    let width = table.columns.len();
    let mut fields = Fields::default();
    let mut bytes = Vec::with_capacity(CHUNK + 4096);
    for (i, key) in header.enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        fields.encode(key.as_bytes(), &mut bytes);
    }
    bytes.push(b'\n');
    let mut above: Vec<(Option<&str>, Vec<u8>)> = vec![(None, Vec::new()); width];
    let mut buffer = String::new();
    for row in table.rows {
        anyhow::ensure!(
            row.len() == width,
            "a {} row has a cell per column",
            table.name
        );
        for (i, (value, (last, encoded))) in row.iter().zip(&mut above).enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            match value {
                Value::Text(text) if *last == Some(*text) => bytes.extend_from_slice(encoded),
                Value::Text(text) => {
                    encoded.clear();
                    let text_shown = if raw {
                        (*text).into()
                    } else {
                        neutralised(text)
                    };
                    fields.encode(text_shown.as_bytes(), encoded);
                    bytes.extend_from_slice(encoded);
                    *last = Some(text);
                }
                value => fields.encode(value.csv(&mut buffer).as_bytes(), &mut bytes),
            }
        }
        bytes.push(b'\n');
        if bytes.len() >= CHUNK {
            out.write_all(&bytes)?;
            bytes.clear();
        }
    }
    out.write_all(&bytes)?;
    Ok(())
}

/// Bytes of rows gathered before they are written on.
const CHUNK: usize = 1 << 16;
/// About how many bytes a row of `csv/users.csv` has (316 in a wave's book): the file's size
/// hint.
const USER_ROW_BYTES: u64 = 300;

/// Encodes single CSV fields with `csv_core`, the csv crate's own encoder, configured as
/// [`csv::Writer`]'s defaults with `\n` records: quotes `,`, `"`, `\r` and `\n`.
struct Fields {
    core: csv_core::Writer,
    scratch: Vec<u8>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            core: csv_core::WriterBuilder::new()
                .terminator(csv_core::Terminator::Any(b'\n'))
                .build(),
            scratch: Vec::new(),
        }
    }
}

impl Fields {
    /// Appends `field` encoded (an empty field is empty: every table has several columns).
    fn encode(&mut self, field: &[u8], out: &mut Vec<u8>) {
        if field.is_empty() {
            return;
        }
        // At most two bytes per byte, two quotes and the delimiter that closes the field.
        self.scratch.resize(2 * field.len() + 3, 0);
        let (_, read, wrote) = self.core.field(field, &mut self.scratch);
        let (_, closed) = self.core.delimiter(&mut self.scratch[wrote..]);
        debug_assert_eq!(read, field.len());
        // The delimiter is the row's to write.
        out.extend_from_slice(&self.scratch[..wrote + closed - 1]);
    }
}

impl Exporter for CsvExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        (self.outputs(report)?.into_iter())
            .map(Output::into_file)
            .collect()
    }

    /// The users table (hundreds of megabytes in a wave) is written into its file as it is
    /// staged; the others are small.
    fn outputs<'r>(&self, report: &'r Report) -> Result<Vec<Output<'r>>> {
        use rayon::prelude::*;
        let reasons = Arc::new(Reasons::word(report, &Messages::english()));
        let raw = self.raw;
        // The small tables are written on every core; the users table when it is staged.
        (tables(report, &reasons, ExpiringOrder::ByCustomer).into_par_iter())
            .map(|table| {
                let path = PathBuf::from(super::CSV_DIR).join(format!("{}.csv", table.name));
                Ok(if table.name == USERS_TABLE {
                    let reasons = Arc::clone(&reasons);
                    let size = report.users.len() as u64 * USER_ROW_BYTES;
                    Output::streamed(
                        path,
                        size,
                        Box::new(move |w| write_into(users(report.users.iter(), &reasons), raw, w)),
                    )
                } else {
                    Output::from((path, write(table, raw)?))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::money::Money;
    use crate::export::tables::Column;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// The table as the csv crate's writer writes it, a field at a time.
    fn by_csv_writer(header: &[&str], rows: &[Vec<Value>], raw: bool) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(header).unwrap();
        let mut buffer = String::new();
        for row in rows {
            for value in row {
                match value {
                    Value::Text(text) if !raw => w.write_field(neutralised(text).as_ref()),
                    value => w.write_field(value.csv(&mut buffer)),
                }
                .unwrap();
            }
            w.write_record(None::<&[u8]>).unwrap();
        }
        w.into_inner().unwrap()
    }

    const COLUMNS: [Column; 3] = [
        Column {
            key: "a",
            title: "A",
        },
        Column {
            key: "b,c",
            title: "B",
        },
        Column {
            key: "d",
            title: "D",
        },
    ];

    /// The cell `(kind, pick, number)` describes: one of `texts` (most often, so runs of equal
    /// texts happen), or another kind of value.
    fn cell(texts: &[String], (kind, pick, number): (u8, usize, i64)) -> Value<'_> {
        match kind {
            0 => Value::Int(number),
            1 => Value::Date(
                NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
                    + chrono::Days::new(number.unsigned_abs() % 3000),
            ),
            2 => Value::Bool(number % 2 == 0),
            3 => {
                Value::Money(Money::parse(&format!("{}.{}", number % 10_000, pick % 100)).unwrap())
            }
            4 => Value::Empty,
            _ => Value::Text(&texts[pick % texts.len()]),
        }
    }

    proptest! {
        #[test]
        fn rows_are_the_csv_writers_bytes(
            texts in prop::collection::vec("[a,\"\r\n=+@\t' é-]{0,6}", 1..6),
            cells in prop::collection::vec((0u8..10, any::<usize>(), any::<i64>()), 0..36),
            raw in any::<bool>(),
        ) {
            let rows: Vec<Vec<Value>> = cells
                .chunks_exact(3)
                .map(|row| row.iter().map(|&c| cell(&texts, c)).collect())
                .collect();
            let table = Table {
                name: "t",
                sheet: "T",
                columns: COLUMNS[..].into(),
                rows: Box::new(rows.clone().into_iter()),
            };
            let expected = by_csv_writer(&["a", "b,c", "d"], &rows, raw);
            prop_assert_eq!(
                String::from_utf8(write(table, raw).unwrap()).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    #[test]
    fn formula_like_text_gets_a_quote_and_other_text_does_not() {
        for formula in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        for text in ["Zoë", "a=b", "E3 - Plan", "", "'already"] {
            assert_eq!(neutralised(text), text);
        }
    }
}
