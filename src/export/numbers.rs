//! Numbers and plural forms the way each language writes them, from the Unicode CLDR through
//! ICU4X: `1,203` in English, `1.203` in Dutch, German and Turkish, `1 203` in Swedish; the plural
//! category (`one`, `other`, …) a count takes. The message catalogs choose their words by it
//! (a message may be a table of forms with `count` naming the number that picks one), so no
//! sentence ever reads "1 days left".

use super::locale::Locale;
use anyhow::{Result, anyhow};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::options::DecimalFormatterOptions;
use icu_locale_core::Locale as IcuLocale;
use icu_plurals::{PluralCategory, PluralRules};

/// One language's number format and plural rules.
pub struct Numbers {
    decimals: DecimalFormatter,
    plurals: PluralRules,
}

impl std::fmt::Debug for Numbers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Numbers")
    }
}

impl Numbers {
    /// The rules of `locale` (CLDR data built into the binary).
    pub fn new(locale: Locale) -> Result<Numbers> {
        let icu: IcuLocale = locale
            .code()
            .parse()
            .map_err(|e| anyhow!("locale {}: {e:?}", locale.code()))?;
        let decimals = DecimalFormatter::try_new((&icu).into(), DecimalFormatterOptions::default())
            .map_err(|e| anyhow!("number format of {}: {e}", locale.code()))?;
        let plurals = PluralRules::try_new_cardinal((&icu).into())
            .map_err(|e| anyhow!("plural rules of {}: {e}", locale.code()))?;
        Ok(Numbers { decimals, plurals })
    }

    /// `n` with the language's digit grouping.
    pub fn format(&self, n: i64) -> String {
        self.decimals.format(&Decimal::from(n)).to_string()
    }

    /// The plural category of a count, as the catalogs name it.
    pub fn category(&self, n: i64) -> &'static str {
        match self.plurals.category_for(n) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }
}

/// A value a message is filled with: a number is written the language's way and picks the
/// message's plural form; text is written as it is.
pub trait MessageArg {
    /// The value as a count, when it is one.
    fn number(&self) -> Option<i64> {
        None
    }
    /// The value as text.
    fn text(&self) -> String;
}

macro_rules! counts {
    ($($t:ty),*) => {$(
        impl MessageArg for $t {
            fn number(&self) -> Option<i64> {
                i64::try_from(*self).ok()
            }
            fn text(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

counts!(i64, i32, u32, u64, usize);

impl MessageArg for str {
    fn text(&self) -> String {
        self.to_string()
    }
}

impl MessageArg for String {
    fn text(&self) -> String {
        self.clone()
    }
}

impl<T: MessageArg + ?Sized> MessageArg for &T {
    fn number(&self) -> Option<i64> {
        (**self).number()
    }
    fn text(&self) -> String {
        (**self).text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_as_each_language_writes_them() {
        let got: Vec<String> = (Locale::ALL.iter())
            .map(|l| Numbers::new(*l).unwrap().format(1203))
            .collect();
        assert_eq!(got, ["1,203", "1.203", "1.203", "1\u{a0}203", "1.203"]);
        assert_eq!(Numbers::new(Locale::En).unwrap().format(-22), "-22");
        assert_eq!(Numbers::new(Locale::De).unwrap().format(320_000), "320.000");
    }

    #[test]
    fn counts_take_their_plural_category() {
        for locale in Locale::ALL {
            let n = Numbers::new(locale).unwrap();
            assert_eq!(
                [0, 1, 2, 1203].map(|c| n.category(c)),
                ["other", "one", "other", "other"],
                "{}",
                locale.code()
            );
        }
    }
}
