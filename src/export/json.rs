//! `report.json`: the whole `Report` (tables, customers, issues, accounting, run parameters),
//! with each user and purchase row's `reason` worded in English beside its `why` code.

use super::locale::Reasons;
use super::{Exporter, Messages, Output, OutputFile};
use crate::model::{Reason, Report, Shared, UserRow};
use anyhow::Result;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Writes `report.json`.
pub(super) struct JsonExporter;

/// A row with its reason worded.
#[derive(Serialize)]
struct Worded<'a, T> {
    #[serde(flatten)]
    row: &'a T,
    reason: &'a str,
}

/// Writes one row of a table, with its reason worded, as JSON.
trait RowJson<T>: Default {
    fn write(&mut self, row: &T, reason: &str, out: &mut Vec<u8>) -> Result<()>;
}

/// Any row, through serde: `{…the row's fields…,"reason":…}`.
#[derive(Default)]
struct AnyRow;

impl<T: Serialize> RowJson<T> for AnyRow {
    fn write(&mut self, row: &T, reason: &str, out: &mut Vec<u8>) -> Result<()> {
        serde_json::to_writer(out, &Worded { row, reason })?;
        Ok(())
    }
}

/// A user row, field by field: the bytes [`AnyRow`] writes. The rows of one customer and plan
/// follow each other and repeat all but the user's two names, so the customer's fields and the
/// plan's fields (with the reason) reuse the row before's bytes when they are the same.
#[derive(Default)]
struct UserJson {
    /// The customer's fields (`{"customer_id":…,"customer_name":…,`) and whose they are.
    head: Vec<u8>,
    head_of: Option<(Option<Shared>, Shared)>,
    /// The fields after the user's names, to the row's end, and the row they were made for.
    tail: Vec<u8>,
    tail_of: Option<UserRow>,
}

/// Whether `a` and `b` write the same fields after the user's names (with the same reason:
/// their `why`s are the same).
fn same_tail(a: &UserRow, b: &UserRow) -> bool {
    a.retiring_license == b.retiring_license
        && a.retirement_id == b.retirement_id
        && a.action == b.action
        && a.recommended_sku == b.recommended_sku
        && a.recommended_plan == b.recommended_plan
        && a.covering_license == b.covering_license
        && a.covering_sku == b.covering_sku
        && (Arc::ptr_eq(&a.why, &b.why) || a.why == b.why)
}

/// Writes `"key":value` and the comma after it.
fn field<V: Serialize + ?Sized>(out: &mut Vec<u8>, key: &str, value: &V) -> Result<()> {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(&mut *out, value)?;
    out.push(b',');
    Ok(())
}

impl RowJson<UserRow> for UserJson {
    fn write(&mut self, row: &UserRow, reason: &str, out: &mut Vec<u8>) -> Result<()> {
        let same_customer = (self.head_of.as_ref())
            .is_some_and(|(id, name)| *id == row.customer_id && *name == row.customer_name);
        if !same_customer {
            self.head.clear();
            self.head.push(b'{');
            field(&mut self.head, "customer_id", &row.customer_id)?;
            field(&mut self.head, "customer_name", &row.customer_name)?;
            self.head_of = Some((row.customer_id.clone(), row.customer_name.clone()));
        }
        out.extend_from_slice(&self.head);
        field(out, "user_principal_name", &row.user_principal_name)?;
        field(out, "display_name", &row.display_name)?;
        if !self.tail_of.as_ref().is_some_and(|t| same_tail(t, row)) {
            let tail = &mut self.tail;
            tail.clear();
            field(tail, "retiring_license", &row.retiring_license)?;
            field(tail, "retirement_id", &row.retirement_id)?;
            field(tail, "action", &row.action)?;
            field(tail, "recommended_sku", &row.recommended_sku)?;
            field(tail, "recommended_plan", &row.recommended_plan)?;
            field(tail, "covering_license", &row.covering_license)?;
            field(tail, "covering_sku", &row.covering_sku)?;
            field(tail, "why", &row.why)?;
            field(tail, "reason", reason)?;
            *tail.last_mut().expect("fields were written") = b'}';
            self.tail_of = Some(row.clone());
        }
        out.extend_from_slice(&self.tail);
        Ok(())
    }
}

/// Rows per batch: a batch is serialised in parts of [`PART`] rows on every core while the batch
/// before it is written (and hashed); two batches of a wave's users are about 40 MB.
const BATCH: usize = 32_768;
const PART: usize = 2_048;
/// About how many bytes of `report.json` a user row brings, with its share of the other tables
/// (820 in a wave's book): the file's size hint.
const USER_BYTES: u64 = 800;

/// Writes `rows` as a JSON array, each row with its reason worded by `J`; the same bytes as
/// serde_json gives for the array, serialised in parallel (the users of a wave are most of the
/// file).
fn write_worded<T: Sync, J: RowJson<T>>(
    w: &mut (dyn Write + Send),
    rows: &[T],
    why: fn(&T) -> &Reason,
    reasons: &Reasons<'_>,
) -> Result<()> {
    use rayon::prelude::*;
    let part = |rows: &[T]| -> Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(rows.len() * 768);
        let mut json = J::default();
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            json.write(row, reasons.of(why(row)), &mut bytes)?;
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
    write_worded::<_, UserJson>(json.key("users")?, &report.users, |r| &r.why, &reasons)?;
    write_worded::<_, AnyRow>(
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
        let size = report.users.len() as u64 * USER_BYTES;
        Ok(vec![Output::streamed(
            PathBuf::from(super::REPORT_JSON),
            size,
            Box::new(move |w| write_json(report, w)),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, ReasonArg, ReasonCode};
    use proptest::prelude::*;

    /// A user row whose every field is picked from a few values (hostile text among them), so
    /// that rows in a row repeat a customer, a plan or a reason and then change one of them.
    fn user(p: [usize; 12]) -> UserRow {
        let texts = ["Contoso", "a\"b\\c", "<é/>\n\t", "Fabrikam, Ltd"];
        let shared = |i: usize| -> Shared { texts[i % texts.len()].into() };
        let maybe = |i: usize| (!i.is_multiple_of(3)).then(|| shared(i));
        let why = Reason::new(
            [ReasonCode::ReassignBusiness, ReasonCode::RemoveOnly][p[8] % 2],
            [(ReasonArg::License, texts[p[9] % 4].to_string())],
        );
        UserRow {
            customer_id: maybe(p[0]),
            customer_name: shared(p[1]),
            user_principal_name: texts[p[2] % 4].to_string(),
            display_name: (!p[2].is_multiple_of(3)).then(|| texts[(p[2] + 1) % 4].to_string()),
            retiring_license: shared(p[3]),
            retirement_id: shared(p[10]),
            action: [Action::Reassign, Action::RemoveOnly, Action::ReviewBlocked][p[4] % 3],
            recommended_sku: maybe(p[5]),
            recommended_plan: maybe(p[6]),
            covering_license: maybe(p[7]),
            covering_sku: maybe(p[11]),
            why: Arc::new(why),
        }
    }

    proptest! {
        #[test]
        fn user_rows_are_the_bytes_serde_writes(
            first in prop::array::uniform12(0usize..5),
            changes in prop::collection::vec((0usize..13, 0usize..5), 0..40),
        ) {
            // Each row is the one before with at most one field changed.
            let mut picks = first;
            let mut rows = vec![user(picks)];
            for (at, to) in changes {
                if let Some(pick) = picks.get_mut(at) {
                    *pick = to;
                }
                rows.push(user(picks));
            }
            let (mut fast, mut plain) = (Vec::new(), Vec::new());
            let mut json = UserJson::default();
            for row in &rows {
                let reason = format!("{:?} \"worded\"", row.why.code);
                json.write(row, &reason, &mut fast).unwrap();
                AnyRow.write(row, &reason, &mut plain).unwrap();
            }
            prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(plain).unwrap());
        }
    }
}
