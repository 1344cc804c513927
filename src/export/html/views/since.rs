//! The "since the report of …" box of the runbook index and of each runbook: the changes since
//! the previous report (docs/rules.md §3.6), worded in the runbook's locale.

use super::Pages;
use crate::model::{ChangeRow, CustomerKey, CustomerRowKey};
use serde::Serialize;

/// "Since the report of …": the heading and the changes, worded (none when nothing was
/// compared).
#[derive(Serialize, Default)]
pub(super) struct Since {
    heading: Option<String>,
    changes: Vec<String>,
    more: Option<String>,
}

/// Changes listed on the index before "… and N more".
const INDEX_CHANGES: usize = 30;

impl Pages<'_> {
    /// The changes since the previous report: one customer's (`Some`), or all, each with its
    /// customer (`None`, the index: the first [`INDEX_CHANGES`]).
    pub(super) fn since(&self, customer: Option<&CustomerKey>) -> Since {
        let Some(previous) = self.report.previous.as_ref().filter(|p| p.compared) else {
            return Since::default();
        };
        let rows: Vec<&ChangeRow> = (self.report.changes.iter())
            .filter(|c| customer.is_none_or(|k| c.customer_key() == *k))
            .collect();
        if rows.is_empty() {
            return Since::default();
        }
        let shown = if customer.is_some() {
            rows.len()
        } else {
            INDEX_CHANGES
        };
        let changes = (rows.iter().take(shown))
            .map(|c| match customer {
                Some(_) => self.change(c),
                None => format!("{}: {}", c.customer_name, self.change(c)),
            })
            .collect();
        let date = self.date(previous.as_of).unwrap_or_default();
        Since {
            heading: Some(self.m.fill("since_previous", &[("date", &date)])),
            changes,
            more: (rows.len() > shown)
                .then(|| self.m.fill("changes_more", &[("n", &(rows.len() - shown))])),
        }
    }

    /// One change, worded.
    fn change(&self, c: &ChangeRow) -> String {
        let retirement = (c.retirement_id.as_deref())
            .map(|id| {
                (self.report.retirements.iter())
                    .find(|r| r.id == id)
                    .map_or(id, |r| r.name.as_str())
            })
            .unwrap_or_default();
        let plan = (c.recommended_sku.as_deref())
            .map(|sku| {
                (self.report.purchases.iter())
                    .find(|p| p.recommended_sku == sku)
                    .map_or(sku, |p| p.recommended_plan.as_str())
            })
            .unwrap_or_default();
        let mut text = self.m.label("changes", c.change.as_str());
        for (name, value) in [
            (
                "subscription",
                c.subscription_id.as_deref().unwrap_or_default(),
            ),
            ("retirement", retirement),
            ("plan", plan),
            ("before", c.before.as_str()),
            ("after", c.after.as_str()),
        ] {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}
