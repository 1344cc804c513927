//! The format-neutral table every reader produces: headers, then rows of typed cells, each row
//! carrying the row number a spreadsheet would show.

use chrono::NaiveDateTime;

/// One cell as the file holds it. CSV gives only text; spreadsheets also give numbers, dates
/// and booleans.
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
        }
    }

    /// Whether the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// 1-based row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The cells, one per header (short rows are padded with `Empty`).
    pub cells: Vec<Cell>,
    /// How many non-empty cells lay beyond the last header.
    pub extra_cells: usize,
}

/// A whole sheet or CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    /// Headers as written (BOM and surrounding white space removed).
    pub headers: Vec<String>,
    /// Non-blank data rows.
    pub rows: Vec<RawRow>,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// Completely empty rows that were skipped.
    pub blank_rows: usize,
}

impl RawTable {
    /// Builds a table from a header row and data rows, padding short rows, counting blank ones.
    /// `first_row` is the spreadsheet row number of the header.
    pub fn from_rows(
        header: Vec<String>,
        body: impl Iterator<Item = Vec<Cell>>,
        first_row: usize,
        sheet: Option<String>,
    ) -> RawTable {
        let headers: Vec<String> = header
            .into_iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let width = headers.len();
        let mut rows = Vec::new();
        let mut blank_rows = 0;
        for (i, mut cells) in body.enumerate() {
            if cells.iter().all(Cell::is_empty) {
                blank_rows += 1;
                continue;
            }
            let extra_cells = cells.iter().skip(width).filter(|c| !c.is_empty()).count();
            cells.resize(width, Cell::Empty);
            rows.push(RawRow {
                row: first_row + 1 + i,
                cells,
                extra_cells,
            });
        }
        RawTable {
            headers,
            rows,
            sheet,
            blank_rows,
        }
    }
}
