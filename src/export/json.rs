//! `report.json`: the whole `Report` (tables, customers, issues, accounting, run parameters),
//! with each user and purchase row's `reason` worded in English beside its `why` code.

use super::locale::Reasons;
use super::{Exporter, Messages, OutputFile};
use crate::model::issues::{FileAccounting, Issue};
use crate::model::{
    CustomerRow, DeprovisioningRow, ExpiringRow, PlanMove, Report, RetirementInfo, RetiringLicense,
    RunInfo, SkuInfo, Summary,
};
use anyhow::Result;
use serde::Serialize;
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

/// The report as JSON shows it: the `Report`'s fields in order, rows with a reason worded.
#[derive(Serialize)]
struct JsonReport<'a> {
    run: &'a RunInfo,
    customers: &'a [CustomerRow],
    expiring: &'a [ExpiringRow],
    users: Vec<Worded<'a, crate::model::UserRow>>,
    purchases: Vec<Worded<'a, crate::model::PurchaseRow>>,
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

impl Exporter for JsonExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let english = Messages::english();
        let reasons = Reasons::word(report, &english);
        let json = JsonReport {
            run: &report.run,
            customers: &report.customers,
            expiring: &report.expiring,
            users: (report.users.iter())
                .map(|row| Worded {
                    row,
                    reason: reasons.of(&row.why),
                })
                .collect(),
            purchases: (report.purchases.iter())
                .map(|row| Worded {
                    row,
                    reason: reasons.of(&row.why),
                })
                .collect(),
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
        // Compact: the file is for machines (next week's run, scripts) and a wave's is hundreds
        // of megabytes; `jq .` or `python3 -m json.tool` shows it indented.
        let mut bytes = serde_json::to_vec(&json)?;
        bytes.push(b'\n');
        Ok(vec![(PathBuf::from(super::REPORT_JSON), bytes)])
    }
}
