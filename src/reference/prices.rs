//! The partner's new-commerce license-based price list (`--price-list`, as Partner Center >
//! Pricing downloads it, CSV or the workbook it is often kept as) and offer matrix
//! (`--offer-matrix`): which price applies to a plan in one market, currency, term and billing
//! plan on the as-of date (docs/rules.md §2.5).
//!
//! `UnitPrice` is the partner's price for one seat for the whole term (`P1Y`: a year) and
//! `ERP Price` the estimated retail price the same way; a month is that ÷ the term's months.

use super::names::lookup_key;
use crate::base::error::InputError;
use crate::base::money::Money;
use crate::read::headers::{ColumnMap, FieldSpec, KnownHeaders, field};
use crate::read::table::{Keep, Table};
use anyhow::{Result, bail};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A commitment term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    /// One month.
    P1M,
    /// One year.
    P1Y,
    /// Three years.
    P3Y,
}

impl Term {
    /// Every term, as `--term` takes them.
    pub const ALL: [Term; 3] = [Term::P1M, Term::P1Y, Term::P3Y];

    /// The price list's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Term::P1M => "P1M",
            Term::P1Y => "P1Y",
            Term::P3Y => "P3Y",
        }
    }

    /// Its length in months.
    pub fn months(self) -> i64 {
        match self {
            Term::P1M => 1,
            Term::P1Y => 12,
            Term::P3Y => 36,
        }
    }

    /// The term a price list value names, case-insensitively.
    pub fn parse(text: &str) -> Option<Term> {
        Term::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// How often a term is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Billing {
    /// Every month.
    Monthly,
    /// Every year.
    Annual,
    /// Once for three years.
    Triennial,
}

impl Billing {
    /// Every billing plan.
    pub const ALL: [Billing; 3] = [Billing::Monthly, Billing::Annual, Billing::Triennial];

    /// The `--billing` spelling (the price list writes `Monthly`, `Annual`, `Triennial`).
    pub fn as_str(self) -> &'static str {
        match self {
            Billing::Monthly => "monthly",
            Billing::Annual => "annual",
            Billing::Triennial => "triennial",
        }
    }

    /// The billing plan a value names, case-insensitively.
    pub fn parse(text: &str) -> Option<Billing> {
        Billing::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Which prices of the list a run uses: `--market`, `--currency` (each may be left to the file
/// when it holds only one), `--term`, `--billing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChoice {
    /// Market code, e.g. `US`, `NL`.
    pub market: Option<String>,
    /// Currency code, e.g. `USD`, `EUR`.
    pub currency: Option<String>,
    /// The commitment term.
    pub term: Term,
    /// The billing plan.
    pub billing: Billing,
}

impl Default for PriceChoice {
    fn default() -> Self {
        PriceChoice {
            market: None,
            currency: None,
            term: Term::P1Y,
            billing: Billing::Monthly,
        }
    }
}

/// The price list's columns, by header name.
const FIELDS: &[FieldSpec] = &[
    field("product_id", &["ProductId", "Product ID"]),
    field("sku_id", &["SkuId", "SKU ID"]),
    field("term", &["TermDuration", "Term duration", "Term"]),
    field(
        "billing",
        &["BillingPlan", "Billing plan", "BillingFrequency"],
    ),
    field("market", &["Market"]),
    field("currency", &["Currency"]),
    field("unit_price", &["UnitPrice", "Unit price"]),
    field("product_title", &["ProductTitle", "Product title"]),
    field("sku_title", &["SkuTitle", "SKU title"]),
    field("erp_price", &["ERP Price", "ERPPrice", "ERP"]),
    field("segment", &["Segment"]),
    field("start", &["EffectiveStartDate", "Effective start date"]),
    field("end", &["EffectiveEndDate", "Effective end date"]),
];

/// The columns a price list must have.
const REQUIRED: [&str; 7] = [
    "product_id",
    "sku_id",
    "term",
    "billing",
    "market",
    "currency",
    "unit_price",
];

/// The offer matrix's columns.
const MATRIX_FIELDS: &[FieldSpec] = &[
    field("product_id", &["ProductId", "Product ID"]),
    field("sku_id", &["SkuId", "SKU ID"]),
    field(
        "provisioning_string",
        &["ProvisioningString", "Provisioning string"],
    ),
    field("provisioning_id", &["ProvisioningId", "Provisioning ID"]),
    field("product_title", &["ProductTitle", "Product title"]),
    field("sku_title", &["SkuTitle", "SKU title"]),
];

/// A product and SKU of the price list: `ProductId:SkuId` of an NCE offer id.
pub type OfferKey = (String, String);

/// One price of the chosen market, currency, term and billing plan, in force on the as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    /// `ProductId`.
    pub product_id: String,
    /// `SkuId`, four digits.
    pub sku_id: String,
    /// `ProductTitle`, where the file has it.
    pub product_title: Option<String>,
    /// `SkuTitle`, where the file has it.
    pub sku_title: Option<String>,
    /// The partner's price of one seat for the term.
    pub unit_price: Money,
    /// The estimated retail price of one seat for the term.
    pub erp_price: Option<Money>,
}

/// The prices a run uses, with what chose them.
#[derive(Debug, Clone)]
pub struct PriceList {
    /// The file as given.
    pub file: String,
    /// The market used.
    pub market: String,
    /// The currency used.
    pub currency: String,
    /// The term used.
    pub term: Term,
    /// The billing plan used.
    pub billing: Billing,
    /// Per offer and segment (`commercial`, `education`, … lower case; empty when the file has
    /// no `Segment`), the price in force.
    prices: HashMap<(OfferKey, String), Price>,
    /// Product and SKU title (lookup keys) → offers, for the title fallback.
    titles: HashMap<String, Vec<OfferKey>>,
}

/// A `SkuId` as Partner Center writes it: four digits (`0001`), which Excel shortens to `1`.
pub fn sku_id(text: &str) -> String {
    let text = text.trim();
    if !text.is_empty() && text.len() < 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        format!("{text:0>4}")
    } else {
        text.to_uppercase()
    }
}

/// A price list date in any of the shapes Microsoft writes (`2/1/2019 12:00:00 AM`,
/// `2/1/2023 0:00` — month first — or `2021-10-01T00:00:00.0000000Z`); years 1753 and 9999
/// (and none) are open ends (`Ok(None)`).
fn price_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day = text.split([' ', 'T']).next().unwrap_or(text);
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day, "%m/%d/%Y"))
        .map_err(|_| {
            format!("{text:?} is not a date (M/D/YYYY or YYYY-MM-DD, as Partner Center writes)")
        })?;
    Ok((!matches!(date.year(), 1753 | 9999)).then_some(date))
}

/// What one row of the file says, before the choice.
struct Row {
    at: usize,
    offer: OfferKey,
    segment: String,
    term: String,
    billing: String,
    market: String,
    currency: String,
    price: Price,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

/// The one value of `values` (upper-cased) a flag may leave out, or the error that lists them.
fn only_one(
    file: &str,
    flag: &str,
    chosen: Option<&String>,
    values: &BTreeSet<String>,
) -> Result<String> {
    if let Some(chosen) = chosen {
        let wanted = chosen.trim().to_uppercase();
        if !values.contains(&wanted) {
            bail!(
                "{flag} {chosen}: `{file}` has no prices for it; it has: {}",
                values.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        return Ok(wanted);
    }
    match values.len() {
        1 => Ok(values.first().cloned().unwrap_or_default()),
        0 => bail!("`{file}` holds no prices; check that it is the license-based price list"),
        _ => bail!(
            "`{file}` holds prices for several values of {flag}: {}; choose one with {flag}",
            values.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    }
}

impl PriceList {
    /// Reads a price list and keeps the prices of `choice` in force on `as_of`.
    pub fn load(path: &Path, choice: &PriceChoice, as_of: NaiveDate) -> Result<PriceList> {
        let file = path.display().to_string();
        let table = read_fields(path, &file, FIELDS)?;
        let rows = rows(&file, &table)?;
        PriceList::choose(file, rows, choice, as_of)
    }

    fn choose(
        file: String,
        rows: Vec<Row>,
        choice: &PriceChoice,
        as_of: NaiveDate,
    ) -> Result<PriceList> {
        let markets: BTreeSet<String> = rows.iter().map(|r| r.market.clone()).collect();
        let market = only_one(&file, "--market", choice.market.as_ref(), &markets)?;
        let currencies: BTreeSet<String> = (rows.iter())
            .filter(|r| r.market == market)
            .map(|r| r.currency.clone())
            .collect();
        let currency = only_one(&file, "--currency", choice.currency.as_ref(), &currencies)?;
        let (term, billing) = (choice.term.as_str(), choice.billing.as_str());
        let in_force =
            |r: &Row| r.start.is_none_or(|d| d <= as_of) && r.end.is_none_or(|d| d >= as_of);
        let mut chosen: BTreeMap<(OfferKey, String), (Option<NaiveDate>, usize, Price)> =
            BTreeMap::new();
        let mut titles: HashMap<String, Vec<OfferKey>> = HashMap::new();
        for row in rows {
            if row.market != market
                || row.currency != currency
                || !row.term.eq_ignore_ascii_case(term)
                || !row.billing.eq_ignore_ascii_case(billing)
                || !in_force(&row)
            {
                continue;
            }
            for title in [&row.price.product_title, &row.price.sku_title]
                .into_iter()
                .flatten()
            {
                let offers = titles.entry(lookup_key(title)).or_default();
                if !offers.contains(&row.offer) {
                    offers.push(row.offer.clone());
                }
            }
            // Of a price listed twice, the latest start on or before the as-of date holds (a
            // later row wins a tie).
            let key = (row.offer, row.segment);
            let newer = chosen
                .get(&key)
                .is_none_or(|(start, at, _)| (row.start, row.at) >= (*start, *at));
            if newer {
                chosen.insert(key, (row.start, row.at, row.price));
            }
        }
        Ok(PriceList {
            file,
            market,
            currency,
            term: choice.term,
            billing: choice.billing,
            prices: (chosen.into_iter())
                .map(|(key, (_, _, price))| (key, price))
                .collect(),
            titles,
        })
    }

    /// The price of an offer for a customer of `segment` (the price list's `Segment`, e.g.
    /// `Commercial`, `Education`): the segment's row, else a row without a segment.
    pub fn price(&self, offer: &OfferKey, segment: &str) -> Option<&Price> {
        let get = |segment: String| self.prices.get(&(offer.clone(), segment));
        get(segment.to_lowercase()).or_else(|| get(String::new()))
    }

    /// The offers whose product or SKU title is `title` (names compared as lookup keys).
    pub fn offers_titled(&self, title: &str) -> &[OfferKey] {
        self.titles
            .get(&lookup_key(title))
            .map_or(&[], Vec::as_slice)
    }
}

/// Reads a price file (CSV or spreadsheet), holding only the columns of `fields`.
fn read_fields(path: &Path, file: &str, fields: &[FieldSpec]) -> Result<Table> {
    let known = KnownHeaders::of(fields);
    let wanted = |header: &str| known.knows(header);
    crate::read::read_table(path, file, None, Keep::Headers(&wanted))
}

/// The error for the first of `required` that no header of `table` matched.
fn require(
    file: &str,
    table: &Table,
    map: &ColumnMap,
    fields: &[FieldSpec],
    required: &[&str],
) -> Result<()> {
    for name in required {
        if map.get(name).is_none() {
            let spec = fields.iter().find(|f| f.name == *name).expect("a field");
            bail!(ColumnMap::missing(file, &table.headers, &[spec]));
        }
    }
    Ok(())
}

/// Every usable row of a price list table; a row with an unreadable price or date is an error
/// naming its row and column.
fn rows(file: &str, table: &Table) -> Result<Vec<Row>> {
    let map = ColumnMap::new(&table.headers, FIELDS);
    require(file, table, &map, FIELDS, &REQUIRED)?;
    let text = |name: &str, i: usize| -> Option<&str> {
        map.get(name)
            .and_then(|at| table.columns[at].text.get(i))
            .map(str::trim)
    };
    let bad = |name: &str, i: usize, message: String| -> anyhow::Error {
        let header = map.get(name).map_or("", |at| table.headers[at].as_str());
        InputError::Malformed {
            file: file.to_string(),
            message: format!("row {} [{header}]: {message}", table.rows[i]),
        }
        .into()
    };
    let money = |name: &str, i: usize| -> Result<Option<Money>> {
        match text(name, i) {
            None => Ok(None),
            Some(value) => Money::parse(value).map(Some).ok_or_else(|| {
                bad(
                    name,
                    i,
                    format!("{value:?} is not a price (digits and a `.`, e.g. 12.34)"),
                )
            }),
        }
    };
    let date =
        |name: &str, i: usize| price_date(text(name, i).unwrap_or("")).map_err(|m| bad(name, i, m));
    let mut rows = Vec::with_capacity(table.rows.len());
    for i in 0..table.rows.len() {
        let owned = |name: &str| text(name, i).map(str::to_string);
        let (Some(product), Some(sku)) = (owned("product_id"), text("sku_id", i)) else {
            continue;
        };
        let Some(unit_price) = money("unit_price", i)? else {
            return Err(bad("unit_price", i, "no price".into()));
        };
        rows.push(Row {
            at: i,
            offer: (product.to_uppercase(), sku_id(sku)),
            segment: owned("segment").unwrap_or_default().to_lowercase(),
            term: owned("term").unwrap_or_default(),
            billing: owned("billing").unwrap_or_default(),
            market: owned("market").unwrap_or_default().to_uppercase(),
            currency: owned("currency").unwrap_or_default().to_uppercase(),
            start: date("start", i)?,
            end: date("end", i)?,
            price: Price {
                product_id: product.to_uppercase(),
                sku_id: sku_id(sku),
                product_title: owned("product_title"),
                sku_title: owned("sku_title"),
                unit_price,
                erp_price: money("erp_price", i)?,
            },
        });
    }
    Ok(rows)
}

/// The offer matrix: which `ProductId:SkuId` provisions which product of the SKU table.
#[derive(Debug, Clone, Default)]
pub struct OfferMatrix {
    /// String_Id (upper case) or SKU GUID (lower case) → offers, in file order.
    by_product: HashMap<String, Vec<OfferKey>>,
}

impl OfferMatrix {
    /// Reads an offer matrix (`ProductId, SkuId, ProvisioningString, ProvisioningId, …`).
    pub fn load(path: &Path) -> Result<OfferMatrix> {
        let file = path.display().to_string();
        let table = read_fields(path, &file, MATRIX_FIELDS)?;
        let map = ColumnMap::new(&table.headers, MATRIX_FIELDS);
        require(
            &file,
            &table,
            &map,
            MATRIX_FIELDS,
            &["product_id", "sku_id"],
        )?;
        if map.get("provisioning_string").is_none() && map.get("provisioning_id").is_none() {
            let specs: Vec<&FieldSpec> = MATRIX_FIELDS[2..4].iter().collect();
            bail!(ColumnMap::missing(&file, &table.headers, &specs));
        }
        let text = |name: &str, i: usize| -> Option<&str> {
            map.get(name)
                .and_then(|at| table.columns[at].text.get(i))
                .map(str::trim)
                .filter(|t| !t.is_empty())
        };
        let mut matrix = OfferMatrix::default();
        for i in 0..table.rows.len() {
            let (Some(product), Some(sku)) = (text("product_id", i), text("sku_id", i)) else {
                continue;
            };
            let offer = (product.to_uppercase(), sku_id(sku));
            // A cell may name several products, separated by commas or semicolons.
            let strings = text("provisioning_string", i)
                .into_iter()
                .flat_map(|s| s.split([',', ';']).map(|p| p.trim().to_uppercase()));
            let ids = text("provisioning_id", i)
                .into_iter()
                .flat_map(|s| s.split([',', ';']).map(|p| p.trim().to_lowercase()));
            for key in strings.chain(ids).filter(|k| !k.is_empty()) {
                let offers = matrix.by_product.entry(key).or_default();
                if !offers.contains(&offer) {
                    offers.push(offer.clone());
                }
            }
        }
        Ok(matrix)
    }

    /// The offers that provision the product with this String_Id or SKU GUID.
    pub fn offers(&self, string_id: &str, guid: &str) -> Vec<&OfferKey> {
        let by = |key: String| self.by_product.get(&key).into_iter().flatten();
        by(string_id.trim().to_uppercase())
            .chain(by(guid.trim().to_lowercase()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_ids_are_padded_back_to_four_digits() {
        assert_eq!(sku_id("1"), "0001");
        assert_eq!(sku_id("0002"), "0002");
        assert_eq!(sku_id(" 12 "), "0012");
        assert_eq!(sku_id("dzh318z0bq3z"), "DZH318Z0BQ3Z");
    }

    #[test]
    fn dates_in_every_shape_and_open_ends() {
        let d = |y, m, d| Some(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(price_date("2/1/2019 12:00:00 AM"), Ok(d(2019, 2, 1)));
        assert_eq!(price_date("2/1/2023 0:00"), Ok(d(2023, 2, 1)));
        assert_eq!(
            price_date("2021-10-01T00:00:00.0000000Z"),
            Ok(d(2021, 10, 1))
        );
        assert_eq!(price_date("1/1/1753 12:00:00 AM"), Ok(None));
        assert_eq!(price_date("9999-12-31T23:59:59.0000000Z"), Ok(None));
        assert_eq!(price_date(""), Ok(None));
        assert!(price_date("31/12/2024").is_err());
    }
}
