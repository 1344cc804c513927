//! Partner Center subscription exports (DOMAIN.md §2.1) → canonical records and frame.

use super::fields::FieldReader;
use super::headers::{CUSTOMER_ID, CUSTOMER_NAME, ColumnMap, SUBSCRIPTION_FIELDS};
use super::table::RawTable;
use super::values;
use crate::error::InputError;
use crate::frame::{bool_col, date_col, i64_col, str_col};
use crate::issues::{Issue, IssueCode};
use chrono::NaiveDate;
use polars::prelude::*;

/// One subscription row, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionRecord {
    /// The input file as given.
    pub file: std::sync::Arc<str>,
    /// 1-based spreadsheet row.
    pub row: usize,
    /// Customer tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Customer primary domain.
    pub customer_domain: Option<String>,
    /// Partner Center subscription id.
    pub subscription_id: String,
    /// Offer id.
    pub offer_id: Option<String>,
    /// Offer (product) name.
    pub offer_name: String,
    /// Partner nickname.
    pub friendly_name: Option<String>,
    /// Licence count.
    pub quantity: Option<i64>,
    /// Lower-case status (`active` when empty).
    pub status: String,
    /// Auto renew (`None` = unknown).
    pub auto_renew: Option<bool>,
    /// Commitment end (`None` also for year 9999).
    pub end_date: Option<NaiveDate>,
    /// Effective start.
    pub start_date: Option<NaiveDate>,
    /// When the subscription was suspended.
    pub suspended_on: Option<NaiveDate>,
    /// Billing cycle as written.
    pub billing_cycle: Option<String>,
    /// Term as written.
    pub term: Option<String>,
}

const DATE_FIELDS: &[&str] = &["end_date", "start_date", "suspended_on"];

/// The customer a `KEY=FILE` argument names: an id when it looks like a GUID, else a name.
fn key_customer(key: Option<&str>) -> (Option<String>, Option<String>) {
    match key {
        Some(k) if k.len() == 36 && k.chars().filter(|c| *c == '-').count() == 4 => {
            (Some(k.to_string()), None)
        }
        Some(k) => (None, Some(k.to_string())),
        None => (None, None),
    }
}

/// Reads one subscriptions table. Rows that cannot be used get an `error` issue and are left
/// out; the caller counts them.
pub fn read(
    file: &str,
    table: &RawTable,
    key: Option<&str>,
    day_first: bool,
    issues: &mut Vec<Issue>,
) -> Result<Vec<SubscriptionRecord>, InputError> {
    let fields = FieldReader::new(
        file,
        table,
        SUBSCRIPTION_FIELDS,
        DATE_FIELDS,
        day_first,
        issues,
    );
    let spec = |name: &str| {
        SUBSCRIPTION_FIELDS
            .iter()
            .find(|f| f.name == name)
            .expect("field")
    };
    for required in ["subscription_id", "offer_name"] {
        if !fields.has(required) {
            return Err(ColumnMap::missing(file, &table.headers, &[spec(required)]));
        }
    }
    let (key_id, key_name) = key_customer(key);
    if key.is_none() && !fields.has("customer_id") && !fields.has("customer_name") {
        return Err(ColumnMap::missing(
            file,
            &table.headers,
            &[&CUSTOMER_ID, &CUSTOMER_NAME],
        ));
    }
    let mut records = Vec::with_capacity(table.rows.len());
    let shared_file: std::sync::Arc<str> = file.into();
    for row in &table.rows {
        fields.check_extra_cells(row, issues);
        let missing = |field: &str, what: &str| {
            Issue::error(
                file,
                row.row,
                Some(&fields.header(field)),
                IssueCode::MissingValue,
                format!("{what} is empty; the row is skipped (fill it in and re-run)"),
            )
        };
        let Some(subscription_id) = fields.text(row, "subscription_id") else {
            issues.push(missing("subscription_id", "the subscription id"));
            continue;
        };
        let Some(offer_name) = fields.text(row, "offer_name") else {
            issues.push(missing("offer_name", "the offer name"));
            continue;
        };
        let customer_id = fields.text(row, "customer_id").or_else(|| key_id.clone());
        let customer_name = fields
            .text(row, "customer_name")
            .or_else(|| key_name.clone());
        if customer_id.is_none() && customer_name.is_none() {
            let column = if fields.has("customer_id") {
                "customer_id"
            } else {
                "customer_name"
            };
            issues.push(missing(column, "the customer (id and name)"));
            continue;
        }
        let status = match values::parse_status(fields.cell(row, "status")) {
            Ok(status) => status,
            Err(written) => {
                issues.push(Issue::warning(
                    file,
                    row.row,
                    &fields.header("status"),
                    IssueCode::UnknownStatus,
                    format!(
                        "status {written:?} is not one of {}; kept as written",
                        values::KNOWN_STATUSES.join(", ")
                    ),
                ));
                written
            }
        };
        records.push(SubscriptionRecord {
            file: std::sync::Arc::clone(&shared_file),
            row: row.row,
            customer_id,
            customer_name,
            customer_domain: fields.text(row, "customer_domain"),
            subscription_id,
            offer_id: fields.text(row, "offer_id"),
            offer_name,
            friendly_name: fields.text(row, "friendly_name"),
            quantity: fields.quantity(row, "quantity", issues),
            status,
            auto_renew: fields.bool(row, "auto_renew", issues),
            end_date: fields.date(row, "end_date", issues),
            start_date: fields.date(row, "start_date", issues),
            suspended_on: fields.date(row, "suspended_on", issues),
            billing_cycle: fields.text(row, "billing_cycle"),
            term: fields.text(row, "term"),
        });
    }
    Ok(records)
}

/// The canonical subscriptions frame: one row per record, typed columns.
pub fn to_frame(records: &[SubscriptionRecord]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&SubscriptionRecord) -> Option<&str>| records.iter().map(f).collect::<Vec<_>>();
    let d = |f: fn(&SubscriptionRecord) -> Option<NaiveDate>| records.iter().map(f);
    DataFrame::new_infer_height(vec![
        str_col("file", s(|r| Some(&*r.file))),
        i64_col("row", records.iter().map(|r| Some(r.row as i64))),
        str_col("customer_id", s(|r| r.customer_id.as_deref())),
        str_col("customer_name", s(|r| r.customer_name.as_deref())),
        str_col("customer_domain", s(|r| r.customer_domain.as_deref())),
        str_col("subscription_id", s(|r| Some(r.subscription_id.as_str()))),
        str_col("offer_id", s(|r| r.offer_id.as_deref())),
        str_col("offer_name", s(|r| Some(r.offer_name.as_str()))),
        str_col("friendly_name", s(|r| r.friendly_name.as_deref())),
        i64_col("quantity", records.iter().map(|r| r.quantity)),
        str_col("status", s(|r| Some(r.status.as_str()))),
        bool_col("auto_renew", records.iter().map(|r| r.auto_renew)),
        date_col("end_date", d(|r| r.end_date)),
        date_col("start_date", d(|r| r.start_date)),
        date_col("suspended_on", d(|r| r.suspended_on)),
        str_col("billing_cycle", s(|r| r.billing_cycle.as_deref())),
        str_col("term", s(|r| r.term.as_deref())),
    ])
}
