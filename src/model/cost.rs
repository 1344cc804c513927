//! What the purchases cost (docs/rules.md §3.7): the price columns of a purchase line, and the
//! monthly totals the terminal prints.

use super::PurchaseRow;
use crate::base::money::Money;
use serde::Serialize;

/// What a purchase line costs per month (docs/rules.md §3.7): `to_buy` seats at the price list's
/// price for the term, ÷ the term's months, rounded to the cent. Taxes and promotions are not
/// in the price list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// The price list's `ProductId` of the plan.
    pub product_id: Option<String>,
    /// Its `SkuId`.
    pub sku_id: Option<String>,
    /// The term priced (`P1M`, `P1Y`, `P3Y`).
    pub term: Option<String>,
    /// The billing plan priced (`monthly`, `annual`, `triennial`).
    pub billing: Option<String>,
    /// The currency of every amount of the line.
    pub currency: Option<String>,
    /// The partner's price of one seat for the term (`UnitPrice`).
    pub unit_price: Option<Money>,
    /// The estimated retail price of one seat for the term (`ERP Price`).
    pub erp_price: Option<Money>,
    /// `to_buy` seats at `unit_price`, per month.
    pub monthly_cost: Option<Money>,
    /// `to_buy` seats at `erp_price`, per month: the customer's estimate.
    pub monthly_erp: Option<Money>,
    /// What stops being billed per month once the customer's open retiring subscriptions of
    /// the retirement end: their seats at their own offer's price for the term. On the first
    /// line of a customer and retirement, and only when every such subscription's offer has a
    /// price (a legacy offer has none).
    pub monthly_saving: Option<Money>,
    /// How the plan was found in the price list: `offer-matrix` (by its String_Id or GUID), or
    /// `title` (its name equals a product or SKU title: a fallback, check it).
    pub price_match: Option<String>,
}

/// The monthly totals of a report's priced purchase lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostTotals {
    /// The currency of every amount.
    pub currency: String,
    /// The sum of `monthly_cost`.
    pub monthly_cost: Money,
    /// The sum of `monthly_erp`, over the lines that have one.
    pub monthly_erp: Money,
    /// Lines with a price.
    pub priced: usize,
    /// Lines with an estimated retail price.
    pub with_erp: usize,
    /// All lines.
    pub lines: usize,
}

impl CostTotals {
    /// The totals of `purchases`, when a price list priced any of them.
    pub fn of(purchases: &[PurchaseRow]) -> Option<CostTotals> {
        let priced: Vec<&Cost> = (purchases.iter())
            .map(|p| &p.cost)
            .filter(|c| c.monthly_cost.is_some())
            .collect();
        let currency = priced.first()?.currency.clone().unwrap_or_default();
        let sum = |pick: fn(&Cost) -> Option<Money>| {
            (priced.iter().filter_map(|c| pick(c))).fold(Money::ZERO, Money::plus)
        };
        Some(CostTotals {
            currency,
            monthly_cost: sum(|c| c.monthly_cost),
            monthly_erp: sum(|c| c.monthly_erp),
            priced: priced.len(),
            with_erp: priced.iter().filter(|c| c.monthly_erp.is_some()).count(),
            lines: purchases.len(),
        })
    }
}
