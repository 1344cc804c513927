//! File names per customer (runbooks, step B scripts): lower-case ASCII letters, digits and `-`,
//! safe on Windows and Unix (no separators, no `..`, no control characters, no reserved device
//! names such as `CON`), and unique within one report.

use crate::model::{CustomerKey, CustomerRowKey, Report};
use std::collections::{BTreeMap, BTreeSet};

/// Windows device names (any extension), our own index page and all-customers calendar.
const RESERVED: [&str; 24] = [
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
    "index",
    super::ics::DEADLINES,
];

const MAX_LEN: usize = 60;

fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' => "a",
        'ä' | 'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ė' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ı' | 'İ' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' => "o",
        'ö' | 'œ' => "oe",
        'ù' | 'ú' | 'û' => "u",
        'ü' => "ue",
        'ß' => "ss",
        'ş' | 'š' | 'ś' => "s",
        'ğ' => "g",
        'ž' | 'ź' | 'ż' => "z",
        'ł' => "l",
        'ý' | 'ÿ' => "y",
        _ => return None,
    })
}

/// The slug of one name (not yet made unique).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(folded) = fold(c) {
            out.push_str(folded);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut slug: String = out.trim_matches('-').chars().take(MAX_LEN).collect();
    slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        slug = "customer".to_string();
    }
    if RESERVED.contains(&slug.as_str()) {
        slug.push_str("-customer");
    }
    slug
}

/// Unique slugs for names, in order: the second `Contoso` becomes `contoso-2`.
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = BTreeSet::new();
    names
        .into_iter()
        .map(|name| {
            let base = slug(name);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            candidate
        })
        .collect()
}

/// Every customer's slug: first the customers with a runbook, in the runbooks' order (so a
/// runbook's name never depends on which other formats run), then customers that have `users`
/// rows but no runbook, in the users table's order.
pub fn customer_slugs(report: &Report) -> BTreeMap<CustomerKey<'_>, String> {
    let mut keys: Vec<CustomerKey<'_>> = Vec::new();
    let mut seen = BTreeSet::new();
    let customers = report.summary.customers.iter().map(|c| c.customer_key());
    for key in customers.chain(report.users.iter().map(|u| u.customer_key())) {
        if seen.insert(key) {
            keys.push(key);
        }
    }
    let slugs = unique_slugs(keys.iter().map(|(_, name)| *name));
    keys.into_iter().zip(slugs).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(slug("Contoso Ltd"), "contoso-ltd");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug("CON"), "con-customer");
        assert_eq!(slug("com1"), "com1-customer");
        assert_eq!(slug("Index"), "index-customer");
        assert_eq!(slug("Deadlines"), "deadlines-customer");
        assert_eq!(slug("..."), "customer");
        assert_eq!(slug("a\u{0}b\r\nc\\d:e"), "a-b-c-d-e");
        assert_eq!(slug("Müller & Söhne GmbH"), "mueller-soehne-gmbh");
        assert_eq!(slug("Kuzey Işık A.Ş."), "kuzey-isik-a-s");
        assert_eq!(slug("東京 Trading"), "trading");
        let long = slug(&"ab ".repeat(50));
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn slugs_are_unique() {
        assert_eq!(
            unique_slugs(["Contoso", "contoso", "CONTOSO!", "Contoso-2"]),
            ["contoso", "contoso-2", "contoso-3", "contoso-2-2"]
        );
    }
}
