//! Text from the inputs made safe to show: control characters escaped for a terminal, and long
//! values cut to a bound (a cell, a header or a line can be megabytes); bytes as hex.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is: control characters (C0, DEL, C1, among them ESC
/// and the line breaks) and the invisible marks that reorder text (bidirectional overrides).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as `\u{1b}` (unchanged, and not copied, when it
/// has none).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_unsafe(c) {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// A multi-line message (an error) with the unsafe characters of each line escaped.
pub fn escape_lines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// `text` cut to its first `max` characters, followed by how many were left out.
pub fn bounded(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => Cow::Owned(format!(
            "{}… ({} more characters)",
            &text[..at],
            text[at..].chars().count()
        )),
    }
}

/// Whether `text` is a GUID in its 8-4-4-4-12 hex form (a tenant id, a product's skuId).
pub fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A date written in a file name: `YYYY-MM-DD`, `YYYY_MM_DD` or `YYYYMMDD`, the last found.
pub fn date_in_name(name: &str) -> Option<chrono::NaiveDate> {
    let digits: Vec<(usize, char)> = name.char_indices().collect();
    let mut found = None;
    for start in 0..digits.len() {
        let rest: String = digits[start..].iter().map(|(_, c)| *c).take(10).collect();
        let candidates = [
            rest.get(..10).map(|d| d.replace('_', "-")),
            rest.get(..8)
                .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
                .map(|d| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])),
        ];
        for candidate in candidates.into_iter().flatten() {
            if let Ok(date) = chrono::NaiveDate::parse_from_str(&candidate, "%Y-%m-%d") {
                found = Some(date);
            }
        }
    }
    found
}

/// Bytes (a digest) as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_reordering_characters_are_escaped() {
        assert!(matches!(escape("Zoë Müller"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\u{1b}[31mb\tc\u{85}"),
            "a\\u{1b}[31mb\\u{9}c\\u{85}"
        );
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape_lines("one\u{7}\ntwo"), "one\\u{7}\ntwo");
    }

    #[test]
    fn guids_are_8_4_4_4_12_hex() {
        assert!(is_guid("4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e01"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
        assert!(!is_guid("4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e0"));
        assert!(!is_guid("4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e0g"));
        assert!(!is_guid("Contoso Ltd -- a name of 36 chars -x"));
    }

    #[test]
    fn dates_in_file_names() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(date_in_name("subs-2026-11-20.csv"), d("2026-11-20"));
        assert_eq!(date_in_name("subs_2026_11_13.csv"), d("2026-11-13"));
        assert_eq!(date_in_name("export20261106.csv"), d("2026-11-06"));
        assert_eq!(date_in_name("subscriptions.csv"), None);
    }
}
