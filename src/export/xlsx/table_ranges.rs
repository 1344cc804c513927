//! Excel tables added over their header and first row, then given all their rows in the saved
//! file. rust_xlsxwriter's `add_table` checks a new table against the sheet's earlier ones cell by
//! cell, with a hash-map entry per cell of the range: 1.2 s and about 100 MB for a wave's Users
//! sheet of 377,000 rows (L), five times that at XL. Each table sheet here holds one table, which
//! cannot overlap another, so the table is added over two rows and its range (the `ref` of the
//! table and of its autofilter, nothing else depends on it) is rewritten in the saved zip (see
//! [`super::package`]).

use anyhow::{Context, Result};
use rust_xlsxwriter::{ColNum, column_number_to_name};

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

/// `xl/tables/tableN.xml` → the table's place in `ranges` (the workbook's tables in sheet
/// order, which is how rust_xlsxwriter numbers them: `table1.xml` is the first).
pub(super) fn table_of<'r>(part: &str, ranges: &'r [Range]) -> Option<Result<&'r Range>> {
    let n = table_number(part)?;
    Some(
        (n.checked_sub(1).and_then(|n| ranges.get(n)))
            .with_context(|| format!("internal error: the workbook has no table for `{part}`")),
    )
}

/// A table part's XML with the table's range widened to all its rows.
pub(super) fn widen(part: &str, xml: &str, range: Range) -> Result<String> {
    let added = range.attribute(range.added_rows());
    anyhow::ensure!(
        xml.matches(&added).count() == 2,
        "internal error: `{part}` does not hold its table's range `{added}` twice"
    );
    Ok(xml.replace(&added, &range.attribute(range.rows)))
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
