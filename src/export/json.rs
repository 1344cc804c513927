//! `report.json`: the whole `Report` (tables, customers, issues, accounting, run parameters).

use super::{Exporter, OutputFile};
use crate::model::Report;
use anyhow::Result;
use std::path::PathBuf;

/// Writes `report.json`.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let mut bytes = serde_json::to_vec_pretty(report)?;
        bytes.push(b'\n');
        Ok(vec![(PathBuf::from("report.json"), bytes)])
    }
}
