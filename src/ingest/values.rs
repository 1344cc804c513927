//! Value rules of docs/rules.md §2.1: dates (ISO, US slash, dotted, Excel serials; day-first
//! detection per column), booleans, quantities and statuses.

use crate::model::Status;
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

/// `true/false, yes/no, y/n, 1/0, on/off, enabled/disabled`, and Excel's words for them in
/// other languages ([`parse_bool_str`]), any case.
pub fn parse_bool(cell: &Cell) -> Result<Option<bool>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Bool(b) => Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => Ok(Some(false)),
        other => parse_bool_str(&other.as_text().unwrap_or_default()).map(Some),
    }
}

/// Excel's TRUE and FALSE in its common non-English locales (German `WAHR/FALSCH`, Dutch
/// `WAAR/ONWAAR`, Swedish `SANT/FALSKT`, Turkish `DOĞRU/YANLIŞ`, French `VRAI/FAUX`, Spanish
/// `VERDADERO/FALSO`, Italian `VERO/FALSO`), lower case: only a non-English Excel writes them,
/// which tells a file's locale too (`date_order`). Turkish `YANLIŞ` lower-cases to `yanliş`
/// (Rust's lower case of `I` is `i`), so both spellings are listed.
const EXCEL_LOCALIZED_BOOLEANS: [(&[&str], bool); 2] = [
    (
        &["wahr", "waar", "sant", "doğru", "vrai", "verdadero", "vero"],
        true,
    ),
    (
        &[
            "falsch", "onwaar", "falskt", "yanlış", "yanliş", "faux", "falso",
        ],
        false,
    ),
];

/// The other words people write for yes and no: English, and `Ja/Nee`, `Ja/Nein`, `Oui/Non`,
/// `Sí/No`, `Evet/Hayır`.
const OTHER_BOOLEANS: [(&[&str], bool); 2] = [
    (
        &[
            "true", "yes", "y", "1", "on", "enabled", "ja", "j", "oui", "sí", "si", "evet",
        ],
        true,
    ),
    (
        &[
            "false", "no", "n", "0", "off", "disabled", "nee", "nein", "nej", "non", "hayır",
            "hayir",
        ],
        false,
    ),
];

/// Whether a lower-case text is Excel's TRUE or FALSE of a non-English locale.
pub fn is_excel_localized_boolean(lower: &str) -> bool {
    (EXCEL_LOCALIZED_BOOLEANS.iter()).any(|(words, _)| words.contains(&lower))
}

/// Parses one non-empty boolean text (any cell, read as text, gives the same answer as
/// [`parse_bool`]), in any letter case: English, and Excel's words in other languages.
pub fn parse_bool_str(text: &str) -> Result<bool, String> {
    let lower = text.trim().to_lowercase();
    let known = (EXCEL_LOCALIZED_BOOLEANS.iter().chain(&OTHER_BOOLEANS))
        .find(|(words, _)| words.contains(&lower.as_str()));
    if let Some((_, value)) = known {
        Ok(*value)
    } else {
        Err(format!(
            "{text:?} is not a boolean; use True/False, Yes/No, 1/0 (or Excel's words in your \
             language: WAHR/FALSCH, WAAR/ONWAAR, SANT/FALSKT, DOĞRU/YANLIŞ, VRAI/FAUX, …)"
        ))
    }
}

/// A non-negative whole number; `1,000`, `1000` and `1000.0` are accepted.
pub fn parse_quantity(cell: &Cell) -> Result<Option<i64>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => whole_count(*n, &n.to_string()).map(Some),
        Cell::Text(text) => parse_quantity_str(text).map(Some),
        other => Err(quantity_error(&other.as_text().unwrap_or_default())),
    }
}

/// Parses one non-empty quantity text.
pub fn parse_quantity_str(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let grouped = t.split('.').next().unwrap_or("");
    let is_grouped = grouped.contains(',') && thousands_groups(grouped, ',');
    let dotted_thousands = t.contains('.') && thousands_groups(t, '.');
    if dotted_thousands {
        return Err(format!(
            "{t:?} is ambiguous (1 or {}?); write the count without separators",
            t.replace('.', "")
        ));
    }
    let plain = if is_grouped {
        t.replace(',', "")
    } else {
        t.to_string()
    };
    whole_count(plain.parse::<f64>().map_err(|_| quantity_error(t))?, t)
}

/// Whether `text` is digits grouped by `separator` as thousands: 1–3 digits, then groups of 3.
fn thousands_groups(text: &str, separator: char) -> bool {
    text.split(separator).enumerate().all(|(i, group)| {
        group.chars().all(|c| c.is_ascii_digit())
            && if i == 0 {
                (1..=3).contains(&group.len())
            } else {
                group.len() == 3
            }
    })
}

/// `value` as a count; the error quotes `written`, the text as the file holds it (never the
/// parsed number: `1e309` is not `inf` to the user).
fn whole_count(value: f64, written: &str) -> Result<i64, String> {
    if value < 0.0 || value.fract() != 0.0 || !value.is_finite() || value > 1e12 {
        return Err(quantity_error(written));
    }
    Ok(value as i64)
}

fn quantity_error(text: &str) -> String {
    format!("{text:?} is not a licence count; use a whole number such as 25 or 1,000")
}

/// Lower-cases a non-empty status Partner Center writes ([`Status`]; an empty one is
/// `active`, decided by the reader). `Err` carries the value as written, for a warning (the row
/// is kept with it).
pub fn parse_status_str(text: &str) -> Result<String, String> {
    Status::parse(text).map_or_else(|| Err(text.to_string()), |s| Ok(s.as_str().to_string()))
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
    fn booleans_quantities_statuses() {
        for t in ["True", "yes", "Y", "1", "ON"] {
            assert_eq!(parse_bool(&Cell::text(t)), Ok(Some(true)));
        }
        for f in ["FALSE", "no", "n", "0", "off"] {
            assert_eq!(parse_bool(&Cell::text(f)), Ok(Some(false)));
        }
        assert_eq!(parse_bool(&Cell::Empty), Ok(None));
        assert!(parse_bool(&Cell::text("maybe")).is_err());
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
        for (t, f) in [
            ("WAHR", "FALSCH"),
            ("WAAR", "ONWAAR"),
            ("SANT", "FALSKT"),
            ("DOĞRU", "YANLIŞ"),
            ("VRAI", "FAUX"),
            ("VERDADERO", "FALSO"),
            ("VERO", "FALSO"),
            ("Ja", "Nee"),
            ("Ja", "Nein"),
            ("Yes", "No"),
            ("1", "0"),
            ("wahr", "falsch"),
            (" Doğru ", "yanlış"),
        ] {
            assert_eq!(parse_bool_str(t), Ok(true), "{t}");
            assert_eq!(parse_bool_str(f), Ok(false), "{f}");
        }
        assert_eq!(parse_quantity(&Cell::text("1,000")), Ok(Some(1000)));
        assert_eq!(parse_quantity(&Cell::text("1000.0")), Ok(Some(1000)));
        assert_eq!(parse_quantity(&Cell::Number(25.0)), Ok(Some(25)));
        assert!(parse_quantity(&Cell::text("-3")).is_err());
        assert!(parse_quantity(&Cell::text("2.5")).is_err());
        assert!(parse_quantity(&Cell::text("1,00")).is_err());
        assert!(
            parse_quantity(&Cell::text("1.000"))
                .unwrap_err()
                .contains("ambiguous")
        );
        assert_eq!(parse_status_str("Suspended"), Ok("suspended".into()));
        assert_eq!(parse_status_str("Paused"), Err("Paused".into()));
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
            fn any_count_written_plainly_or_with_thousands_parses_back(n in 0i64..1_000_000_000) {
                let grouped = n
                    .to_string()
                    .as_bytes()
                    .rchunks(3)
                    .rev()
                    .map(|c| std::str::from_utf8(c).expect("digits"))
                    .collect::<Vec<_>>()
                    .join(",");
                for text in [n.to_string(), grouped, format!("{n}.0")] {
                    prop_assert_eq!(parse_quantity_str(&text), Ok(n), "{}", text);
                }
            }

            #[test]
            fn no_text_makes_a_parser_panic(text in any::<String>()) {
                for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
                    let _ = parse_date_str(&text, order);
                }
                let _ = parse_bool_str(&text);
                let _ = parse_quantity_str(&text);
            }
        }
    }
}
