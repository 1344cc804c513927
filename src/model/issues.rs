//! Data-quality findings and per-file input accounting.
//!
//! Every ingest and attribution step records what it could not use (or used with a caveat) as an
//! [`Issue`]; every input file gets a [`FileAccounting`] whose counts add up. Both travel into
//! the `Report` unchanged, so every exporter shows the same findings.

pub use super::vocab::IssueCode;
use crate::base::text::bounded;
use serde::Serialize;
use std::borrow::Cow;

/// How bad an issue is: `error` means the row was not used, `warning` means used with a caveat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row was not used.
    Error,
    /// The row was used with a caveat.
    Warning,
}

impl Severity {
    /// The lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding about one input row (or one file / column when `row` is empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    /// The input file as given on the command line.
    pub file: String,
    /// 1-based row as a spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    /// The header of the column concerned, as written in the file.
    pub column: Option<String>,
    /// `error` (row not used) or `warning` (used with a caveat).
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `invalid-date`.
    pub code: IssueCode,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Issue {
    /// A warning about one cell.
    pub fn warning(
        file: &str,
        row: usize,
        column: &str,
        code: IssueCode,
        message: String,
    ) -> Issue {
        Issue::new(
            file,
            Some(row),
            Some(column),
            Severity::Warning,
            code,
            message,
        )
    }

    /// An error about one row (the row is not used).
    pub fn error(
        file: &str,
        row: usize,
        column: Option<&str>,
        code: IssueCode,
        message: String,
    ) -> Issue {
        Issue::new(file, Some(row), column, Severity::Error, code, message)
    }

    /// Any issue.
    pub fn new(
        file: &str,
        row: Option<usize>,
        column: Option<&str>,
        severity: Severity,
        code: IssueCode,
        message: String,
    ) -> Issue {
        Issue {
            file: file.to_string(),
            row,
            column: column.map(|c| bounded(c, MAX_COLUMN_CHARS).into_owned()),
            severity,
            code,
            message: match bounded(&message, MAX_MESSAGE_CHARS) {
                Cow::Borrowed(_) => message,
                Cow::Owned(cut) => cut,
            },
        }
    }
}

/// The longest issue message kept (a message quotes values, and a value can be megabytes).
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// The longest column header kept in an issue.
pub const MAX_COLUMN_CHARS: usize = 200;

/// What kind of export a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A Partner Center subscriptions export.
    Subscriptions,
    /// A Microsoft 365 user/license export, one row per user (`Licenses` joined with `+`).
    LicensesWide,
    /// A user/license export with one row per user and license.
    LicensesLong,
}

impl FileKind {
    /// How the terminal names the kind: what a row of the file is.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Subscriptions => "subscriptions",
            FileKind::LicensesWide => "users, a row per user",
            FileKind::LicensesLong => "licenses, a row per user and license",
        }
    }
}

/// Per-file accounting: `rows_read = rows_used + rows_rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileAccounting {
    /// The input file as given on the command line.
    pub file: String,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// How the file was read.
    pub kind: FileKind,
    /// Data rows read (header and blank rows excluded).
    pub rows_read: usize,
    /// Rows that reached the analysis.
    pub rows_used: usize,
    /// Rows not used; each has an `error` issue.
    pub rows_rejected: usize,
    /// Completely empty rows, skipped (not counted in `rows_read`).
    pub blank_rows: usize,
    /// Which header was read as which field (`check` prints it), in field order.
    #[serde(skip)]
    pub columns: Vec<(&'static str, String)>,
}

impl FileAccounting {
    /// Moves one row of `file` from used to rejected (a later step found it unusable), keeping
    /// the counts adding up.
    pub fn reject_one(accounting: &mut [FileAccounting], file: &str) {
        if let Some(a) = accounting.iter_mut().find(|a| a.file == file) {
            a.rows_used -= 1;
            a.rows_rejected += 1;
        }
    }

    /// Whether the counts add up; a broken invariant is a bug, never an input problem.
    pub fn adds_up(&self) -> bool {
        self.rows_read == self.rows_used + self.rows_rejected
    }
}
