//! Microsoft 365 user/license exports (DOMAIN.md §2.2), wide (`Licenses` joined with `+`) or
//! long (one row per user and license) → one canonical record per user and license, plus one
//! record without a license for each unlicensed user row.

use super::fields::FieldReader;
use super::headers::{ColumnMap, LICENSE_FIELDS};
use super::table::RawTable;
use crate::error::InputError;
use crate::frame::{bool_col, i64_col, str_col};
use crate::issues::{FileKind, Issue, IssueCode};
use crate::resolve::Resolver;
use polars::prelude::*;
use std::sync::Arc;

/// One user × license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseRecord {
    /// The input file as given (shared by every record of the file).
    pub file: Arc<str>,
    /// 1-based spreadsheet row of the user row.
    pub row: usize,
    /// The `KEY` of `--licenses KEY=FILE`.
    pub file_key: Option<Arc<str>>,
    /// Customer id, from the row's own column.
    pub customer_id: Option<String>,
    /// Customer name, from the row's own column.
    pub customer_name: Option<String>,
    /// Customer domain, from the row's own column.
    pub customer_domain: Option<String>,
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// One license as written (trimmed); `None` for an unlicensed user.
    pub license: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Usage location.
    pub usage_location: Option<String>,
    /// Sign-in blocked.
    pub block_credential: Option<bool>,
}

/// Which shape a table has, from its headers.
fn shape(file: &str, table: &RawTable) -> Result<FileKind, InputError> {
    let map = ColumnMap::new(&table.headers, LICENSE_FIELDS);
    if map.get("licenses").is_some() {
        Ok(FileKind::LicensesWide)
    } else if map.get("license").is_some() {
        Ok(FileKind::LicensesLong)
    } else {
        Err(InputError::UnknownLicenseShape {
            file: file.to_string(),
            found: table.headers.join(", "),
        })
    }
}

/// Reads one license table; returns the records, the number of rows used and the shape.
pub fn read(
    file: &str,
    table: &RawTable,
    key: Option<&str>,
    resolver: &Resolver,
    issues: &mut Vec<Issue>,
) -> Result<(Vec<LicenseRecord>, usize, FileKind), InputError> {
    let kind = shape(file, table)?;
    let fields = FieldReader::new(file, table, LICENSE_FIELDS, &[], false, issues);
    if !fields.has("user_principal_name") {
        let spec = LICENSE_FIELDS
            .iter()
            .find(|f| f.name == "user_principal_name")
            .expect("field");
        return Err(ColumnMap::missing(file, &table.headers, &[spec]));
    }
    let mut records = Vec::new();
    let mut used = 0;
    let (shared_file, shared_key): (Arc<str>, Option<Arc<str>>) = (file.into(), key.map(Arc::from));
    // Real exports repeat the same license combinations on many rows: split each once.
    let mut splits: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for row in &table.rows {
        fields.check_extra_cells(row, issues);
        let Some(upn) = fields.text(row, "user_principal_name") else {
            issues.push(Issue::error(
                file,
                row.row,
                Some(&fields.header("user_principal_name")),
                IssueCode::MissingValue,
                "the user principal name is empty; the row is skipped".into(),
            ));
            continue;
        };
        let licenses: Vec<Option<String>> = match kind {
            FileKind::LicensesWide => {
                let cell = fields.text(row, "licenses").unwrap_or_default();
                let split = splits
                    .entry(cell)
                    .or_insert_with_key(|cell| resolver.split_licenses(cell))
                    .clone();
                if split.is_empty() {
                    vec![None]
                } else {
                    split.into_iter().map(Some).collect()
                }
            }
            _ => vec![
                fields
                    .text(row, "license")
                    .filter(|l| !l.eq_ignore_ascii_case("unlicensed")),
            ],
        };
        let block_credential = fields.bool(row, "block_credential", issues);
        used += 1;
        for license in licenses {
            records.push(LicenseRecord {
                file: Arc::clone(&shared_file),
                row: row.row,
                file_key: shared_key.clone(),
                customer_id: fields.text(row, "customer_id"),
                customer_name: fields.text(row, "customer_name"),
                customer_domain: fields.text(row, "customer_domain"),
                user_principal_name: upn.clone(),
                display_name: fields.text(row, "display_name"),
                license,
                department: fields.text(row, "department"),
                title: fields.text(row, "title"),
                usage_location: fields.text(row, "usage_location"),
                block_credential,
            });
        }
    }
    Ok((records, used, kind))
}

/// The canonical licenses frame (long: one row per user and license).
pub fn to_frame(records: &[LicenseRecord]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&LicenseRecord) -> Option<&str>| records.iter().map(f).collect::<Vec<_>>();
    DataFrame::new_infer_height(vec![
        str_col("file", s(|r| Some(&*r.file))),
        i64_col("row", records.iter().map(|r| Some(r.row as i64))),
        str_col("file_key", s(|r| r.file_key.as_deref())),
        str_col("customer_id", s(|r| r.customer_id.as_deref())),
        str_col("customer_name", s(|r| r.customer_name.as_deref())),
        str_col("customer_domain", s(|r| r.customer_domain.as_deref())),
        str_col(
            "user_principal_name",
            s(|r| Some(r.user_principal_name.as_str())),
        ),
        str_col("display_name", s(|r| r.display_name.as_deref())),
        str_col("license", s(|r| r.license.as_deref())),
        str_col("department", s(|r| r.department.as_deref())),
        str_col("title", s(|r| r.title.as_deref())),
        str_col("usage_location", s(|r| r.usage_location.as_deref())),
        bool_col(
            "block_credential",
            records.iter().map(|r| r.block_credential),
        ),
    ])
}
