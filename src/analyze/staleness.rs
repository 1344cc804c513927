//! Stale or mixed exports (docs/rules.md §2.2a): a report is as current as its oldest input. A
//! file is dated by a usage report's `Report Refresh Date`, else by a date in its name; one
//! dated over [`STALE_DAYS`] before `--as-of`, or exports dated over [`APART_DAYS`] apart, get
//! a `stale-export` warning naming the files and dates. A subscription export without such a
//! date was made on or after its newest start or suspension date: that is not its age (so it is
//! never called stale by it), but it shows an older export beside it to be weeks behind.

use super::Params;
use crate::base::frame::Rows;
use crate::base::text::date_in_name;
use crate::model::IssueCode;
use crate::model::issues::{FileAccounting, Issue, Severity};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Days before `--as-of` an export may be dated.
pub(super) const STALE_DAYS: i64 = 14;
/// Days apart the exports of one run may be dated.
pub(super) const APART_DAYS: i64 = 7;

/// Each file's date and what says it, by file.
fn file_dates(
    licenses: &DataFrame,
    accounting: &[FileAccounting],
) -> Result<BTreeMap<String, (NaiveDate, &'static str)>> {
    let mut dates = BTreeMap::new();
    for a in accounting {
        if let Some(date) = date_in_name(&a.file) {
            dates.insert(a.file.clone(), (date, "the date in its name"));
        }
    }
    let refreshed = licenses
        .clone()
        .lazy()
        .filter(col("report_refresh_date").is_not_null())
        .group_by([col("file")])
        .agg([col("report_refresh_date").max()])
        .collect()?;
    let r = Rows::new(&refreshed);
    let (files, days) = (r.strs("file")?, r.dates("report_refresh_date")?);
    for (file, date) in files.into_iter().zip(days) {
        if let (Some(file), Some(date)) = (file, date) {
            dates.insert(file, (date, "its Report Refresh Date"));
        }
    }
    Ok(dates)
}

/// Each undated subscription file's newest start or suspension date: it was made on or after it.
fn made_on_or_after(
    subscriptions: &DataFrame,
    dated: &BTreeMap<String, (NaiveDate, &'static str)>,
) -> Result<BTreeMap<String, NaiveDate>> {
    let newest = subscriptions
        .clone()
        .lazy()
        .group_by([col("file")])
        .agg([col("start_date").max(), col("suspended_on").max()])
        .collect()?;
    let r = Rows::new(&newest);
    let (files, starts, suspensions) = (
        r.strs("file")?,
        r.dates("start_date")?,
        r.dates("suspended_on")?,
    );
    let mut bounds = BTreeMap::new();
    for ((file, start), suspended) in files.into_iter().zip(starts).zip(suspensions) {
        let Some(file) = file.filter(|f| !dated.contains_key(f)) else {
            continue;
        };
        if let Some(date) = start.max(suspended) {
            bounds.insert(file, date);
        }
    }
    Ok(bounds)
}

/// The `stale-export` warnings of a run.
pub(super) fn stale_exports(
    subscriptions: &DataFrame,
    licenses: &DataFrame,
    accounting: &[FileAccounting],
    params: &Params,
) -> Result<Vec<Issue>> {
    let dates = file_dates(licenses, accounting)?;
    let bounds = made_on_or_after(subscriptions, &dates)?;
    let warning = |file: &str, message: String| {
        Issue::new(
            file,
            None,
            None,
            Severity::Warning,
            IssueCode::StaleExport,
            message,
        )
    };
    let mut issues = Vec::new();
    for (file, (date, source)) in &dates {
        let days = (params.as_of - *date).num_days();
        if days > STALE_DAYS {
            issues.push(warning(
                file,
                format!(
                    "this export is dated {date} ({source}), {days} days before --as-of {}: \
                     users and licenses may have changed since; export it again, or pass \
                     --as-of {date} to report as of then",
                    params.as_of
                ),
            ));
        }
    }
    let oldest = dates.iter().min_by_key(|(_, (date, _))| *date);
    let newest = (dates.iter().map(|(file, (date, _))| (file, *date, false)))
        .chain(bounds.iter().map(|(file, date)| (file, *date, true)))
        .max_by_key(|(_, date, _)| *date);
    if let (Some((old, (from, _))), Some((new, to, bound))) = (oldest, newest) {
        let apart = (to - *from).num_days();
        if apart > APART_DAYS {
            let (at_least, on) = if bound {
                (
                    "at least ",
                    format!("on or after {to} (it holds a subscription started or suspended then)"),
                )
            } else {
                ("", format!("on {to}"))
            };
            issues.push(warning(
                old,
                format!(
                    "the exports are dated {at_least}{apart} days apart: `{old}` on {from}, \
                     `{new}` {on}; exports of different weeks disagree on who holds what, so \
                     export them again together"
                ),
            ));
        }
    }
    Ok(issues)
}
