//! Writing values into a PowerShell script so that no value can become code: every string is a
//! single-quoted literal (nothing expands inside one) with `'` doubled, and every character
//! outside printable ASCII — line breaks, ESC, the typographic quotes PowerShell also accepts as
//! string delimiters, any letter outside ASCII — is spelled as a `[char]` code and joined on.
//! The script stays plain ASCII, so Windows PowerShell 5.1 reads it the same in every code page.
//! Comments get the same treatment as text (`\uXXXX` for anything outside printable ASCII), so no
//! value can end its comment line.

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind, Output, State};
use std::fmt::Write;

/// Whether a character is written as itself inside a single-quoted literal or a comment.
fn plain(c: char) -> bool {
    matches!(c, ' '..='~')
}

/// A PowerShell expression whose value is `text`, in ASCII: `'O''Brien'`, or
/// `('M' + [char]0x00FC + 'ller')` when a character needs its code.
pub(super) fn literal(text: &str) -> String {
    if text.chars().all(plain) {
        return format!("'{}'", text.replace('\'', "''"));
    }
    // Starts with a string, so `+` concatenates even when the first character is a code.
    let mut out = String::from("('");
    let mut in_quotes = true;
    for c in text.chars() {
        if plain(c) {
            if !in_quotes {
                out.push_str(" + '");
                in_quotes = true;
            }
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
        } else {
            if in_quotes {
                out.push('\'');
                in_quotes = false;
            }
            let code = u32::from(c);
            if code > 0xFFFF {
                write!(out, " + [char]::ConvertFromUtf32(0x{code:X})")
            } else {
                write!(out, " + [char]0x{code:04X}")
            }
            .expect("writing to a String cannot fail");
        }
    }
    if in_quotes {
        out.push('\'');
    }
    out.push(')');
    out
}

/// Text for a `#` comment line: printable ASCII as is, anything else as `\uXXXX`.
pub(super) fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if plain(c) {
            out.push(c);
        } else {
            write!(out, "\\u{:04X}", u32::from(c)).expect("writing to a String cannot fail");
        }
    }
    out
}

/// The template filter `comment`: a value as comment text (marked safe: written as is).
pub(super) fn comment(value: &Value) -> Value {
    let text = match value.as_str() {
        Some(s) => s.to_string(),
        None => value.to_string(),
    };
    Value::from_safe_string(comment_text(&text))
}

/// The template formatter: every `{{ value }}` becomes a PowerShell expression (strings as
/// [`literal`]s, `$null`, `$true`/`$false`, numbers, `@(…)` for lists); a value already marked
/// safe (a `comment`) is written as is.
pub(super) fn format(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    let text = expression(value)?;
    out.write_str(&text).map_err(Error::from)
}

fn expression(value: &Value) -> Result<String, Error> {
    if value.is_safe() {
        return Ok(value.to_string());
    }
    Ok(match value.kind() {
        ValueKind::None | ValueKind::Undefined => "$null".to_string(),
        ValueKind::Bool => if value.is_true() { "$true" } else { "$false" }.to_string(),
        ValueKind::Number => {
            let text = value.to_string();
            if !text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
            {
                return Err(Error::new(
                    ErrorKind::BadSerialization,
                    "not a plain number",
                ));
            }
            text
        }
        ValueKind::String => literal(value.as_str().unwrap_or_default()),
        ValueKind::Seq => {
            let items: Result<Vec<String>, Error> =
                value.try_iter()?.map(|v| expression(&v)).collect();
            format!("@({})", items?.join(", "))
        }
        _ => {
            return Err(Error::new(
                ErrorKind::BadSerialization,
                "only text, numbers, booleans and lists go into a script",
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_one_single_quoted_literal() {
        assert_eq!(literal("Contoso Ltd"), "'Contoso Ltd'");
        assert_eq!(literal("O'Brien $(rm -r /) `n"), "'O''Brien $(rm -r /) `n'");
        assert_eq!(literal(""), "''");
    }

    #[test]
    fn other_characters_are_char_codes_and_the_result_is_ascii() {
        assert_eq!(literal("Müller"), "('M' + [char]0x00FC + 'ller')");
        assert_eq!(literal("\u{2019}x"), "('' + [char]0x2019 + 'x')");
        assert_eq!(literal("a\nb'"), "('a' + [char]0x000A + 'b''')");
        assert_eq!(literal("😀"), "('' + [char]::ConvertFromUtf32(0x1F600))");
        for hostile in [
            "\u{1b}[31m",
            "a\r\n$(x)",
            "\u{2018}\u{201B}\u{201A}",
            "x\u{0}y",
        ] {
            assert!(literal(hostile).is_ascii(), "{hostile:?}");
        }
    }

    #[test]
    fn comments_cannot_break_their_line() {
        assert_eq!(
            comment_text("a\nb\r\u{2028}é"),
            "a\\u000Ab\\u000D\\u2028\\u00E9"
        );
    }
}
