//! CSV files in the dialects partners really have: UTF-8 with or without BOM, UTF-16 LE/BE with
//! BOM, Windows-1252 as the fallback; `,`, `;` or tab as delimiter (detected from the header
//! line); quoted fields with embedded newlines; PowerShell's `#TYPE` first line skipped.

use super::table::{Table, TableBuilder};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Decodes raw bytes to text, honouring a BOM and falling back to Windows-1252 when the bytes
/// are not valid UTF-8.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text, encoding);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), UTF_8),
        Err(_) => {
            let (text, _, _) = WINDOWS_1252.decode(bytes);
            (text, WINDOWS_1252)
        }
    }
}

/// The delimiter among `,` `;` and tab that occurs most often outside quotes in `line`
/// (a comma on a tie or when none occurs).
pub fn detect_delimiter(line: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for ch in line.chars() {
        match ch {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => counts[0] += 1,
            ';' if !in_quotes => counts[1] += 1,
            '\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    candidates[best]
}

/// Parses CSV bytes into a [`Table`]: records stream straight into text columns (one reused
/// record buffer, no `String` per cell). Row numbers count records, as a spreadsheet shows them:
/// a quoted multi-line value is one row.
pub fn read(bytes: &[u8]) -> Result<Table, csv::Error> {
    let (text, _) = decode(bytes);
    let mut body: &str = &text;
    let mut header_row = 1;
    if body.starts_with("#TYPE") {
        body = body.split_once('\n').map_or("", |(_, rest)| rest);
        header_row = 2;
    }
    let first_line = body.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(first_line))
        .from_reader(body.as_bytes());
    let mut record = csv::StringRecord::new();
    let header: Vec<String> = if reader.read_record(&mut record)? {
        record.iter().map(str::to_string).collect()
    } else {
        Vec::new()
    };
    let rows = estimate_rows(body, header.len());
    let mut table = TableBuilder::new(header, header_row, rows);
    while reader.read_record(&mut record)? {
        table.push_text(record.iter());
    }
    Ok(table.finish(None))
}

/// About how many lines `body` holds, from the length of its first hundred lines (an estimate
/// for sizing the columns), but never more room than twice the text's size in column slots
/// (16 bytes each), so a file of empty lines under a wide header reserves nothing huge.
fn estimate_rows(body: &str, columns: usize) -> usize {
    let (count, length) = body
        .lines()
        .take(100)
        .fold((0, 0), |(count, length), line| {
            (count + 1, length + line.len())
        });
    let average = length / count.max(1);
    let estimate = body.len() / average.max(16) + 1;
    estimate.min(2 * body.len() / (16 * columns.max(1)) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_estimates_follow_line_length_and_stay_small_for_empty_lines() {
        let body = "a,b\n".to_string() + &"1234567890123456789,x\n".repeat(1000);
        assert!((900..1200).contains(&estimate_rows(&body, 2)));
        let empty = "\n".repeat(1_000_000);
        assert!(estimate_rows(&empty, 10_000) <= 13);
    }

    #[test]
    fn delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter("a,b,c"), b',');
        assert_eq!(detect_delimiter("a;b;c"), b';');
        assert_eq!(detect_delimiter("a\tb\tc,d"), b'\t');
        assert_eq!(detect_delimiter("\"a;b;c\",d"), b',');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn utf16_and_windows_1252_decode() {
        let mut le = vec![0xFF, 0xFE];
        for u in "Zoë".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le).0, "Zoë");
        let mut be = vec![0xFE, 0xFF];
        for u in "Zoë".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&be).0, "Zoë");
        assert_eq!(decode(&[0x5A, 0x6F, 0xEB]).0, "Zoë");
        assert_eq!(decode("\u{feff}Zoë".as_bytes()).0, "Zoë");
    }

    #[test]
    fn powershell_type_line_is_skipped_and_rows_are_numbered_as_excel_shows_them() {
        let t = read(b"#TYPE Foo\n\"A\",\"B\"\n\"1\",\"x\ny\"\n,\n\"3\",\"z\"\n").unwrap();
        assert_eq!(t.headers, vec!["A", "B"]);
        assert_eq!(t.rows, [3, 5]);
        assert_eq!(t.columns[1].text.get(0), Some("x\ny"));
        assert_eq!(t.blank_rows, 1);
    }
}
