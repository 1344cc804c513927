//! CSV files in the dialects partners really have: UTF-8 with or without BOM, UTF-16 LE/BE with
//! BOM, Windows-1252 as the fallback; `,`, `;` or tab as delimiter (detected from the header
//! line); quoted fields with embedded newlines; PowerShell's `#TYPE` first line skipped.

use super::table::{Table, TableBuilder};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

/// How much of a file is looked at before streaming it: the header line must fit.
const PEEK: usize = 1 << 20;

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

/// Parses CSV bytes (any encoding [`decode`] knows) into a [`Table`].
pub fn read(bytes: &[u8]) -> Result<Table, csv::Error> {
    let (text, _) = decode(bytes);
    let (body, header_row) = after_type_line(&text);
    parse(body.as_bytes(), body, body.len(), header_row)
}

/// Streams a UTF-8 CSV file (with or without BOM) into a [`Table`] without holding the file in
/// memory. `Ok(None)` when the file is not UTF-8 (a UTF-16 BOM, or bytes that are not UTF-8) or
/// its header line is over a megabyte: read it whole with [`read`] then, which decodes it.
pub fn read_streaming(file: impl Read, size: usize) -> Result<Option<Table>, csv::Error> {
    let mut input = BufReader::with_capacity(PEEK, file);
    let peek = input.fill_buf()?;
    let bom = match Encoding::for_bom(peek) {
        Some((encoding, _)) if encoding != UTF_8 => return Ok(None),
        Some((_, length)) => length,
        None => 0,
    };
    let peek = &peek[bom..];
    let text = match std::str::from_utf8(peek) {
        Ok(text) => text,
        // A character cut at the end of the peek is fine; anything else is not UTF-8.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&peek[..e.valid_up_to()]).expect("valid up to here")
        }
        Err(_) => return Ok(None),
    };
    let (sample, header_row) = after_type_line(text);
    if !sample.contains('\n') && size > peek.len() + bom {
        return Ok(None);
    }
    let skipped = bom + (text.len() - sample.len());
    let sample = sample.to_string();
    input.consume(skipped);
    match parse(input, &sample, size.saturating_sub(skipped), header_row) {
        Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => Ok(None),
        other => other.map(Some),
    }
}

/// The text after PowerShell's `#TYPE` line, and the row number of the header under it.
fn after_type_line(text: &str) -> (&str, usize) {
    if text.starts_with("#TYPE") {
        (text.split_once('\n').map_or("", |(_, rest)| rest), 2)
    } else {
        (text, 1)
    }
}

/// Reads the records of `input` (`size` bytes, starting with `sample`) straight into text
/// columns: one reused record buffer, no `String` per cell. Row numbers count records, as a
/// spreadsheet shows them: a quoted multi-line value is one row.
fn parse(
    input: impl Read,
    sample: &str,
    size: usize,
    header_row: usize,
) -> Result<Table, csv::Error> {
    let first_line = sample.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(first_line))
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    let header: Vec<String> = if reader.read_record(&mut record)? {
        record.iter().map(str::to_string).collect()
    } else {
        Vec::new()
    };
    let rows = estimate_rows(sample, size, header.len());
    let mut table = TableBuilder::new(header, header_row, rows);
    while reader.read_record(&mut record)? {
        table.push_text(record.iter());
    }
    Ok(table.finish(None))
}

/// About how many lines a text of `size` bytes holds, from the length of the first hundred
/// lines of `sample`, its beginning (an estimate for sizing the columns), but never more room
/// than twice the text's size in column slots (16 bytes each), so a file of empty lines under a
/// wide header reserves nothing huge.
fn estimate_rows(sample: &str, size: usize, columns: usize) -> usize {
    let (count, length) = sample
        .lines()
        .take(100)
        .fold((0, 0), |(count, length), line| {
            (count + 1, length + line.len())
        });
    let average = length / count.max(1);
    let estimate = size / average.max(16) + 1;
    estimate.min(2 * size / (16 * columns.max(1)) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_estimates_follow_line_length_and_stay_small_for_empty_lines() {
        let body = "a,b\n".to_string() + &"1234567890123456789,x\n".repeat(1000);
        assert!((900..1200).contains(&estimate_rows(&body, body.len(), 2)));
        let empty = "\n".repeat(1_000_000);
        assert!(estimate_rows(&empty, empty.len(), 10_000) <= 13);
    }

    fn same_table(a: &Table, b: &Table) {
        assert_eq!(a.headers, b.headers);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.extra_cells, b.extra_cells);
        assert_eq!(a.blank_rows, b.blank_rows);
        for (x, y) in a.columns.iter().zip(&b.columns) {
            assert!(x.text.iter().eq(y.text.iter()));
        }
    }

    #[test]
    fn streaming_reads_utf8_as_the_whole_file_does_and_leaves_other_encodings_to_it() {
        let long_header = format!("{}\n1,2\n", "h,".repeat(PEEK));
        let cases: [&[u8]; 5] = [
            b"#TYPE Foo\n\"A\",\"B\"\n\"1\",\"x\ny\"\n,\n\"3\",\"z\",extra\n",
            b"\xEF\xBB\xBFA;B\n1;\xC3\xA9\n",
            b"A\tB\n1\t2",
            b"",
            long_header.as_bytes(),
        ];
        for bytes in cases {
            let streamed = read_streaming(bytes, bytes.len()).unwrap();
            let whole = read(bytes).unwrap();
            match streamed {
                Some(streamed) => same_table(&streamed, &whole),
                None => assert_eq!(
                    bytes,
                    long_header.as_bytes(),
                    "only the long header falls back"
                ),
            }
        }
        // Not UTF-8 early (in the peek) or late (after it): the whole-file read decodes it.
        let early = b"A,B\n1,Zo\xEB\n".to_vec();
        let mut late = "A,B\n".to_string() + &"1,x\n".repeat(PEEK / 4);
        late.push_str("2,Zo");
        let mut late = late.into_bytes();
        late.extend_from_slice(b"\xEB\n");
        let utf16 = [0xFF, 0xFE, b'A', 0, b'\n', 0];
        for bytes in [&early[..], &late[..], &utf16[..]] {
            assert!(read_streaming(bytes, bytes.len()).unwrap().is_none());
        }
        let decoded = read(&late).unwrap();
        assert_eq!(decoded.columns[1].text.get(PEEK / 4), Some("Zoë"));
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
