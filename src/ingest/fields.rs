//! Reads canonical fields out of a [`Table`] column by column: looks a field up through its
//! header, parses each distinct text once by the value rules (typed spreadsheet cells one by
//! one), and turns every parse failure into a warning issue that names the file, row and column.

use super::booleans_and_counts;
use super::values::{self, DateOrder, DateValue};
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::read::headers::{ColumnMap, FieldSpec};
use crate::read::table::{Cell, Table};
use polars::prelude::*;

/// Field access for one file.
pub struct FieldReader<'a> {
    /// The file as given on the command line.
    pub file: &'a str,
    table: &'a Table,
    map: ColumnMap,
    day_first_fields: Vec<&'static str>,
    /// How the file's date order was decided.
    verdict: super::date_order::Verdict,
}

/// How a typed spreadsheet cell is parsed (`Ok(None)` for an empty cell).
pub type CellRule<'r, T> = &'r dyn Fn(&Cell) -> Result<Option<T>, String>;

/// One field parsed for every row: the distinct outcomes, and per row which one (none when the
/// cell is empty).
pub struct Parsed<T> {
    outcomes: Vec<Result<T, String>>,
    at: Vec<Option<u32>>,
}

impl<T> Parsed<T> {
    fn absent(height: usize) -> Parsed<T> {
        Parsed {
            outcomes: Vec::new(),
            at: vec![None; height],
        }
    }

    /// The value of row `i` (`None` when empty or not parsable).
    pub fn value(&self, i: usize) -> Option<&T> {
        self.at[i].and_then(|o| self.outcomes[o as usize].as_ref().ok())
    }

    /// The outcome of row `i` (`None` when empty).
    pub fn outcome(&self, i: usize) -> Option<&Result<T, String>> {
        self.at[i].map(|o| &self.outcomes[o as usize])
    }
}

impl Parsed<DateValue> {
    /// The calendar date of row `i` (`None` when empty, not parsable, or Partner Center's
    /// year-9999 "no end date").
    pub fn date(&self, i: usize) -> Option<chrono::NaiveDate> {
        match self.value(i) {
            Some(DateValue::Date(d)) => Some(*d),
            _ => None,
        }
    }
}

/// Issues about rows, gathered column by column and put back in row order: within a row, in
/// the order of their `stage` (the order the row's fields are checked in).
#[derive(Default)]
pub struct RowIssues {
    found: Vec<(usize, u8, Issue)>,
}

impl RowIssues {
    /// Records an issue about data row `index`.
    pub fn push(&mut self, index: usize, stage: u8, issue: Issue) {
        self.found.push((index, stage, issue));
    }

    /// Appends the issues to `issues`, by row and then stage.
    pub fn finish(mut self, issues: &mut Vec<Issue>) {
        self.found.sort_by_key(|(index, stage, _)| (*index, *stage));
        issues.extend(self.found.into_iter().map(|(_, _, issue)| issue));
    }
}

/// A text column of `len` rows that all hold `value` (null when `None`), stored once.
pub fn constant(name: PlSmallStr, value: Option<&str>, len: usize) -> Column {
    let value = match value {
        Some(text) => AnyValue::StringOwned(text.into()),
        None => AnyValue::Null,
    };
    Column::new_scalar(name, Scalar::new(DataType::String, value), len)
}

/// Whether `rows` is `0, 1, …, height − 1`.
pub fn is_every_row(rows: &IdxCa, height: usize) -> bool {
    rows.len() == height
        && rows
            .into_no_null_iter()
            .enumerate()
            .all(|(i, row)| row as usize == i)
}

impl<'a> FieldReader<'a> {
    /// Maps the table's headers and decides which way its slash dates are written, once for
    /// the whole file (`order`: `--day-first` or `--month-first`; see `date_order`).
    pub fn new(
        file: &'a str,
        table: &'a Table,
        specs: &[FieldSpec],
        date_fields: &[&'static str],
        order: Option<DateOrder>,
        issues: &mut Vec<Issue>,
    ) -> Self {
        let map = ColumnMap::new(&table.headers, specs);
        let (day_first_fields, verdict) = if date_fields.is_empty() {
            (Vec::new(), super::date_order::Verdict::Settled)
        } else {
            super::date_order::decide(file, table, &map, date_fields, order, issues)
        };
        FieldReader {
            file,
            table,
            map,
            day_first_fields,
            verdict,
        }
    }

    /// How the file's date order was decided.
    pub fn date_verdict(&self) -> super::date_order::Verdict {
        self.verdict.clone()
    }

    /// The number of data rows.
    pub fn height(&self) -> usize {
        self.table.height()
    }

    /// The spreadsheet row number of data row `i`.
    pub fn row(&self, i: usize) -> usize {
        self.table.rows[i]
    }

    /// Whether a header matched `field`.
    pub fn has(&self, field: &str) -> bool {
        self.map.get(field).is_some()
    }

    /// The header as written that holds `field` (the field name when absent).
    pub fn header(&self, field: &str) -> String {
        self.map
            .get(field)
            .map_or_else(|| field.to_string(), |p| self.table.headers[p].clone())
    }

    /// The text column of `field` (trimmed, empty cells null), if a header matched it.
    pub fn text(&self, field: &str) -> Option<&'a StringChunked> {
        self.map.get(field).map(|p| &self.table.columns[p].text)
    }

    /// `field`'s text at the rows `mask` keeps, nulls filled with `fill` (all `fill` when no
    /// header matched the field). When every row is kept the table's column is shared, not
    /// copied; a missing field is a constant column that takes no room per row.
    pub fn text_where(
        &self,
        field: &str,
        mask: &BooleanChunked,
        fill: Option<&str>,
    ) -> PolarsResult<Column> {
        let len = mask.num_trues();
        let name = PlSmallStr::from(field);
        let Some(text) = self.text(field) else {
            return Ok(constant(name, fill, len));
        };
        let kept = if len == text.len() {
            text.clone()
        } else {
            text.filter(mask)?
        };
        let kept = match fill {
            Some(fill) if kept.null_count() > 0 => kept.iter().map(|v| v.or(Some(fill))).collect(),
            _ => kept,
        };
        Ok(kept.with_name(name).into_column())
    }

    /// `field`'s text at the data rows `rows` (a constant null column when no header matched
    /// it). When `rows` is every row in order the table's column is shared, not copied.
    pub fn text_taken(&self, field: &str, rows: &IdxCa) -> PolarsResult<Column> {
        let name = PlSmallStr::from(field);
        let Some(text) = self.text(field) else {
            return Ok(constant(name, None, rows.len()));
        };
        let taken = if is_every_row(rows, text.len()) {
            text.clone()
        } else {
            text.take(rows)?
        };
        Ok(taken.with_name(name).into_column())
    }

    /// Parses every cell of `field`: each distinct text once with `by_text`; in a spreadsheet
    /// column with typed cells, each cell with `by_cell` when given.
    pub fn parse<T>(
        &self,
        field: &str,
        by_text: impl Fn(&str) -> Result<T, String>,
        by_cell: Option<CellRule<'_, T>>,
    ) -> Parsed<T> {
        let Some(pos) = self.map.get(field) else {
            return Parsed::absent(self.height());
        };
        let column = &self.table.columns[pos];
        let mut parsed = Parsed {
            outcomes: Vec::new(),
            at: Vec::with_capacity(self.height()),
        };
        if let (Some(cells), Some(by_cell)) = (&column.typed, by_cell) {
            for cell in cells {
                let slot = match by_cell(cell) {
                    Ok(None) => None,
                    Ok(Some(value)) => Some(Ok(value)),
                    Err(message) => Some(Err(message)),
                };
                parsed.at.push(slot.map(|outcome| {
                    parsed.outcomes.push(outcome);
                    (parsed.outcomes.len() - 1) as u32
                }));
            }
            return parsed;
        }
        let mut seen: crate::base::hash::FastMap<&str, u32> = crate::base::hash::FastMap::default();
        for value in column.text.iter() {
            parsed.at.push(value.map(|text| {
                *seen.entry(text).or_insert_with(|| {
                    parsed.outcomes.push(by_text(text));
                    (parsed.outcomes.len() - 1) as u32
                })
            }));
        }
        parsed
    }

    /// Dates (year 9999 is "no date").
    pub fn dates(&self, field: &str) -> Parsed<DateValue> {
        let order = if self.day_first_fields.contains(&field) {
            DateOrder::DayFirst
        } else {
            DateOrder::MonthFirst
        };
        let by_cell = |cell: &Cell| values::parse_date(cell, order);
        self.parse(
            field,
            |text| values::parse_date_str(text, order),
            Some(&by_cell),
        )
    }

    /// Booleans (a typed cell reads the same as its text).
    pub fn bools(&self, field: &str) -> Parsed<bool> {
        self.parse(field, booleans_and_counts::parse_bool_str, None)
    }

    /// Licence counts.
    pub fn quantities(&self, field: &str) -> Parsed<i64> {
        self.parse(
            field,
            booleans_and_counts::parse_quantity_str,
            Some(&booleans_and_counts::parse_quantity),
        )
    }

    /// A warning (at `stage`) for each kept row whose `field` did not parse.
    pub fn warn_failures<T>(
        &self,
        parsed: &Parsed<T>,
        field: &str,
        code: IssueCode,
        stage: u8,
        keep: &[bool],
        out: &mut RowIssues,
    ) {
        self.warn_each(parsed, field, code, stage, keep, out, |message| {
            format!("{message}; the value is left empty")
        });
    }

    /// A warning (at `stage`) for each kept row whose `field` did not parse, worded by `wording`
    /// from the parser's message.
    #[allow(clippy::too_many_arguments)]
    pub fn warn_each<T>(
        &self,
        parsed: &Parsed<T>,
        field: &str,
        code: IssueCode,
        stage: u8,
        keep: &[bool],
        out: &mut RowIssues,
        wording: impl Fn(&str) -> String,
    ) {
        let mut header = None;
        for (i, _) in keep.iter().enumerate().filter(|(_, kept)| **kept) {
            if let Some(Err(message)) = parsed.outcome(i) {
                let header = header.get_or_insert_with(|| self.header(field));
                out.push(
                    i,
                    stage,
                    Issue::warning(self.file, self.row(i), header, code, wording(message)),
                );
            }
        }
    }

    /// A warning (at stage 0) for each cell holding a failed formula, which is read as empty.
    pub fn warn_formula_errors(&self, out: &mut RowIssues) {
        for (index, at, error) in &self.table.formula_errors {
            out.push(
                *index,
                0,
                Issue::warning(
                    self.file,
                    self.row(*index),
                    &self.table.headers[*at],
                    IssueCode::FormulaError,
                    format!(
                        "the cell holds the formula error {error}, so it is read as empty; fix \
                         the formula in the workbook and export again"
                    ),
                ),
            );
        }
    }

    /// Which rows fit under the header: a row with non-empty cells beyond the last header may
    /// have its values in the wrong columns (a stray delimiter or quote), so it gets an error (at
    /// stage 0) and is not used. Empty cells beyond the header are harmless: one warning per file
    /// counts the rows that have them.
    pub fn rows_that_fit(&self, out: &mut RowIssues) -> Vec<bool> {
        let mut fit = vec![true; self.height()];
        let width = self.table.headers.len();
        if let (count, Some(first)) = self.table.trailing_empty {
            out.push(
                first,
                0,
                Issue::new(
                    self.file,
                    Some(self.row(first)),
                    None,
                    Severity::Warning,
                    IssueCode::TrailingCells,
                    format!(
                        "{count} row(s), this one first, end in empty cells beyond the header's \
                         {width} column(s) (a trailing delimiter); they are ignored"
                    ),
                ),
            );
        }
        for &(index, count) in &self.table.extra_cells {
            fit[index] = false;
            out.push(
                index,
                0,
                Issue::new(
                    self.file,
                    Some(self.row(index)),
                    None,
                    Severity::Error,
                    IssueCode::ExtraCells,
                    format!(
                        "{count} value(s) beyond the header's {width} column(s), so the row's \
                         values may sit under the wrong headers; the row is skipped (check the \
                         delimiter and quoting of this row)"
                    ),
                ),
            );
        }
        self.cut_off_row(&mut fit, out);
        fit
    }

    /// A file that ends without a line break after its last row may have been read while it
    /// was still being written: the row is said to be cut off, a warning when it has every
    /// column (its last value may still be cut short), an error and not used when it lacks some.
    fn cut_off_row(&self, fit: &mut [bool], out: &mut RowIssues) {
        let (Some(cells), Some(index)) = (
            self.table.unterminated_last_row,
            self.height().checked_sub(1),
        ) else {
            return;
        };
        let width = self.table.headers.len();
        let row = self.row(index);
        let said = format!(
            "the file ends in the middle of row {row} (no line break after it): was it still \
             being exported? Export it again once it is complete"
        );
        let (severity, message) = if cells < width {
            fit[index] = false;
            (
                Severity::Error,
                format!("{said}; the row has {cells} of {width} values and is skipped"),
            )
        } else {
            (
                Severity::Warning,
                format!("{said}; its last value may be cut short"),
            )
        };
        out.push(
            index,
            0,
            Issue::new(
                self.file,
                Some(row),
                None,
                severity,
                IssueCode::CutOffRow,
                message,
            ),
        );
    }

    /// A warning for each cell of a UTF-8 file that held a byte that is not UTF-8 (read as `�`).
    pub fn warn_replaced_bytes(&self, out: &mut RowIssues) {
        for &(index, at) in &self.table.replaced_bytes {
            let header = &self.table.headers[at];
            out.push(
                index,
                0,
                Issue::warning(
                    self.file,
                    self.row(index),
                    header,
                    IssueCode::InvalidEncoding,
                    format!(
                        "`{header}` holds a byte that is not UTF-8 although the rest of the \
                         file is, so it is shown as �; correct the value in the source and \
                         export again"
                    ),
                ),
            );
        }
    }
}
