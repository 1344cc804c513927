//! Which way a file writes its slash dates (docs/rules.md §2.1, dates): decided once per file,
//! from every date column together, then applied to all of them (`SuspendedOn` included). A
//! value with a day over 12 settles it; otherwise the file's locale signs decide, and without
//! any the order is a guess that `--strict` refuses. The choice is said as a warning unless a
//! flag settled it.

use super::booleans_and_counts;
use super::values::{self, DateOrder, OrderHint};
use crate::model::IssueCode;
use crate::model::issues::{Issue, Severity};
use crate::read::headers::ColumnMap;
use crate::read::table::Table;

/// How a file's order was decided, for the run to compare files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A flag, signs, or no date that differs: nothing for other files to follow or lend.
    Settled,
    /// A date proved it: the order, and the date that did (`CommitmentEndDate` holds `…`).
    Proved(DateOrder, String),
    /// Nothing settled it: month-first as a guess.
    Guessed,
}

/// A date text of the file that shows something: data row, header, text.
type Example<'t> = (usize, &'t str, &'t str);

/// What a file's date columns and dialect say about the order of day and month.
#[derive(Default)]
struct Evidence<'t> {
    /// A slash date whose first part is over 12 (`25/12/2026`).
    day_first: Option<Example<'t>>,
    /// A slash date whose second part is over 12 (`12/25/2026`).
    month_first: Option<Example<'t>>,
    /// Slash dates that read as two different days (`01/09/2026`).
    ambiguous: usize,
    /// The first of them.
    first_ambiguous: Option<Example<'t>>,
    /// Locale signs of a day-first writer, worded.
    day_first_signs: Vec<String>,
    /// Locale signs of a month-first (en-US) writer, worded.
    month_first_signs: Vec<String>,
}

impl<'t> Evidence<'t> {
    fn gather(table: &'t Table, map: &ColumnMap, date_fields: &[&str]) -> Evidence<'t> {
        let mut evidence = Evidence::default();
        let mut twelve_hour = None;
        for &field in date_fields {
            let Some(pos) = map.get(field) else { continue };
            let header = table.headers[pos].as_str();
            for (i, text) in table.columns[pos].text.iter().enumerate() {
                let Some(text) = text else { continue };
                let example = Some((i, header, text));
                match values::order_hint(text) {
                    OrderHint::DayFirst => evidence.day_first = evidence.day_first.or(example),
                    OrderHint::MonthFirst => {
                        evidence.month_first = evidence.month_first.or(example);
                    }
                    OrderHint::Ambiguous => {
                        evidence.ambiguous += 1;
                        evidence.first_ambiguous = evidence.first_ambiguous.or(example);
                    }
                    OrderHint::Same => {}
                }
                if twelve_hour.is_none() && values::twelve_hour_clock(text) {
                    twelve_hour = Some(text);
                }
            }
        }
        if let Some(text) = twelve_hour {
            evidence.month_first_signs.push(format!(
                "12-hour times as en-US exports write them ({text:?})"
            ));
        }
        if table.delimiter == Some(b';') {
            evidence
                .day_first_signs
                .push("`;` as the separator (a European Excel)".to_string());
        }
        if let Some(word) = localized_boolean(table, map) {
            evidence
                .day_first_signs
                .push(format!("Excel's {word:?} for a yes/no value"));
        }
        evidence
    }
}

/// A yes/no word of a non-English Excel in the auto-renew column, if any.
fn localized_boolean<'t>(table: &'t Table, map: &ColumnMap) -> Option<&'t str> {
    let pos = map.get("auto_renew")?;
    (table.columns[pos].text.iter().flatten())
        .find(|t| booleans_and_counts::is_excel_localized_boolean(&t.trim().to_lowercase()))
}

/// The order of each date field of `table` (the day-first ones listed), with the issue that
/// says why. `flag` is `--day-first` or `--month-first`.
pub(super) fn decide(
    file: &str,
    table: &Table,
    map: &ColumnMap,
    date_fields: &[&'static str],
    flag: Option<DateOrder>,
    issues: &mut Vec<Issue>,
) -> (Vec<&'static str>, Verdict) {
    let present = || date_fields.iter().copied().filter(|f| map.get(f).is_some());
    if let Some(order) = flag {
        let fields = if order == DateOrder::DayFirst {
            present().collect()
        } else {
            Vec::new()
        };
        return (fields, Verdict::Settled);
    }
    let evidence = Evidence::gather(table, map, date_fields);
    let settled = Settled {
        file,
        table,
        map,
        date_fields,
    };
    match (evidence.day_first, evidence.month_first) {
        (Some(day), Some(month)) => {
            // The columns disagree: each is read as its own values show.
            let (row, header, text) = said(table, day);
            let (_, other, other_text) = said(table, month);
            issues.push(Issue::warning(
                file,
                row,
                header,
                IssueCode::DateOrder,
                format!(
                    "the date columns disagree: `{header}` holds {text:?} (day-first) and \
                     `{other}` holds {other_text:?} (month-first); each column is read as its \
                     own values show, so check both against Partner Center"
                ),
            ));
            let fields = present()
                .filter(|f| proves_day_first(table, map, f))
                .collect();
            (fields, Verdict::Settled)
        }
        (Some(day), None) => {
            issues.push(settled.issue(day, DateOrder::DayFirst));
            let proof = format!("`{}` holds {:?}", day.1, day.2);
            (
                present().collect(),
                Verdict::Proved(DateOrder::DayFirst, proof),
            )
        }
        (None, Some(month)) => {
            if evidence.ambiguous > 0 {
                issues.push(settled.issue(month, DateOrder::MonthFirst));
            }
            let proof = format!("`{}` holds {:?}", month.1, month.2);
            (Vec::new(), Verdict::Proved(DateOrder::MonthFirst, proof))
        }
        (None, None) => {
            let Some(first) = evidence.first_ambiguous else {
                return (Vec::new(), Verdict::Settled);
            };
            let (row, header, text) = said(table, first);
            let (order, (code, message)) = by_signs(&evidence, header, text, evidence.ambiguous);
            issues.push(Issue::new(
                file,
                Some(row),
                Some(header),
                Severity::Warning,
                code,
                message,
            ));
            let verdict = if code == IssueCode::DateOrderGuess {
                Verdict::Guessed
            } else {
                Verdict::Settled
            };
            let fields = match order {
                DateOrder::DayFirst => present().collect(),
                DateOrder::MonthFirst => Vec::new(),
            };
            (fields, verdict)
        }
    }
}

/// A file whose dates settle their order.
struct Settled<'a> {
    file: &'a str,
    table: &'a Table,
    map: &'a ColumnMap,
    date_fields: &'a [&'static str],
}

impl Settled<'_> {
    /// The `date-order` warning: the date that settled it, and the columns it covers.
    fn issue(&self, example: Example, order: DateOrder) -> Issue {
        let (row, header, text) = said(self.table, example);
        Issue::warning(
            self.file,
            row,
            header,
            IssueCode::DateOrder,
            format!(
                "`{header}` holds {text:?}, so every slash date of this file is read {}, {}",
                order.worded(),
                columns_named(self.table, self.map, self.date_fields)
            ),
        )
    }
}

/// The order the locale signs give when no date settles it, and the issue that says so: a guess
/// (month-first) when the signs are absent or disagree.
fn by_signs(
    evidence: &Evidence,
    header: &str,
    text: &str,
    ambiguous: usize,
) -> (DateOrder, (IssueCode, String)) {
    let opening = format!(
        "no date of this file has a day over 12 ({ambiguous} slash date(s) read differently \
         day-first and month-first, like {text:?} in `{header}`)"
    );
    let flags = "pass --day-first or --month-first to settle it";
    let signed = |order: DateOrder, signs: &[String]| {
        let message = format!(
            "{opening}; the file has {}, so its dates are read {}; {flags}",
            signs.join(" and "),
            order.worded()
        );
        (order, (IssueCode::DateOrder, message))
    };
    match (
        evidence.day_first_signs.is_empty(),
        evidence.month_first_signs.is_empty(),
    ) {
        (false, true) => signed(DateOrder::DayFirst, &evidence.day_first_signs),
        (true, false) => signed(DateOrder::MonthFirst, &evidence.month_first_signs),
        (day, month) => {
            let why = if day && month {
                "nothing in the file says which way it writes dates".to_string()
            } else {
                format!(
                    "its signs disagree ({}; {})",
                    evidence.day_first_signs.join(", "),
                    evidence.month_first_signs.join(", ")
                )
            };
            (
                DateOrder::MonthFirst,
                (
                    IssueCode::DateOrderGuess,
                    format!(
                        "{opening}, and {why}: they are read {} as a guess; {flags} (`--strict` \
                         fails until then)",
                        DateOrder::MonthFirst.worded()
                    ),
                ),
            )
        }
    }
}

/// An example with its data row made the row number a spreadsheet shows.
fn said<'t>(table: &Table, (i, header, text): Example<'t>) -> Example<'t> {
    (table.rows[i], header, text)
}

/// Whether a column's own values show it is day-first.
fn proves_day_first(table: &Table, map: &ColumnMap, field: &str) -> bool {
    map.get(field).is_some_and(|pos| {
        (table.columns[pos].text.iter().flatten())
            .any(|t| values::order_hint(t) == OrderHint::DayFirst)
    })
}

/// "`CommitmentEndDate` and `SuspendedOn` included": the date columns the decision covers.
fn columns_named(table: &Table, map: &ColumnMap, date_fields: &[&str]) -> String {
    let names: Vec<String> = (date_fields.iter())
        .filter_map(|f| map.get(f))
        .map(|pos| format!("`{}`", table.headers[pos]))
        .collect();
    format!("{} included", names.join(" and "))
}
