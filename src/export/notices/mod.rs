//! `notices/`: a ready-to-send notice per affected customer (docs/rules.md §4) — a customer with
//! an open retiring subscription or users to move. `notices/<slug>.eml` (the runbooks' slugs) is
//! a complete MIME message: multipart/alternative, plain text and HTML with inline styles only
//! (no script, no remote image), `X-Unsent: 1` so Outlook opens it as a draft to send, the subject
//! in the customer's language, `To` only from `--notice-to`; `notices/<slug>.html` is its HTML
//! part, to preview. The language: `--notice-locale`, else the `Preferred language` most of the
//! customer's users have, else `--locale`. mail-builder writes the message (headers encoded as
//! RFC 2047 asks, bodies in quoted-printable or base64, lines within 78 characters); the boundary
//! comes from the content and the date from the as-of, so the same report gives the same bytes.

mod content;

use super::locale::{Locale, Messages};
use super::slug::customer_slugs;
use super::{Exporter, OutputFile};
use crate::model::{
    CustomerRow, CustomerRowKey, ExpiringRow, Report, UserRow, by_customer, rows_of,
};
use anyhow::{Result, bail};
use content::{Notice, Rows, Words};
use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;
use minijinja::Environment;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The notices' folder.
pub(crate) const NOTICES: &str = "notices";

/// The partner's signature under every notice (`--notice-from FILE`, TOML).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// The account manager's name.
    pub name: Option<String>,
    /// The partner's company.
    pub company: Option<String>,
    /// The address the notice is sent from (its `From`).
    pub email: Option<String>,
    /// A phone number.
    pub phone: Option<String>,
}

/// What `--notice-to`, `--notice-locale` and `--notice-from` say.
#[derive(Debug, Clone, Default)]
pub struct NoticeOptions {
    /// Customer (id, name or domain) → an address for `To`.
    pub to: Vec<(String, String)>,
    /// Customer (id, name or domain) → the notice's language.
    pub locales: Vec<(String, Locale)>,
    /// The signature; a placeholder to fill in without one.
    pub from: Option<Signature>,
}

/// Writes the notices.
pub(super) struct NoticesExporter {
    /// `--locale`: the language of a customer nothing else decides.
    pub(super) locale: Locale,
    /// The notice flags.
    pub(super) options: NoticeOptions,
}

/// Whether a customer gets a notice: an open retiring subscription, or users to move.
pub(crate) fn gets_notice(expiring: &[&ExpiringRow], users: &[&UserRow]) -> bool {
    expiring.iter().any(|e| e.state.is_open())
        || users
            .iter()
            .any(|u| u.action == crate::model::Action::Reassign)
}

/// The locale of a language tag (`de-DE`, `nl`, `sv_SE`), when it is one of the five.
fn locale_of_tag(tag: &str) -> Option<Locale> {
    let language = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    Locale::ALL.into_iter().find(|l| l.code() == language)
}

/// The customer that `key` names: its id, name or domain, without case.
fn names(c: &CustomerRow, key: &str) -> bool {
    let key = key.trim();
    [
        Some(&c.customer_name),
        c.customer_id.as_ref(),
        c.customer_domain.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|v| v.eq_ignore_ascii_case(key))
}

/// Header text on one line: a line break or control character in a name becomes a space.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The plain-text part wrapped at 76 characters: a long line breaks at spaces, its continuation
/// indented like its first word (`- ` items stay items).
fn wrap(text: &str) -> String {
    const WIDTH: usize = 76;
    let mut out = String::with_capacity(text.len() + text.len() / WIDTH);
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let lead = &line[..line.len() - body.len()];
        // A continuation lines up with the text after a `- ` or `* ` mark.
        let indent = if body.starts_with("- ") || body.starts_with("* ") {
            format!("{lead}  ")
        } else {
            lead.to_string()
        };
        let mut current = lead.to_string();
        for word in body.split(' ') {
            let len = current.chars().count();
            if len > indent.len() && len + 1 + word.chars().count() > WIDTH {
                out.push_str(current.trim_end());
                out.push_str("\r\n");
                current.clone_from(&indent);
            } else if current.len() > lead.len() && current != indent {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(current.trim_end());
        out.push_str("\r\n");
    }
    out
}

/// The templates of a notice.
fn environment() -> Result<Environment<'static>> {
    super::html::strict_environment(&[
        (
            "notice.html",
            include_str!("../../../templates/notice.html"),
        ),
        ("notice.txt", include_str!("../../../templates/notice.txt")),
    ])
}

/// The message: headers, and the two parts under a boundary made from their content.
fn message(
    notice: &Notice,
    (text, html): (&str, &str),
    to: &[&str],
    from: Option<&Signature>,
    (id, date): (String, i64),
) -> Result<Vec<u8>> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{text}\n{html}").as_bytes());
    // `=_` never occurs in quoted-printable or base64 text, so the parts cannot hold it.
    let boundary = format!("=_skusunset_{}", crate::base::text::hex(&digest[..12]));
    let body = MimePart::new(
        ContentType::new("multipart/alternative").attribute("boundary", boundary),
        vec![
            MimePart::new("text/plain", text.to_string()),
            MimePart::new("text/html", html.to_string()),
        ],
    );
    let mut builder = MessageBuilder::new()
        .message_id(id)
        .date(date)
        .subject(one_line(&notice.subject))
        .header("X-Unsent", Raw::new("1"))
        .header("Content-Language", Raw::new(notice.lang.clone()))
        .body(body);
    if let Some(email) = from.and_then(|s| s.email.as_deref()) {
        let name = from.and_then(|s| s.name.as_deref()).unwrap_or_default();
        builder = builder.from((one_line(name), one_line(email)));
    }
    if !to.is_empty() {
        let to: Vec<String> = to.iter().map(|a| one_line(a)).collect();
        builder = builder.to(to);
    }
    Ok(builder.write_to_vec()?)
}

impl NoticesExporter {
    /// Checks that every `--notice-to` and `--notice-locale` names a customer of the report.
    fn check_customers(&self, report: &Report) -> Result<()> {
        let keys = (self.options.to.iter().map(|(k, _)| ("--notice-to", k))).chain(
            self.options
                .locales
                .iter()
                .map(|(k, _)| ("--notice-locale", k)),
        );
        for (flag, key) in keys {
            if !report.customers.iter().any(|c| names(c, key)) {
                bail!(
                    "{flag} {key:?}: no customer of the subscription exports has this id, name \
                     or domain (`skusunset check` lists them)"
                );
            }
        }
        Ok(())
    }

    /// The language of a customer's notice.
    fn locale_of(&self, customer: Option<&CustomerRow>) -> Locale {
        let Some(c) = customer else {
            return self.locale;
        };
        (self.options.locales.iter())
            .find(|(key, _)| names(c, key))
            .map(|(_, l)| *l)
            .or_else(|| c.preferred_language.as_deref().and_then(locale_of_tag))
            .unwrap_or(self.locale)
    }
}

impl Exporter for NoticesExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        self.check_customers(report)?;
        let env = environment()?;
        let slugs = customer_slugs(report);
        let mut messages: BTreeMap<Locale, Messages> = BTreeMap::new();
        let (expiring, users) = (by_customer(&report.expiring), by_customer(&report.users));
        let (purchases, windows) = (
            by_customer(&report.purchases),
            by_customer(&report.deprovisioning),
        );
        let customers = by_customer(&report.customers);
        let date = (report.run.as_of.and_hms_opt(0, 0, 0))
            .unwrap_or_default()
            .and_utc()
            .timestamp();
        let dir = PathBuf::from(NOTICES);
        let mut files = Vec::new();
        for progress in &report.summary.customers {
            let key = progress.customer_key();
            let (e, u) = (rows_of(&expiring, &key), rows_of(&users, &key));
            if !gets_notice(e, u) {
                continue;
            }
            let customer = customers.get(&key).and_then(|c| c.first().copied());
            let locale = self.locale_of(customer);
            if let std::collections::btree_map::Entry::Vacant(e) = messages.entry(locale) {
                e.insert(Messages::load(locale)?.for_report(report));
            }
            let words = Words {
                m: &messages[&locale],
                report,
                signature: self.options.from.as_ref(),
            };
            let rows = Rows {
                progress,
                expiring: e,
                users: u,
                purchases: rows_of(&purchases, &key),
                deprovisioning: rows_of(&windows, &key),
            };
            let notice = words.notice(&rows);
            let context = minijinja::Value::from(minijinja::value::Serde(&notice));
            let html = env.get_template("notice.html")?.render(&context)?;
            let text = wrap(&env.get_template("notice.txt")?.render(&context)?);
            let to: Vec<&str> = (self.options.to.iter())
                .filter(|(k, _)| customer.is_some_and(|c| names(c, k)))
                .map(|(_, a)| a.as_str())
                .collect();
            let slug = &slugs[&key];
            // A long slug is cut, so the header stays on one line of 78 characters.
            let short: String = slug.chars().take(32).collect();
            let as_of = report.run.as_of.format("%Y%m%d");
            let id = format!("notice-{}-{as_of}@skusunset", short.trim_end_matches('-'));
            let eml = message(
                &notice,
                (&text, &html),
                &to,
                self.options.from.as_ref(),
                (id, date),
            )?;
            files.push((dir.join(format!("{slug}.eml")), eml));
            files.push((dir.join(format!("{slug}.html")), html.into_bytes()));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_pick_a_locale_or_none() {
        assert_eq!(locale_of_tag("de-DE"), Some(Locale::De));
        assert_eq!(locale_of_tag("NL"), Some(Locale::Nl));
        assert_eq!(locale_of_tag("sv_SE"), Some(Locale::Sv));
        assert_eq!(locale_of_tag("fr-FR"), None);
        assert_eq!(locale_of_tag(""), None);
    }

    #[test]
    fn long_lines_wrap_at_spaces_and_items_keep_their_indent() {
        let line = format!("- {}", "word ".repeat(30));
        let wrapped = wrap(&line);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.iter().all(|l| l.chars().count() <= 76), "{wrapped}");
        assert!(lines[0].starts_with("- word"));
        assert!(lines[1].starts_with("  word"));
        assert_eq!(wrap("short"), "short\r\n");
        let item = format!("  * {}", "name ".repeat(20));
        let wrapped = wrap(&item);
        assert!(wrapped.starts_with("  * name"), "{wrapped}");
        assert!(
            wrapped.lines().nth(1).unwrap().starts_with("    name"),
            "{wrapped}"
        );
        let long_word = "x".repeat(90);
        assert_eq!(wrap(&long_word), format!("{long_word}\r\n"));
    }
}
