//! Typed errors that stop a run (exit status 2) and that tests tell apart. Row-level problems
//! are not errors but [`crate::model::issues::Issue`]s.

use thiserror::Error;

/// An input that cannot be read at all.
#[derive(Debug, Error)]
pub enum InputError {
    /// The file does not exist or cannot be opened.
    #[error("cannot read `{file}`: {error}")]
    Unreadable {
        /// The path as given.
        file: String,
        /// The I/O error (shown in the message, not chained, so it is said once).
        error: std::io::Error,
    },
    /// The file does not exist.
    #[error("cannot read `{file}`: there is no such file{hint}")]
    NotFound {
        /// The path as given.
        file: String,
        /// `; did you mean …?` with the nearest names in its folder, or nothing.
        hint: String,
    },
    /// The path is a FIFO, a device, a socket or a directory.
    #[error(
        "cannot read `{file}`: it is {kind}, not a regular file; save the export to a file and \
         pass that file"
    )]
    NotAFile {
        /// The path as given.
        file: String,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is over the size limit.
    #[error(
        "cannot read `{file}`: it is {size} bytes, over the limit of {limit} bytes; check that \
         this is an export and not another file"
    )]
    TooLarge {
        /// The path as given.
        file: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is Excel's lock file of a workbook (`~$name.xlsx`), there while it is open.
    #[error(
        "`{file}` is Excel's lock file of `{workbook}` (Excel keeps it while the workbook is \
         open), not an export: close Excel, or pass `{workbook}` itself"
    )]
    LockFile {
        /// The path as given.
        file: String,
        /// The workbook it locks, by name.
        workbook: String,
    },
    /// The file is not valid CSV or spreadsheet data.
    #[error("cannot parse `{file}`: {message}")]
    Malformed {
        /// The path as given.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A required column is missing.
    #[error(
        "`{file}` has no `{field}` column; columns found: {found}; accepted headers: {accepted} \
         (rename a column, or check that this is the right export)"
    )]
    MissingColumn {
        /// The path as given.
        file: String,
        /// The canonical field(s), `a` or `b`.
        field: String,
        /// The headers the file has.
        found: String,
        /// The headers that would have matched.
        accepted: String,
    },
    /// A license file is neither wide nor long.
    #[error(
        "`{file}` is not a license export: it needs a `Licenses`/`Assigned Products` column \
         (one row per user) or a `SkuPartNumber`/`SkuId`/`License`/`Product` column (one row per \
         user and license); columns found: {found}"
    )]
    UnknownLicenseShape {
        /// The path as given.
        file: String,
        /// The headers the file has.
        found: String,
    },
    /// A file of one kind passed where the other kind is read.
    #[error(
        "`{file}` looks like {looks_like} (it has {evidence}), not {wanted}; pass it with `{flag}`"
    )]
    WrongKind {
        /// The path as given.
        file: String,
        /// What the file looks like.
        looks_like: &'static str,
        /// The headers that say so.
        evidence: String,
        /// What the flag reads.
        wanted: &'static str,
        /// The flag that reads it.
        flag: &'static str,
    },
    /// A subscription export without a customer column, passed without `KEY=`.
    #[error(
        "`{file}` has no customer column (`CustomerId`, `CustomerName`, …): an export made per \
         customer (the Partner Center web page, `Get-PartnerCustomerSubscription`) does not name \
         its customer, so pass it as `--subscriptions \"CUSTOMER=FILE\"` with the customer's \
         tenant id or name; columns found: {found}"
    )]
    NoCustomerColumn {
        /// The path as given.
        file: String,
        /// The headers the file has.
        found: String,
    },
    /// A table of licenses without a user column (tenant counts, one user's licenseDetails).
    #[error(
        "`{file}` is not a per-user license export: it has licenses (`{license}`) but no user \
         column (`User principal name`, `UserPrincipalName`, `UPN` or `UserEmail`), so it cannot \
         say who holds what (a tenant's license counts or one user's licenseDetails look like \
         this); export the users with their licenses instead (Microsoft 365 admin center > Users \
         > Active users > Export users); columns found: {found}"
    )]
    NotPerUser {
        /// The path as given.
        file: String,
        /// The header read as licenses.
        license: String,
        /// The headers the file has.
        found: String,
    },
    /// A license export whose user names are concealed, with nothing else to attribute it by.
    #[error(
        "`{file}` conceals its user names (every one is like `{example}`), so its users cannot be \
         matched to a customer by domain; pass it as `--licenses \"CUSTOMER=FILE\"`, or turn off \
         \"Display concealed user, group, and site names\" (Microsoft 365 admin center > \
         Settings > Org settings > Reports) and export it again"
    )]
    ConcealedNames {
        /// The path as given.
        file: String,
        /// The first concealed name.
        example: String,
    },
    /// A catalog file is not valid.
    #[error("invalid catalog `{file}`: {message}")]
    Catalog {
        /// The path (or `built-in`).
        file: String,
        /// What is wrong, with the line.
        message: String,
    },
    /// A SKU table file is not valid.
    #[error("invalid SKU table `{file}`: {message}")]
    Skus {
        /// The path (or `built-in`).
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// `; did you mean `a` or `b`?` with the (up to three) best-scored names at or above `threshold`
/// (a higher score is nearer; ties by name), or nothing when none is near enough.
pub fn did_you_mean<'a>(
    scored: impl IntoIterator<Item = (f64, &'a str)>,
    threshold: f64,
) -> String {
    let mut near: Vec<(f64, &str)> = scored
        .into_iter()
        .filter(|(score, _)| *score >= threshold)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    near.dedup_by(|a, b| a.1 == b.1);
    let names: Vec<String> = near
        .into_iter()
        .take(3)
        .map(|(_, name)| format!("`{name}`"))
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(" or "))
    }
}
