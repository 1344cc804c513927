//! The Summary sheet: run parameters, headline counts, seats to buy per plan, customers by
//! earliest end date, and the expiring seats per ISO week with a native column chart.

use super::{AMBER, Formats, RED, Shade, YELLOW, print_setup, write_value};
use crate::export::tables::Value;
use crate::model::{Action, Count, Report, Urgency};
use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartLegendPosition, ColNum, Format, RowNum, Worksheet};

/// Where the weekly series starts, so the chart can point at it.
struct Cursor {
    row: RowNum,
}

impl Cursor {
    fn next(&mut self) -> RowNum {
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

fn heading(ws: &mut Worksheet, at: &mut Cursor, text: &str, f: &Formats) -> Result<()> {
    at.next();
    ws.write_string_with_format(at.next(), 0, text, &f.bold.clone().set_font_size(12))?;
    Ok(())
}

fn pair(ws: &mut Worksheet, at: &mut Cursor, label: &str, value: Value, f: &Formats) -> Result<()> {
    let row = at.next();
    ws.write_string(row, 0, label)?;
    write_value(ws, row, 1, &value, f)?;
    Ok(())
}

fn header_row(ws: &mut Worksheet, at: &mut Cursor, titles: &[&str], f: &Formats) -> Result<()> {
    let row = at.next();
    // Two lines, so that wrapped titles show whole.
    ws.set_row_height(row, 30)?;
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
    heading(ws, at, "Run", f)?;
    pair(ws, at, "As of", Value::Date(run.as_of), f)?;
    pair(
        ws,
        at,
        "De-provisioning days",
        Value::Int(run.deprovision_days),
        f,
    )?;
    pair(ws, at, "Catalog", Value::Text(&run.catalog), f)?;
    let subs = run.subscription_files.join("; ");
    pair(ws, at, "Subscription files", Value::Text(&subs), f)?;
    let lics = run.license_files.join("; ");
    pair(ws, at, "License files", Value::Text(&lics), f)?;
    let overrides: Vec<String> = run
        .segment_overrides
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let overrides = overrides.join("; ");
    pair(ws, at, "Segment overrides", Value::Text(&overrides), f)?;
    pair(ws, at, "skusunset version", Value::Text(&run.version), f)
}

fn headline_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    let s = &r.summary;
    heading(ws, at, "Headline", f)?;
    pair(
        ws,
        at,
        "Customers affected",
        Value::Int(s.customers_affected),
        f,
    )?;
    for c in &s.subscriptions_by_urgency {
        let label = format!("Retiring subscriptions: {}", c.key);
        let row = at.row;
        pair(ws, at, &label, Value::Int(c.count), f)?;
        if let Some(shade) = shade_of(c.key) {
            ws.set_cell_format(row, 0, &shade.format())?;
        }
    }
    pair(
        ws,
        at,
        "Users to move (reassign)",
        Value::Int(Count::of(&s.users_by_action, Action::Reassign)),
        f,
    )?;
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
    let seats: i64 = s.seats_to_buy.iter().map(|p| p.quantity).sum();
    pair(ws, at, "Seats to buy (all plans)", Value::Int(seats), f)?;
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
    pair(ws, at, "Input issues", Value::Int(r.issues.len() as i64), f)
}

fn plans_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    heading(ws, at, "Seats to buy per plan", f)?;
    header_row(ws, at, &["Plan", "SKU", "Seats"], f)?;
    for p in &r.summary.seats_to_buy {
        values_row(
            ws,
            at,
            &[
                Value::Text(&p.recommended_plan),
                Value::Text(&p.recommended_sku),
                Value::Int(p.quantity),
            ],
            f,
        )?;
    }
    Ok(())
}

fn customers_section(ws: &mut Worksheet, at: &mut Cursor, r: &Report, f: &Formats) -> Result<()> {
    heading(ws, at, "Customers by earliest end date", f)?;
    header_row(
        ws,
        at,
        &[
            "Customer",
            "Customer ID",
            "Segment",
            "Earliest end date",
            "Days left",
            "Urgency",
            "Retiring subscriptions",
            "Suspended subscriptions",
            "Seats to buy",
            "Users to reassign",
            "Remove only",
            "Review blocked",
        ],
        f,
    )?;
    for c in &r.summary.customers {
        let row = at.row;
        values_row(
            ws,
            at,
            &[
                Value::Text(&c.customer_name),
                c.customer_id.as_deref().map_or(Value::Empty, Value::Text),
                Value::Text(c.segment.as_str()),
                c.earliest_end_date.map_or(Value::Empty, Value::Date),
                c.days_left.map_or(Value::Empty, Value::Int),
                Value::Text(c.urgency.as_str()),
                Value::Int(c.retiring_subscriptions),
                Value::Int(c.suspended_subscriptions),
                Value::Int(c.seats_to_buy),
                Value::Int(c.users_to_reassign),
                Value::Int(c.users_remove_only),
                Value::Int(c.users_review_blocked),
            ],
            f,
        )?;
        if let Some(shade) = shade_of(c.urgency) {
            ws.write_string_with_format(row, 5, c.urgency.as_str(), &shade.format())?;
        }
    }
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
    chart.set_width(640).set_height(320);
    chart
}

/// Writes the Summary sheet.
pub fn sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<()> {
    ws.set_name("Summary")?;
    print_setup(ws, false)?;
    ws.set_column_width(0, 44)?;
    ws.set_column_width(1, 38)?;
    for c in 2..12 {
        ws.set_column_width(c, 14)?;
    }
    ws.write_string_with_format(
        0,
        0,
        "skusunset — expiry report",
        &Format::new().set_bold().set_font_size(16),
    )?;
    let mut at = Cursor { row: 1 };
    run_section(ws, &mut at, r, f)?;
    headline_section(ws, &mut at, r, f)?;
    plans_section(ws, &mut at, r, f)?;
    customers_section(ws, &mut at, r, f)?;
    if let Some((first, last)) = weeks_section(ws, &mut at, r, f)? {
        ws.insert_chart(2, 3, &chart(first, last))?;
    }
    Ok(())
}
