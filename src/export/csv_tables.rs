//! `csv/*.csv`: one file per table with exactly the columns of docs/rules.md §4. Dates are
//! `YYYY-MM-DD`, booleans `true`/`false`, missing values empty.
//!
//! A text cell that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a
//! tab or a carriage return — values come from the partner's exports, and a colleague opens
//! these files in Excel) is written with a leading `'`, which Excel shows as text; `--raw-csv`
//! writes every value exactly as read. Numbers and dates are never changed.

use super::locale::Reasons;
use super::tables::{ExpiringOrder, Table, Value, tables};
use super::{Exporter, Messages, OutputFile};
use crate::model::Report;
use anyhow::Result;
use std::path::PathBuf;

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
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(table.columns.iter().map(|c| c.key))?;
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
    Ok(w.into_inner()?)
}

impl Exporter for CsvExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let english = Messages::english();
        let reasons = Reasons::word(report, &english);
        tables(report, &reasons, ExpiringOrder::ByCustomer)
            .into_iter()
            .map(|t| {
                let path = PathBuf::from(super::CSV_DIR).join(format!("{}.csv", t.name));
                Ok((path, write(t, self.raw)?))
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
