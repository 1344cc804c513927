//! What `check`, `report` and `catalog` print on stdout: per-file accounting, issues, a summary.
//! Text from the inputs (file names, headers, values in messages) is printed with its control
//! characters escaped, so a value cannot move the cursor, recolour or rewrite the terminal.

pub mod progress; // what a run shows on a terminal while it works

use crate::base::text::escape;
use crate::export;
use crate::model::{Action, Count, IssueCode, Report, Urgency};
use crate::reference::catalog::Catalog;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Per file: rows read = used + rejected; with `columns`, also which header became which field.
fn print_accounting(report: &Report, columns: bool, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "inputs:")?;
    for a in &report.accounting {
        let sheet = a
            .sheet
            .as_ref()
            .map(|s| format!(" [{}]", escape(s)))
            .unwrap_or_default();
        let kind = a.kind.describe();
        writeln!(
            w,
            "  {}{sheet} ({kind}): {} rows read = {} used + {} rejected{}",
            escape(&a.file),
            a.rows_read,
            a.rows_used,
            a.rows_rejected,
            if a.blank_rows > 0 {
                format!(" ({} blank rows skipped)", a.blank_rows)
            } else {
                String::new()
            }
        )?;
        if columns && !a.columns.is_empty() {
            let read: Vec<String> = a
                .columns
                .iter()
                .map(|(field, header)| format!("{field} ← {}", escape(header)))
                .collect();
            writeln!(w, "    columns: {}", read.join(", "))?;
        }
    }
    Ok(())
}

/// `check`: accounting, then every issue.
pub fn print_check(report: &Report, w: &mut impl Write) -> io::Result<()> {
    print_accounting(report, true, w)?;
    let errors = report
        .issues
        .iter()
        .filter(|i| i.severity == crate::model::issues::Severity::Error)
        .count();
    writeln!(
        w,
        "issues: {} ({errors} errors, {} warnings)",
        report.issues.len(),
        report.issues.len() - errors
    )?;
    for i in &report.issues {
        print_issue(i, w)?;
    }
    Ok(())
}

/// One issue on one line: `file:row [column] severity code: message`.
fn print_issue(i: &crate::model::issues::Issue, w: &mut impl Write) -> io::Result<()> {
    let row = i.row.map(|r| format!(":{r}")).unwrap_or_default();
    let column = i
        .column
        .as_ref()
        .map(|c| format!(" [{}]", escape(c)))
        .unwrap_or_default();
    writeln!(
        w,
        "  {}{row}{column} {} {}: {}",
        escape(&i.file),
        i.severity.as_str(),
        i.code,
        escape(&i.message)
    )
}

/// Error issues a `report` lists on the terminal; the rest are in the written files.
const LISTED_ERRORS: usize = 10;

/// `report`: the error issues (rows not used), the first [`LISTED_ERRORS`] of them, and where
/// all issues are.
fn print_errors(report: &Report, written: &[PathBuf], w: &mut impl Write) -> io::Result<()> {
    let errors: Vec<&crate::model::issues::Issue> = report
        .issues
        .iter()
        .filter(|i| i.severity == crate::model::issues::Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let plural = if errors.len() == 1 { "" } else { "s" };
    writeln!(w, "rows not used ({} error{plural}):", errors.len())?;
    for i in errors.iter().take(LISTED_ERRORS) {
        print_issue(i, w)?;
    }
    let listed = written
        .iter()
        .filter(|p| {
            p.ends_with(Path::new(export::CSV_DIR).join(export::ISSUES_CSV))
                || p.ends_with(export::WORKBOOK)
        })
        .map(|p| escape(&p.display().to_string()).into_owned())
        .collect::<Vec<_>>();
    let rest = errors.len().saturating_sub(LISTED_ERRORS);
    let more = if rest > 0 {
        format!("{rest} more errors; ")
    } else {
        String::new()
    };
    let place = if listed.is_empty() {
        "`skusunset check` with the same inputs".to_string()
    } else {
        listed.join(" (Issues sheet) and ")
    };
    writeln!(w, "  ({more}all issues, warnings included: {place})")
}

/// "7 issues: 1 error, 6 warnings (most: 3 seat-counts, 2 no-end-date, 1 date-order)": the
/// counts by severity and the three most frequent warning codes.
fn issue_counts(report: &Report) -> String {
    let is_error =
        |i: &&crate::model::issues::Issue| i.severity == crate::model::issues::Severity::Error;
    let errors = report.issues.iter().filter(is_error).count();
    let warnings = report.issues.len() - errors;
    let mut by_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for i in report.issues.iter().filter(|i| !is_error(i)) {
        *by_code.entry(i.code.as_str()).or_default() += 1;
    }
    let mut codes: Vec<(&str, usize)> = by_code.into_iter().collect();
    codes.sort_by_key(|(code, n)| (std::cmp::Reverse(*n), *code));
    let most: Vec<String> = (codes.iter().take(3))
        .map(|(code, n)| format!("{n} {code}"))
        .collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut text = format!(
        "{}: {}, {}",
        plural(report.issues.len(), "issue"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if !most.is_empty() {
        text.push_str(&format!(" (most: {})", most.join(", ")));
    }
    text
}

/// Date orders listed on the terminal; more files are counted.
const LISTED_DATE_ORDERS: usize = 10;

/// How each file's slash dates were read, and which orders were guessed (`date-order`,
/// `date-order-guess`): a wrong order moves every deadline, so it is said where it is seen.
fn print_dates(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let orders: Vec<&crate::model::issues::Issue> = (report.issues.iter())
        .filter(|i| matches!(i.code, IssueCode::DateOrder | IssueCode::DateOrderGuess))
        .collect();
    if orders.is_empty() {
        return Ok(());
    }
    writeln!(w, "dates:")?;
    for i in orders.iter().take(LISTED_DATE_ORDERS) {
        print_issue(i, w)?;
    }
    if orders.len() > LISTED_DATE_ORDERS {
        writeln!(
            w,
            "  … and {} more files",
            orders.len() - LISTED_DATE_ORDERS
        )?;
    }
    Ok(())
}

/// What changed since the previous report, a count per kind (or why nothing was compared).
fn print_changes(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let Some(previous) = &report.previous else {
        return Ok(());
    };
    let since = previous
        .as_of
        .map_or_else(|| "?".to_string(), |d| d.to_string());
    if previous.compared {
        let counts: Vec<String> = (crate::model::ChangeKind::ALL.iter())
            .filter_map(|kind| {
                let n = report.changes.iter().filter(|c| c.change == *kind).count();
                (n > 0).then(|| format!("{n} {}", kind.as_str()))
            })
            .collect();
        let listed = if counts.is_empty() {
            "none".to_string()
        } else {
            counts.join(", ")
        };
        writeln!(w, "changes since {since}: {listed} (csv/changes.csv)")?;
    }
    if let Some(note) = &previous.note {
        writeln!(w, "  {}", escape(note))?;
    }
    Ok(())
}

/// `report`/`demo`: accounting, headline counts and the files written.
pub fn print_summary(report: &Report, written: &[PathBuf], w: &mut impl Write) -> io::Result<()> {
    print_accounting(report, false, w)?;
    let s = &report.summary;
    let urgency = |u: Urgency| Count::of(&s.subscriptions_by_urgency, u);
    writeln!(w, "as of {}:", report.run.as_of)?;
    writeln!(
        w,
        "  {} retiring subscriptions ({} overdue, {} due in 30 days, {} due in 90 days)",
        report.expiring.len(),
        urgency(Urgency::Overdue),
        urgency(Urgency::Due30),
        urgency(Urgency::Due90),
    )?;
    let users = |a: Action| Count::of(&s.users_by_action, a);
    writeln!(
        w,
        "  {} users on retiring licenses ({} to reassign, {} remove only, {} blocked to review)",
        report.users.len(),
        users(Action::Reassign),
        users(Action::RemoveOnly),
        users(Action::ReviewBlocked)
    )?;
    let seats = report.summary.seats_total();
    writeln!(
        w,
        "  {} licences to buy in {} purchase lines",
        seats,
        report.purchases.len()
    )?;
    print_seat_counts(report, w)?;
    print_costs(report, w)?;
    writeln!(
        w,
        "  {} suspended subscriptions in de-provisioning",
        report.deprovisioning.len()
    )?;
    writeln!(w, "  {}", issue_counts(report))?;
    print_changes(report, w)?;
    print_dates(report, w)?;
    print_errors(report, written, w)?;
    if report.run.redacted_users {
        writeln!(
            w,
            "users are pseudonyms (user-0001, … per customer) in every file written \
             (--redact-users); the earlier reports kept in .skusunset/ are as they were \
             written: leave that folder out of what you send"
        )?;
    }
    writeln!(w, "wrote:")?;
    // A directory with many files (a runbook per customer) is one line.
    let mut per_dir: std::collections::BTreeMap<Option<&Path>, usize> =
        std::collections::BTreeMap::new();
    for path in written {
        *per_dir.entry(path.parent()).or_default() += 1;
    }
    let mut folded = std::collections::BTreeSet::new();
    for path in written {
        let dir = path.parent();
        let count = per_dir.get(&dir).copied().unwrap_or(0);
        match dir {
            Some(dir) if count > MAX_LISTED_PER_DIR => {
                if folded.insert(dir) {
                    writeln!(
                        w,
                        "  {}/ ({count} files)",
                        escape(&dir.display().to_string())
                    )?;
                }
            }
            _ => writeln!(w, "  {}", escape(&path.display().to_string()))?,
        }
    }
    Ok(())
}

/// What the purchases cost per month, when a price list priced them.
fn print_costs(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let Some(t) = crate::model::CostTotals::of(&report.purchases) else {
        return Ok(());
    };
    let money = |m: Option<crate::base::money::Money>| m.unwrap_or_default();
    let erp = match t.monthly_erp {
        Some(erp) => format!(
            " (estimated retail {erp} {}{})",
            t.currency,
            if t.with_erp < t.priced {
                format!(", {} of those lines", t.with_erp)
            } else {
                String::new()
            }
        ),
        None => String::new(),
    };
    writeln!(
        w,
        "  {} {} a month at your price{erp} for {} of {} purchase lines (taxes and promotions \
         not included; lines without a price are `no-price` issues)",
        money(t.monthly_cost),
        t.currency,
        t.priced,
        t.lines
    )?;
    if let Some(saving) = t.monthly_saving {
        writeln!(
            w,
            "  {saving} {} a month stops being billed when the retiring subscriptions end (at \
             your price, where their offers are in the price list)",
            t.currency
        )?;
    }
    Ok(())
}

/// The customers whose licences to buy are seat counts, loudly: those numbers buy every seat.
fn print_seat_counts(report: &Report, w: &mut impl Write) -> io::Result<()> {
    let s = &report.summary;
    if s.seats_from_seat_counts == 0 {
        return Ok(());
    }
    let names = s.seat_count_customers();
    let shown = names.len().min(LISTED_SEAT_COUNT_CUSTOMERS);
    let mut list = names[..shown].join(", ");
    if names.len() > shown {
        list.push_str(&format!(" and {} more", names.len() - shown));
    }
    writeln!(
        w,
        "  SEAT COUNTS: {} of these licences are the subscriptions' seat counts (every seat, used \
         or not) of {} customer(s) without a user/license export: {}; add each one's user export \
         with --licenses \"CUSTOMER=FILE\" (seat-counts warnings)",
        s.seats_from_seat_counts,
        s.customers_on_seat_counts,
        escape(&list)
    )
}

/// Customers named in the seat-count line; more are counted.
const LISTED_SEAT_COUNT_CUSTOMERS: usize = 5;

/// Files of one directory listed one by one; more are summed up in one line.
const MAX_LISTED_PER_DIR: usize = 12;

/// `catalog`: the catalog in use as TOML.
/// Prints what `check-plan` found: one line per broken rule, then the tally.
pub fn print_plan_check(
    file: &std::path::Path,
    check: &crate::analyze::stepb_plan::PlanCheck,
    w: &mut impl Write,
) -> io::Result<()> {
    for finding in check.refusals.iter().chain(&check.findings) {
        writeln!(w, "{}: {}", escape(&finding.user), escape(&finding.message))?;
    }
    let verdict = if check.findings.is_empty() {
        "every rule holds".to_string()
    } else {
        format!(
            "{} broken rule(s): do not apply this plan",
            check.findings.len()
        )
    };
    writeln!(
        w,
        "{}: {} request(s) checked, {} row(s) without a request; {verdict}",
        file.display(),
        check.requests,
        check.without_request
    )
}

/// Prints the retirement catalog in use.
pub fn print_catalog(catalog: &Catalog, name: &str, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "# retirement catalog: {name}")?;
    write!(w, "{}", catalog.to_toml())
}
