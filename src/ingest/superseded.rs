//! A subscription id seen twice — this week's export beside last week's, or a full export beside
//! a per-customer one — is used once: the newer row wins (docs/rules.md §2.1). Newer is told by
//! the rows' own dates (a later suspension, start or end), else by the files' age: the newest
//! date each file holds, a date in its name, its modification time, in that order. The other
//! row is rejected with an error that names the row used and why.

use super::InputFile;
use crate::base::frame::Rows;
use crate::base::hash::FastMap;
use crate::model::IssueCode;
use crate::model::issues::{FileAccounting, Issue};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::time::SystemTime;

/// How old a file is, by the evidence in the order it is asked.
#[derive(Debug, Clone, Default)]
struct FileAge {
    /// The newest start or suspension date the file holds.
    newest_date: Option<NaiveDate>,
    /// A date written in its name (`subscriptions-2026-11-20.csv`, `…20261120…`).
    name_date: Option<NaiveDate>,
    /// When it was last written.
    modified: Option<SystemTime>,
}

/// The age evidence of every file, by label.
fn ages(subs: &DataFrame, files: &[InputFile]) -> Result<HashMap<String, FileAge>> {
    let mut ages: HashMap<String, FileAge> = HashMap::new();
    for file in files {
        ages.insert(
            file.label(),
            FileAge {
                newest_date: None,
                name_date: file
                    .path
                    .file_name()
                    .and_then(|n| crate::base::text::date_in_name(&n.to_string_lossy())),
                modified: std::fs::metadata(&file.path)
                    .and_then(|m| m.modified())
                    .ok(),
            },
        );
    }
    let r = Rows::new(subs);
    let labels = subs.column("file")?.str()?;
    for column in ["start_date", "suspended_on"] {
        for (label, date) in labels.iter().zip(r.dates(column)?) {
            let (Some(label), Some(date)) = (label, date) else {
                continue;
            };
            let age = ages.entry(label.to_string()).or_default();
            age.newest_date = age.newest_date.max(Some(date));
        }
    }
    Ok(ages)
}

/// What told two rows of one subscription apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    Suspended,
    SuspendedOnly,
    Started,
    Ends,
    NewestDate,
    NameDate,
    Modified,
    Nothing,
}

/// How two known, different values compare (`None` when either is missing or they are equal).
fn differs<T: Ord>(x: Option<T>, y: Option<T>) -> Option<Ordering> {
    match (x, y) {
        (Some(x), Some(y)) if x != y => Some(x.cmp(&y)),
        _ => None,
    }
}

/// Which of two rows of one subscription is newer (`Greater`: the first), and what told.
fn newer(rows: (&RowDates, &RowDates), files: (&FileAge, &FileAge)) -> (Ordering, Evidence) {
    let ((a, b), (f, g)) = (rows, files);
    if a.suspended_on.is_some() != b.suspended_on.is_some() {
        let order = a.suspended_on.is_some().cmp(&b.suspended_on.is_some());
        return (order, Evidence::SuspendedOnly);
    }
    [
        (differs(a.suspended_on, b.suspended_on), Evidence::Suspended),
        (differs(a.start_date, b.start_date), Evidence::Started),
        (differs(a.end_date, b.end_date), Evidence::Ends),
        (differs(f.newest_date, g.newest_date), Evidence::NewestDate),
        (differs(f.name_date, g.name_date), Evidence::NameDate),
        (differs(f.modified, g.modified), Evidence::Modified),
    ]
    .into_iter()
    .find_map(|(order, evidence)| order.map(|o| (o, evidence)))
    .unwrap_or((Ordering::Equal, Evidence::Nothing))
}

/// Why the winning row is used, said from the losing row (`it`: the row used).
fn why(evidence: Evidence, rows: (&RowDates, &RowDates), files: (&FileAge, &FileAge)) -> String {
    let ((won, lost), (won_file, lost_file)) = (rows, files);
    let date = |d: Option<NaiveDate>| d.map_or_else(String::new, |d| d.to_string());
    match evidence {
        Evidence::SuspendedOnly => format!(
            "it is suspended (on {}), which comes after this row's state",
            date(won.suspended_on)
        ),
        Evidence::Suspended => format!(
            "it was suspended later ({}, this row {})",
            date(won.suspended_on),
            date(lost.suspended_on)
        ),
        Evidence::Started => format!(
            "it started later ({}, this row {})",
            date(won.start_date),
            date(lost.start_date)
        ),
        Evidence::Ends => format!(
            "it ends later ({}, this row {}): a renewal",
            date(won.end_date),
            date(lost.end_date)
        ),
        Evidence::NewestDate => format!(
            "its file holds dates up to {}, this row's file up to {}",
            date(won_file.newest_date),
            date(lost_file.newest_date)
        ),
        Evidence::NameDate => format!(
            "its file name is dated {}, this row's {}",
            date(won_file.name_date),
            date(lost_file.name_date)
        ),
        Evidence::Modified => "its file was written later".to_string(),
        Evidence::Nothing => "it is named last: nothing tells which row is newer, so check which \
                              export is current"
            .to_string(),
    }
}

/// One row's dates.
#[derive(Debug, Clone, Copy, Default)]
struct RowDates {
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    suspended_on: Option<NaiveDate>,
}

fn row_dates(subs: &DataFrame) -> Result<Vec<RowDates>> {
    let r = Rows::new(subs);
    let (start, end, suspended) = (
        r.dates("start_date")?,
        r.dates("end_date")?,
        r.dates("suspended_on")?,
    );
    Ok((0..subs.height())
        .map(|i| RowDates {
            start_date: start[i],
            end_date: end[i],
            suspended_on: suspended[i],
        })
        .collect())
}

/// A subscription id seen twice: the newer row wins; the other moves from used to rejected,
/// with an error that names the row used and why.
pub(super) fn drop_superseded(
    subs: DataFrame,
    files: &[InputFile],
    issues: &mut Vec<Issue>,
    counts: &mut [FileAccounting],
) -> Result<DataFrame> {
    let (ids, labels, rows) = (
        subs.column("subscription_id")?.str()?,
        subs.column("file")?.str()?,
        subs.column("row")?.i64()?,
    );
    // Ids are compared without case; most are lowercase ASCII (GUIDs) already, and only the
    // others are copied lowercased.
    let mut used: FastMap<Cow<str>, usize> = FastMap::default();
    used.reserve(subs.height());
    let mut keep = vec![true; subs.height()];
    let mut facts: Option<(Vec<RowDates>, HashMap<String, FileAge>)> = None;
    let unknown_age = FileAge::default();
    for (i, id) in ids.iter().enumerate() {
        let id = id.unwrap_or_default();
        let key: Cow<str> = if id.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            Cow::Borrowed(id)
        } else {
            Cow::Owned(id.to_lowercase())
        };
        let Some(&earlier) = used.get(&key) else {
            used.insert(key, i);
            continue;
        };
        if facts.is_none() {
            facts = Some((row_dates(&subs)?, ages(&subs, files)?));
        }
        let (dates, ages) = facts.as_ref().expect("just made");
        let file = |at: usize| labels.get(at).unwrap_or_default();
        let age = |at: usize| ages.get(file(at)).unwrap_or(&unknown_age);
        let (order, evidence) = newer((&dates[i], &dates[earlier]), (age(i), age(earlier)));
        let (winner, loser) = if order == Ordering::Less {
            (earlier, i)
        } else {
            used.insert(key, i);
            (i, earlier)
        };
        keep[loser] = false;
        let why = why(
            evidence,
            (&dates[winner], &dates[loser]),
            (age(winner), age(loser)),
        );
        issues.push(Issue::error(
            file(loser),
            rows.get(loser).unwrap_or_default() as usize,
            Some("subscription_id"),
            IssueCode::DuplicateSubscription,
            format!(
                "subscription {id} appears again in `{}` row {}, which is used because {why}; \
                 this row is ignored",
                file(winner),
                rows.get(winner).unwrap_or_default()
            ),
        ));
        FileAccounting::reject_one(counts, file(loser));
    }
    if keep.iter().all(|k| *k) {
        return Ok(subs);
    }
    Ok(subs.filter(&BooleanChunked::from_slice("keep".into(), &keep))?)
}
