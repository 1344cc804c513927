//! `csv/*.csv`: one file per table with exactly the columns of DOMAIN.md §4. Dates are
//! `YYYY-MM-DD`, booleans `true`/`false`, missing values empty.

use super::locale::Reasons;
use super::tables::{Table, tables};
use super::{Exporter, Messages, OutputFile};
use crate::model::Report;
use anyhow::Result;
use std::path::PathBuf;

/// Writes the five CSV tables.
pub struct CsvExporter;

fn write(table: Table) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(table.columns.iter().map(|c| c.key))?;
    let mut buffer = String::new();
    for row in table.rows {
        for value in &row {
            w.write_field(value.csv(&mut buffer))?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    Ok(w.into_inner()?)
}

impl Exporter for CsvExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let english = Messages::english();
        let reasons = Reasons::word(report, &english);
        tables(report, &reasons)
            .into_iter()
            .map(|t| Ok((PathBuf::from(format!("csv/{}.csv", t.name)), write(t)?)))
            .collect()
    }
}
