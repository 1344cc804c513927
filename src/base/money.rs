//! Amounts of money as the price list writes them (`12.345`), held exactly in millionths of the
//! currency unit so that sums and per-month figures are never float-rounded; monthly figures are
//! rounded to the cent, half away from zero.

use serde::{Serialize, Serializer};
use std::fmt;

/// Millionths of a currency unit in one unit.
const SCALE: i64 = 1_000_000;

/// An amount of money, exact to a millionth of the currency unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// Parses a price as the price list writes it: digits with an optional `.`, an optional
    /// leading `-`; thousands separators and other decimal marks are not prices (`None`). Past
    /// six decimals the price is rounded (a spreadsheet's computed `28.799999999999997`).
    pub fn parse(text: &str) -> Option<Money> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > 30
            || whole.len() > 12
        {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let (kept, rest) = fraction.split_at(fraction.len().min(6));
        let round_up = rest.as_bytes().first().is_some_and(|d| *d >= b'5');
        let fraction: i64 = format!("{kept:0<6}").parse().ok()?;
        let micros = whole * SCALE + fraction + i64::from(round_up);
        Some(Money(if negative { -micros } else { micros }))
    }

    /// `self × count ÷ months`, rounded to the cent (half away from zero): a per-month figure.
    #[must_use]
    pub fn per_month(self, count: i64, months: i64) -> Money {
        let total = i128::from(self.0) * i128::from(count);
        let months = i128::from(months.max(1));
        let cent = i128::from(SCALE / 100);
        let cents = total.abs() * 2 / (months * cent);
        let rounded = i64::try_from((cents + 1) / 2).unwrap_or(i64::MAX);
        let sign = if total < 0 { -1 } else { 1 };
        Money(sign * rounded * (SCALE / 100))
    }

    /// The sum of two amounts.
    #[must_use]
    pub fn plus(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }

    /// The amount as a number of currency units (for spreadsheet cells and JSON).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }
}

/// Two decimals at least, more where the price has them: `7.2` is `7.20`, `0.0125` stays.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, fraction) = (self.0.abs() / SCALE, self.0.abs() % SCALE);
        let digits = format!("{fraction:06}");
        let trimmed = digits.trim_end_matches('0');
        let shown = if trimmed.len() < 2 {
            &digits[..2]
        } else {
            trimmed
        };
        write!(f, "{sign}{whole}.{shown}")
    }
}

/// A JSON number (`12.34`).
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_exactly_and_print_with_at_least_two_decimals() {
        for (text, shown) in [
            ("7.2", "7.20"),
            ("72", "72.00"),
            ("0.0125", "0.0125"),
            (" 393.12 ", "393.12"),
            ("-1.5", "-1.50"),
            (".5", "0.50"),
        ] {
            assert_eq!(Money::parse(text).unwrap().to_string(), shown, "{text}");
        }
        // A spreadsheet's float noise rounds to the millionth.
        assert_eq!(
            Money::parse("28.799999999999997").unwrap().to_string(),
            "28.80"
        );
        assert_eq!(Money::parse("1.2345674").unwrap().to_string(), "1.234567");
        for bad in ["", "-", "1,234.50", "12,5", "1e3", "abc", "1.2.3"] {
            assert_eq!(Money::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn per_month_rounds_to_the_cent_half_away_from_zero() {
        let annual = Money::parse("211.20").unwrap();
        assert_eq!(annual.per_month(3, 12).to_string(), "52.80");
        // 10 × 0.125 ÷ 1 = 1.25; 1 × 0.125 = 0.125 → 0.13; 1 × 1.00 ÷ 3 = 0.333… → 0.33
        assert_eq!(
            Money::parse("0.125").unwrap().per_month(10, 1).to_string(),
            "1.25"
        );
        assert_eq!(
            Money::parse("0.125").unwrap().per_month(1, 1).to_string(),
            "0.13"
        );
        assert_eq!(
            Money::parse("1").unwrap().per_month(1, 3).to_string(),
            "0.33"
        );
        assert_eq!(
            Money::parse("-0.125").unwrap().per_month(1, 1).to_string(),
            "-0.13"
        );
        assert_eq!(Money::parse("1").unwrap().per_month(0, 12), Money::ZERO);
    }
}
