//! A runbook's step A line: the plan and seats to buy, why, and — when a price list priced it —
//! what it costs a month at the partner's price and roughly for the customer (docs/rules.md §3.7),
//! worded in the runbook's locale.

use crate::base::money::Money;
use crate::export::locale::Messages;
use crate::model::{Cost, PurchaseRow};
use serde::Serialize;

/// One line to buy.
#[derive(Serialize)]
pub(super) struct PurchaseView {
    plan: String,
    sku: String,
    quantity: i64,
    reason: String,
    /// What the line costs a month, when a price list priced it.
    cost: Option<String>,
}

impl PurchaseView {
    /// The view of a purchase line, worded with `m`.
    pub(super) fn of(p: &PurchaseRow, m: &Messages) -> PurchaseView {
        PurchaseView {
            plan: p.recommended_plan.clone(),
            sku: p.recommended_sku.clone(),
            quantity: p.to_buy,
            reason: m.reason(&p.why),
            cost: cost_line(&p.cost, m),
        }
    }
}

/// A purchase line's monthly cost in words, when it has one.
fn cost_line(cost: &Cost, m: &Messages) -> Option<String> {
    let currency = cost.currency.as_deref().unwrap_or_default();
    let amount = |money: Money| format!("{money} {currency}");
    let monthly = amount(cost.monthly_cost?);
    Some(match cost.monthly_erp {
        Some(erp) => m.fill("cost_line", &[("cost", &monthly), ("erp", &amount(erp))]),
        None => m.fill("cost_line_no_erp", &[("cost", &monthly)]),
    })
}
