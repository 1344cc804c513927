//! The runbook's timeline: today, end dates and de-provisioning dates placed on one axis, with
//! labels stacked on as many lines as needed so that none overlap. Pure layout; the template
//! draws it as inline SVG.

use chrono::NaiveDate;
use serde::Serialize;

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 16.0;
const RIGHT: f64 = 984.0;
const AXIS_Y: f64 = 44.0;
const LINE: f64 = 16.0;
/// Rough width of one label character in SVG units (11px sans-serif).
const CHAR: f64 = 6.4;

/// One thing that happens on a date.
pub(super) struct Event {
    /// When.
    pub date: NaiveDate,
    /// `end` or `deprovision`.
    pub kind: &'static str,
    /// What, e.g. the offer name.
    pub label: String,
}

/// One drawn marker.
#[derive(Debug, Serialize)]
pub(super) struct Marker {
    pub x: f64,
    pub y: f64,
    pub kind: &'static str,
    pub date: String,
    pub label: String,
    pub anchor: &'static str,
}

/// The laid-out timeline.
#[derive(Debug, Serialize)]
pub(super) struct Timeline {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub axis_y: f64,
    pub markers: Vec<Marker>,
}

/// Lays out `events` around `today`; `date` formats a date, `today_label` names today.
// Over the house's 80 lines: merge, scale and pack read as one pass over the events.
#[allow(clippy::too_many_lines)]
pub(super) fn layout(
    today: NaiveDate,
    today_label: &str,
    mut events: Vec<Event>,
    date: impl Fn(NaiveDate) -> String,
) -> Timeline {
    events.sort_by(|a, b| (a.date, a.kind, &a.label).cmp(&(b.date, b.kind, &b.label)));
    // One marker per date and kind, labels joined.
    let mut merged: Vec<Event> = Vec::new();
    for e in events {
        match merged.last_mut() {
            Some(last) if last.date == e.date && last.kind == e.kind => {
                if !last.label.split(", ").any(|l| l == e.label) {
                    last.label = format!("{}, {}", last.label, e.label);
                }
            }
            _ => merged.push(e),
        }
    }
    if merged.is_empty() {
        return Timeline {
            width: WIDTH,
            height: AXIS_Y + LINE,
            left: LEFT,
            right: RIGHT,
            axis_y: AXIS_Y,
            markers: Vec::new(),
        };
    }
    let first = merged
        .iter()
        .map(|e| e.date)
        .min()
        .unwrap_or(today)
        .min(today);
    let last = merged
        .iter()
        .map(|e| e.date)
        .max()
        .unwrap_or(today)
        .max(today);
    let span = ((last - first).num_days().max(1)) as f64;
    let x_of = |d: NaiveDate| LEFT + (RIGHT - LEFT) * ((d - first).num_days() as f64) / span;
    let anchor_of = |x: f64| if x > WIDTH * 0.6 { "end" } else { "start" };
    let today_x = x_of(today);
    let mut markers = vec![Marker {
        x: today_x.round(),
        y: AXIS_Y - 32.0,
        kind: "today",
        date: date(today),
        label: today_label.to_string(),
        anchor: anchor_of(today_x),
    }];
    // Each label line keeps the x range already used; a label goes on the first line it fits.
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    for e in merged {
        let x = x_of(e.date);
        let text = format!("{}: {}", date(e.date), e.label);
        let w = text.chars().count() as f64 * CHAR;
        let anchor = anchor_of(x);
        let (from, to) = if anchor == "end" {
            (x - w, x)
        } else {
            (x, x + w)
        };
        let free =
            |used: &Vec<(f64, f64)>| used.iter().all(|(a, b)| to + 8.0 < *a || from > *b + 8.0);
        let line = if let Some(i) = lines.iter().position(free) {
            i
        } else {
            lines.push(Vec::new());
            lines.len() - 1
        };
        lines[line].push((from, to));
        markers.push(Marker {
            x: x.round(),
            y: AXIS_Y + 26.0 + LINE * line as f64,
            kind: e.kind,
            date: date(e.date),
            label: e.label,
            anchor,
        });
    }
    Timeline {
        width: WIDTH,
        height: AXIS_Y + 26.0 + LINE * lines.len() as f64,
        left: LEFT,
        right: RIGHT,
        axis_y: AXIS_Y,
        markers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_span_the_axis_and_labels_do_not_share_a_line_when_close() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ev = |s: &str, kind, label: &str| Event {
            date: d(s),
            kind,
            label: label.into(),
        };
        let t = layout(
            d("2026-11-21"),
            "Today",
            vec![
                ev("2026-12-11", "end", "Kaizala Pro"),
                ev("2026-12-11", "end", "Kaizala Pro"),
                ev("2026-12-12", "end", "Office 365 E4"),
                ev("2027-03-31", "deprovision", "Kaizala Pro"),
            ],
            |x| x.to_string(),
        );
        let kinds: Vec<(&str, f64)> = t.markers.iter().map(|m| (m.kind, m.x)).collect();
        assert_eq!(kinds[0], ("today", LEFT));
        assert_eq!(kinds[3], ("deprovision", RIGHT));
        assert_eq!(t.markers.len(), 4, "the two identical events merge");
        assert_ne!(
            t.markers[1].y, t.markers[2].y,
            "close labels go on two lines"
        );
        assert_eq!(t.markers[3].anchor, "end");
    }
}
