//! §3.7: what each purchase line costs per month, from the partner's price list. A plan is found
//! in the list through the offer matrix (its String_Id or SKU GUID → `ProductId:SkuId`), else by
//! a product or SKU title equal to its name (labelled `title`: a fallback to check). The price is
//! the customer's segment's (`Education` for education customers, else `Commercial`). A plan
//! without a price gets a `no-price` warning and empty cells, never zero.

use crate::base::money::Money;
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::model::{CustomerRow, PurchaseRow, Segment};
use crate::reference::prices::{OfferKey, OfferMatrix, Price, PriceChoice, PriceList, sku_id};
use crate::reference::resolve::Resolver;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One open retiring subscription: what stops being billed when it ends.
#[derive(Debug, Clone)]
pub(super) struct Billed {
    customer_id: Option<String>,
    customer_name: String,
    retirement_id: String,
    /// `PRODUCT:SKU:AVAILABILITY` for a new-commerce offer; a GUID for a legacy one.
    offer_id: Option<String>,
    quantity: i64,
}

/// The open retiring subscriptions (not suspended, not ended), with their offer and seats.
pub(super) fn billed(
    subs: LazyFrame,
    customers: LazyFrame,
    params: &super::Params,
) -> Result<Vec<Billed>> {
    let df = super::expiring::retiring(subs, customers, params)
        .filter(super::purchases::open_state())
        .collect()?;
    let r = crate::base::frame::Rows::new(&df);
    let (ids, names, rets, offers, qty) = (
        r.strs("customer_id")?,
        r.strs("customer_name")?,
        r.strs("retirement_id")?,
        r.strs("offer_id")?,
        r.ints("quantity")?,
    );
    Ok((0..r.len())
        .map(|i| Billed {
            customer_id: ids[i].clone(),
            customer_name: names[i].clone().unwrap_or_default(),
            retirement_id: rets[i].clone().unwrap_or_default(),
            offer_id: offers[i].clone(),
            quantity: qty[i].unwrap_or(0),
        })
        .collect())
}

/// `ProductId:SkuId` of a new-commerce offer id (`CFQ7TTC0LH18:0001:CFQ7TTC0K971`).
fn offer_key(offer_id: &str) -> Option<OfferKey> {
    let mut parts = offer_id.trim().split(':');
    let (product, sku) = (parts.next()?, parts.next()?);
    (!product.is_empty() && !sku.is_empty()).then(|| (product.to_uppercase(), sku_id(sku)))
}

/// The price list and, when given, the offer matrix.
#[derive(Debug, Clone)]
pub struct Pricing {
    /// `--price-list`, narrowed to one market, currency, term and billing plan.
    pub list: PriceList,
    /// `--offer-matrix`.
    pub matrix: Option<OfferMatrix>,
}

/// The price list's `Segment` for a customer's segment.
fn list_segment(segment: Segment) -> &'static str {
    match segment {
        Segment::Education => "Education",
        _ => "Commercial",
    }
}

/// Customer (id, name) → segment.
type Segments<'c> = HashMap<(Option<&'c str>, &'c str), Segment>;

/// The price list's `Segment` of a customer (`Commercial` for one the analysis did not segment).
fn segment_of(segments: &Segments, id: Option<&str>, name: &str) -> &'static str {
    list_segment(
        segments
            .get(&(id, name))
            .copied()
            .unwrap_or(Segment::Business),
    )
}

/// How a plan was found in the price list.
const BY_MATRIX: &str = "offer-matrix";
/// See [`BY_MATRIX`].
const BY_TITLE: &str = "title";

impl Pricing {
    /// Reads a price list (keeping the prices `choice` names, in force on `as_of`) and, when
    /// given, an offer matrix.
    pub fn load(
        price_list: &Path,
        offer_matrix: Option<&Path>,
        choice: &PriceChoice,
        as_of: NaiveDate,
    ) -> Result<Pricing> {
        Ok(Pricing {
            list: PriceList::load(price_list, choice, as_of)?,
            matrix: offer_matrix.map(OfferMatrix::load).transpose()?,
        })
    }

    /// The price of a plan (String_Id) for a segment, and how it was found.
    fn find(
        &self,
        resolver: &Resolver,
        string_id: &str,
        plan: &str,
        segment: &str,
    ) -> Option<(&Price, &'static str)> {
        let sku = resolver.sku(string_id);
        if let Some(matrix) = &self.matrix {
            let guid = sku.map_or("", |s| s.guid.as_str());
            let offers = matrix.offers(string_id, guid);
            if let Some(price) = (offers.into_iter()).find_map(|o| self.list.price(o, segment)) {
                return Some((price, BY_MATRIX));
            }
        }
        let names = sku
            .map(|s| s.display_name.as_str())
            .into_iter()
            .chain([plan]);
        names
            .flat_map(|name| self.list.offers_titled(name))
            .find_map(|offer| self.list.price(offer, segment))
            .map(|price| (price, BY_TITLE))
    }

    /// Sets `monthly_saving` on the first line of each customer and retirement whose open
    /// retiring subscriptions all have a price.
    fn savings(&self, purchases: &mut [PurchaseRow], segments: &Segments, billed: &[Billed]) {
        type Key = (Option<String>, String, String);
        // At the partner's price, and at the estimated retail price.
        type Sums = (Option<Money>, Option<Money>);
        let months = self.list.term.months();
        let mut saving: BTreeMap<Key, Sums> = BTreeMap::new();
        for b in billed {
            let segment = segment_of(segments, b.customer_id.as_deref(), &b.customer_name);
            let price = (b.offer_id.as_deref().and_then(offer_key))
                .and_then(|offer| self.list.price(&offer, segment));
            let unit = price.map(|p| p.unit_price.per_month(b.quantity, months));
            let erp = price.and_then(|p| p.erp_price.map(|e| e.per_month(b.quantity, months)));
            let key = (
                b.customer_id.clone(),
                b.customer_name.clone(),
                b.retirement_id.clone(),
            );
            let sums = saving
                .entry(key)
                .or_insert((Some(Money::ZERO), Some(Money::ZERO)));
            sums.0 = sums.0.zip(unit).map(|(a, b)| a.plus(b));
            sums.1 = sums.1.zip(erp).map(|(a, b)| a.plus(b));
        }
        for row in purchases.iter_mut() {
            let key = (
                row.customer_id.clone(),
                row.customer_name.clone(),
                row.retirement_id.clone(),
            );
            // Taken by the first line: a customer's saving is counted once.
            let (unit, erp) = saving.remove(&key).unwrap_or_default();
            row.cost.monthly_saving = unit;
            row.cost.monthly_saving_erp = erp.filter(|_| unit.is_some());
            if row.cost.monthly_saving.is_some() && row.cost.currency.is_none() {
                row.cost.currency = Some(self.list.currency.clone());
            }
        }
    }

    /// Prices every purchase line of `purchases` (customers give each line's segment); returns
    /// a `no-price` warning per plan and segment that has none.
    pub(super) fn price(
        &self,
        purchases: &mut [PurchaseRow],
        customers: &[CustomerRow],
        billed: &[Billed],
        resolver: &Resolver,
    ) -> Vec<Issue> {
        let segments: Segments = (customers.iter())
            .map(|c| {
                (
                    (c.customer_id.as_deref(), c.customer_name.as_str()),
                    c.segment,
                )
            })
            .collect();
        let months = self.list.term.months();
        let mut missing: BTreeMap<(String, String, &'static str), usize> = BTreeMap::new();
        for row in purchases.iter_mut() {
            let segment = segment_of(&segments, row.customer_id.as_deref(), &row.customer_name);
            let found = self.find(
                resolver,
                &row.recommended_sku,
                &row.recommended_plan,
                segment,
            );
            let Some((price, how)) = found else {
                let plan = (row.recommended_plan.clone(), row.recommended_sku.clone());
                *missing.entry((plan.0, plan.1, segment)).or_default() += 1;
                continue;
            };
            let monthly = |p: Money| p.per_month(row.to_buy, months);
            row.cost = crate::model::Cost {
                product_id: Some(price.product_id.clone()),
                sku_id: Some(price.sku_id.clone()),
                term: Some(self.list.term.as_str().to_string()),
                billing: Some(self.list.billing.as_str().to_string()),
                currency: Some(self.list.currency.clone()),
                unit_price: Some(price.unit_price),
                erp_price: price.erp_price,
                monthly_cost: Some(monthly(price.unit_price)),
                monthly_erp: price.erp_price.map(monthly),
                monthly_saving: None,
                monthly_saving_erp: None,
                price_match: Some(how.to_string()),
            };
        }
        self.savings(purchases, &segments, billed);
        (missing.into_iter())
            .map(|((plan, sku, segment), lines)| {
                Issue::new(
                    &self.list.file,
                    None,
                    None,
                    Severity::Warning,
                    IssueCode::NoPrice,
                    format!(
                        "no price for {plan} ({sku}) in market {market}, currency {currency}, \
                         term {term}, billing {billing}, segment {segment}, in force on the \
                         as-of date, so its {lines} purchase line(s) have no cost; {hint}",
                        market = self.list.market,
                        currency = self.list.currency,
                        term = self.list.term.as_str(),
                        billing = self.list.billing.as_str(),
                        hint = if self.matrix.is_some() {
                            "check that the price list and offer matrix are this month's and \
                             for this market"
                        } else {
                            "add `--offer-matrix FILE` (Partner Center > Pricing, the offer \
                             matrix beside the price list) to find plans by their product id"
                        },
                    ),
                )
            })
            .collect()
    }
}
