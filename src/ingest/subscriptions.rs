//! Partner Center subscription exports (docs/rules.md §2.1) → the canonical subscriptions frame.

use super::booleans_and_counts;
use super::date_order::Verdict;
use super::fields::{FieldReader, Parsed, RowIssues, constant};
use super::header_aliases::{LICENSE_FIELDS, SUBSCRIPTION_FIELDS};
use super::values::{DateOrder, DateValue};
use crate::base::error::InputError;
use crate::base::frame::{bool_col, date_col, i64_col, str_col};
use crate::model::Status;
use crate::model::issues::{Issue, IssueCode};
use crate::read::headers::ColumnMap;
use crate::read::table::Table;
use polars::prelude::*;

const DATE_FIELDS: &[&str] = &["end_date", "start_date", "suspended_on"];

/// The customer a `KEY=FILE` argument names: an id when it is a GUID, else a name.
fn key_customer(key: Option<&str>) -> (Option<String>, Option<String>) {
    match key {
        Some(k) if crate::base::text::is_guid(k) => (Some(k.to_string()), None),
        Some(k) => (None, Some(k.to_string())),
        None => (None, None),
    }
}

/// The canonical subscriptions frame's columns, in order.
pub const COLUMNS: &[(&str, DataType)] = &[
    ("file", DataType::String),
    ("row", DataType::Int64),
    ("customer_id", DataType::String),
    ("customer_name", DataType::String),
    ("customer_domain", DataType::String),
    ("subscription_id", DataType::String),
    ("offer_id", DataType::String),
    ("offer_name", DataType::String),
    ("friendly_name", DataType::String),
    ("quantity", DataType::Int64),
    ("status", DataType::String),
    ("auto_renew", DataType::Boolean),
    ("end_date", DataType::Date),
    ("start_date", DataType::Date),
    ("suspended_on", DataType::Date),
    ("billing_cycle", DataType::String),
    ("term", DataType::String),
];

/// The order a row's checks run in, which is the order of its issues.
mod stage {
    pub(super) const MISSING: u8 = 1;
    pub(super) const STATUS: u8 = 2;
    pub(super) const QUANTITY: u8 = 3;
    pub(super) const AUTO_RENEW: u8 = 4;
    pub(super) const DATES: u8 = 5;
    pub(super) const PLAUSIBLE: u8 = 6;
}

/// Reads one subscriptions table into canonical frame rows ([`COLUMNS`]). Rows that cannot be
/// used get an `error` issue and are left out; the caller counts them from the frame's height.
/// Also says how the file's date order was decided, for the run to compare its files.
pub fn read(
    file: &str,
    table: &Table,
    key: Option<&str>,
    date_order: Option<DateOrder>,
    issues: &mut Vec<Issue>,
) -> Result<(DataFrame, Verdict), InputError> {
    let fields = FieldReader::new(
        file,
        table,
        SUBSCRIPTION_FIELDS,
        DATE_FIELDS,
        date_order,
        issues,
    );
    check_columns(&fields, table, key)?;
    let mut row_issues = RowIssues::default();
    fields.warn_formula_errors(&mut row_issues);
    fields.warn_replaced_bytes(&mut row_issues);
    let fit = fields.rows_that_fit(&mut row_issues);
    let keep = usable_rows(&fields, &fit, key.is_some(), &mut row_issues);
    let values = Values::parse(&fields, &keep, &mut row_issues);
    values.warn_implausible_dates(&fields, &keep, &mut row_issues);
    row_issues.finish(issues);
    let frame = frame(&fields, &keep, key, &values).map_err(|e| InputError::Malformed {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    Ok((frame, fields.date_verdict()))
}

/// The table has what a subscription export needs (an id, an offer name and, without `KEY=`, a
/// customer column); a license export passed here is named for what it is.
fn check_columns(fields: &FieldReader, table: &Table, key: Option<&str>) -> Result<(), InputError> {
    let file = fields.file;
    let spec = |name: &str| {
        SUBSCRIPTION_FIELDS
            .iter()
            .find(|f| f.name == name)
            .expect("field")
    };
    for required in ["subscription_id", "offer_name"] {
        if !fields.has(required) {
            let licenses = ColumnMap::new(&table.headers, LICENSE_FIELDS);
            if let (Some(upn), Some(list)) = (
                licenses.get("user_principal_name"),
                licenses.get("licenses").or(licenses.get("license")),
            ) {
                return Err(InputError::WrongKind {
                    file: file.to_string(),
                    looks_like: "a Microsoft 365 user/license export",
                    evidence: format!("`{}` and `{}`", table.headers[upn], table.headers[list]),
                    wanted: "a subscription export",
                    flag: "--licenses",
                });
            }
            return Err(ColumnMap::missing(file, &table.headers, &[spec(required)]));
        }
    }
    if key.is_none() && !fields.has("customer_id") && !fields.has("customer_name") {
        return Err(InputError::NoCustomerColumn {
            file: file.to_string(),
            found: crate::read::headers::listed(&table.headers),
        });
    }
    Ok(())
}

/// The typed values of a table, each distinct text parsed once.
struct Values {
    status: Parsed<String>,
    quantity: Parsed<i64>,
    auto_renew: Parsed<bool>,
    /// One per [`DATE_FIELDS`].
    dates: Vec<Parsed<DateValue>>,
}

impl Values {
    /// Parses the typed fields, with a warning per kept row whose value could not be read.
    fn parse(fields: &FieldReader, keep: &[bool], row_issues: &mut RowIssues) -> Values {
        let values = Values {
            status: fields.parse("status", booleans_and_counts::parse_status_str, None),
            quantity: fields.quantities("quantity"),
            auto_renew: fields.bools("auto_renew"),
            dates: DATE_FIELDS.iter().map(|f| fields.dates(f)).collect(),
        };
        fields.warn_each(
            &values.status,
            "status",
            IssueCode::UnknownStatus,
            stage::STATUS,
            keep,
            row_issues,
            |written| {
                let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "status {written:?} is not one of {}; kept as written",
                    known.join(", ")
                )
            },
        );
        fields.warn_failures(
            &values.quantity,
            "quantity",
            IssueCode::InvalidQuantity,
            stage::QUANTITY,
            keep,
            row_issues,
        );
        fields.warn_failures(
            &values.auto_renew,
            "auto_renew",
            IssueCode::InvalidBoolean,
            stage::AUTO_RENEW,
            keep,
            row_issues,
        );
        for (field, parsed) in DATE_FIELDS.iter().zip(&values.dates) {
            fields.warn_failures(
                parsed,
                field,
                IssueCode::InvalidDate,
                stage::DATES,
                keep,
                row_issues,
            );
        }
        values
    }

    /// A warning on each kept row whose dates cannot all be right (a swapped day and month, a
    /// typing error): suspended before its start, or ending before it. (An end years after the
    /// start is normal: `EffectiveStartDate` is when a subscription renewed every year since
    /// began, 2017 for a Skype for Business Plan 1 ending in 2026.)
    fn warn_implausible_dates(&self, fields: &FieldReader, keep: &[bool], out: &mut RowIssues) {
        for i in (0..keep.len()).filter(|&i| keep[i]) {
            let [end, start, suspended] = [0, 1, 2].map(|at| self.dates[at].date(i));
            let Some(start) = start else { continue };
            let header = |field: &str| fields.header(field);
            let found = if let Some(s) = suspended.filter(|s| *s < start) {
                Some((
                    "suspended_on",
                    format!(
                        "suspended on {s}, before its start on {start}; one of the dates is \
                         wrong (or the file's order of day and month: --day-first, \
                         --month-first)"
                    ),
                ))
            } else {
                end.filter(|e| *e < start).map(|e| {
                    (
                        "end_date",
                        format!(
                            "ends on {e}, before its start on {start}; one of the dates is wrong"
                        ),
                    )
                })
            };
            if let Some((field, message)) = found {
                out.push(
                    i,
                    stage::PLAUSIBLE,
                    Issue::warning(
                        fields.file,
                        fields.row(i),
                        &header(field),
                        IssueCode::ImplausibleDates,
                        message,
                    ),
                );
            }
        }
    }

    /// The status of row `i` as the frame holds it: known ones lower-cased, others as written,
    /// an empty one `active`.
    fn status(&self, i: usize) -> &str {
        match self.status.outcome(i) {
            None => Status::Active.as_str(),
            Some(Ok(lower)) => lower.as_str(),
            Some(Err(written)) => written.as_str(),
        }
    }
}

/// The canonical frame ([`COLUMNS`]) of the kept rows.
fn frame(
    fields: &FieldReader,
    keep: &[bool],
    key: Option<&str>,
    values: &Values,
) -> PolarsResult<DataFrame> {
    let (key_id, key_name) = key_customer(key);
    let kept: Vec<usize> = (0..keep.len()).filter(|&i| keep[i]).collect();
    let mask = BooleanChunked::from_slice("keep".into(), keep);
    let text = |field: &str, fill: Option<&str>| fields.text_where(field, &mask, fill);
    let date = |at: usize| {
        date_col(
            DATE_FIELDS[at],
            kept.iter().map(|&i| values.dates[at].date(i)),
        )
    };
    let rows = || kept.iter().copied();
    DataFrame::new_infer_height(vec![
        constant("file".into(), Some(fields.file), kept.len()),
        i64_col("row", rows().map(|i| Some(fields.row(i) as i64))),
        text("customer_id", key_id.as_deref())?,
        text("customer_name", key_name.as_deref())?,
        text("customer_domain", None)?,
        text("subscription_id", None)?,
        text("offer_id", None)?,
        text("offer_name", None)?,
        text("friendly_name", None)?,
        i64_col(
            "quantity",
            rows().map(|i| values.quantity.value(i).copied()),
        ),
        str_col("status", rows().map(|i| Some(values.status(i)))),
        bool_col(
            "auto_renew",
            rows().map(|i| values.auto_renew.value(i).copied()),
        ),
        date(0),
        date(1),
        date(2),
        text("billing_cycle", None)?,
        text("term", None)?,
    ])
}

/// Which of the rows that `fit` under the header have what a subscription needs (id, offer name,
/// a customer); each other such row gets one error issue.
fn usable_rows(fields: &FieldReader, fit: &[bool], keyed: bool, out: &mut RowIssues) -> Vec<bool> {
    let (ids, offers) = (
        fields.text("subscription_id").expect("checked"),
        fields.text("offer_name").expect("checked"),
    );
    let (customer_ids, customer_names) = (fields.text("customer_id"), fields.text("customer_name"));
    let missing = |i: usize, field: &str, what: &str| {
        Issue::error(
            fields.file,
            fields.row(i),
            Some(&fields.header(field)),
            IssueCode::MissingValue,
            format!("{what} is empty; the row is skipped (fill it in and re-run)"),
        )
    };
    (0..fields.height())
        .map(|i| {
            if !fit[i] {
                return false;
            }
            let problem = if ids.get(i).is_none() {
                Some(missing(i, "subscription_id", "the subscription id"))
            } else if offers.get(i).is_none() {
                Some(missing(i, "offer_name", "the offer name"))
            } else if !keyed
                && customer_ids.and_then(|c| c.get(i)).is_none()
                && customer_names.and_then(|c| c.get(i)).is_none()
            {
                let column = if fields.has("customer_id") {
                    "customer_id"
                } else {
                    "customer_name"
                };
                Some(missing(i, column, "the customer (id and name)"))
            } else {
                None
            };
            problem
                .map(|issue| out.push(i, stage::MISSING, issue))
                .is_none()
        })
        .collect()
}
