//! A CSV text's records into a table: each row numbered by the line its record starts on, the
//! limits that keep a hostile file from costing memory (delimiters on a line, cells in a file),
//! and a quote left open at the end.

use crate::read::table::TableBuilder;
use std::io::Read;

/// Why a CSV text could not be read (the reader names the file).
#[derive(Debug)]
pub(super) enum Failure {
    /// Bytes that are not UTF-8 after the peek: read the whole file decoded instead.
    NotUtf8,
    /// What is wrong, for the user.
    Invalid(String),
}

impl From<csv::Error> for Failure {
    fn from(e: csv::Error) -> Failure {
        match e.kind() {
            csv::ErrorKind::Utf8 { .. } => Failure::NotUtf8,
            // The guard's own message, without the CSV reader's prefix.
            csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
                Failure::Invalid(io.to_string())
            }
            _ => Failure::Invalid(e.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Invalid(e.to_string())
    }
}

/// The most delimiters one line may hold (16 × [`MAX_COLUMNS`]): the CSV reader keeps a
/// position per field of a record, so a 50 MB line of commas would cost a gigabyte before the
/// header check or the row could refuse it.
///
/// [`MAX_COLUMNS`]: crate::read::limits::MAX_COLUMNS
pub(super) const MAX_LINE_DELIMITERS: usize = 16 * crate::read::limits::MAX_COLUMNS;

/// Passes bytes through to the CSV reader, failing once a line holds more than
/// [`MAX_LINE_DELIMITERS`] delimiters. Only a line that could hold that many is counted: one
/// longer than the limit in bytes, or one that runs on past the bytes read so far.
pub(super) struct DelimiterGuard<R> {
    inner: R,
    delimiter: u8,
    /// The delimiters on the current line so far, counted while it runs on past a read.
    on_line: usize,
    line: usize,
    /// The last byte seen was a CR (so an LF right after it ends no second line).
    after_cr: bool,
}

impl<R> DelimiterGuard<R> {
    /// A guard over `inner`, whose first byte starts line 1.
    pub(super) fn new(inner: R, delimiter: u8) -> Self {
        DelimiterGuard {
            inner,
            delimiter,
            on_line: 0,
            line: 1,
            after_cr: false,
        }
    }

    /// The reader guarded.
    pub(super) fn into_inner(self) -> R {
        self.inner
    }

    /// Counts the delimiters of `bytes`, a stretch of the current line (running on past them
    /// when `runs_on`), where the line could hold more than the limit.
    fn count(&mut self, bytes: &[u8], runs_on: bool) -> std::io::Result<()> {
        if !runs_on && self.on_line + bytes.len() <= MAX_LINE_DELIMITERS {
            return Ok(());
        }
        self.on_line += memchr::memchr_iter(self.delimiter, bytes).count();
        if self.on_line > MAX_LINE_DELIMITERS {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {} holds over {MAX_LINE_DELIMITERS} delimiters; check that this is a \
                     CSV export (and its delimiter)",
                    self.line
                ),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for DelimiterGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        let mut start = 0;
        // A line ends at LF, CRLF or a lone CR (Excel for Mac's "CSV (Macintosh)").
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            self.count(&bytes[start..at], false)?;
            let crlf = bytes[at] == b'\n'
                && if at == 0 {
                    self.after_cr
                } else {
                    bytes[at - 1] == b'\r'
                };
            if !crlf {
                self.line += 1;
            }
            self.on_line = 0;
            start = at + 1;
        }
        self.count(&bytes[start..], true)?;
        if n > 0 {
            self.after_cr = bytes[n - 1] == b'\r';
        }
        Ok(n)
    }
}

/// The row number of the record just read: the line it starts on. After a record the reader
/// stands past its line end: on the next line after an LF, still on the record's last line
/// after a CRLF (the LF is read with the next record). The record began as many lines before
/// as its values hold line breaks. (A last record without a line end in an LF file comes out a
/// line short: the caller moves it down.)
fn record_line(record: &csv::StringRecord, end_line: u64, crlf: bool, header_row: usize) -> usize {
    let breaks = memchr::memchr_iter(b'\n', record.as_slice().as_bytes()).count() as u64;
    let start_line = end_line.saturating_sub(breaks + u64::from(!crlf));
    (header_row + start_line as usize).saturating_sub(1)
}

/// The most cells (header columns × rows, empty ones included) a CSV file of `size` bytes may
/// fill: one per byte (every cell but the last of a row takes a delimiter), at least two
/// million. Rows far shorter than a wide header would otherwise cost memory per column.
fn grid_limit(size: usize) -> usize {
    size.max(2_000_000)
}

/// How the records' rows are numbered.
#[derive(Clone, Copy)]
pub(super) struct Lines {
    /// By the line a record starts on (false: a file with lone-CR line ends, which the CSV
    /// reader does not count, whose records are counted instead).
    pub by_line: bool,
    /// The file's lines end in CRLF.
    pub crlf: bool,
    /// The header's row number.
    pub header_row: usize,
}

/// Where reading records ended.
#[derive(Clone, Copy)]
pub(super) struct Ended {
    /// Records read (blank ones included).
    pub records: usize,
    /// The last record's first byte, from the reader's first.
    pub last_start: u64,
    /// The last record's row.
    pub last_row: usize,
    /// The last record's cells.
    pub last_cells: usize,
}

impl Ended {
    /// Nothing read yet, under a header on row `header_row`.
    fn start(header_row: usize) -> Ended {
        Ended {
            records: 0,
            last_start: 0,
            last_row: header_row,
            last_cells: 0,
        }
    }
}

/// The CSV reader every record of a text is read with.
pub(super) fn csv_reader<R: Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(input)
}

/// Reads the records of `reader` (a text of `size` bytes under a header `width` columns wide)
/// to its end into `table`, refusing rows that would fill more cells than [`grid_limit`].
pub(super) fn read_records<R: Read>(
    reader: &mut csv::Reader<R>,
    table: &mut TableBuilder,
    lines: Lines,
    (width, size): (usize, usize),
) -> Result<Ended, Failure> {
    let grid = grid_limit(size);
    let mut record = csv::StringRecord::new();
    let mut ended = Ended::start(lines.header_row);
    loop {
        let start = reader.position().byte();
        if !reader.read_record(&mut record)? {
            return Ok(ended);
        }
        ended.last_row = if lines.by_line {
            record_line(
                &record,
                reader.position().line(),
                lines.crlf,
                lines.header_row,
            )
        } else {
            ended.last_row + 1
        };
        (ended.last_start, ended.last_cells) = (start, record.len());
        ended.records += 1;
        if width.saturating_mul(ended.records) > grid {
            return Err(Failure::Invalid(format!(
                "its rows are far shorter than its header: {width} columns by row {} make over \
                 {grid} cells from a file of {size} bytes; check that this is the export (and \
                 its delimiter) and that its header row is its own",
                ended.last_row
            )));
        }
        table.start_row_at(ended.last_row);
        table.push_text(record.iter());
    }
}

/// Whether the record `input` starts with ends inside a quoted field at the end of the input,
/// and if so how many line breaks that field swallowed.
pub(super) fn open_quote_lines(input: impl Read, delimiter: u8) -> std::io::Result<Option<usize>> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut lines = 0;
    for byte in std::io::BufReader::new(input).bytes() {
        let byte = byte?;
        state = match (state, byte) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, b'\n') => {
                lines += 1;
                State::Quoted
            }
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b'\n' | b'\r') => State::FieldStart,
            (_, b) if b == delimiter => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    Ok((state == State::Quoted).then_some(lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a guard over `text` says when read `size` bytes at a time.
    fn guarded(text: &[u8], size: usize) -> Result<usize, String> {
        let mut guard = DelimiterGuard::new(text, b',');
        let mut buffer = vec![0; size];
        let mut total = 0;
        loop {
            match guard.read(&mut buffer) {
                Ok(0) => return Ok(total),
                Ok(n) => total += n,
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    #[test]
    fn a_line_over_the_limit_is_refused_on_its_line_however_it_is_read() {
        let over = ",".repeat(MAX_LINE_DELIMITERS + 1);
        let at = ",".repeat(MAX_LINE_DELIMITERS);
        // Line ends of every kind before the long line: LF, CRLF (split between reads), CR.
        let text = format!("a,b\r\nc\rd\n{at}\r\n{over}\nlast");
        let whole = text.len() + 1;
        for size in [1, 2, 7, 8192, whole] {
            assert_eq!(
                guarded(text.as_bytes(), size),
                Err(format!(
                    "line 5 holds over {MAX_LINE_DELIMITERS} delimiters; check that this is a \
                     CSV export (and its delimiter)"
                )),
                "read {size} bytes at a time"
            );
        }
        let fine = format!("a\n{at}\n{at}");
        for size in [3, 8192, fine.len()] {
            assert_eq!(guarded(fine.as_bytes(), size), Ok(fine.len()));
        }
    }
}
