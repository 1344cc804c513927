//! What the migrations cost, when a price list priced them (docs/rules.md §3.7): a Costs block on
//! the Summary sheet (the report's monthly totals) and a Costs sheet (one row per customer, a
//! total row last), every amount a typed cell in the price list's currency. Taxes and promotions
//! are not in the price list; both say so. A total with no priced line stays empty, never zero.

use super::summary::{Cursor, VALUE_COL, heading, pair};
use super::{Formats, cell_text, print, write_value};
use crate::base::money::Money;
use crate::export::tables::Value;
use crate::model::{CostTotals, PricesUsed, Report};
use anyhow::Result;
use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum, Workbook, Worksheet};

/// What the totals leave out, said wherever a total is shown.
const NOT_INCLUDED: &str = "Taxes and promotions are not in the price list and not included. \
     A purchase line without a price has an empty cell and a no-price issue: it is never \
     counted as zero.";

/// The price format of `currency`: `[$EUR] 1,234.50` (the code as the cell's currency symbol,
/// so the cell stays a number).
pub(super) fn currency_format(currency: &str) -> Format {
    let code: String = (currency.chars())
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    let number = "#,##0.00##";
    let format = if code.is_empty() {
        format!("{number}_);-{number}_)")
    } else {
        format!("[${code}] {number}_);[${code}] -{number}_)")
    };
    Format::new()
        .set_align(FormatAlign::Top)
        .set_num_format(format)
}

/// Where the prices come from, in one line.
fn prices_line(p: &PricesUsed) -> String {
    let matrix = p.offer_matrix.as_deref().map_or_else(
        || "no offer matrix: plans found by title".to_string(),
        |m| format!("offer matrix {m}"),
    );
    format!(
        "{}: market {}, {}, term {}, billed {}; {matrix}",
        p.price_list, p.market, p.currency, p.term, p.billing
    )
}

/// A labelled amount over the value column and the next (an amount with its currency code is
/// wider than one column); "not priced" when no line has one.
fn amount(
    ws: &mut Worksheet,
    at: &mut Cursor,
    label: &str,
    m: Option<Money>,
    (f, currency): (&Formats, &Format),
) -> Result<()> {
    let row = at.row;
    pair(ws, at, label, Value::Empty, f)?;
    ws.merge_range(row, VALUE_COL, row, VALUE_COL + 1, "", currency)?;
    match m {
        Some(m) => ws.write_number_with_format(row, VALUE_COL, m.as_f64(), currency)?,
        None => ws.write_string_with_format(row, VALUE_COL, "not priced", currency)?,
    };
    Ok(())
}

/// The Costs block of the Summary sheet, when the run had a price list.
pub(super) fn summary_block(
    ws: &mut Worksheet,
    at: &mut Cursor,
    r: &Report,
    f: &Formats,
) -> Result<()> {
    let Some(prices) = &r.run.prices else {
        return Ok(());
    };
    let t = CostTotals::of(&r.purchases).unwrap_or_default();
    heading(
        ws,
        at,
        &format!("What the migrations cost per month ({})", prices.currency),
        f,
    )?;
    let currency = currency_format(&prices.currency);
    for (label, m) in [
        ("At your price (UnitPrice)", t.monthly_cost),
        (
            "At estimated retail (ERP Price): the customers' estimate",
            t.monthly_erp,
        ),
        (
            "No longer billed when the retiring subscriptions end",
            t.monthly_saving,
        ),
    ] {
        amount(ws, at, label, m, (f, &currency))?;
    }
    let lines = format!("{} of {}", t.priced, r.purchases.len());
    pair(ws, at, "Purchase lines priced", Value::Text(&lines), f)?;
    let source = prices_line(prices);
    pair(ws, at, "Prices", Value::Text(&source), f)?;
    let row = at.next();
    ws.merge_range(
        row,
        0,
        row,
        8,
        &format!("{NOT_INCLUDED} Per customer: the Costs sheet."),
        &f.wrap,
    )?;
    ws.set_row_height(row, print::LINE_HEIGHT * 2.0)?;
    Ok(())
}

/// The Costs sheet's columns: title and width (in characters).
const COLUMNS: [(&str, f64); 9] = [
    ("Customer", 34.0),
    ("Seats to buy", 9.0),
    ("Purchase lines", 9.0),
    ("Lines priced", 9.0),
    ("Monthly cost (your price)", 15.0),
    ("Monthly estimated retail (customer)", 15.0),
    ("Monthly no longer billed (retiring)", 15.0),
    ("Currency", 9.0),
    ("Customer id", 38.0),
];

/// One row of the Costs sheet.
fn totals_row(
    ws: &mut Worksheet,
    row: RowNum,
    (name, id): (&str, Option<&str>),
    t: &CostTotals,
    (f, currency): (&Formats, &Format),
) -> Result<()> {
    ws.write_string_with_format(row, 0, cell_text(name).as_ref(), &f.wrap)?;
    let counts = [t.to_buy, t.lines as i64, t.priced as i64];
    for (i, n) in counts.into_iter().enumerate() {
        write_value(ws, row, (i + 1) as ColNum, &Value::Int(n), f)?;
    }
    for (i, m) in [t.monthly_cost, t.monthly_erp, t.monthly_saving]
        .into_iter()
        .enumerate()
    {
        if let Some(m) = m {
            ws.write_number_with_format(row, (i + 4) as ColNum, m.as_f64(), currency)?;
        }
    }
    write_value(ws, row, 7, &Value::Text(&t.currency), f)?;
    if let Some(id) = id {
        write_value(ws, row, 8, &Value::Text(id), f)?;
    }
    Ok(())
}

/// The Costs sheet, when the run had a price list: per customer with purchase lines, then the
/// total.
pub(super) fn sheet(wb: &mut Workbook, r: &Report, f: &Formats) -> Result<()> {
    let Some(prices) = &r.run.prices else {
        return Ok(());
    };
    let ws = wb.add_worksheet();
    ws.set_name("Costs")?;
    print::page_setup(ws, true)?;
    for (i, (_, width)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as ColNum, *width)?;
    }
    let currency = currency_format(&prices.currency);
    let header_lines = (COLUMNS.iter())
        .map(|(t, w)| print::line_count(t, *w))
        .max()
        .unwrap_or(1);
    ws.set_row_height(0, print::LINE_HEIGHT * header_lines as f64)?;
    for (i, (title, _)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, i as ColNum, *title, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let customers = CostTotals::per_customer(&r.purchases);
    let mut row: RowNum = 1;
    for c in &customers {
        let name = (c.customer_name.as_str(), c.customer_id.as_deref());
        totals_row(ws, row, name, &c.totals, (f, &currency))?;
        row += 1;
    }
    let last = (COLUMNS.len() - 1) as ColNum;
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), last)?;
    if customers.is_empty() {
        ws.write_string(row, 0, "Nothing to buy.")?;
        row += 1;
    }
    let total = CostTotals::of(&r.purchases).unwrap_or_else(|| CostTotals {
        currency: prices.currency.clone(),
        lines: r.purchases.len(),
        to_buy: r.purchases.iter().map(|p| p.to_buy).sum(),
        ..CostTotals::default()
    });
    let bold = (f.bold.clone(), currency.clone().set_bold());
    row += 1;
    totals_row(ws, row, ("Total", None), &total, (f, &bold.1))?;
    ws.set_row_format(row, &bold.0)?;
    row += 2;
    ws.merge_range(row, 0, row, last, NOT_INCLUDED, &f.wrap)?;
    ws.set_row_height(row, print::LINE_HEIGHT * 2.0)?;
    ws.merge_range(row + 1, 0, row + 1, last, &prices_line(prices), &f.wrap)?;
    Ok(())
}
