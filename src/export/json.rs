//! `report.json`: the whole `Report` (tables, customers, issues, accounting, run parameters),
//! with each user and purchase row's `reason` worded in English beside its `why` code.

use super::locale::Reasons;
use super::{Content, Exporter, Messages, Output, OutputFile};
use crate::model::issues::{FileAccounting, Issue};
use crate::model::{
    CustomerRow, DeprovisioningRow, ExpiringRow, PlanMove, Reason, Report, RetirementInfo,
    RetiringLicense, RunInfo, SkuInfo, Summary,
};
use anyhow::Result;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Writes `report.json`.
pub(super) struct JsonExporter;

/// A row with its reason worded.
#[derive(Serialize)]
struct Worded<'a, T> {
    #[serde(flatten)]
    row: &'a T,
    reason: &'a str,
}

/// Rows serialised as a JSON array, each with its reason worded, one at a time.
struct WordedRows<'a, T> {
    rows: &'a [T],
    why: fn(&T) -> &Reason,
    reasons: &'a Reasons<'a>,
}

impl<T: Serialize> Serialize for WordedRows<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.rows.iter().map(|row| Worded {
            row,
            reason: self.reasons.of((self.why)(row)),
        }))
    }
}

/// The report as JSON shows it: the `Report`'s fields in order, rows with a reason worded.
#[derive(Serialize)]
struct JsonReport<'a> {
    run: &'a RunInfo,
    customers: &'a [CustomerRow],
    expiring: &'a [ExpiringRow],
    users: WordedRows<'a, crate::model::UserRow>,
    purchases: WordedRows<'a, crate::model::PurchaseRow>,
    deprovisioning: &'a [DeprovisioningRow],
    progress: &'a [crate::model::ProgressRow],
    changes: &'a [crate::model::ChangeRow],
    previous: Option<&'a crate::model::PreviousInfo>,
    history: &'a [crate::model::HistoryRow],
    issues: &'a [Issue],
    accounting: &'a [FileAccounting],
    summary: &'a Summary,
    retirements: &'a [RetirementInfo],
    retiring_licenses: &'a [RetiringLicense],
    skus: &'a [SkuInfo],
    plan_changes: &'a [PlanMove],
}

/// Writes the report as compact JSON and a final line break into `w`.
fn write_json(report: &Report, w: &mut dyn Write) -> Result<()> {
    let english = Messages::english();
    let reasons = Reasons::word(report, &english);
    let json = JsonReport {
        run: &report.run,
        customers: &report.customers,
        expiring: &report.expiring,
        users: WordedRows {
            rows: &report.users,
            why: |row| &row.why,
            reasons: &reasons,
        },
        purchases: WordedRows {
            rows: &report.purchases,
            why: |row| &row.why,
            reasons: &reasons,
        },
        deprovisioning: &report.deprovisioning,
        progress: &report.progress,
        changes: &report.changes,
        previous: report.previous.as_ref(),
        history: &report.history,
        issues: &report.issues,
        accounting: &report.accounting,
        summary: &report.summary,
        retirements: &report.retirements,
        retiring_licenses: &report.retiring_licenses,
        skus: &report.skus,
        plan_changes: &report.plan_changes,
    };
    // Compact: the file is for machines (next week's run, scripts) and a wave's is hundreds of
    // megabytes; `jq .` or `python3 -m json.tool` shows it indented.
    serde_json::to_writer(&mut *w, &json)?;
    w.write_all(b"\n")?;
    Ok(())
}

impl Exporter for JsonExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let mut bytes = Vec::new();
        write_json(report, &mut bytes)?;
        Ok(vec![(PathBuf::from(super::REPORT_JSON), bytes)])
    }

    /// Streamed: a wave's `report.json` is written into its file as it is serialised.
    fn outputs<'r>(&self, report: &'r Report) -> Result<Vec<Output<'r>>> {
        Ok(vec![Output {
            path: PathBuf::from(super::REPORT_JSON),
            content: Content::Streamed(Box::new(move |w| write_json(report, w))),
        }])
    }
}
