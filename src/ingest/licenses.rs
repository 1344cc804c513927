//! Microsoft 365 user/license exports (docs/rules.md §2.2), wide (`Licenses` joined with `+`) or
//! long (one row per user and license) → the canonical licenses frame: a long row per user and
//! license (a row without a license for an unlicensed user), a wide row per user with its
//! `Licenses` cell as read. Ingest knows no product: the analysis splits the cells
//! (`analyze::license_cells`), because only the SKU table and the catalog know which `+` joins
//! two licenses and which belongs to a product's name.

use super::fields::{FieldReader, Parsed, RowIssues, constant};
use super::header_aliases::{LICENSE_FIELDS, SUBSCRIPTION_FIELDS};
use super::values::DateValue;
use crate::base::error::InputError;
use crate::base::frame::{bool_col, date_col, i64_col, str_col};
use crate::model::issues::{FileKind, Issue, IssueCode, Severity};
use crate::read::headers::ColumnMap;
use crate::read::table::Table;
use polars::prelude::*;

/// The canonical licenses frame's columns, in order. A long export gives one row per user and
/// license (a user row without a license gives one row whose `license` is null); a wide export
/// one row per user, whose `license` is its `+`-joined `Licenses` cell and `licenses_joined` is
/// true.
pub const COLUMNS: &[(&str, DataType)] = &[
    ("file", DataType::String),
    ("row", DataType::Int64),
    ("file_key", DataType::String),
    ("customer_id", DataType::String),
    ("customer_name", DataType::String),
    ("customer_domain", DataType::String),
    ("user_principal_name", DataType::String),
    ("display_name", DataType::String),
    ("license", DataType::String),
    ("licenses_joined", DataType::Boolean),
    ("department", DataType::String),
    ("title", DataType::String),
    ("usage_location", DataType::String),
    ("preferred_language", DataType::String),
    ("block_credential", DataType::Boolean),
    ("report_refresh_date", DataType::Date),
];

/// Which shape a table has, from its headers.
fn shape(file: &str, table: &Table) -> Result<FileKind, InputError> {
    let map = ColumnMap::new(&table.headers, LICENSE_FIELDS);
    if map.get("licenses").is_some() {
        Ok(FileKind::LicensesWide)
    } else if map.get("license").is_some() {
        Ok(FileKind::LicensesLong)
    } else if let Some((id, offer)) = {
        let subscriptions = ColumnMap::new(&table.headers, SUBSCRIPTION_FIELDS);
        subscriptions
            .get("subscription_id")
            .zip(subscriptions.get("offer_name"))
    } {
        Err(InputError::WrongKind {
            file: file.to_string(),
            looks_like: "a Partner Center subscription export",
            evidence: format!("`{}` and `{}`", table.headers[id], table.headers[offer]),
            wanted: "a license export",
            flag: "--subscriptions",
        })
    } else {
        Err(InputError::UnknownLicenseShape {
            file: file.to_string(),
            found: crate::read::headers::listed(&table.headers),
        })
    }
}

/// The usage reports' date column.
const REFRESH_DATE: &[&str] = &["report_refresh_date"];

/// The order a row's checks run in, which is the order of its issues.
mod stage {
    pub(super) const MISSING: u8 = 1;
    pub(super) const BLOCK_CREDENTIAL: u8 = 2;
}

/// Reads one license table into canonical frame rows ([`COLUMNS`]); returns the frame, the
/// number of input rows used and the shape.
pub fn read(
    file: &str,
    table: &Table,
    key: Option<&str>,
    issues: &mut Vec<Issue>,
) -> Result<(DataFrame, usize, FileKind), InputError> {
    let kind = shape(file, table)?;
    let fields = FieldReader::new(file, table, LICENSE_FIELDS, REFRESH_DATE, None, issues);
    let upns = user_names(&fields, table, kind, key, issues)?;
    let mut row_issues = RowIssues::default();
    fields.warn_formula_errors(&mut row_issues);
    fields.warn_replaced_bytes(&mut row_issues);
    let fit = fields.rows_that_fit(&mut row_issues);
    let keep = usable_rows(&fields, upns, &fit, &mut row_issues);
    let block_credential = fields.bools("block_credential");
    let refreshed = fields.dates("report_refresh_date");
    fields.warn_failures(
        &block_credential,
        "block_credential",
        IssueCode::InvalidBoolean,
        stage::BLOCK_CREDENTIAL,
        &keep,
        &mut row_issues,
    );
    row_issues.finish(issues);

    let rows: Vec<IdxSize> = (keep.iter().enumerate())
        .filter(|(_, k)| **k)
        .map(|(i, _)| i as IdxSize)
        .collect();
    let used = rows.len();
    let taken = IdxCa::from_vec("rows".into(), rows);
    let malformed = |e: PolarsError| InputError::Malformed {
        file: file.to_string(),
        message: e.to_string(),
    };
    let licenses = license_column(&fields, kind, &taken).map_err(&malformed)?;
    let joined = kind == FileKind::LicensesWide;
    let frame = frame(
        &fields,
        &taken,
        key,
        (licenses, joined),
        (&block_credential, &refreshed),
    )
    .map_err(&malformed)?;
    Ok((frame, used, kind))
}

/// The user principal names: a table without them is not a per-user export; concealed ones
/// (a usage report's hashes) are read only where a customer column or `KEY=` says whose they
/// are, with one warning.
fn user_names<'f>(
    fields: &'f FieldReader,
    table: &Table,
    kind: FileKind,
    key: Option<&str>,
    issues: &mut Vec<Issue>,
) -> Result<&'f StringChunked, InputError> {
    let file = fields.file;
    let Some(upns) = fields.text("user_principal_name") else {
        return Err(InputError::NotPerUser {
            file: file.to_string(),
            license: fields.header(if kind == FileKind::LicensesWide {
                "licenses"
            } else {
                "license"
            }),
            found: crate::read::headers::listed(&table.headers),
        });
    };
    if let Some(example) = concealed(upns) {
        if key.is_none() && !fields.has("customer_id") && !fields.has("customer_name") {
            return Err(InputError::ConcealedNames {
                file: file.to_string(),
                example,
            });
        }
        issues.push(Issue::new(
            file,
            None,
            Some(&fields.header("user_principal_name")),
            Severity::Warning,
            IssueCode::ConcealedNames,
            format!(
                "the user names are concealed (like `{example}`); the runbook and the step B \
                 script list them as they are, so look users up in the admin center, or export \
                 the report with concealed names turned off"
            ),
        ));
    }
    Ok(upns)
}

/// The rows that fit under the header and name a user; each other fitting row gets an error.
fn usable_rows(
    fields: &FieldReader,
    upns: &StringChunked,
    fit: &[bool],
    row_issues: &mut RowIssues,
) -> Vec<bool> {
    let upn_header = fields.header("user_principal_name");
    (upns.iter().enumerate())
        .map(|(i, upn)| {
            if !fit[i] {
                return false;
            }
            if upn.is_none() {
                row_issues.push(
                    i,
                    stage::MISSING,
                    Issue::error(
                        fields.file,
                        fields.row(i),
                        Some(&upn_header),
                        IssueCode::MissingValue,
                        "the user principal name is empty; the row is skipped".into(),
                    ),
                );
            }
            upn.is_some()
        })
        .collect()
}

/// The `license` column of the kept rows: a wide export's `Licenses` cell as read (split in
/// analysis), a long export's license with `Unlicensed` as none.
fn license_column(fields: &FieldReader, kind: FileKind, taken: &IdxCa) -> PolarsResult<Column> {
    let as_license = |column: PolarsResult<Column>| column.map(|c| c.with_name("license".into()));
    if kind == FileKind::LicensesWide {
        return as_license(fields.text_taken("licenses", taken));
    }
    let column = fields.text("license").expect("a long table has `license`");
    let unlicensed = |l: &str| l.eq_ignore_ascii_case("unlicensed");
    if !column.iter().flatten().any(unlicensed) {
        return as_license(fields.text_taken("license", taken));
    }
    Ok(str_col(
        "license",
        (taken.into_no_null_iter()).map(|i| column.get(i as usize).filter(|l| !unlicensed(l))),
    ))
}

/// A Microsoft 365 usage report with concealed names writes a 32-digit hex hash (or
/// `Sanitized`) in place of every user principal name: the first, when every name is one.
fn concealed(upns: &StringChunked) -> Option<String> {
    let is_concealed = |upn: &str| {
        upn.eq_ignore_ascii_case("sanitized")
            || (upn.len() == 32 && upn.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut names = upns.iter().flatten().peekable();
    let first = (*names.peek()?).to_string();
    names.all(is_concealed).then_some(first)
}

fn frame(
    fields: &FieldReader,
    taken: &IdxCa,
    key: Option<&str>,
    (licenses, joined): (Column, bool),
    (block_credential, refreshed): (&Parsed<bool>, &Parsed<DateValue>),
) -> PolarsResult<DataFrame> {
    let len = taken.len();
    let text = |field: &str| fields.text_taken(field, taken);
    let rows = || taken.into_no_null_iter().map(|i| i as usize);
    DataFrame::new_infer_height(vec![
        constant("file".into(), Some(fields.file), len),
        i64_col("row", rows().map(|i| Some(fields.row(i) as i64))),
        constant("file_key".into(), key, len),
        text("customer_id")?,
        text("customer_name")?,
        text("customer_domain")?,
        text("user_principal_name")?,
        text("display_name")?,
        licenses,
        bool_col("licenses_joined", std::iter::repeat_n(Some(joined), len)),
        text("department")?,
        text("title")?,
        text("usage_location")?,
        text("preferred_language")?,
        bool_col(
            "block_credential",
            rows().map(|i| block_credential.value(i).copied()),
        ),
        date_col("report_refresh_date", rows().map(|i| refreshed.date(i))),
    ])
}
