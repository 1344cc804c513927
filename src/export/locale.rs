//! Text per locale: one message file per language in `locales/`, embedded in the binary. The
//! runbooks use every locale; the CSV, workbook and JSON `reason` columns are the English file's
//! `[reasons]`, so the analysis writes codes and values, never sentences. Dates are written the
//! locale's way (`21 November 2026`, `21. November 2026`, …).

use super::numbers::{MessageArg, Numbers};
use crate::base::hash::FastMap;
use crate::model::{Reason, ReasonArg, Report};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

/// A language of the runbooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Dutch.
    Nl,
    /// German.
    De,
    /// Swedish.
    Sv,
    /// Turkish.
    Tr,
}

impl Locale {
    /// Every locale, in the order `--help` lists them.
    pub const ALL: [Locale; 5] = [Locale::En, Locale::Nl, Locale::De, Locale::Sv, Locale::Tr];

    /// The language code, e.g. `nl`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Nl => "nl",
            Locale::De => "de",
            Locale::Sv => "sv",
            Locale::Tr => "tr",
        }
    }
}

/// The message files, by locale.
const FILES: [(Locale, &str); 5] = [
    (Locale::En, include_str!("../../locales/en.toml")),
    (Locale::Nl, include_str!("../../locales/nl.toml")),
    (Locale::De, include_str!("../../locales/de.toml")),
    (Locale::Sv, include_str!("../../locales/sv.toml")),
    (Locale::Tr, include_str!("../../locales/tr.toml")),
];

/// One locale's messages.
#[derive(Debug, Clone)]
pub struct Messages {
    /// Every key of the message file, for the templates.
    pub table: toml::Table,
    months: Vec<String>,
    date: String,
    /// How the language writes numbers and picks plural forms.
    numbers: std::sync::Arc<Numbers>,
    /// A report's retirement names (as the analysis puts them in reasons) → in this language.
    retirements: std::collections::HashMap<String, String>,
}

impl Messages {
    /// Loads a locale's message file.
    pub fn load(locale: Locale) -> Result<Messages> {
        let (_, text) = FILES
            .iter()
            .find(|(l, _)| *l == locale)
            .context("locale has no message file")?;
        Messages::parse(text, Numbers::new(locale)?)
            .with_context(|| format!("locales/{}.toml", locale.code()))
    }

    fn parse(text: &str, numbers: Numbers) -> Result<Messages> {
        let table: toml::Table = toml::from_str(text)?;
        let months: Vec<String> = table
            .get("months")
            .and_then(|m| m.as_array())
            .context("`months` is missing")?
            .iter()
            .filter_map(|m| m.as_str().map(str::to_string))
            .collect();
        if months.len() != 12 {
            bail!("`months` must list 12 names");
        }
        let date = table
            .get("date")
            .and_then(|d| d.as_str())
            .context("`date` is missing")?
            .to_string();
        Ok(Messages {
            table,
            months,
            date,
            numbers: std::sync::Arc::new(numbers),
            retirements: std::collections::HashMap::new(),
        })
    }

    /// A date the locale's way.
    pub fn date(&self, date: NaiveDate) -> String {
        self.date
            .replace("{day}", &date.day().to_string())
            .replace("{month}", &self.months[date.month0() as usize])
            .replace("{year}", &date.year().to_string())
    }

    /// A top-level message (its `other` form, when it has plural forms).
    pub fn text(&self, key: &str) -> String {
        self.pick(self.table.get(key), &[])
            .unwrap_or(key)
            .to_string()
    }

    /// These messages with `report`'s retirements named in this language in the reasons (the
    /// analysis gives a reason the catalog's own name, `Kaizala Pro (standalone)`).
    #[must_use]
    pub fn for_report(mut self, report: &Report) -> Messages {
        let lang = self.lang().to_string();
        self.retirements = (report.retirements.iter())
            .filter(|r| r.name_in(&lang) != r.name)
            .map(|r| (r.name.clone(), r.name_in(&lang).to_string()))
            .collect();
        self
    }

    /// The language code (`nl`).
    pub fn lang(&self) -> &str {
        self.table
            .get("lang")
            .and_then(|v| v.as_str())
            .unwrap_or("en")
    }

    /// A number the language's way (`1,203`, `1.203`, `1 203`).
    pub fn number(&self, n: i64) -> String {
        self.numbers.format(n)
    }

    /// The text of a message value: a string, or of a table of plural forms the one its `count`
    /// argument takes (`other` when it has no such form or no such argument).
    fn pick<'t>(
        &self,
        value: Option<&'t toml::Value>,
        args: &[(&str, &dyn MessageArg)],
    ) -> Option<&'t str> {
        match value? {
            toml::Value::String(text) => Some(text),
            toml::Value::Table(forms) => {
                let count = (forms.get("count").and_then(|c| c.as_str()))
                    .and_then(|name| args.iter().find(|(k, _)| *k == name))
                    .and_then(|(_, v)| v.number());
                let category = count.map_or("other", |n| self.numbers.category(n));
                (forms.get(category).or_else(|| forms.get("other"))).and_then(|v| v.as_str())
            }
            _ => None,
        }
    }

    /// `text` with its `{placeholders}` filled: numbers the language's way.
    fn substitute(&self, text: &str, args: &[(&str, &dyn MessageArg)]) -> String {
        let mut out = text.to_string();
        for (name, value) in args {
            let value = value
                .number()
                .map_or_else(|| value.text(), |n| self.numbers.format(n));
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        out
    }

    /// A top-level message with its `{placeholders}` filled in and, when it has plural forms,
    /// the form its count takes: `fill("days_left_n", &[("n", &5)])` is "5 days left",
    /// with `1` "1 day left".
    pub fn fill(&self, key: &str, args: &[(&str, &dyn MessageArg)]) -> String {
        let text = self.pick(self.table.get(key), args).unwrap_or(key);
        self.substitute(text, args)
    }

    /// The English messages (for the `reason` column of the tables).
    pub fn english() -> Messages {
        Messages::load(Locale::En).expect("the embedded English message file parses")
    }

    /// A reason in this language: the `[reasons]` text of its code with the placeholders
    /// filled in (`{segment}` as the locale's `[segment_words]`). Every locale has every code
    /// (a unit test checks it); the code itself stands in otherwise.
    pub fn reason(&self, why: &Reason) -> String {
        // A count argument is a number (grouped, and it picks the plural form); the segment is
        // worded; every other argument is text as the analysis gave it.
        let values: Vec<(&str, ReasonValue)> = (why.args.iter())
            .map(|(key, value)| {
                let v = match key {
                    ReasonArg::Segment => ReasonValue::Text(self.label("segment_words", value)),
                    ReasonArg::Retirement => {
                        ReasonValue::Text(self.retirements.get(value).unwrap_or(value).clone())
                    }
                    k if k.is_count() => value
                        .parse()
                        .map_or_else(|_| ReasonValue::Text(value.clone()), ReasonValue::Count),
                    _ => ReasonValue::Text(value.clone()),
                };
                (key.as_str(), v)
            })
            .collect();
        let args: Vec<(&str, &dyn MessageArg)> = (values.iter())
            .map(|(k, v)| (*k, v as &dyn MessageArg))
            .collect();
        let value = (self.table.get("reasons")).and_then(|r| r.get(why.code.as_str()));
        match self.pick(value, &args) {
            Some(text) => self.substitute(text, &args),
            None => why.code.as_str().to_string(),
        }
    }

    /// A label from one of the message file's tables (`segments`, `actions`, …); the key itself
    /// when the file has none.
    pub fn label(&self, group: &str, key: &str) -> String {
        self.table
            .get(group)
            .and_then(|g| g.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or(key)
            .to_string()
    }
}

/// A reason argument's value: a count, or text.
enum ReasonValue {
    Count(i64),
    Text(String),
}

impl MessageArg for ReasonValue {
    fn number(&self) -> Option<i64> {
        match self {
            ReasonValue::Count(n) => Some(*n),
            ReasonValue::Text(_) => None,
        }
    }
    fn text(&self) -> String {
        match self {
            ReasonValue::Count(n) => n.to_string(),
            ReasonValue::Text(t) => t.clone(),
        }
    }
}

/// Every distinct reason of a report's `users` and `purchases` rows, worded once: a partner's
/// book has a handful of distinct reasons over hundreds of thousands of rows.
pub struct Reasons<'r> {
    /// Each distinct reason's words.
    words: Vec<String>,
    /// Where a reason's words are, by the reason's address: the users of one customer and
    /// license share one reason, so a row's is found without hashing its texts.
    by_address: FastMap<usize, usize>,
    /// Where a reason's words are, by its value.
    by_value: FastMap<&'r Reason, usize>,
}

impl<'r> Reasons<'r> {
    /// Words the reasons of `report` with `messages`.
    pub fn word(report: &'r Report, messages: &Messages) -> Reasons<'r> {
        let mut reasons = Reasons {
            words: Vec::new(),
            by_address: FastMap::default(),
            by_value: FastMap::default(),
        };
        let whys =
            (report.users.iter().map(|u| &*u.why)).chain(report.purchases.iter().map(|p| &p.why));
        // Rows of one customer follow each other and mostly share a reason: the row before's
        // is skipped without a lookup.
        let mut last = None;
        let mut distinct: Vec<&Reason> = Vec::new();
        for why in whys {
            let address = std::ptr::from_ref(why).addr();
            if last == Some(address) || reasons.by_address.contains_key(&address) {
                last = Some(address);
                continue;
            }
            last = Some(address);
            let at = *reasons.by_value.entry(why).or_insert_with(|| {
                distinct.push(why);
                distinct.len() - 1
            });
            reasons.by_address.insert(address, at);
        }
        // A reason names its customer's user count and segment, so a wave has a few reasons
        // per customer: tens of thousands, worded on every core.
        reasons.words = distinct
            .par_iter()
            .map(|why| messages.reason(why))
            .collect();
        reasons
    }

    /// The words of a reason of the report (its code when it is not one of them).
    pub fn of(&self, why: &Reason) -> &str {
        (self.by_address.get(&std::ptr::from_ref(why).addr()))
            .or_else(|| self.by_value.get(why))
            .map_or_else(|| why.code.as_str(), |&at| self.words[at].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in table {
            let key = format!("{prefix}{k}");
            if let Some(t) = v.as_table() {
                keys(t, &format!("{key}."), out);
            } else {
                out.push(key);
            }
        }
    }

    #[test]
    fn every_locale_has_exactly_the_english_keys() {
        let mut english = Vec::new();
        keys(&Messages::load(Locale::En).unwrap().table, "", &mut english);
        for (locale, _) in FILES {
            let messages = Messages::load(locale).unwrap();
            let mut got = Vec::new();
            keys(&messages.table, "", &mut got);
            assert_eq!(got, english, "locales/{}.toml", locale.code());
            assert_eq!(messages.table["lang"].as_str(), Some(locale.code()));
        }
    }

    /// Every `{placeholder}` of every text, by key.
    fn placeholders(table: &toml::Table, prefix: &str, out: &mut Vec<(String, Vec<String>)>) {
        for (k, v) in table {
            let key = format!("{prefix}{k}");
            match v {
                toml::Value::Table(t) => placeholders(t, &format!("{key}."), out),
                toml::Value::String(text) => {
                    let mut names: Vec<String> = (text.split('{').skip(1))
                        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                        .collect();
                    names.sort();
                    out.push((key, names));
                }
                _ => {}
            }
        }
    }

    #[test]
    fn every_locale_text_fills_the_placeholders_of_the_english_one() {
        let mut english = Vec::new();
        placeholders(&Messages::load(Locale::En).unwrap().table, "", &mut english);
        assert!(
            english
                .iter()
                .any(|(k, names)| k == "users_more" && names.len() == 3)
        );
        for (locale, _) in FILES {
            let mut got = Vec::new();
            placeholders(&Messages::load(locale).unwrap().table, "", &mut got);
            assert_eq!(got, english, "locales/{}.toml", locale.code());
        }
    }

    /// A reason's text fills only placeholders the analysis gives values for ([`ReasonArg`]):
    /// a misspelt `{placeholder}` would reach the reader as is.
    /// The texts of a message value: a string, or each plural form of a table.
    fn forms(value: &toml::Value) -> Vec<&str> {
        match value {
            toml::Value::String(text) => vec![text.as_str()],
            toml::Value::Table(forms) => (forms.iter())
                .filter(|(k, _)| *k != "count")
                .filter_map(|(_, v)| v.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn reason_placeholders_are_reason_arguments() {
        let m = Messages::english();
        for (code, value) in m.table["reasons"].as_table().unwrap() {
            for piece in forms(value).iter().flat_map(|t| t.split('{').skip(1)) {
                let name = piece.split('}').next().unwrap();
                assert!(
                    ReasonArg::parse(name).is_some(),
                    "reason {code}: {{{name}}} is not a reason argument"
                );
            }
        }
    }

    #[test]
    fn every_locale_words_every_reason_code_and_segment() {
        for (locale, _) in FILES {
            let m = Messages::load(locale).unwrap();
            for code in crate::model::ReasonCode::ALL {
                let text = m.table["reasons"].get(code.as_str()).map(forms);
                assert!(
                    text.is_some_and(|forms| !forms.is_empty()),
                    "locales/{}.toml: no reason {code}",
                    locale.code()
                );
            }
            for segment in crate::model::Segment::ALL {
                let word = m.table["segment_words"].get(segment.as_str());
                assert!(
                    word.is_some(),
                    "locales/{}.toml: no segment {segment}",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn dates_are_written_the_locale_way() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        let got: Vec<String> = FILES
            .iter()
            .map(|(l, _)| Messages::load(*l).unwrap().date(d))
            .collect();
        assert_eq!(
            got,
            [
                "5 March 2026",
                "5 maart 2026",
                "5. März 2026",
                "5 mars 2026",
                "5 Mart 2026"
            ]
        );
    }
}
