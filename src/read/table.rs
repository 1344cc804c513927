//! The format-neutral table every reader produces, held column by column: per header one text
//! column (trimmed, empty cells null) and, for spreadsheet columns that hold numbers, dates or
//! booleans, the typed cells as well. Each data row keeps the row number a spreadsheet shows.

use super::text_column::TextColumn;
use chrono::NaiveDateTime;
use polars::prelude::{ChunkFullNull, PlSmallStr, StringChunked};

/// One spreadsheet cell as the file holds it. CSV gives only text (read straight into text
/// columns); spreadsheets also give numbers, dates and booleans.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// An empty cell (or white space only).
    Empty,
    /// Text, trimmed.
    Text(String),
    /// A number cell (Excel serial dates arrive here when the cell has no date format).
    Number(f64),
    /// A date or date-time cell.
    DateTime(NaiveDateTime),
    /// A boolean cell.
    Bool(bool),
    /// A formula that failed (`#N/A`, `#DIV/0!`, …): no value, reported where it sits.
    FormulaError(String),
}

impl Cell {
    /// A text cell, or `Empty` when the text is blank.
    pub fn text(s: &str) -> Cell {
        let t = s.trim();
        if t.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(t.to_string())
        }
    }

    /// The cell as text, as a user would read it (`None` when empty).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(s.clone()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Cell::Number(n) => Some(n.to_string()),
            Cell::DateTime(dt) => Some(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
            Cell::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
            Cell::FormulaError(_) => None,
        }
    }

    /// Whether the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// Whether the cell is typed (a number, date or boolean), not text.
    fn is_typed(&self) -> bool {
        !matches!(self, Cell::Empty | Cell::Text(_) | Cell::FormulaError(_))
    }
}

/// Which columns a reader keeps, by header as written: the cells of the others are never held
/// (their columns are empty), so a 40-column admin-center export costs the memory of the few
/// columns read from it.
#[derive(Clone, Copy)]
pub enum Keep<'a> {
    /// Every column.
    All,
    /// The columns whose header passes.
    Headers(&'a (dyn Fn(&str) -> bool + Sync)),
}

impl Keep<'_> {
    /// Whether the column under `header` is kept.
    pub fn keeps(&self, header: &str) -> bool {
        match self {
            Keep::All => true,
            Keep::Headers(wanted) => wanted(header),
        }
    }
}

/// One column of a [`Table`].
#[derive(Debug, Clone)]
pub struct TableColumn {
    /// Every cell as a user reads it: trimmed text, null when empty.
    pub text: StringChunked,
    /// The typed cells, for a spreadsheet column that holds any number, date or boolean.
    pub typed: Option<Vec<Cell>>,
}

/// A whole sheet or CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// Headers as written (BOM and surrounding white space removed).
    pub headers: Vec<String>,
    /// One column per header, each [`Table::height`] long.
    pub columns: Vec<TableColumn>,
    /// Per non-blank data row, its 1-based row number as a spreadsheet shows it.
    pub rows: Vec<usize>,
    /// Data rows (by index) with non-empty cells beyond the last header, and how many.
    pub extra_cells: Vec<(usize, usize)>,
    /// Data rows with cells beyond the last header that are all empty (a trailing delimiter),
    /// and the first of them (by index).
    pub trailing_empty: (usize, Option<usize>),
    /// Cells holding a failed formula: data row (by index), column and the error as shown.
    pub formula_errors: Vec<(usize, usize, String)>,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// Completely empty rows that were skipped.
    pub blank_rows: usize,
    /// A CSV file's delimiter (none for spreadsheets).
    pub delimiter: Option<u8>,
    /// A CSV file's code page when it is not UTF-8 (`windows-1252`, `UTF-16LE`).
    pub encoding: Option<&'static str>,
    /// Cells of a UTF-8 file holding a byte that was not UTF-8 (shown as `�`): data row (by
    /// index) and column.
    pub replaced_bytes: Vec<(usize, usize)>,
    /// A CSV file that ends without a line break after its last row: how many cells that row
    /// has (it may have been cut off while the file was still being written).
    pub unterminated_last_row: Option<usize>,
}

impl Table {
    /// Records every cell holding the replacement character `�` in [`Table::replaced_bytes`].
    pub fn mark_replacement_characters(&mut self) {
        for (at, column) in self.columns.iter().enumerate() {
            for (index, text) in column.text.iter().enumerate() {
                if text.is_some_and(|t| t.contains('\u{fffd}')) {
                    self.replaced_bytes.push((index, at));
                }
            }
        }
        self.replaced_bytes.sort_unstable();
    }

    /// The number of (non-blank) data rows.
    pub fn height(&self) -> usize {
        self.rows.len()
    }
}

/// Builds a [`Table`] row by row without a `String` per cell: text goes straight into the
/// column builders.
pub struct TableBuilder {
    headers: Vec<String>,
    builders: Vec<TextColumn>,
    /// Per column, whether its cells are kept ([`Keep`]).
    kept: Vec<bool>,
    typed: Vec<Option<Vec<Cell>>>,
    rows: Vec<usize>,
    extra_cells: Vec<(usize, usize)>,
    trailing_empty: (usize, Option<usize>),
    formula_errors: Vec<(usize, usize, String)>,
    blank_rows: usize,
    next_row: usize,
}

impl TableBuilder {
    /// Starts a table under `header`, which sits on spreadsheet row `header_row`, with room for
    /// about `rows` rows (growing the columns row by row copies them again and again), keeping
    /// the cells of the columns `keep` names.
    pub fn new(header: Vec<String>, header_row: usize, rows: usize, keep: Keep) -> TableBuilder {
        let headers: Vec<String> = header
            .into_iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let kept: Vec<bool> = headers.iter().map(|h| keep.keeps(h)).collect();
        let builders = (kept.iter())
            .map(|kept| TextColumn::with_capacity(rows * usize::from(*kept)))
            .collect();
        TableBuilder {
            kept,
            typed: vec![None; headers.len()],
            headers,
            builders,
            rows: Vec::with_capacity(rows),
            extra_cells: Vec::new(),
            trailing_empty: (0, None),
            formula_errors: Vec::new(),
            blank_rows: 0,
            next_row: header_row + 1,
        }
    }

    /// Adds one row of text fields (untrimmed) to a text-only table (CSV; spreadsheets use
    /// [`TableBuilder::push_cells`]); short rows are padded with empty cells, a row of empty
    /// cells only is counted as blank.
    pub fn push_text<'f>(&mut self, fields: impl Iterator<Item = &'f str> + Clone) {
        let row = self.next_row;
        self.next_row += 1;
        if fields.clone().all(|f| f.trim().is_empty()) {
            self.blank_rows += 1;
            return;
        }
        let width = self.builders.len();
        let index = self.rows.len();
        self.rows.push(row);
        let mut seen = 0;
        let mut extra = 0;
        for field in fields {
            let value = field.trim();
            if seen < width {
                let builder = &mut self.builders[seen];
                // A column not kept holds nothing.
                if self.kept[seen] {
                    builder.push((!value.is_empty()).then_some(value));
                }
            } else if !value.is_empty() {
                extra += 1;
            }
            seen += 1;
        }
        self.pad(seen);
        self.note_beyond(index, seen > width, extra);
    }

    /// Adds one row of spreadsheet cells, keeping typed cells beside their text.
    pub fn push_cells(&mut self, cells: Vec<Cell>) {
        let row = self.next_row;
        self.next_row += 1;
        if cells.iter().all(Cell::is_empty) {
            self.blank_rows += 1;
            return;
        }
        let width = self.builders.len();
        let index = self.rows.len();
        self.rows.push(row);
        let extra = cells.iter().skip(width).filter(|c| !c.is_empty()).count();
        let seen = cells.len().min(width);
        for (at, cell) in cells.into_iter().take(width).enumerate() {
            if !self.kept[at] {
                continue;
            }
            self.builders[at].push(cell.as_text().as_deref());
            let cell = match cell {
                Cell::FormulaError(error) => {
                    self.formula_errors.push((index, at, error));
                    Cell::Empty
                }
                cell => cell,
            };
            if cell.is_typed() && self.typed[at].is_none() {
                self.typed[at] = Some(vec![Cell::Empty; index]);
            }
            if let Some(typed) = &mut self.typed[at] {
                typed.push(cell);
            }
        }
        self.pad(seen);
        // A spreadsheet row ends at its last value: nothing empty trails it.
        self.note_beyond(index, false, extra);
    }

    /// Numbers the next row `row` (a CSV record on a later line than the last one's next: blank
    /// lines, or a value over several lines, came between).
    pub fn start_row_at(&mut self, row: usize) {
        self.next_row = self.next_row.max(row);
    }

    /// Renumbers the last row `to` if it is numbered `from` (a CSV's last record, found to
    /// have no line end once the file was read).
    pub fn renumber_last_row(&mut self, from: usize, to: usize) {
        if let Some(last) = self.rows.last_mut().filter(|row| **row == from) {
            *last = to;
        }
        self.next_row = self.next_row.max(to + 1);
    }

    /// Counts `count` blank rows that a sparse sheet does not list.
    pub fn skip_blank_rows(&mut self, count: usize) {
        self.blank_rows += count;
        self.next_row += count;
    }

    /// Records what row `index` had beyond the last header: `extra` non-empty cells, or (with
    /// `beyond`) only empty ones.
    fn note_beyond(&mut self, index: usize, beyond: bool, extra: usize) {
        if extra > 0 {
            self.extra_cells.push((index, extra));
        } else if beyond {
            self.trailing_empty.0 += 1;
            self.trailing_empty.1.get_or_insert(index);
        }
    }

    /// Pads the current row's columns from `from` on with empty cells.
    fn pad(&mut self, from: usize) {
        for at in from..self.builders.len() {
            if !self.kept[at] {
                continue;
            }
            self.builders[at].push(None);
            if let Some(typed) = &mut self.typed[at] {
                typed.push(Cell::Empty);
            }
        }
    }

    /// The finished table.
    pub fn finish(self, sheet: Option<String>) -> Table {
        let height = self.rows.len();
        let columns = (self
            .builders
            .into_iter()
            .zip(self.typed)
            .zip(self.kept)
            .enumerate())
        .map(|(i, ((builder, typed), kept))| {
            let name = PlSmallStr::from(format!("c{i}"));
            TableColumn {
                text: if kept {
                    builder.finish(name)
                } else {
                    <StringChunked as ChunkFullNull>::full_null(name, height)
                },
                typed,
            }
        })
        .collect();
        Table {
            headers: self.headers,
            columns,
            rows: self.rows,
            extra_cells: self.extra_cells,
            trailing_empty: self.trailing_empty,
            formula_errors: self.formula_errors,
            sheet,
            blank_rows: self.blank_rows,
            delimiter: None,
            encoding: None,
            replaced_bytes: Vec::new(),
            unterminated_last_row: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_cells_are_kept_only_for_columns_that_have_them() {
        let mut b = TableBuilder::new(vec!["\u{feff} A ".into(), "B".into()], 1, 0, Keep::All);
        b.push_cells(vec![Cell::text("x"), Cell::Empty]);
        b.push_cells(vec![Cell::Empty, Cell::Empty, Cell::Empty]);
        b.push_cells(vec![Cell::text("y"), Cell::Number(3.0), Cell::text("z")]);
        let t = b.finish(Some("S".into()));
        assert_eq!(t.headers, ["A", "B"]);
        assert_eq!(t.rows, [2, 4]);
        assert_eq!(t.blank_rows, 1);
        assert_eq!(t.extra_cells, [(1, 1)]);
        assert!(t.columns[0].typed.is_none());
        assert_eq!(
            t.columns[1].typed.as_deref(),
            Some(&[Cell::Empty, Cell::Number(3.0)][..])
        );
        let b_text: Vec<_> = t.columns[1].text.iter().collect();
        assert_eq!(b_text, [None, Some("3")]);
    }
}
