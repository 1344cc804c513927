//! Date rules of docs/rules.md §2.1: ISO, US slash, dotted and Excel serial dates, with the
//! hints that decide a column's day-first order (booleans, quantities and statuses are in
//! [`super::booleans_and_counts`]).

use crate::read::table::Cell;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// How slash dates of one column are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `M/D/YYYY` (US, Partner Center's en-US exports).
    MonthFirst,
    /// `D/M/YYYY`.
    DayFirst,
}

impl DateOrder {
    /// The order as messages say it: `day-first (D/M/YYYY)`.
    pub fn worded(self) -> &'static str {
        match self {
            DateOrder::MonthFirst => "month-first (M/D/YYYY)",
            DateOrder::DayFirst => "day-first (D/M/YYYY)",
        }
    }
}

/// A parsed date value: a calendar date, or Partner Center's year-9999 "far future".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// A real date (the UTC calendar date of a date-time).
    Date(NaiveDate),
    /// Year 9999: no end date.
    NoDate,
}

const FAR_FUTURE_YEAR: i32 = 9999;

fn date_value(date: NaiveDate) -> DateValue {
    if date.year() >= FAR_FUTURE_YEAR {
        DateValue::NoDate
    } else {
        DateValue::Date(date)
    }
}

/// What one date text says about the order of day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderHint {
    /// `25/12/2026`: only day-first reads it.
    DayFirst,
    /// `12/25/2026`: only month-first reads it.
    MonthFirst,
    /// `01/09/2026`: both read it, as two different days.
    Ambiguous,
    /// Not a slash (or `D-M-YYYY`) date, or one both orders read the same (`05/05/2026`).
    Same,
}

/// The two leading numbers of a slash or `D-M-YYYY` date (not ISO, not dotted).
fn leading_parts(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    let date = text.split([' ', 'T']).next()?;
    let sep = if date.contains('/') {
        '/'
    } else if date.contains('-') && date.find('-') != Some(4) {
        '-'
    } else {
        return None;
    };
    let parts: Vec<&str> = date.split(sep).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    y.parse::<i32>().ok()?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// What a date text says about the order of its day and month ([`OrderHint`]).
pub fn order_hint(text: &str) -> OrderHint {
    match leading_parts(text) {
        Some((a, b)) if a > 12 && (1..=12).contains(&b) => OrderHint::DayFirst,
        Some((a, b)) if b > 12 && (1..=12).contains(&a) => OrderHint::MonthFirst,
        Some((a, b)) if a != b && (1..=12).contains(&a) && (1..=12).contains(&b) => {
            OrderHint::Ambiguous
        }
        _ => OrderHint::Same,
    }
}

/// Whether a slash date's time is written on a 12-hour clock (`AM`/`PM`), as Partner Center's
/// en-US exports write it. (A 24-hour time says nothing: US Excel writes `2/1/2019 0:00`.)
pub fn twelve_hour_clock(text: &str) -> bool {
    leading_parts(text).is_some() && {
        let upper = text.trim().to_ascii_uppercase();
        upper.contains(':') && (upper.ends_with("AM") || upper.ends_with("PM"))
    }
}

/// Parses one date cell.
pub fn parse_date(cell: &Cell, order: DateOrder) -> Result<Option<DateValue>, String> {
    match cell {
        Cell::Empty | Cell::FormulaError(_) => Ok(None),
        Cell::DateTime(dt) => Ok(Some(date_value(dt.date()))),
        Cell::Number(serial) => excel_serial(*serial).map(|d| Some(date_value(d))),
        Cell::Bool(_) => Err("a boolean is not a date".into()),
        Cell::Text(text) => parse_date_str(text, order).map(Some),
    }
}

/// Parses one non-empty date text (year 9999 gives [`DateValue::NoDate`]).
pub fn parse_date_str(text: &str, order: DateOrder) -> Result<DateValue, String> {
    parse_date_text(text, order).map(date_value)
}

fn excel_serial(serial: f64) -> Result<NaiveDate, String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        let shown = if serial.abs() < 1e9 {
            serial.to_string()
        } else {
            format!("{serial:e}")
        };
        return Err(format!(
            "{shown} is not an Excel date serial (1 to 2958465, 1900-01-01 to 9999-12-31)"
        ));
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid base date");
    Ok(base + Duration::days(serial.floor() as i64))
}

/// Parses a date or date-time text to its UTC calendar date.
pub fn parse_date_text(text: &str, order: DateOrder) -> Result<NaiveDate, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "{text:?} is not a date; use YYYY-MM-DD, an ISO date-time, M/D/YYYY, D-M-YYYY or \
             D.M.YYYY"
        )
    };
    if text.len() >= 10 && text.as_bytes()[4] == b'-' {
        // Years before 1000 are typing errors (and `0000-01-01T00:00+02` would be year -1).
        return parse_iso(text).filter(|d| d.year() >= 1000).ok_or_else(bad);
    }
    let (date_part, time_part) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    if let Some(time) = time_part {
        parse_clock(time).ok_or_else(bad)?;
    }
    let (sep, dotted) = if date_part.contains('/') {
        ('/', false)
    } else if date_part.contains('.') {
        ('.', true)
    } else if date_part.contains('-') {
        // `31-12-2026`, as Dutch Excel writes dates: read like a slash date.
        ('-', false)
    } else {
        return Err(bad());
    };
    let parts: Vec<&str> = date_part.split(sep).collect();
    let [a, b, y] = parts.as_slice() else {
        return Err(bad());
    };
    let (a, b, y): (u32, u32, i32) = (
        a.parse().map_err(|_| bad())?,
        b.parse().map_err(|_| bad())?,
        y.parse().map_err(|_| bad())?,
    );
    if y < 1000 {
        return Err(bad());
    }
    let (day, month) = if dotted || order == DateOrder::DayFirst {
        (a, b)
    } else {
        (b, a)
    };
    NaiveDate::from_ymd_opt(y, month, day).ok_or_else(|| {
        if !dotted && order == DateOrder::MonthFirst && a > 12 {
            format!("{text:?} is not a month-first date; pass --day-first if the file is day-first")
        } else {
            format!("{text:?} is not a valid calendar date")
        }
    })
}

/// `H:MM[:SS][ AM|PM]`, the time part of US and dotted date-times (its value is not needed:
/// a zone-less time is taken as UTC, so the date part is the UTC date).
fn parse_clock(time: &str) -> Option<()> {
    let upper = time.to_ascii_uppercase();
    let clock = upper.trim_end_matches("AM").trim_end_matches("PM").trim();
    let fields: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let nums: Option<Vec<f64>> = fields
        .iter()
        .map(|f| f.trim().parse::<f64>().ok())
        .collect();
    let nums = nums?;
    (nums[0] < 24.0 && nums[1] < 60.0).then_some(())
}

fn parse_iso(text: &str) -> Option<NaiveDate> {
    // Four digits: chrono's `%Y` would also take a sign (`-603-03-01`, found by fuzzing).
    if !text.get(..4)?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let date = NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = text.get(10..)?;
    if rest.is_empty() {
        return Some(date);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // Split off a zone: `Z`, `+HH:MM`, `-HH:MM`, `+HHMM`, `+HH`.
    let (clock, offset_minutes) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (clock, zone) = rest.split_at(pos);
        (clock, parse_offset(zone)?)
    } else {
        (rest, 0)
    };
    let clock = clock.trim();
    let time = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(clock, f).ok())?;
    let utc = NaiveDateTime::new(date, time) - Duration::minutes(offset_minutes);
    Some(utc.date())
}

fn parse_offset(zone: &str) -> Option<i64> {
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Wrapped like `parse_date`'s result, which it is compared with.
    #[allow(clippy::unnecessary_wraps)]
    fn d(y: i32, m: u32, day: u32) -> Result<Option<DateValue>, String> {
        Ok(Some(DateValue::Date(
            NaiveDate::from_ymd_opt(y, m, day).unwrap(),
        )))
    }

    fn text(s: &str, order: DateOrder) -> Result<Option<DateValue>, String> {
        parse_date(&Cell::text(s), order)
    }

    #[test]
    fn every_documented_date_form_parses() {
        let mf = DateOrder::MonthFirst;
        assert_eq!(text("2020-07-01", mf), d(2020, 7, 1));
        assert_eq!(text("2020-07-01T00:00:00Z", mf), d(2020, 7, 1));
        assert_eq!(text("2021-01-14T16:57:15.0966728Z", mf), d(2021, 1, 14));
        assert_eq!(text("2022-03-18 19:49:35Z", mf), d(2022, 3, 18));
        assert_eq!(text("2020-07-01T01:00:00+02:00", mf), d(2020, 6, 30));
        assert_eq!(text("2020-07-01T23:30:00-0100", mf), d(2020, 7, 2));
        assert_eq!(text("2017-05-12T00:00:00", mf), d(2017, 5, 12));
        assert_eq!(text("7/10/2020 12:00:00 AM", mf), d(2020, 7, 10));
        assert_eq!(text("12/12/2016 8:00:00 AM", mf), d(2016, 12, 12));
        assert_eq!(text("2/1/2019 0:00", mf), d(2019, 2, 1));
        assert_eq!(text("07/10/2020 14:05:00", mf), d(2020, 7, 10));
        assert_eq!(text("7/10/2020", DateOrder::DayFirst), d(2020, 10, 7));
        assert_eq!(text("31.12.2024", mf), d(2024, 12, 31));
        assert_eq!(
            text("9999-12-10T00:00:00Z", mf),
            Ok(Some(DateValue::NoDate))
        );
        assert_eq!(text("", mf), Ok(None));
        assert_eq!(parse_date(&Cell::Number(44927.0), mf), d(2023, 1, 1));
    }

    #[test]
    fn bad_dates_say_how_to_fix_them() {
        let mf = DateOrder::MonthFirst;
        assert!(text("31/12/2024", mf).unwrap_err().contains("--day-first"));
        assert!(text("next week", mf).is_err());
        assert!(
            text("-603-03-01", mf).is_err(),
            "a signed year (found by fuzzing)"
        );
        assert!(text("+603-03-01", mf).is_err());
        assert!(
            text("0000-01-01T0:0+02", mf).is_err(),
            "year -1 (found by fuzzing)"
        );
        assert!(text("0999-12-31", mf).is_err());
        assert!(
            text("2/30/2024", mf)
                .unwrap_err()
                .contains("not a valid calendar date")
        );
        assert!(text("2024-13-01", mf).is_err());
        assert_eq!(order_hint("31/12/2024 10:00"), OrderHint::DayFirst);
        assert_eq!(order_hint("12/31/2024"), OrderHint::MonthFirst);
    }

    #[test]
    fn slash_dates_hint_their_order_and_clock() {
        assert_eq!(order_hint("25/12/2026"), OrderHint::DayFirst);
        assert_eq!(order_hint("12/25/2026 12:00:00 AM"), OrderHint::MonthFirst);
        assert_eq!(order_hint("01/09/2026"), OrderHint::Ambiguous);
        assert_eq!(order_hint("1-3-2027"), OrderHint::Ambiguous);
        assert_eq!(order_hint("05/05/2026"), OrderHint::Same);
        assert_eq!(order_hint("2026-01-09"), OrderHint::Same);
        assert_eq!(order_hint("01.09.2026"), OrderHint::Same);
        assert!(twelve_hour_clock("01/09/2026 12:00:00 AM"));
        assert!(!twelve_hour_clock("2/1/2019 0:00"));
        assert!(!twelve_hour_clock("2026-01-09T00:00:00Z"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// A date the exports can hold (years 1000–9998), as days from 1000-01-01.
        fn any_date() -> impl Strategy<Value = NaiveDate> {
            let first = NaiveDate::from_ymd_opt(1000, 1, 1).expect("valid");
            let last = NaiveDate::from_ymd_opt(9998, 12, 31).expect("valid");
            (0..=(last - first).num_days()).prop_map(move |days| first + Duration::days(days))
        }

        /// The date written in each accepted form: `(text, order it needs)`.
        fn written(date: NaiveDate, hour: u32, minute: u32, pad: bool) -> Vec<(String, DateOrder)> {
            let (y, m, d) = (date.year(), date.month(), date.day());
            let (mm, dd) = if pad {
                (format!("{m:02}"), format!("{d:02}"))
            } else {
                (m.to_string(), d.to_string())
            };
            let twelve = if hour.is_multiple_of(12) {
                12
            } else {
                hour % 12
            };
            let meridiem = if hour < 12 { "AM" } else { "PM" };
            let mf = DateOrder::MonthFirst;
            vec![
                (date.format("%Y-%m-%d").to_string(), mf),
                (
                    format!("{}T{hour:02}:{minute:02}:00Z", date.format("%Y-%m-%d")),
                    mf,
                ),
                (
                    format!("{} {hour:02}:{minute:02}:07.25Z", date.format("%Y-%m-%d")),
                    mf,
                ),
                (
                    format!("{}T{hour:02}:{minute:02}:00", date.format("%Y-%m-%d")),
                    mf,
                ),
                (format!("{mm}/{dd}/{y}"), mf),
                (
                    format!("{mm}/{dd}/{y} {twelve}:{minute:02}:00 {meridiem}"),
                    mf,
                ),
                (format!("{mm}/{dd}/{y} {hour}:{minute:02}"), mf),
                (format!("{dd}/{mm}/{y}"), DateOrder::DayFirst),
                (
                    format!("{dd}/{mm}/{y} {hour:02}:{minute:02}:00"),
                    DateOrder::DayFirst,
                ),
                (format!("{dd}.{mm}.{y}"), mf),
                (format!("{dd}.{mm}.{y} {hour}:{minute:02}"), mf),
            ]
        }

        proptest! {
            #[test]
            fn any_date_in_any_accepted_form_parses_back_to_itself(
                date in any_date(),
                hour in 0u32..24,
                minute in 0u32..60,
                pad in any::<bool>(),
            ) {
                for (text, order) in written(date, hour, minute, pad) {
                    prop_assert_eq!(
                        parse_date_str(&text, order),
                        Ok(DateValue::Date(date)),
                        "{}", text
                    );
                }
            }

            #[test]
            fn an_offset_moves_the_date_to_its_utc_day(
                date in any_date(),
                hour in 0u32..24,
                offset_minutes in -14 * 60i64..=14 * 60,
            ) {
                let sign = if offset_minutes < 0 { '-' } else { '+' };
                let abs = offset_minutes.abs();
                let text = format!(
                    "{}T{hour:02}:00:00{sign}{:02}:{:02}",
                    date.format("%Y-%m-%d"),
                    abs / 60,
                    abs % 60
                );
                let local = date.and_hms_opt(hour, 0, 0).expect("valid time");
                let utc = (local - Duration::minutes(offset_minutes)).date();
                let expected = if utc.year() >= FAR_FUTURE_YEAR {
                    DateValue::NoDate
                } else {
                    DateValue::Date(utc)
                };
                prop_assert_eq!(parse_date_str(&text, DateOrder::MonthFirst), Ok(expected));
            }

            #[test]
            fn an_excel_serial_parses_to_its_day(date in any_date(), fraction in 0.0f64..1.0) {
                let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
                let serial = (date - base).num_days() as f64 + fraction;
                let parsed = parse_date(&Cell::Number(serial), DateOrder::MonthFirst);
                if serial >= 1.0 {
                    prop_assert_eq!(parsed, Ok(Some(DateValue::Date(date))));
                } else {
                    prop_assert!(parsed.is_err());
                }
            }

            #[test]
            fn no_text_makes_a_parser_panic(text in any::<String>()) {
                for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
                    let _ = parse_date_str(&text, order);
                }
            }
        }
    }
}
