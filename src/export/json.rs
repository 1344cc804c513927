//! `report.json`: the whole `Report` (tables, customers, issues, accounting, run parameters),
//! with each user and purchase row's `reason` worded in English beside its `why` code.

use super::locale::Reasons;
use super::{Content, Exporter, Messages, Output, OutputFile};
use crate::model::{Reason, Report};
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

/// Rows per batch: a batch is serialised in parts of [`PART`] rows on every core while the batch
/// before it is written (and hashed); two batches of a wave's users are about 40 MB.
const BATCH: usize = 32_768;
const PART: usize = 2_048;

/// Writes `rows` as a JSON array, each row with its reason worded; the same bytes as serde_json
/// gives for the array, serialised in parallel (the users of a wave are most of the file).
fn write_worded<T: Serialize + Sync>(
    w: &mut (dyn Write + Send),
    rows: &[T],
    why: fn(&T) -> &Reason,
    reasons: &Reasons<'_>,
) -> Result<()> {
    use rayon::prelude::*;
    let part = |rows: &[T]| -> Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(rows.len() * 768);
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            let reason = reasons.of(why(row));
            serde_json::to_writer(&mut bytes, &Worded { row, reason })?;
        }
        Ok(bytes)
    };
    let mut written = 0;
    let mut write_parts = |w: &mut (dyn Write + Send), parts: Vec<Vec<u8>>| -> Result<()> {
        for bytes in parts {
            w.write_all(if written == 0 { b"[" } else { b"," })?;
            w.write_all(&bytes)?;
            written += 1;
        }
        Ok(())
    };
    let mut pending = Vec::new();
    for batch in rows.chunks(BATCH) {
        let (done, next) = rayon::join(
            || write_parts(w, std::mem::take(&mut pending)),
            || batch.par_chunks(PART).map(part).collect::<Result<Vec<_>>>(),
        );
        done?;
        pending = next?;
    }
    write_parts(w, pending)?;
    w.write_all(if written == 0 { b"[]" } else { b"]" })?;
    Ok(())
}

/// A JSON object written field by field, compact, as serde_json writes a struct.
struct Object<'w> {
    w: &'w mut (dyn Write + Send),
    fields: usize,
}

impl<'w> Object<'w> {
    fn start(w: &'w mut (dyn Write + Send)) -> Result<Object<'w>> {
        w.write_all(b"{")?;
        Ok(Object { w, fields: 0 })
    }

    /// Writes the next field's key; its value comes next.
    fn key(&mut self, key: &str) -> Result<&mut (dyn Write + Send)> {
        let comma = if self.fields == 0 { "" } else { "," };
        write!(self.w, "{comma}\"{key}\":")?;
        self.fields += 1;
        Ok(&mut *self.w)
    }

    /// Writes the next field.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        serde_json::to_writer(self.key(key)?, value)?;
        Ok(())
    }

    fn end(self) -> Result<()> {
        self.w.write_all(b"}")?;
        Ok(())
    }
}

/// Writes the report as compact JSON and a final line break into `w`: the `Report`'s fields in
/// order, the user and purchase rows each with a reason worded.
fn write_json(report: &Report, w: &mut (dyn Write + Send)) -> Result<()> {
    let english = Messages::english();
    let reasons = Reasons::word(report, &english);
    // Compact: the file is for machines (next week's run, scripts) and a wave's is hundreds of
    // megabytes; `jq .` or `python3 -m json.tool` shows it indented.
    let mut json = Object::start(w)?;
    json.field("run", &report.run)?;
    json.field("customers", &report.customers)?;
    json.field("expiring", &report.expiring)?;
    write_worded(json.key("users")?, &report.users, |r| &r.why, &reasons)?;
    write_worded(
        json.key("purchases")?,
        &report.purchases,
        |r| &r.why,
        &reasons,
    )?;
    json.field("deprovisioning", &report.deprovisioning)?;
    json.field("progress", &report.progress)?;
    json.field("changes", &report.changes)?;
    json.field("previous", &report.previous)?;
    json.field("history", &report.history)?;
    json.field("issues", &report.issues)?;
    json.field("accounting", &report.accounting)?;
    json.field("summary", &report.summary)?;
    json.field("retirements", &report.retirements)?;
    json.field("retiring_licenses", &report.retiring_licenses)?;
    json.field("skus", &report.skus)?;
    json.field("plan_changes", &report.plan_changes)?;
    json.end()?;
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
