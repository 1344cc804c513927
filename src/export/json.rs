//! `report.json`: the whole `Report` (tables, customers, issues, accounting, run parameters),
//! with each user and purchase row's `reason` worded in English beside its `why` code.

use super::locale::Reasons;
use super::{Exporter, Messages, OutputFile};
use crate::model::issues::{FileAccounting, Issue};
use crate::model::{
    CustomerRow, DeprovisioningRow, ExpiringRow, Report, RetirementInfo, RetiringLicense, RunInfo,
    SkuInfo, Summary,
};
use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;

/// Writes `report.json`.
pub struct JsonExporter;

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
    issues: &'a [Issue],
    accounting: &'a [FileAccounting],
    summary: &'a Summary,
    retirements: &'a [RetirementInfo],
    retiring_licenses: &'a [RetiringLicense],
    skus: &'a [SkuInfo],
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
            issues: &report.issues,
            accounting: &report.accounting,
            summary: &report.summary,
            retirements: &report.retirements,
            retiring_licenses: &report.retiring_licenses,
            skus: &report.skus,
        };
        let mut bytes = serde_json::to_vec_pretty(&json)?;
        bytes.push(b'\n');
        Ok(vec![(PathBuf::from("report.json"), bytes)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_every_field_of_the_report_and_a_reason_per_row() {
        let fixtures = crate::demo::unpack().unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let report = crate::build_report(&crate::demo::config(&fixtures, as_of)).unwrap();
        let (_, bytes) = JsonExporter.export(&report).unwrap().remove(0);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let model = serde_json::to_value(&report).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(keys(&json), keys(&model));
        for table in ["users", "purchases"] {
            for row in json[table].as_array().unwrap() {
                assert!(!row["reason"].as_str().unwrap().is_empty(), "{row}");
                assert!(!row["reason"].as_str().unwrap().contains('{'), "{row}");
            }
        }
    }
}
