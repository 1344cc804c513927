//! `--redact-users` (docs/rules.md §3.8): a report to send outside the partner carries no user
//! principal name and no display name. Each customer's users become `user-0001`, `user-0002`, …
//! numbered in the order of their user principal names (compared without case, as Entra
//! compares them), so the same inputs give the same pseudonyms in every output and every count
//! stays what it was. Issue messages lose any quoted value or word that is a user's name or an
//! address; the file, row and column still point to it.

use crate::model::Report;
use std::collections::{HashMap, HashSet};

/// What stands in an issue message where a user's name or an address was.
pub const REDACTED: &str = "[redacted]";

/// The pseudonym of the `n`-th user (from 1) of a customer with `count` users.
fn pseudonym(n: usize, count: usize) -> String {
    let width = count.to_string().len().max(4);
    format!("user-{n:0width$}")
}

/// Replaces every user of `report` with its customer's pseudonym, and user names and addresses
/// in issue messages with [`REDACTED`].
pub fn redact_users(report: &mut Report) {
    let mut per_customer: HashMap<(Option<&str>, &str), Vec<String>> = HashMap::new();
    let mut names: HashSet<String> = HashSet::new();
    for u in &report.users {
        let key = (u.customer_id.as_deref(), &*u.customer_name);
        let upn = u.user_principal_name.to_lowercase();
        names.insert(upn.clone());
        if let Some(name) = u.display_name.as_deref().map(str::trim) {
            names.insert(name.to_lowercase());
        }
        per_customer.entry(key).or_default().push(upn);
    }
    let mut numbers: HashMap<(Option<String>, String, String), String> = HashMap::new();
    for ((id, name), mut upns) in per_customer {
        upns.sort_unstable();
        upns.dedup();
        let count = upns.len();
        for (i, upn) in upns.into_iter().enumerate() {
            let key = (id.map(str::to_string), name.to_string(), upn);
            numbers.insert(key, pseudonym(i + 1, count));
        }
    }
    for u in &mut report.users {
        let key = (
            u.customer_id.as_deref().map(str::to_string),
            u.customer_name.to_string(),
            u.user_principal_name.to_lowercase(),
        );
        u.user_principal_name.clone_from(&numbers[&key]);
        u.display_name = None;
    }
    for issue in &mut report.issues {
        issue.message = scrub(&issue.message, &names);
    }
    report.run.redacted_users = true;
}

/// Whether a quoted value or a word of a message names a user: it is one of `names` (lower
/// case), or it holds an `@` between two letters or digits (an address).
fn names_a_user(text: &str, names: &HashSet<String>) -> bool {
    let text = text.trim();
    let address = text.char_indices().any(|(i, c)| {
        c == '@'
            && text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            && text[i + 1..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    });
    address || (!text.is_empty() && names.contains(&text.to_lowercase()))
}

/// `message` with every quoted value (between backticks or double quotes) and every word that
/// names a user replaced by [`REDACTED`].
fn scrub(message: &str, names: &HashSet<String>) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().unwrap_or('`');
        let Some(len) = rest[open + 1..].find(quote) else {
            break;
        };
        let inner = &rest[open + 1..open + 1 + len];
        out.push_str(&scrub_words(&rest[..open]));
        out.push(quote);
        out.push_str(if names_a_user(inner, names) {
            REDACTED
        } else {
            inner
        });
        out.push(quote);
        rest = &rest[open + len + 2..];
    }
    out.push_str(&scrub_words(rest));
    out
}

/// `text` with each white-space separated word that holds an address replaced, its punctuation
/// kept.
fn scrub_words(text: &str) -> String {
    let none = HashSet::new();
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        if !core.is_empty() && names_a_user(core, &none) {
            let start = word.find(core).unwrap_or(0);
            out.push_str(&word[..start]);
            out.push_str(REDACTED);
            out.push_str(&piece[start + core.len()..]);
        } else {
            out.push_str(piece);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_numbered_wide_enough() {
        assert_eq!(pseudonym(17, 40), "user-0017");
        assert_eq!(pseudonym(3, 12_345), "user-00003");
    }

    #[test]
    fn messages_lose_names_and_addresses_but_keep_the_rest() {
        let names: HashSet<String> = ["megan bowen".to_string()].into();
        assert_eq!(
            scrub(
                "user `MeganB@contoso.com` (\"Megan Bowen\") has license `SPE_E3`; mail \
                 admin@contoso.com.",
                &names
            ),
            "user `[redacted]` (\"[redacted]\") has license `SPE_E3`; mail [redacted]."
        );
        assert_eq!(scrub("an `unclosed quote", &names), "an `unclosed quote");
        assert_eq!(scrub("a @ b and @home", &names), "a @ b and @home");
    }
}
