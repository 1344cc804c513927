//! What moved, for the runbook index and each runbook: the "since the report of …" box (the
//! changes since the previous report, docs/rules.md §3.6), the next action per retirement
//! (§3.5) and the users left report by report, worded in the runbook's locale. Each reads the
//! rows [`Pages`] grouped by customer once, so a page costs its own rows, not the whole book's.

use super::Pages;
use crate::model::rows_of;
use crate::model::{ChangeRow, CustomerKey};
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
        let rows: Vec<&ChangeRow> = match customer {
            Some(key) => rows_of(&self.changes, key).to_vec(),
            None => self.report.changes.iter().collect(),
        };
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

    /// The customer's next action per retirement, worded.
    pub(super) fn next_actions(&self, customer: &CustomerKey) -> Vec<String> {
        (rows_of(&self.progress, customer).iter())
            .map(|p| {
                let action = self.m.label("next_actions", p.next_action.as_str());
                format!("{}: {action}", self.retirement_name(&p.retirement_id))
            })
            .collect()
    }

    /// The customer's users still on retiring licenses, report by report ("30 → 18 → 4"), when
    /// the history holds more than one report.
    pub(super) fn trend(&self, customer: &CustomerKey) -> Option<String> {
        let mut per_report: std::collections::BTreeMap<chrono::NaiveDate, i64> =
            std::collections::BTreeMap::new();
        for h in rows_of(&self.history, customer) {
            *per_report.entry(h.as_of).or_default() += h.users_left.unwrap_or(0);
        }
        (per_report.len() > 1).then(|| {
            let values: Vec<String> = per_report.values().map(ToString::to_string).collect();
            self.m
                .fill("trend_line", &[("values", &values.join(" \u{2192} "))])
        })
    }

    /// A retirement by its catalog name.
    fn retirement_name<'r>(&'r self, id: &'r str) -> &'r str {
        (self.report.retirements.iter())
            .find(|r| r.id == id)
            .map_or(id, |r| r.name_in(self.m.lang()))
    }

    /// One change, worded.
    fn change(&self, c: &ChangeRow) -> String {
        let retirement = (c.retirement_id.as_deref())
            .map(|id| self.retirement_name(id))
            .unwrap_or_default();
        let plan = (c.recommended_sku.as_deref())
            .map(|sku| self.plan_names.get(sku).copied().unwrap_or(sku))
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
