//! `csv/*.csv`: one file per table with exactly the columns of DOMAIN.md §4. Dates are
//! `YYYY-MM-DD`, booleans `true`/`false`, missing values empty.

use super::{Exporter, OutputFile};
use crate::model::Report;
use anyhow::Result;
use chrono::NaiveDate;
use std::path::PathBuf;

/// Writes the five CSV tables.
pub struct CsvExporter;

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn date(value: Option<NaiveDate>) -> String {
    opt(value.map(|d| d.format("%Y-%m-%d")))
}

fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

impl Exporter for CsvExporter {
    fn export(&self, r: &Report) -> Result<Vec<OutputFile>> {
        let expiring = table(
            &[
                "customer_id",
                "customer_name",
                "subscription_id",
                "offer_name",
                "retirement_id",
                "quantity",
                "status",
                "auto_renew",
                "end_date",
                "days_left",
                "urgency",
                "state",
            ],
            r.expiring.iter().map(|e| {
                vec![
                    opt(e.customer_id.as_ref()),
                    e.customer_name.clone(),
                    e.subscription_id.clone(),
                    e.offer_name.clone(),
                    e.retirement_id.clone(),
                    opt(e.quantity),
                    e.status.clone(),
                    opt(e.auto_renew),
                    date(e.end_date),
                    opt(e.days_left),
                    e.urgency.clone(),
                    e.state.clone(),
                ]
            }),
        )?;
        let users = table(
            &[
                "customer_id",
                "customer_name",
                "user_principal_name",
                "display_name",
                "retiring_license",
                "retirement_id",
                "action",
                "recommended_sku",
                "recommended_plan",
                "reason",
            ],
            r.users.iter().map(|u| {
                vec![
                    opt(u.customer_id.as_ref()),
                    u.customer_name.clone(),
                    u.user_principal_name.clone(),
                    opt(u.display_name.as_ref()),
                    u.retiring_license.clone(),
                    u.retirement_id.clone(),
                    u.action.clone(),
                    opt(u.recommended_sku.as_ref()),
                    opt(u.recommended_plan.as_ref()),
                    u.reason.clone(),
                ]
            }),
        )?;
        let purchases = table(
            &[
                "customer_id",
                "customer_name",
                "retirement_id",
                "recommended_sku",
                "recommended_plan",
                "quantity",
                "reason",
            ],
            r.purchases.iter().map(|p| {
                vec![
                    opt(p.customer_id.as_ref()),
                    p.customer_name.clone(),
                    p.retirement_id.clone(),
                    p.recommended_sku.clone(),
                    p.recommended_plan.clone(),
                    p.quantity.to_string(),
                    p.reason.clone(),
                ]
            }),
        )?;
        let deprovisioning = table(
            &[
                "customer_id",
                "customer_name",
                "subscription_id",
                "offer_name",
                "status",
                "suspended_on",
                "deprovision_on",
                "days_left",
                "state",
                "licenses_still_assigned",
            ],
            r.deprovisioning.iter().map(|d| {
                vec![
                    opt(d.customer_id.as_ref()),
                    d.customer_name.clone(),
                    d.subscription_id.clone(),
                    d.offer_name.clone(),
                    d.status.clone(),
                    date(d.suspended_on),
                    date(d.deprovision_on),
                    opt(d.days_left),
                    d.state.clone(),
                    d.licenses_still_assigned.to_string(),
                ]
            }),
        )?;
        let issues = table(
            &["file", "row", "column", "severity", "code", "message"],
            r.issues.iter().map(|i| {
                vec![
                    i.file.clone(),
                    opt(i.row),
                    opt(i.column.as_ref()),
                    i.severity.as_str().to_string(),
                    i.code.clone(),
                    i.message.clone(),
                ]
            }),
        )?;
        Ok(vec![
            (PathBuf::from("csv/expiring.csv"), expiring),
            (PathBuf::from("csv/users.csv"), users),
            (PathBuf::from("csv/purchases.csv"), purchases),
            (PathBuf::from("csv/deprovisioning.csv"), deprovisioning),
            (PathBuf::from("csv/issues.csv"), issues),
        ])
    }
}
