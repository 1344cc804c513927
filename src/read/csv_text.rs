//! CSV files in the dialects partners really have: UTF-8 with or without BOM, UTF-16 LE/BE with
//! or without BOM, Windows-1252 as the fallback; `,`, `;` or tab as delimiter (detected from the header
//! line); quoted fields with embedded newlines; PowerShell's `#TYPE` first line skipped.

use super::csv_records::{
    DelimiterGuard, Ended, Failure, Lines, csv_reader, open_quote_lines, read_records,
};
use crate::read::limits::MAX_COLUMNS;
use crate::read::table::{Keep, Table, TableBuilder};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};

/// How much of a file is looked at before streaming it: the header line must fit.
const PEEK: usize = 1 << 20;

/// The UTF-16 byte order of a text without BOM, told from where its NUL bytes sit: ASCII text
/// in UTF-16 has a NUL beside every character (after it in LE, before it in BE).
fn bomless_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even, mut odd) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 10 >= pairs * 8 && even * 10 < pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 8 && odd * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes raw bytes to text, honouring a BOM and recognising UTF-16 without BOM. Bytes that are
/// not valid UTF-8 are UTF-8 all the same when the file holds more valid multi-byte UTF-8
/// characters than bad bytes (a stray byte in a UTF-8 export): each bad byte becomes `�`, and
/// their count is returned. Otherwise the file is Windows-1252. UTF-16 that ends in half a
/// character or holds an unpaired surrogate is refused rather than read with a replacement
/// character.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static Encoding, usize), String> {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (Some(encoding), &bytes[bom_len..]),
        None => (bomless_utf16(bytes), bytes),
    };
    if let Some(encoding) = encoding {
        if encoding != UTF_8 && body.len() % 2 == 1 {
            return Err(format!(
                "the file is {} but ends in the middle of a character ({} bytes after the byte \
                 order mark, an odd number); it was cut short, export it again",
                encoding.name(),
                body.len()
            ));
        }
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        if had_errors {
            return Err(format!(
                "the file is {} but holds bytes that are not {0} text; export it again, or save \
                 it as UTF-8",
                encoding.name()
            ));
        }
        return Ok((text, encoding, 0));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), UTF_8, 0));
    }
    let (characters, bad) = utf8_census(bytes);
    Ok(if characters > bad {
        (String::from_utf8_lossy(bytes), UTF_8, bad)
    } else {
        let (text, _, _) = WINDOWS_1252.decode(bytes);
        (text, WINDOWS_1252, 0)
    })
}

/// How many valid multi-byte UTF-8 characters and how many invalid byte sequences `bytes` has.
fn utf8_census(bytes: &[u8]) -> (usize, usize) {
    let multi_byte = |text: &str| text.chars().filter(|c| !c.is_ascii()).count();
    let (mut characters, mut bad) = (0, 0);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => return (characters + multi_byte(text), bad),
            Err(e) => {
                let good = std::str::from_utf8(&rest[..e.valid_up_to()]).expect("valid up to here");
                characters += multi_byte(good);
                bad += 1;
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
            }
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

/// Parses CSV bytes (any encoding [`decode`] knows) into a [`Table`]; the error says what is
/// wrong (the caller names the file).
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    read_keeping(bytes, Keep::All)
}

/// [`read`], holding only the columns `keep` names.
pub fn read_keeping(bytes: &[u8], keep: Keep) -> Result<Table, String> {
    let (text, encoding, replaced) = decode(bytes)?;
    let (body, header_row) = after_type_line(&text);
    match parse(
        Cursor::new(body.as_bytes()),
        0,
        body,
        (body.len(), header_row),
        keep,
    ) {
        Ok(mut table) => {
            table.encoding = (encoding != UTF_8).then(|| encoding.name());
            if replaced > 0 {
                table.mark_replacement_characters();
            }
            Ok(table)
        }
        Err(Failure::Invalid(message)) => Err(message),
        Err(Failure::NotUtf8) => Err("the decoded text is not UTF-8".into()),
    }
}

/// Streams a UTF-8 CSV file (with or without BOM) into a [`Table`] without holding the file in
/// memory. `Ok(None)` when the file is not UTF-8 (a UTF-16 BOM or NUL pattern, or bytes that
/// are not UTF-8) or its header line is over a megabyte: read it whole with [`read`] then,
/// which decodes it. Only the columns `keep` names are held.
pub fn read_streaming(
    file: impl Read + Seek,
    size: usize,
    keep: Keep,
) -> Result<Option<Table>, String> {
    let mut input = BufReader::with_capacity(PEEK, file);
    let peek = input.fill_buf().map_err(|e| e.to_string())?;
    let bom = match Encoding::for_bom(peek) {
        Some((encoding, _)) if encoding != UTF_8 => return Ok(None),
        Some((_, length)) => length,
        None if bomless_utf16(peek).is_some() => return Ok(None),
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
    if !sample.contains(['\n', '\r']) && size > peek.len() + bom {
        return Ok(None);
    }
    let skipped = bom + (text.len() - sample.len());
    let sample = sample.to_string();
    input.consume(skipped);
    match parse(
        input,
        skipped as u64,
        &sample,
        (size.saturating_sub(skipped), header_row),
        keep,
    ) {
        Ok(table) => Ok(Some(table)),
        Err(Failure::NotUtf8) => Ok(None),
        Err(Failure::Invalid(message)) => Err(message),
    }
}

/// The text after PowerShell's `#TYPE` line, and the row number of the header under it.
fn after_type_line(text: &str) -> (&str, usize) {
    if text.starts_with("#TYPE") {
        let rest = text.find(['\r', '\n']).map_or("", |at| {
            let rest = &text[at..];
            rest.strip_prefix("\r\n")
                .or_else(|| rest.strip_prefix('\r'))
                .or_else(|| rest.strip_prefix('\n'))
                .unwrap_or(rest)
        });
        (rest, 2)
    } else {
        (text, 1)
    }
}

/// Reads the records of `input` (`size` bytes from offset `base`, starting with `sample`)
/// straight into text columns: one reused record buffer, no `String` per cell. A row's number
/// is the line its record starts on, as the file is written (blank lines count, and a quoted
/// value over several lines moves the rows after it down); in a file with lone-CR line ends
/// (which the CSV reader does not count as lines) rows are counted instead. A header over
/// [`MAX_COLUMNS`] and a quote left open at the end of the file are refused.
fn parse<R: Read + Seek>(
    input: R,
    base: u64,
    sample: &str,
    (size, header_row): (usize, usize),
    keep: Keep,
) -> Result<Table, Failure> {
    let first_line = sample.split(['\r', '\n']).next().unwrap_or("");
    let delimiter = detect_delimiter(first_line);
    let mut reader = csv_reader(DelimiterGuard::new(input, delimiter), delimiter);
    let mut record = csv::StringRecord::new();
    let header: Vec<String> = if reader.read_record(&mut record)? {
        record.iter().map(str::to_string).collect()
    } else {
        Vec::new()
    };
    if header.len() > MAX_COLUMNS {
        return Err(Failure::Invalid(format!(
            "its header row has {} columns, over the limit of {MAX_COLUMNS}; check that this \
             is a CSV export (and its delimiter)",
            header.len()
        )));
    }
    // The CSV reader counts lines by their LF; a file whose lines end in a lone CR has none.
    let by_line = sample.contains('\n') || !sample.contains('\r');
    let crlf = sample.contains("\r\n");
    let rows = estimate_rows(sample, size, header.len());
    let width = header.len();
    let mut table = TableBuilder::new(header, header_row, rows, keep);
    let lines = Lines {
        by_line,
        crlf,
        header_row,
    };
    let ended = read_records(&mut reader, &mut table, lines, (width, size))?;
    let mut input = reader.into_inner().into_inner();
    let Ended {
        records,
        last_start,
        mut last_row,
        last_cells,
    } = ended;
    let mut unterminated = None;
    if records > 0 {
        if size > 0 {
            let mut end = [0u8];
            input.seek(SeekFrom::Start(base + size as u64 - 1))?;
            if input.read(&mut end)? == 1 && !matches!(end[0], b'\n' | b'\r') {
                unterminated = Some(last_cells);
                // Its line was counted as if it ended in a line break.
                if by_line && !crlf {
                    table.renumber_last_row(last_row, last_row + 1);
                    last_row += 1;
                }
            }
        }
        input.seek(SeekFrom::Start(base + last_start))?;
        if let Some(lines) = open_quote_lines(input, delimiter)? {
            // The open value ran to the end of the file: no line end of its own was read.
            let last_row = last_row + usize::from(by_line && !crlf && unterminated.is_none());
            return Err(Failure::Invalid(format!(
                "row {last_row} opens a quoted value that is never closed, so the rest of the \
                 file ({lines} more line(s)) would be read as that one value; add the closing \
                 `\"` or remove the stray one, then read the file again"
            )));
        }
    }
    let mut table = table.finish(None);
    table.delimiter = Some(delimiter);
    table.unterminated_last_row = unterminated;
    Ok(table)
}

/// About how many lines a text of `size` bytes holds, from the length of the first hundred
/// lines of `sample`, its beginning (an estimate for sizing the columns), but never more room
/// than twice the text's size in column slots (16 bytes each), so a file of empty lines under a
/// wide header reserves nothing huge.
fn estimate_rows(sample: &str, size: usize, columns: usize) -> usize {
    let (count, length) = sample
        .split(['\r', '\n'])
        .filter(|line| !line.is_empty())
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
    use crate::read::csv_records::MAX_LINE_DELIMITERS;

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
        let long_header = format!("{},b\n1,2\n", "h".repeat(PEEK));
        let cases: [&[u8]; 5] = [
            b"#TYPE Foo\n\"A\",\"B\"\n\"1\",\"x\ny\"\n,\n\"3\",\"z\",extra\n",
            b"\xEF\xBB\xBFA;B\n1;\xC3\xA9\n",
            b"A\tB\n1\t2",
            b"",
            long_header.as_bytes(),
        ];
        for bytes in cases {
            let streamed = read_streaming(Cursor::new(bytes), bytes.len(), Keep::All).unwrap();
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
            assert!(
                read_streaming(Cursor::new(bytes), bytes.len(), Keep::All)
                    .unwrap()
                    .is_none()
            );
        }
        let decoded = read(&late).unwrap();
        assert_eq!(decoded.columns[1].text.get(PEEK / 4), Some("Zoë"));
    }

    #[test]
    fn columns_not_kept_are_empty_and_rows_are_counted_as_before() {
        let text = "Name,Notes,Licenses\nAnn,long note,E3\n,only a note,\n\nBob,,E5\n";
        let keep = |header: &str| header != "Notes";
        for table in [
            read_keeping(text.as_bytes(), Keep::Headers(&keep)).unwrap(),
            read_streaming(Cursor::new(text), text.len(), Keep::Headers(&keep))
                .unwrap()
                .unwrap(),
        ] {
            let all = read(text.as_bytes()).unwrap();
            assert_eq!(table.headers, all.headers);
            assert_eq!((&table.rows, table.blank_rows), (&all.rows, all.blank_rows));
            assert_eq!(table.columns[1].text.null_count(), 3, "Notes is not held");
            for at in [0, 2] {
                let cells = |t: &Table| -> Vec<Option<String>> {
                    t.columns[at]
                        .text
                        .iter()
                        .map(|c| c.map(str::to_string))
                        .collect()
                };
                assert_eq!(cells(&table), cells(&all), "column {at} is read as before");
            }
        }
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
        assert_eq!(decode(&le).unwrap().0, "Zoë");
        let mut be = vec![0xFE, 0xFF];
        for u in "Zoë".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&be).unwrap().0, "Zoë");
        assert_eq!(decode(&[0x5A, 0x6F, 0xEB]).unwrap().0, "Zoë");
        // UTF-8 but for one stray byte: UTF-8, the byte replaced and counted.
        let stray = b"M\xc3\xbcller \xc3\xa9t\xc3\xa9 Jos\xe9";
        let (text, encoding, replaced) = decode(stray).unwrap();
        assert_eq!(
            (text.as_ref(), encoding, replaced),
            ("Müller été Jos\u{fffd}", UTF_8, 1)
        );
        assert_eq!(decode("\u{feff}Zoë".as_bytes()).unwrap().0, "Zoë");
    }

    #[test]
    fn powershell_type_line_is_skipped_and_rows_are_numbered_by_the_line_they_start_on() {
        let t = read(b"#TYPE Foo\n\"A\",\"B\"\n\"1\",\"x\ny\"\n,\n\"3\",\"z\"\n").unwrap();
        assert_eq!(t.headers, vec!["A", "B"]);
        assert_eq!(t.rows, [3, 6]);
        assert_eq!(t.columns[1].text.get(0), Some("x\ny"));
        assert_eq!(t.blank_rows, 1);
    }

    #[test]
    fn an_unclosed_quote_is_refused_naming_its_row_and_a_closed_one_is_not() {
        let bytes = b"A,B\n1,x\n2,\"open\n3,y\n4,z\n";
        for result in [
            read(bytes).map(Some),
            read_streaming(Cursor::new(&bytes[..]), bytes.len(), Keep::All),
        ] {
            let err = result.unwrap_err();
            assert!(err.contains("row 3 opens a quoted value"), "{err}");
            assert!(err.contains("3 more line(s)"), "{err}");
        }
        for fine in [
            &b"A,B\n1,\"x\"\"y\"\n"[..],
            b"A,B\n1,ab\"c\n",
            b"A,B\n1,\"x\ny\"",
        ] {
            assert!(read(fine).is_ok(), "{:?}", String::from_utf8_lossy(fine));
        }
    }

    #[test]
    fn utf16_without_bom_is_recognised_and_cut_utf16_is_refused() {
        let text = "UPN,Licenses\na@x.com,E3\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [&le, &be] {
            assert!(
                read_streaming(Cursor::new(bytes), bytes.len(), Keep::All)
                    .unwrap()
                    .is_none()
            );
            let t = read(bytes).unwrap();
            assert_eq!(t.headers, ["UPN", "Licenses"]);
            assert_eq!(t.height(), 1);
        }
        let mut odd = vec![0xFF, 0xFE];
        odd.extend_from_slice(&le);
        odd.push(b'X');
        let err = read(&odd).unwrap_err();
        assert!(err.contains("ends in the middle of a character"), "{err}");
    }

    #[test]
    fn a_line_of_countless_delimiters_is_refused_before_it_is_held() {
        let line = format!("A,B\n1,{}\n", ",".repeat(MAX_LINE_DELIMITERS + 1));
        for result in [
            read(line.as_bytes()).map(Some),
            read_streaming(Cursor::new(line.as_bytes()), line.len(), Keep::All),
        ] {
            let err = result.unwrap_err();
            assert_eq!(
                err,
                "line 2 holds over 262144 delimiters; check that this is a CSV export (and its \
                 delimiter)"
            );
        }
        let fine = format!("A,B\n1,{}\n", ",".repeat(MAX_LINE_DELIMITERS - 1));
        assert_eq!(read(fine.as_bytes()).unwrap().extra_cells, []);
    }

    #[test]
    fn a_header_wider_than_excel_is_refused() {
        let line = "h,".repeat(MAX_COLUMNS) + "h\n";
        let err = read(line.as_bytes()).unwrap_err();
        assert!(err.contains("16385 columns"), "{err}");
    }
}
