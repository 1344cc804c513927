//! Value rules of docs/rules.md §2.1 other than dates: booleans (English, and Excel's words in
//! other languages), licence quantities and subscription statuses.

use crate::model::Status;
use crate::read::table::Cell;

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

        proptest! {
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
                let _ = parse_bool_str(&text);
                let _ = parse_quantity_str(&text);
            }
        }
    }
}
