//! Text per locale: one message file per language in `locales/`, embedded in the binary. The
//! runbooks use every locale; the CSV, workbook and JSON `reason` columns are the English file's
//! `[reasons]`, so the analysis writes codes and values, never sentences. Dates are written the
//! locale's way (`21 November 2026`, `21. November 2026`, …).

use crate::model::{Reason, ReasonArg, Report};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};

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
}

impl Messages {
    /// Loads a locale's message file.
    pub fn load(locale: Locale) -> Result<Messages> {
        let (_, text) = FILES
            .iter()
            .find(|(l, _)| *l == locale)
            .context("locale has no message file")?;
        Messages::parse(text).with_context(|| format!("locales/{}.toml", locale.code()))
    }

    fn parse(text: &str) -> Result<Messages> {
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
        })
    }

    /// A date the locale's way.
    pub fn date(&self, date: NaiveDate) -> String {
        self.date
            .replace("{day}", &date.day().to_string())
            .replace("{month}", &self.months[date.month0() as usize])
            .replace("{year}", &date.year().to_string())
    }

    /// A top-level message.
    pub fn text(&self, key: &str) -> String {
        self.table
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(key)
            .to_string()
    }

    /// A top-level message with its `{placeholders}` filled in, e.g.
    /// `fill("days_left_n", &[("n", &5)])` is "5 days left".
    pub fn fill(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut out = self.text(key);
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), &value.to_string());
        }
        out
    }

    /// The English messages (for the `reason` column of the tables).
    pub fn english() -> Messages {
        Messages::load(Locale::En).expect("the embedded English message file parses")
    }

    /// A reason in this language: the `[reasons]` text of its code with the placeholders
    /// filled in (`{segment}` as the locale's `[segment_words]`). Every locale has every code
    /// (a unit test checks it); the code itself stands in otherwise.
    pub fn reason(&self, why: &Reason) -> String {
        let Some(text) = self
            .table
            .get("reasons")
            .and_then(|r| r.get(why.code.as_str()))
            .and_then(|v| v.as_str())
        else {
            return why.code.as_str().to_string();
        };
        let mut out = text.to_string();
        for (key, value) in &why.args {
            let value = if *key == ReasonArg::Segment {
                self.label("segment_words", value)
            } else {
                value.clone()
            };
            out = out.replace(&format!("{{{key}}}"), &value);
        }
        out
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

/// Every distinct reason of a report's `users` and `purchases` rows, worded once: a partner's
/// book has a handful of distinct reasons over hundreds of thousands of rows.
pub struct Reasons<'r> {
    worded: crate::base::hash::FastMap<&'r Reason, String>,
}

impl<'r> Reasons<'r> {
    /// Words the reasons of `report` with `messages`.
    pub fn word(report: &'r Report, messages: &Messages) -> Reasons<'r> {
        let mut worded = crate::base::hash::FastMap::default();
        let whys =
            (report.users.iter().map(|u| &u.why)).chain(report.purchases.iter().map(|p| &p.why));
        for why in whys {
            worded.entry(why).or_insert_with(|| messages.reason(why));
        }
        Reasons { worded }
    }

    /// The words of a reason of the report (its code when it is not one of them).
    pub fn of(&self, why: &Reason) -> &str {
        self.worded
            .get(why)
            .map_or_else(|| why.code.as_str(), String::as_str)
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
    #[test]
    fn reason_placeholders_are_reason_arguments() {
        let m = Messages::english();
        for (code, text) in m.table["reasons"].as_table().unwrap() {
            let text = text.as_str().unwrap();
            for piece in text.split('{').skip(1) {
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
                let text = m.table["reasons"]
                    .get(code.as_str())
                    .and_then(|v| v.as_str());
                assert!(
                    text.is_some(),
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
