//! `csv/*.csv`: one file per table with exactly the columns of docs/rules.md §4. Dates are
//! `YYYY-MM-DD`, booleans `true`/`false`, missing values empty.
//!
//! A text cell that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a
//! tab or a carriage return — values come from the partner's exports, and a colleague opens
//! these files in Excel) is written with a leading `'`, which Excel shows as text; `--raw-csv`
//! writes every value exactly as read. Numbers and dates are never changed.

use super::locale::Reasons;
use super::tables::{ExpiringOrder, Table, USERS_TABLE, Value, tables, users};
use super::{Content, Exporter, Messages, Output, OutputFile};
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

/// The header row, then the rows.
fn write_rows<'h>(
    table: Table,
    raw: bool,
    header: impl Iterator<Item = &'h str>,
    out: &mut dyn Write,
) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(header)?;
    let mut buffer = String::new();
    for row in table.rows {
        for value in &row {
            match value {
                Value::Text(text) if !raw => w.write_field(neutralised(text).as_ref())?,
                value => w.write_field(value.csv(&mut buffer))?,
            }
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
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
                    Output {
                        path,
                        content: Content::Streamed(Box::new(move |w| {
                            write_into(users(report.users.iter(), &reasons), raw, w)
                        })),
                    }
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
