//! What the purchases cost (docs/rules.md §3.7): the price columns of a purchase line, the prices
//! a run used, and the monthly totals per customer and over the report.

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
    /// The same subscriptions at their offer's estimated retail price (`ERP Price`): what the
    /// customer stops paying, roughly. Only when every one of them has one.
    pub monthly_saving_erp: Option<Money>,
    /// How the plan was found in the price list: `offer-matrix` (by its String_Id or GUID), or
    /// `title` (its name equals a product or SKU title: a fallback, check it).
    pub price_match: Option<String>,
}

/// The price list and choice a run priced with (`--price-list`, after defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricesUsed {
    /// `--price-list` as given.
    pub price_list: String,
    /// `--offer-matrix` as given.
    pub offer_matrix: Option<String>,
    /// The market priced.
    pub market: String,
    /// The currency of every amount.
    pub currency: String,
    /// The term priced (`P1Y`, …).
    pub term: String,
    /// The billing plan priced (`monthly`, …).
    pub billing: String,
}

/// The monthly totals of purchase lines: a customer's, or the whole report's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostTotals {
    /// The currency of every amount (empty when no line is priced).
    pub currency: String,
    /// The sum of `monthly_cost`, over the lines that have one (`None`: no line priced; never
    /// a zero that stands for "unknown").
    pub monthly_cost: Option<Money>,
    /// The sum of `monthly_erp`, over the lines that have one.
    pub monthly_erp: Option<Money>,
    /// The sum of `monthly_saving`, over the lines that have one.
    pub monthly_saving: Option<Money>,
    /// The sum of `monthly_saving_erp`, over the lines that have one.
    pub monthly_saving_erp: Option<Money>,
    /// Seats to buy over all lines.
    pub to_buy: i64,
    /// Lines with a price.
    pub priced: usize,
    /// Lines with an estimated retail price.
    pub with_erp: usize,
    /// All lines.
    pub lines: usize,
}

/// One customer's [`CostTotals`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCost {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Name.
    pub customer_name: String,
    /// The customer's lines, summed.
    pub totals: CostTotals,
}

/// Adds an amount to a sum that may not have started.
fn add(sum: &mut Option<Money>, amount: Option<Money>) {
    if let Some(amount) = amount {
        *sum = Some(sum.unwrap_or(Money::ZERO).plus(amount));
    }
}

impl CostTotals {
    /// Adds one purchase line.
    fn add(&mut self, p: &PurchaseRow) {
        let c = &p.cost;
        self.lines += 1;
        self.to_buy += p.to_buy;
        if c.monthly_cost.is_some() {
            self.priced += 1;
            if self.currency.is_empty() {
                self.currency = c.currency.clone().unwrap_or_default();
            }
        }
        if c.monthly_erp.is_some() {
            self.with_erp += 1;
        }
        add(&mut self.monthly_cost, c.monthly_cost);
        add(&mut self.monthly_erp, c.monthly_erp);
        add(&mut self.monthly_saving, c.monthly_saving);
        add(&mut self.monthly_saving_erp, c.monthly_saving_erp);
    }

    /// The totals of `purchases`, when a price list priced any of them.
    pub fn of(purchases: &[PurchaseRow]) -> Option<CostTotals> {
        let mut totals = CostTotals::default();
        for p in purchases {
            totals.add(p);
        }
        (totals.priced > 0).then_some(totals)
    }

    /// The totals of each customer's lines, in the order the customers first appear.
    pub fn per_customer(purchases: &[PurchaseRow]) -> Vec<CustomerCost> {
        let mut out: Vec<CustomerCost> = Vec::new();
        let mut at: std::collections::HashMap<(Option<&str>, &str), usize> =
            std::collections::HashMap::new();
        for p in purchases {
            let key = (p.customer_id.as_deref(), p.customer_name.as_str());
            let i = *at.entry(key).or_insert_with(|| {
                out.push(CustomerCost {
                    customer_id: p.customer_id.clone(),
                    customer_name: p.customer_name.clone(),
                    totals: CostTotals::default(),
                });
                out.len() - 1
            });
            out[i].totals.add(p);
        }
        out
    }
}
