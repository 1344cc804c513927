//! Ingest: reads subscription and license exports (CSV in any dialect, or spreadsheets) into
//! canonical polars frames, recording every row it cannot use as an issue and accounting for
//! every row read.

pub mod booleans_and_counts;
pub mod columns;
pub mod date_order;
pub mod fields;
pub mod header_aliases;
pub mod licenses;
pub mod subscriptions;
mod superseded;
pub mod values;

use crate::base::error::InputError;
use crate::model::issues::{FileAccounting, FileKind, Issue, IssueCode, Severity};
use crate::read::table::{Keep, Table};
use crate::read::{DATA_EXTENSIONS, extension, limits, read_table};
use anyhow::{Context, Result};
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One input file, optionally tied to a customer (`KEY=FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The customer id, name or domain the file belongs to.
    pub key: Option<String>,
    /// The path.
    pub path: PathBuf,
    /// How outputs and messages name the file (the path as given).
    pub name: String,
    /// Found in a folder given on the command line (not named itself): a file there that is
    /// not an export of the kind asked for is skipped with a warning, not an error.
    pub in_folder: bool,
}

impl InputFile {
    /// Parses `FILE` or `KEY=FILE` (an existing path containing `=` is taken as a path).
    pub fn parse(arg: &str) -> InputFile {
        let keyed = |key: &str, path: &str| InputFile {
            key: Some(key.to_string()),
            path: PathBuf::from(path),
            // An empty file part keeps the argument as written, for its message.
            name: if path.is_empty() { arg } else { path }.to_string(),
            in_folder: false,
        };
        if !Path::new(arg).exists() {
            // A key may hold `=` itself (`Contoso=Ltd=FILE`): the split is the last `=` that
            // leaves an existing file, else the last `=` (its file part is then named as missing).
            let splits: Vec<(&str, &str)> = (arg.match_indices('='))
                .map(|(i, _)| (&arg[..i], &arg[i + 1..]))
                .filter(|(key, _)| !key.is_empty())
                .collect();
            let existing = splits
                .iter()
                .rev()
                .find(|(_, path)| Path::new(path).exists());
            if let Some((key, path)) = existing.or(splits.last()) {
                return keyed(key, path);
            }
        }
        InputFile {
            key: None,
            path: PathBuf::from(arg),
            name: arg.to_string(),
            in_folder: false,
        }
    }

    /// The path as shown in messages and outputs.
    pub fn label(&self) -> String {
        self.name.clone()
    }
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct InputSpec {
    /// Subscription exports.
    pub subscriptions: Vec<InputFile>,
    /// License exports or directories of them.
    pub licenses: Vec<InputFile>,
    /// The sheet to read from spreadsheets (first sheet when `None`).
    pub sheet: Option<String>,
    /// `--day-first` or `--month-first`: how every slash date is read; `None` decides per file
    /// (docs/rules.md §2.1).
    pub date_order: Option<values::DateOrder>,
    /// `--columns FILE`: the partner's own headers for the canonical fields.
    pub columns: Option<PathBuf>,
}

/// Everything read, before attribution and analysis.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// Canonical subscriptions (see [`subscriptions::COLUMNS`]).
    pub subscriptions: DataFrame,
    /// Canonical licenses (see [`licenses::COLUMNS`]).
    pub licenses: DataFrame,
    /// Every problem found.
    pub issues: Vec<Issue>,
    /// Per-file counts.
    pub accounting: Vec<FileAccounting>,
}

/// Expands directories into their data files, subfolders included (sorted by path). Left out:
/// Excel's lock files (`~$…`, there while a workbook is open), hidden files and folders, and a
/// folder holding a skusunset report (it has `.skusunset/`). A directory without any data file
/// is an error.
fn expand(files: &[InputFile], issues: &mut Vec<Issue>) -> Result<Vec<InputFile>> {
    let mut out = Vec::new();
    for file in files {
        if file.path.as_os_str().is_empty() {
            anyhow::bail!(
                "`{}` names no file after `=`: write KEY=FILE (KEY the customer, FILE the export)",
                file.label()
            );
        }
        if !file.path.is_dir() {
            out.push(file.clone());
            continue;
        }
        let mut walk = Walk::default();
        walk.dir(&file.path)
            .with_context(|| format!("cannot list directory `{}`", file.label()))?;
        let label = |path: &Path| {
            let relative = path.strip_prefix(&file.path).unwrap_or(path);
            Path::new(&file.name).join(relative).display().to_string()
        };
        for (path, why) in &walk.skipped {
            issues.push(Issue::new(
                &label(path),
                None,
                None,
                Severity::Warning,
                IssueCode::SkippedFile,
                format!("skipped while reading folder `{}`: {why}", file.label()),
            ));
        }
        let mut found = walk.found;
        if found.is_empty() {
            let unread = match walk.skipped.as_slice() {
                [] => String::new(),
                [(path, why), rest @ ..] => format!(
                    "; {} entr{} left out, the first: {why} (`{}`)",
                    rest.len() + 1,
                    if rest.is_empty() { "y" } else { "ies" },
                    label(path)
                ),
            };
            anyhow::bail!(
                "directory `{}` holds no export: no file ending in .{} in it or its \
                 subfolders; pass the files, or the folder that holds them{unread}",
                file.label(),
                DATA_EXTENSIONS.join(", .")
            );
        }
        found.sort();
        out.extend(found.into_iter().map(|path| InputFile {
            key: file.key.clone(),
            name: label(&path),
            path,
            in_folder: true,
        }));
    }
    Ok(out)
}

/// A folder walk that always ends: every folder is entered once, however many links lead to it
/// (a link back to a parent is a loop), and an entry that cannot be read is skipped and said.
#[derive(Default)]
struct Walk {
    /// The data files found.
    found: Vec<PathBuf>,
    /// Entries left out, with why.
    skipped: Vec<(PathBuf, String)>,
    /// Folders entered, by device and inode (by their resolved path where there are none).
    visited: std::collections::HashSet<(u64, u64, PathBuf)>,
}

impl Walk {
    /// A folder's identity: device and inode on Unix, else its resolved path.
    fn identity(dir: &Path) -> std::io::Result<(u64, u64, PathBuf)> {
        let meta = std::fs::metadata(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok((meta.dev(), meta.ino(), PathBuf::new()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            Ok((0, 0, std::fs::canonicalize(dir)?))
        }
    }

    /// The data files under `dir`, recursively (see [`expand`] for what is left out).
    fn dir(&mut self, dir: &Path) -> std::io::Result<()> {
        if dir.join(crate::base::layout::STORE).exists() {
            return Ok(());
        }
        if !self.visited.insert(Self::identity(dir)?) {
            self.skipped.push((
                dir.to_path_buf(),
                "it leads back to a folder already read (a link loop), so it is read once".into(),
            ));
            return Ok(());
        }
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("~$") || name.starts_with('.') {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {
                    if let Err(e) = self.dir(&path) {
                        let why =
                            format!("the folder cannot be read: {}", unreadable_entry(&e, &path));
                        self.skipped.push((path, why));
                    }
                }
                Ok(meta) if meta.is_file() => {
                    if DATA_EXTENSIONS.contains(&extension(&path).as_str()) {
                        self.found.push(path);
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let why = format!("it cannot be read: {}", unreadable_entry(&e, &path));
                    self.skipped.push((path, why));
                }
            }
        }
        Ok(())
    }
}

/// Why a folder's entry cannot be read, in the user's words (after "cannot be read: ").
fn unreadable_entry(error: &std::io::Error, path: &Path) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "it is a link to nothing".to_string(),
        std::io::ErrorKind::InvalidFilename => format!(
            "its path is longer than the system allows ({} characters); move \
             the export nearer the top of the folder",
            path.as_os_str().len()
        ),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied; ask for read access or copy it elsewhere".into()
        }
        _ => error.to_string(),
    }
}

/// `files` with every file read once (the same file read twice would count its rows twice):
/// of several mentions the first with a `KEY=` is read (its key says whose the file is, which a
/// folder's copy cannot), else the first; each other mention is left out with a warning. `seen`
/// carries the files already read by an earlier list, as the warnings name them.
fn read_once(
    files: Vec<InputFile>,
    seen: &mut HashMap<PathBuf, String>,
    issues: &mut Vec<Issue>,
) -> Vec<InputFile> {
    let identities: Vec<PathBuf> = files.iter().map(|f| limits::identity(&f.path)).collect();
    let mut chosen: HashMap<&PathBuf, usize> = HashMap::new();
    for (i, (file, identity)) in files.iter().zip(&identities).enumerate() {
        if seen.contains_key(identity) {
            continue;
        }
        match chosen.get(identity) {
            Some(&first) if files[first].key.is_some() || file.key.is_none() => {}
            _ => {
                chosen.insert(identity, i);
            }
        }
    }
    for (identity, &i) in &chosen {
        let file = &files[i];
        let said = match &file.key {
            Some(key) => format!("`{}` (read with `KEY={key}`)", file.label()),
            None => format!("`{}`", file.label()),
        };
        seen.insert((*identity).clone(), said);
    }
    let kept: Vec<bool> = (identities.iter().enumerate())
        .map(|(i, identity)| chosen.get(identity) == Some(&i))
        .collect();
    let mut out = Vec::new();
    for ((file, identity), kept) in files.into_iter().zip(&identities).zip(kept) {
        if kept {
            out.push(file);
            continue;
        }
        let read = seen.get(identity).cloned().unwrap_or_default();
        issues.push(Issue::new(
            &file.label(),
            None,
            None,
            Severity::Warning,
            IssueCode::DuplicateFile,
            format!("this is the same file as {read}, which is read once"),
        ));
    }
    out
}

fn accounting(file: &InputFile, table: &Table, kind: FileKind, used: usize) -> FileAccounting {
    let specs = match kind {
        FileKind::Subscriptions => header_aliases::SUBSCRIPTION_FIELDS,
        FileKind::LicensesWide | FileKind::LicensesLong => header_aliases::LICENSE_FIELDS,
    };
    let columns = crate::read::headers::ColumnMap::new(&table.headers, specs)
        .matched(&table.headers)
        .into_iter()
        .map(|(field, header)| (field, header.to_string()))
        .collect();
    FileAccounting {
        file: file.label(),
        sheet: table.sheet.clone(),
        kind,
        rows_read: table.height(),
        rows_used: used,
        rows_rejected: table.height() - used,
        blank_rows: table.blank_rows,
        columns,
    }
}

/// Reads every input. Unreadable files and missing columns are errors; row problems are issues.
pub fn load(spec: &InputSpec) -> Result<Ingested> {
    load_observed(spec, &|_| {})
}

/// [`load`], calling `reading` with each file's label before the file is read. Files are read
/// in parallel; their issues and accounting come out in the order the files were given.
pub fn load_observed(spec: &InputSpec, reading: &(dyn Fn(&str) + Sync)) -> Result<Ingested> {
    let (mut seen, mut repeated) = (HashMap::new(), Vec::new());
    let mut walked = Vec::new();
    let sub_files = read_once(
        expand(&spec.subscriptions, &mut walked)?,
        &mut seen,
        &mut repeated,
    );
    let lic_files = read_once(
        expand(&spec.licenses, &mut walked)?,
        &mut seen,
        &mut repeated,
    );
    repeated.extend(walked);
    let sheet = spec.sheet.as_deref();
    let renames = match &spec.columns {
        Some(path) => columns::ColumnRenames::read(path)?,
        None => columns::ColumnRenames::default(),
    };
    let at = (sheet, &renames);
    let read_subscriptions = |files: &[InputFile], order: Option<values::DateOrder>| {
        read_files(files, at, reading, |file, table, issues| {
            let (frame, verdict) =
                subscriptions::read(&file.label(), table, file.key.as_deref(), order, issues)?;
            let used = frame.height();
            Ok((frame, used, FileKind::Subscriptions, Some(verdict)))
        })
    };
    let (subs, lics) = rayon::join(
        || read_subscriptions(&sub_files, spec.date_order),
        || {
            read_files(&lic_files, at, reading, |file, table, issues| {
                let (frame, used, kind) =
                    licenses::read(&file.label(), table, file.key.as_deref(), issues)?;
                Ok((frame, used, kind, None))
            })
        },
    );
    let subs = follow_the_run(subs?, &sub_files, |files, order| {
        read_subscriptions(files, Some(order))
    })?;
    let (mut issues, mut counts) = (repeated, Vec::new());
    let subs = concat(
        gather(subs, &mut issues, &mut counts),
        subscriptions::COLUMNS,
    )?;
    // The duplicate warnings follow the subscription files' own issues, before the licenses'.
    let subs = superseded::drop_superseded(subs, &sub_files, &mut issues, &mut counts)?;
    let lics = gather(lics?, &mut issues, &mut counts);
    Ok(Ingested {
        subscriptions: subs,
        licenses: concat(lics, licenses::COLUMNS)?,
        issues,
        accounting: counts,
    })
}

/// What reading one file gave (no frame and no accounting for a file skipped as not an export).
struct FileRead {
    frame: Option<DataFrame>,
    issues: Vec<Issue>,
    accounting: Option<FileAccounting>,
    /// How a subscription file's date order was decided.
    verdict: Option<date_order::Verdict>,
}

/// What reading one table gave: its frame, the rows used, its kind and, for a subscription
/// export, how its date order was decided.
type TableRead = (DataFrame, usize, FileKind, Option<date_order::Verdict>);

/// Whether an error says the file is a table of another kind (not the export asked for), which
/// a file found in a folder is skipped for.
fn is_other_table(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<InputError>(),
        Some(
            InputError::MissingColumn { .. }
                | InputError::UnknownLicenseShape { .. }
                | InputError::NotPerUser { .. }
                | InputError::WrongKind { .. }
        )
    )
}

/// Reads `files` in parallel with `read` (which gives the frame, the rows used and the kind);
/// the results are in the order of `files`, and the first file (in that order) that fails is
/// the error.
fn read_files(
    files: &[InputFile],
    (sheet, renames): (Option<&str>, &columns::ColumnRenames),
    reading: &(dyn Fn(&str) + Sync),
    read: impl Fn(&InputFile, &Table, &mut Vec<Issue>) -> Result<TableRead> + Sync,
) -> Result<Vec<FileRead>> {
    let known = renames.wanted();
    let wanted = |header: &str| known.knows(header);
    let reads: Vec<Result<FileRead>> = files
        .par_iter()
        .map(|file| {
            reading(&file.label());
            let keep = Keep::Headers(&wanted);
            let table = renames.apply(read_table(&file.path, &file.label(), sheet, keep)?);
            let mut issues = Vec::new();
            match read(file, &table, &mut issues) {
                Ok((frame, used, kind, verdict)) => Ok(FileRead {
                    frame: Some(frame),
                    issues,
                    accounting: Some(accounting(file, &table, kind, used)),
                    verdict,
                }),
                Err(err) if file.in_folder && is_other_table(&err) => Ok(FileRead {
                    frame: None,
                    issues: vec![Issue::new(
                        &file.label(),
                        None,
                        None,
                        Severity::Warning,
                        IssueCode::SkippedFile,
                        format!(
                            "skipped, found in a folder but not an export of this kind ({}); \
                             pass it on its own if it is one",
                            crate::base::text::bounded(&err.to_string(), 300)
                        ),
                    )],
                    accounting: None,
                    verdict: None,
                }),
                Err(err) => Err(err),
            }
        })
        .collect();
    reads.into_iter().collect()
}

/// A subscription export whose date order was only guessed is read again in the order the
/// run's other subscription exports prove, when they all prove the same one (a folder of one
/// partner's per-customer exports: one customer's dates all have days of 12 or less). Its guess
/// warning becomes a `date-order` warning that names the file that proved it.
fn follow_the_run(
    mut reads: Vec<FileRead>,
    files: &[InputFile],
    read_again: impl Fn(&[InputFile], values::DateOrder) -> Result<Vec<FileRead>>,
) -> Result<Vec<FileRead>> {
    let mut proofs = reads
        .iter()
        .zip(files)
        .filter_map(|(read, file)| match &read.verdict {
            Some(date_order::Verdict::Proved(order, proof)) => Some((*order, proof, file)),
            _ => None,
        });
    let Some((order, proof, prover)) = proofs.next() else {
        return Ok(reads);
    };
    if proofs.any(|(other, _, _)| other != order) {
        return Ok(reads);
    }
    let guessed: Vec<usize> = (reads.iter().enumerate())
        .filter(|(_, r)| r.verdict == Some(date_order::Verdict::Guessed))
        .map(|(i, _)| i)
        .collect();
    if guessed.is_empty() {
        return Ok(reads);
    }
    let (order_word, prover) = (order.worded(), prover.label());
    let proof = proof.clone();
    let again: Vec<InputFile> = guessed.iter().map(|&i| files[i].clone()).collect();
    for (&i, mut read) in guessed.iter().zip(read_again(&again, order)?) {
        read.issues.push(Issue::new(
            &files[i].label(),
            None,
            None,
            Severity::Warning,
            IssueCode::DateOrder,
            format!(
                "no date of this file has a day over 12, so it follows the run's other \
                 subscription exports, which are {order_word}: in `{prover}`, {proof}"
            ),
        ));
        reads[i] = read;
    }
    Ok(reads)
}

/// Moves the files' issues and accounting into the run's, in file order; returns the frames.
fn gather(
    reads: Vec<FileRead>,
    issues: &mut Vec<Issue>,
    counts: &mut Vec<FileAccounting>,
) -> Vec<DataFrame> {
    reads
        .into_iter()
        .filter_map(|read| {
            issues.extend(read.issues);
            counts.extend(read.accounting);
            read.frame
        })
        .collect()
}

/// The files' frames one under another (an empty frame of `columns` when there are none).
fn concat(frames: Vec<DataFrame>, columns: &[(&str, DataType)]) -> PolarsResult<DataFrame> {
    let mut frames = frames.into_iter();
    let Some(mut all) = frames.next() else {
        let schema: Schema = columns
            .iter()
            .map(|(name, dtype)| Field::new((*name).into(), dtype.clone()))
            .collect();
        return Ok(DataFrame::empty_with_schema(&schema));
    };
    for frame in frames {
        all.vstack_mut_owned(frame)?;
    }
    Ok(all)
}
