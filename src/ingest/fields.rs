//! Reads canonical fields out of raw rows: looks a field up through its header, parses it by the
//! value rules, and turns every parse failure into a warning issue that names the file, row and
//! column.

use super::headers::{ColumnMap, FieldSpec};
use super::table::{Cell, RawRow, RawTable};
use super::values::{self, DateOrder, DateValue};
use crate::issues::{Issue, IssueCode};
use chrono::NaiveDate;

static EMPTY: Cell = Cell::Empty;

/// Field access for one file.
pub struct FieldReader<'a> {
    /// The file as given on the command line.
    pub file: &'a str,
    headers: &'a [String],
    map: ColumnMap,
    day_first_fields: Vec<&'static str>,
}

impl<'a> FieldReader<'a> {
    /// Maps the table's headers and decides, per date field, whether slash dates are day-first:
    /// `--day-first`, or a value in the column whose first part is over 12 (which is reported).
    pub fn new(
        file: &'a str,
        table: &'a RawTable,
        specs: &[FieldSpec],
        date_fields: &[&'static str],
        day_first: bool,
        issues: &mut Vec<Issue>,
    ) -> Self {
        let map = ColumnMap::new(&table.headers, specs);
        let mut day_first_fields = Vec::new();
        for &field in date_fields {
            let Some(pos) = map.get(field) else { continue };
            if day_first {
                day_first_fields.push(field);
                continue;
            }
            let hit = table.rows.iter().find(|r| match &r.cells[pos] {
                Cell::Text(t) => values::first_part_exceeds_12(t),
                _ => false,
            });
            if let Some(row) = hit {
                day_first_fields.push(field);
                issues.push(Issue::warning(
                    file,
                    row.row,
                    &table.headers[pos],
                    IssueCode::DayFirstDates,
                    format!(
                        "column `{}` holds {:?}, so all its slash dates are read day-first \
                         (D/M/YYYY)",
                        table.headers[pos],
                        row.cells[pos].as_text().unwrap_or_default()
                    ),
                ));
            }
        }
        FieldReader {
            file,
            headers: &table.headers,
            map,
            day_first_fields,
        }
    }

    /// Whether a header matched `field`.
    pub fn has(&self, field: &str) -> bool {
        self.map.get(field).is_some()
    }

    /// The header as written that holds `field` (the field name when absent).
    pub fn header(&self, field: &str) -> String {
        self.map
            .get(field)
            .map_or_else(|| field.to_string(), |p| self.headers[p].clone())
    }

    /// The raw cell of `field` (`Empty` when the column is absent).
    pub fn cell<'r>(&self, row: &'r RawRow, field: &str) -> &'r Cell {
        self.map.get(field).map_or(&EMPTY, |p| &row.cells[p])
    }

    /// The cell as trimmed text.
    pub fn text(&self, row: &RawRow, field: &str) -> Option<String> {
        self.cell(row, field).as_text()
    }

    /// A date; year 9999 and unparsable values give `None` (the latter with a warning).
    pub fn date(&self, row: &RawRow, field: &str, issues: &mut Vec<Issue>) -> Option<NaiveDate> {
        let order = if self.day_first_fields.contains(&field) {
            DateOrder::DayFirst
        } else {
            DateOrder::MonthFirst
        };
        self.report(
            row,
            field,
            IssueCode::InvalidDate,
            values::parse_date(self.cell(row, field), order),
            issues,
        )
        .flatten()
        .and_then(|v| match v {
            DateValue::Date(d) => Some(d),
            DateValue::NoDate => None,
        })
    }

    /// A boolean; unparsable values give `None` with a warning.
    pub fn bool(&self, row: &RawRow, field: &str, issues: &mut Vec<Issue>) -> Option<bool> {
        let parsed = values::parse_bool(self.cell(row, field));
        self.report(row, field, IssueCode::InvalidBoolean, parsed, issues)
            .flatten()
    }

    /// A quantity; unparsable values give `None` with a warning.
    pub fn quantity(&self, row: &RawRow, field: &str, issues: &mut Vec<Issue>) -> Option<i64> {
        let parsed = values::parse_quantity(self.cell(row, field));
        self.report(row, field, IssueCode::InvalidQuantity, parsed, issues)
            .flatten()
    }

    fn report<T>(
        &self,
        row: &RawRow,
        field: &str,
        code: IssueCode,
        parsed: Result<T, String>,
        issues: &mut Vec<Issue>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                let header = self.header(field);
                issues.push(Issue::warning(
                    self.file,
                    row.row,
                    &header,
                    code,
                    format!("{message}; the value is left empty"),
                ));
                None
            }
        }
    }

    /// A warning for non-empty cells beyond the last header.
    pub fn check_extra_cells(&self, row: &RawRow, issues: &mut Vec<Issue>) {
        if row.extra_cells > 0 {
            issues.push(Issue::new(
                self.file,
                Some(row.row),
                None,
                crate::issues::Severity::Warning,
                IssueCode::ExtraCells,
                format!(
                    "{} value(s) beyond the last column were ignored; check the delimiter or \
                     quoting of this row",
                    row.extra_cells
                ),
            ));
        }
    }
}
