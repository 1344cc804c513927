//! Excel tables added over their header and first row, then given all their rows in the saved
//! file. rust_xlsxwriter's `add_table` checks a new table against the sheet's earlier ones cell by
//! cell, with a hash-map entry per cell of the range: 1.2 s and about 100 MB for a wave's Users
//! sheet of 377,000 rows (L), five times that at XL. Each table sheet here holds one table, which
//! cannot overlap another, so the table is added over two rows and its range (the `ref` of the
//! table and of its autofilter, nothing else depends on it) is rewritten in the saved zip; every
//! other part is copied as it was compressed.

use anyhow::{Context, Result};
use rust_xlsxwriter::{ColNum, column_number_to_name};
use std::io::{Cursor, Read, Write};

/// One table as added and as it should be: its last column and its data rows.
#[derive(Debug, Clone, Copy)]
pub(super) struct Range {
    pub last_col: ColNum,
    pub rows: usize,
}

impl Range {
    /// The data rows the table is added over: the first (or none).
    pub(super) fn added_rows(self) -> usize {
        self.rows.min(1)
    }

    /// The `ref` attribute for `rows` rows under the header.
    fn attribute(self, rows: usize) -> String {
        let col = column_number_to_name(self.last_col);
        format!("ref=\"A1:{col}{}\"", rows + 1)
    }
}

/// `xl/tables/tableN.xml` → N.
fn table_number(part: &str) -> Option<usize> {
    part.strip_prefix("xl/tables/table")?
        .strip_suffix(".xml")?
        .parse()
        .ok()
}

/// The saved workbook `bytes` with each table's range widened to all its rows: `ranges` are
/// the workbook's tables in sheet order, which is how rust_xlsxwriter numbers them (`table1.xml`
/// is the first).
pub(super) fn widen(bytes: Vec<u8>, ranges: &[Range]) -> Result<Vec<u8>> {
    let size = bytes.len();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size)));
    // As rust_xlsxwriter writes its parts (a fixed date, so the same inputs give the same bytes).
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(i64::from(super::ZIP_LEVEL)))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default());
    let mut widened = 0;
    for i in 0..archive.len() {
        let name = archive.by_index_raw(i)?.name()?.to_string();
        let Some(n) = table_number(&name) else {
            out.raw_copy_file(archive.by_index_raw(i)?)?;
            continue;
        };
        let range = (n.checked_sub(1).and_then(|n| ranges.get(n)))
            .with_context(|| format!("internal error: the workbook has no table for `{name}`"))?;
        let mut xml = String::new();
        archive.by_index(i)?.read_to_string(&mut xml)?;
        let added = range.attribute(range.added_rows());
        anyhow::ensure!(
            xml.matches(&added).count() == 2,
            "internal error: `{name}` does not hold its table's range `{added}` twice"
        );
        out.start_file(name, options)?;
        out.write_all(xml.replace(&added, &range.attribute(range.rows)).as_bytes())?;
        widened += 1;
    }
    anyhow::ensure!(
        widened == ranges.len(),
        "internal error: {widened} tables in the workbook, {} added",
        ranges.len()
    );
    Ok(out.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parts_are_numbered_from_one() {
        assert_eq!(table_number("xl/tables/table12.xml"), Some(12));
        assert_eq!(table_number("xl/tables/_rels/table1.xml.rels"), None);
        assert_eq!(table_number("xl/worksheets/sheet1.xml"), None);
    }

    #[test]
    fn a_range_counts_the_header_row() {
        let range = Range {
            last_col: 9,
            rows: 376_898,
        };
        assert_eq!(range.attribute(range.rows), "ref=\"A1:J376899\"");
        assert_eq!(range.attribute(1), "ref=\"A1:J2\"");
    }
}
