//! The Summary sheet, leading with what to do: a seat-count warning when quantities are seat
//! counts, customers by earliest deadline, headline counts, seats to buy per plan, the expiring
//! seats per ISO week with a native column chart beside them, and the run parameters last. It
//! prints on A4 landscape, one page wide, at a readable size (the columns sum to ~170 characters).

use super::{AMBER, Formats, RED, Shade, YELLOW, cell_text, print, write_value};
use crate::export::tables::Value;
use crate::model::{Action, Count, Headline, Report, Urgency};
use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartLegendPosition, ColNum, Format, FormatAlign, RowNum, Worksheet};

/// The next row to write on the Summary sheet (the sheet is written top to bottom).
pub(super) struct Cursor {
    pub(super) row: RowNum,
}

impl Cursor {
    pub(super) fn next(&mut self) -> RowNum {
        self.row += 1;
        self.row - 1
    }
}

fn shade_of(urgency: Urgency) -> Option<&'static Shade> {
    match urgency {
        Urgency::Overdue => Some(&RED),
        Urgency::Due30 => Some(&AMBER),
        Urgency::Due90 => Some(&YELLOW),
        Urgency::Later | Urgency::None => None,
    }
}

pub(super) fn heading(ws: &mut Worksheet, at: &mut Cursor, text: &str, f: &Formats) -> Result<()> {
    at.next();
    ws.write_string_with_format(at.next(), 0, text, &f.bold.clone().set_font_size(12))?;
    Ok(())
}

pub(super) fn pair(
    ws: &mut Worksheet,
    at: &mut Cursor,
    label: &str,
    value: Value,
    f: &Formats,
) -> Result<()> {
    let row = at.next();
    label_cell(ws, row, label, Format::new())?;
    write_value(ws, row, VALUE_COL, &value, f)?;
    Ok(())
}

/// The column of the values beside labels (labels take the two before it).
pub(super) const VALUE_COL: ColNum = 2;

/// A label over the first two columns, wrapped, with its row as high as its lines.
fn label_cell(ws: &mut Worksheet, row: RowNum, label: &str, format: Format) -> Result<()> {
    let lines = print::line_count(label, CUSTOMER_COLUMNS[0].1 + CUSTOMER_COLUMNS[1].1);
    if lines > 1 {
        ws.set_row_height(row, print::LINE_HEIGHT * lines as f64)?;
    }
    let format = format.set_text_wrap().set_align(FormatAlign::Top);
    ws.merge_range(row, 0, row, 1, label, &format)?;
    Ok(())
}

fn header_row(ws: &mut Worksheet, at: &mut Cursor, titles: &[&str], f: &Formats) -> Result<()> {
    let row = at.next();
    // As high as the longest title wraps, so that titles show whole.
    let lines = titles
        .iter()
        .zip(CUSTOMER_COLUMNS)
        .map(|(t, (_, width))| print::line_count(t, width))
        .max()
        .unwrap_or(1);
    ws.set_row_height(row, print::LINE_HEIGHT * lines as f64)?;
    for (i, t) in titles.iter().enumerate() {
        ws.write_string_with_format(row, i as ColNum, *t, &f.header)?;
    }
    Ok(())
}

fn values_row(ws: &mut Worksheet, at: &mut Cursor, values: &[Value], f: &Formats) -> Result<()> {
    let row = at.next();
    for (i, v) in values.iter().enumerate() {
        write_value(ws, row, i as ColNum, v, f)?;
    }
    Ok(())
}

fn run_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    let run = &r.run;
    heading(ws, at, "How this report was made", f)?;
    pair(ws, at, "As of", Value::Date(run.as_of), f)?;
    pair(
        ws,
        at,
        "De-provisioning days",
        Value::Int(run.deprovision_days),
        f,
    )?;
    pair(ws, at, "Catalog", Value::Text(&run.catalog), f)?;
    if run.redacted_users {
        pair(
            ws,
            at,
            "Users",
            Value::Text("pseudonyms (--redact-users): no user names in this report"),
            f,
        )?;
    }
    // One file per row: a long list in one cell ran off the page.
    list(ws, at, "Subscription files", &run.subscription_files)?;
    list(ws, at, "License files", &run.license_files)?;
    let overrides: Vec<String> = run
        .segment_overrides
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    list(ws, at, "Segment overrides", &overrides)?;
    pair(ws, at, "skusunset version", Value::Text(&run.version), f)
}

/// A label and its values, one per row (`none` for no value).
fn list(ws: &mut Worksheet, at: &mut Cursor, label: &str, values: &[String]) -> Result<()> {
    label_cell(ws, at.row, label, Format::new())?;
    if values.is_empty() {
        ws.write_string(at.next(), VALUE_COL, "none")?;
    }
    for v in values {
        ws.write_string(at.next(), VALUE_COL, cell_text(v).as_ref())?;
    }
    Ok(())
}

/// How each urgency reads as a count of retiring subscriptions.
fn urgency_label(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Overdue => "Retiring, overdue (past end date, still open)",
        Urgency::Due30 => "Retiring, ending within 30 days",
        Urgency::Due90 => "Retiring, ending in 31–90 days",
        Urgency::Later => "Retiring, ending in more than 90 days",
        Urgency::None => "Retiring, no deadline (ended, suspended or no end date)",
    }
}

/// Beside the figure just written, how it moved since the previous report ("−12 since
/// 2026-11-23"), when one was compared.
fn delta(
    ws: &mut Worksheet,
    at: &Cursor,
    r: &Report,
    now: i64,
    pick: fn(&Headline) -> i64,
) -> Result<()> {
    let Some((before, since)) =
        (r.previous.as_ref()).and_then(|p| Some((pick(p.headline.as_ref()?), p.as_of?)))
    else {
        return Ok(());
    };
    let text = match now - before {
        0 => format!("no change since {since}"),
        d if d > 0 => format!("+{d} since {since}"),
        d => format!("\u{2212}{} since {since}", -d),
    };
    ws.write_string(at.row - 1, VALUE_COL + 1, text)?;
    Ok(())
}

fn headline_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    let s = &r.summary;
    heading(ws, at, "In numbers", f)?;
    pair(
        ws,
        at,
        "Customers affected",
        Value::Int(s.customers_affected),
        f,
    )?;
    delta(ws, at, r, s.customers_affected, |h| h.customers_affected)?;
    for c in &s.subscriptions_by_urgency {
        let row = at.next();
        let shade = shade_of(c.key).filter(|_| c.count > 0);
        let format = shade.map_or_else(Format::new, Shade::format);
        label_cell(ws, row, urgency_label(c.key), format)?;
        write_value(ws, row, VALUE_COL, &Value::Int(c.count), f)?;
    }
    let reassign = Count::of(&s.users_by_action, Action::Reassign);
    pair(ws, at, "Users to move (reassign)", Value::Int(reassign), f)?;
    delta(ws, at, r, reassign, |h| h.users_to_reassign)?;
    pair(
        ws,
        at,
        "Users: remove only (already covered)",
        Value::Int(Count::of(&s.users_by_action, Action::RemoveOnly)),
        f,
    )?;
    pair(
        ws,
        at,
        "Users: review (sign-in blocked)",
        Value::Int(Count::of(&s.users_by_action, Action::ReviewBlocked)),
        f,
    )?;
    pair(
        ws,
        at,
        "Seats to buy (all plans)",
        Value::Int(s.seats_total()),
        f,
    )?;
    delta(ws, at, r, s.seats_total(), |h| h.seats_to_buy)?;
    let row = at.next();
    let seat_counts = "of which seat counts (no license export)";
    if s.seats_from_seat_counts > 0 {
        label_cell(ws, row, seat_counts, RED.format().set_bold())?;
    } else {
        label_cell(ws, row, seat_counts, Format::new())?;
    }
    write_value(ws, row, VALUE_COL, &Value::Int(s.seats_from_seat_counts), f)?;
    pair(
        ws,
        at,
        "De-provisioning windows closing in 30 days",
        Value::Int(s.windows_closing_30),
        f,
    )?;
    pair(
        ws,
        at,
        "De-provisioning windows overdue",
        Value::Int(s.windows_overdue),
        f,
    )?;
    delta(ws, at, r, s.windows_overdue, |h| h.windows_overdue)?;
    pair(ws, at, "Input issues", Value::Int(r.issues.len() as i64), f)
}

fn plans_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    heading(ws, at, "Seats to buy per plan", f)?;
    header_row(ws, at, &["Plan", "Seats", "SKU"], f)?;
    for p in &r.summary.seats_to_buy {
        values_row(
            ws,
            at,
            &[
                Value::Text(&p.recommended_plan),
                Value::Int(p.quantity),
                Value::Text(&p.recommended_sku),
            ],
            f,
        )?;
    }
    if r.summary.seats_to_buy.is_empty() {
        ws.write_string(at.next(), 0, "Nothing to buy.")?;
    }
    Ok(())
}

/// The customers table's columns: title and width (in characters).
/// They sum to at most [`print::PAGE_CHARS`].
const CUSTOMER_COLUMNS: [(&str, f64); 12] = [
    ("Customer", 32.0),
    ("Earliest end date", 11.0),
    ("Days left (negative: overdue)", 9.0),
    ("Urgency", 9.0),
    ("Seats to buy", 9.0),
    ("of which seat counts", 9.0),
    ("Users to reassign", 9.0),
    ("Remove only", 9.0),
    ("Review blocked", 9.0),
    ("Retiring subscriptions", 12.0),
    ("Suspended subscriptions", 12.0),
    ("Segment", 10.0),
];

fn customers_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    heading(
        ws,
        at,
        "What to do first: customers by earliest deadline",
        f,
    )?;
    ws.write_string(
        at.next(),
        0,
        "Work from the top. Each customer's steps are in runbooks/<customer>.html; the rows behind \
         every number are on the sheets that follow.",
    )?;
    let titles = CUSTOMER_COLUMNS.map(|(t, _)| t);
    header_row(ws, at, &titles, f)?;
    for c in &r.summary.customers {
        let row = at.row;
        values_row(
            ws,
            at,
            &[
                Value::Empty,
                c.earliest_end_date.map_or(Value::Empty, Value::Date),
                c.days_left.map_or(Value::Empty, Value::Int),
                Value::Text(c.urgency.as_str()),
                Value::Int(c.seats_to_buy),
                Value::Int(c.seats_from_seat_counts),
                Value::Int(c.users_to_reassign),
                Value::Int(c.users_remove_only),
                Value::Int(c.users_review_blocked),
                Value::Int(c.retiring_subscriptions),
                Value::Int(c.suspended_subscriptions),
                Value::Text(c.segment.as_str()),
            ],
            f,
        )?;
        let lines = print::line_count(&c.customer_name, CUSTOMER_COLUMNS[0].1);
        if lines > 1 {
            ws.set_row_height(row, print::LINE_HEIGHT * lines.min(4) as f64)?;
        }
        ws.write_string_with_format(row, 0, cell_text(&c.customer_name).as_ref(), &f.wrap)?;
        if let Some(shade) = shade_of(c.urgency) {
            ws.write_string_with_format(row, 3, c.urgency.as_str(), &shade.format())?;
        }
        if c.on_seat_counts() {
            let seat_counts = RED.format().set_num_format("#,##0");
            ws.write_number_with_format(row, 5, c.seats_from_seat_counts as f64, &seat_counts)?;
        }
    }
    if r.summary.customers.is_empty() {
        ws.write_string(
            at.next(),
            0,
            "No customer has a retiring or suspended subscription.",
        )?;
    }
    Ok(())
}

/// The seat-count warning across the top of the sheet, when any licences to buy are seat counts.
fn seat_count_banner(ws: &mut Worksheet, at: &mut Cursor, r: &Report) -> Result<()> {
    let s = &r.summary;
    if s.seats_from_seat_counts == 0 {
        return Ok(());
    }
    let names = s.seat_count_customers();
    let text = format!(
        "Check before buying: {} of the seats to buy are seat counts of the subscriptions (every \
         seat, used or not), because no user/license export was read for {} customer(s): {}. \
         Add each one's user export (--licenses \"CUSTOMER=FILE\") to buy only for the users \
         who need a licence.",
        s.seats_from_seat_counts,
        names.len(),
        names.join(", ")
    );
    let row = at.next();
    let last = (CUSTOMER_COLUMNS.len() - 1) as ColNum;
    ws.merge_range(
        row,
        0,
        row,
        last,
        cell_text(&text).as_ref(),
        &RED.format()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top),
    )?;
    ws.set_row_height(row, 48)?;
    Ok(())
}

/// The weekly table; returns its first and last data rows.
fn weeks_section(
    ws: &mut Worksheet,
    at: &mut Cursor,
    r: &Report,
    f: &Formats,
) -> Result<Option<(RowNum, RowNum)>> {
    heading(ws, at, "Expiring seats per ISO week", f)?;
    header_row(
        ws,
        at,
        &["ISO week", "Week starting", "Subscriptions", "Seats"],
        f,
    )?;
    let first = at.row;
    for w in &r.summary.weekly_expiries {
        values_row(
            ws,
            at,
            &[
                Value::Text(&w.iso_week),
                Value::Date(w.week_start),
                Value::Int(w.subscriptions),
                Value::Int(w.seats),
            ],
            f,
        )?;
    }
    if r.summary.weekly_expiries.is_empty() {
        ws.write_string(at.next(), 0, "No open retiring subscriptions.")?;
        return Ok(None);
    }
    Ok(Some((first, at.row - 1)))
}

fn chart(first: RowNum, last: RowNum) -> Chart {
    let mut chart = Chart::new_column();
    chart
        .add_series()
        .set_name("Expiring seats")
        .set_categories(("Summary", first, 0, last, 0))
        .set_values(("Summary", first, 3, last, 3));
    chart.title().set_name("Expiring seats per ISO week");
    chart.x_axis().set_name("ISO week of the end date");
    chart.y_axis().set_name("Seats");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(CHART_WIDTH).set_height(320);
    chart
}

/// The trend: users still on each retirement's licenses, per report (the history's points summed
/// over customers); returns the first and last data rows and the number of retirements.
fn trend_section(
    ws: &mut Worksheet,
    at: &mut Cursor,
    r: &Report,
    f: &Formats,
) -> Result<Option<(RowNum, RowNum, usize)>> {
    use std::collections::BTreeMap;
    let mut by_date: BTreeMap<chrono::NaiveDate, BTreeMap<&str, i64>> = BTreeMap::new();
    for h in &r.history {
        *by_date
            .entry(h.as_of)
            .or_default()
            .entry(h.retirement_id.as_str())
            .or_default() += h.users_left.unwrap_or(0);
    }
    let retirements: std::collections::BTreeSet<&str> =
        by_date.values().flat_map(|m| m.keys().copied()).collect();
    if by_date.is_empty() {
        return Ok(None);
    }
    heading(ws, at, "Users still on retiring licenses, per report", f)?;
    // Retirement ids: short, and they wrap at their hyphens.
    let names: Vec<&str> = retirements.iter().copied().collect();
    let titles: Vec<&str> = std::iter::once("Report as of").chain(names).collect();
    header_row(ws, at, &titles, f)?;
    let first = at.row;
    for (date, users) in &by_date {
        let values: Vec<Value> = std::iter::once(Value::Date(*date))
            .chain(
                retirements
                    .iter()
                    .map(|id| Value::Int(users.get(id).copied().unwrap_or(0))),
            )
            .collect();
        values_row(ws, at, &values, f)?;
    }
    Ok(Some((first, at.row - 1, retirements.len())))
}

/// The trend as a line per retirement.
fn trend_chart(first: RowNum, last: RowNum, series: usize) -> Chart {
    let mut chart = Chart::new_line();
    for i in 0..series {
        let col = (i + 1) as ColNum;
        chart
            .add_series()
            .set_name(("Summary", first - 1, col))
            .set_categories(("Summary", first, 0, last, 0))
            .set_values(("Summary", first, col, last, col));
    }
    chart.title().set_name("Users still on retiring licenses");
    chart
        .x_axis()
        .set_name("Report as of")
        .set_date_axis(true)
        .set_num_format("yyyy-mm-dd");
    chart.y_axis().set_name("Users");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(CHART_WIDTH).set_height(320);
    chart
}

/// The chart's width in pixels: columns F to L, inside the printed width.
const CHART_WIDTH: u32 = 500;

/// Rows the chart covers (320 px at 20 px a row), so nothing is written under it.
const CHART_ROWS: RowNum = 17;

/// Writes the Summary sheet: what to do first, the counts, the plans to buy, the weekly chart,
/// the trend from report to report, and how the report was made last.
pub(super) fn sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<()> {
    ws.set_name("Summary")?;
    print::page_setup(ws, false)?;
    for (i, (_, width)) in CUSTOMER_COLUMNS.iter().enumerate() {
        ws.set_column_width(i as ColNum, *width)?;
    }
    ws.write_string_with_format(
        0,
        0,
        format!("skusunset — expiry report as of {}", r.run.as_of),
        &Format::new().set_bold().set_font_size(16),
    )?;
    let mut at = Cursor { row: 1 };
    seat_count_banner(ws, &mut at, r)?;
    customers_section(ws, &mut at, r, f)?;
    headline_section(ws, &mut at, r, f)?;
    plans_section(ws, &mut at, r, f)?;
    super::costs::summary_block(ws, &mut at, r, f)?;
    let chart_row = at.row + 1;
    if let Some((first, last)) = weeks_section(ws, &mut at, r, f)? {
        ws.insert_chart(chart_row, 5, &chart(first, last))?;
        at.row = at.row.max(chart_row + CHART_ROWS);
    }
    let chart_row = at.row + 1;
    if let Some((first, last, series)) = trend_section(ws, &mut at, r, f)? {
        ws.insert_chart(chart_row, 5, &trend_chart(first, last, series))?;
        at.row = at.row.max(chart_row + CHART_ROWS);
    }
    run_section(ws, &mut at, r, f)
}
