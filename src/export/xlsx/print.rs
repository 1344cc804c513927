//! How the workbook prints: A4 landscape, one page wide, at a readable size. Fitting a sheet one
//! page wide shrinks it by its total column width, so the printed columns are capped to
//! [`PAGE_CHARS`] characters together; a capped column wraps its text, and a row whose text wraps
//! gets the height of its lines (Excel and LibreOffice do not grow rows of a generated file).

use super::Value;
use crate::export::tables::{Column, Table};
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Column width (in characters) that prints one A4 landscape page wide at about 8.5 pt with
/// the margins of [`page_setup`] (measured through LibreOffice: 190 characters printed at 7.1 pt).
pub(super) const PAGE_CHARS: f64 = 160.0;
/// The widest a column is on screen; longer text wraps.
pub(super) const MAX_WIDTH: f64 = 60.0;
/// The narrowest a column is cut to.
const MIN_WIDTH: f64 = 8.0;
/// Points of one line of text (Excel's default row height).
pub(super) const LINE_HEIGHT: f64 = 15.0;
/// The most lines a row is given; longer text is still all in the cell.
const MAX_LINES: usize = 12;

/// Landscape A4, narrow margins, one page wide, the header row repeated when asked.
pub(super) fn page_setup(ws: &mut Worksheet, repeat_header: bool) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_margins(0.3, 0.3, 0.5, 0.5, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    if repeat_header {
        ws.set_repeat_rows(0, 0)?;
    }
    Ok(())
}

/// What a column's sample needs, in characters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Need {
    /// The longest value.
    pub longest: f64,
    /// The longest word of any value (ids and sign-in names are one word: they wrap badly).
    pub word: f64,
    /// The title's longest word and the autofilter button (titles wrap between words).
    pub title: f64,
    /// Whether its words are ids nobody reads (tenant and subscription GUIDs): they break first.
    pub ids: bool,
}

impl Need {
    /// What a column of `title` needs for the `sample` values.
    pub(super) fn of(
        title: &str,
        sample: impl Iterator<Item = usize>,
        words: usize,
        ids: bool,
    ) -> Need {
        let title_word = title.split_whitespace().map(|w| w.chars().count()).max();
        Need {
            longest: sample.max().unwrap_or(0) as f64,
            word: words as f64,
            title: (title_word.unwrap_or(0) + 3) as f64,
            ids,
        }
    }

    /// The width of a column that does not print: every value on one line, up to [`MAX_WIDTH`].
    pub(super) fn screen_width(&self) -> f64 {
        self.natural().min(MAX_WIDTH)
    }

    /// The width that shows every value on one line (and the whole title).
    fn natural(&self) -> f64 {
        (self.longest + 1.0).max(self.title).max(8.0)
    }

    /// The narrowest width that keeps the longest value within `lines` lines, and its longest
    /// word whole unless it is an id or `break_words`; never under the title's need, never over
    /// the natural or [`MAX_WIDTH`].
    fn width_for(&self, lines: usize, break_words: bool) -> f64 {
        let mut width = (self.longest / lines as f64).ceil() + 1.0;
        if !(break_words || self.ids) {
            width = width.max(self.word + 1.0);
        }
        (width.max(self.title).max(MIN_WIDTH))
            .min(self.natural())
            .min(MAX_WIDTH)
    }

    /// Lines the longest value takes at `width`.
    fn lines_at(&self, width: f64) -> usize {
        ((self.longest / (width - 1.0).max(1.0)).ceil() as usize).max(1)
    }
}

/// Column widths that sum to at most [`PAGE_CHARS`], so the sheet prints one page wide at a
/// readable size, with rows as short as that allows: the fewest lines every column's longest value
/// fits in, keeping words (sign-in names, SKUs) whole if any such fit exists, else breaking them
/// too (ids nobody reads always may break: they are 36 characters on every row);
/// the width left over then goes, a line at a time, to the columns that wrap most. Returns the
/// widths and which columns are narrower than their longest value (they wrap: text running past
/// the last column would widen the printout).
pub(super) fn fit(needs: &[Need]) -> (Vec<f64>, Vec<bool>) {
    let widths_for = |lines, break_words| -> Vec<f64> {
        needs
            .iter()
            .map(|n| n.width_for(lines, break_words))
            .collect()
    };
    let fits = |widths: &[f64]| widths.iter().sum::<f64>() <= PAGE_CHARS;
    let mut widths = [false, true]
        .into_iter()
        .flat_map(|break_words| (1..=MAX_LINES).map(move |lines| (lines, break_words)))
        .map(|(lines, break_words)| widths_for(lines, break_words))
        .find(|widths| fits(widths))
        .unwrap_or_else(|| widths_for(MAX_LINES, true));
    // Spend what is left on the column that wraps most: one line fewer at a time.
    loop {
        let spare = PAGE_CHARS - widths.iter().sum::<f64>();
        let widen = (0..needs.len())
            .filter(|&i| widths[i] < needs[i].natural().min(MAX_WIDTH))
            .map(|i| {
                let lines = needs[i].lines_at(widths[i]);
                let wider = needs[i].width_for(lines.saturating_sub(1).max(1), true);
                (i, lines, wider.max(widths[i]))
            })
            .filter(|(i, _, wider)| *wider > widths[*i] && wider - widths[*i] <= spare)
            // Most lines first; of equal lines, words people read before ids.
            .max_by_key(|(i, lines, _)| (*lines, !needs[*i].ids, std::cmp::Reverse(*i)));
        match widen {
            Some((i, _, wider)) => widths[i] = wider,
            None => break,
        }
    }
    let capped = needs
        .iter()
        .zip(&widths)
        .map(|(n, w)| n.longest + 1.0 > *w)
        .collect();
    (widths, capped)
}

/// Lines `text` takes when it wraps in a column `width` characters wide (at least 1).
pub(super) fn line_count(text: &str, width: f64) -> usize {
    // Measured: a line holds about 1.15 characters per unit of width (proportional fonts);
    // 1.05 leaves room for words that do not break evenly.
    (text.chars().count())
        .div_ceil(((width * 1.05) as usize).max(1))
        .max(1)
}

/// Lines a row needs when its capped columns wrap (1 when nothing wraps).
pub(super) fn lines(row: &[Value], widths: &[f64], capped: &[bool]) -> usize {
    row.iter()
        .zip(widths.iter().zip(capped))
        .filter(|(_, (_, capped))| **capped)
        .map(|(value, (width, _))| match value {
            Value::Text(s) => line_count(s, *width),
            _ => 1,
        })
        .max()
        .unwrap_or(1)
        .clamp(1, MAX_LINES)
}

/// Columns shown on screen but not printed (right of the print area): a price line's details,
/// which the printed monthly figures and currency sum up.
const SCREEN_ONLY: [&str; 8] = [
    "product_id",
    "sku_id",
    "term",
    "billing",
    "unit_price",
    "erp_price",
    "monthly_saving_erp",
    "price_match",
];

/// A table as the workbook shows it: the customer's name first and its id last, so a printed
/// page leads with what people read; returns the table and how many of its columns print (the
/// id and the [`SCREEN_ONLY`] columns stay on screen, right of the print area: docs/rules.md §4
/// keeps the CSV's order).
pub(super) fn print_order(table: Table<'_>) -> (Table<'_>, usize) {
    let all = table.columns.len();
    let (Some(id), Some(name)) = (table.column("customer_id"), table.column("customer_name"))
    else {
        return (table, all);
    };
    let screen_only: Vec<usize> = (0..all)
        .filter(|&i| SCREEN_ONLY.contains(&table.columns[i].key))
        .collect();
    let order: Vec<usize> = std::iter::once(name)
        .chain((0..all).filter(|&i| i != id && i != name && !screen_only.contains(&i)))
        .chain(screen_only.iter().copied())
        .chain(std::iter::once(id))
        .collect();
    let columns: Vec<Column> = order.iter().map(|&i| table.columns[i]).collect();
    let rows = (table.rows).map(move |row| order.iter().map(|&i| row[i]).collect());
    let table = Table {
        columns: columns.into(),
        rows: Box::new(rows),
        ..table
    };
    (table, all - 1 - screen_only.len())
}

/// Widths of a table's columns: the printed ones share the page ([`fit`]); those right of
/// the print area get their natural width and never wrap.
pub(super) fn widths(needs: &[Need], printed: usize) -> (Vec<f64>, Vec<bool>) {
    let (mut widths, mut capped) = fit(&needs[..printed]);
    for need in &needs[printed..] {
        widths.push(need.screen_width());
        capped.push(false);
    }
    (widths, capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(longest: f64, word: f64, ids: bool) -> Need {
        Need {
            longest,
            word,
            title: 8.0,
            ids,
        }
    }

    #[test]
    fn a_narrow_table_keeps_its_natural_widths() {
        let needs = [need(10.0, 10.0, false), need(30.0, 5.0, false)];
        assert_eq!(fit(&needs), (vec![11.0, 31.0], vec![false, false]));
        // Long text in a narrow table still wraps at the widest a column gets.
        let (widths, capped) = fit(&[need(12.0, 12.0, false), need(300.0, 9.0, false)]);
        assert_eq!((widths, capped), (vec![13.0, MAX_WIDTH], vec![false, true]));
    }

    #[test]
    fn ids_break_before_rows_grow_and_names_stay_whole() {
        let upn = need(33.0, 33.0, false);
        let guid = need(36.0, 36.0, true);
        let reason = need(160.0, 12.0, false);
        // Room on one line: everything whole, the long reason at its widest.
        let (widths, capped) = fit(&[guid, upn, need(59.0, 12.0, false)]);
        assert_eq!((widths, capped), (vec![37.0, 34.0, 60.0], vec![false; 3]));
        // No room: the id breaks and the reasons wrap; the sign-in name stays whole.
        let (widths, capped) = fit(&[guid, upn, reason, reason]);
        assert!(widths.iter().sum::<f64>() <= PAGE_CHARS, "{widths:?}");
        assert_eq!(widths[1], 34.0);
        assert_eq!(capped, [true, false, true, true]);
        let (widths, capped) = fit(&[guid, guid, upn, upn, reason, reason]);
        assert!(widths.iter().sum::<f64>() <= PAGE_CHARS, "{widths:?}");
        assert_eq!(widths[2..4], [34.0, 34.0]);
        assert_eq!(capped, [true, true, false, false, true, true]);
        // Rows as short as the page allows: every column fits in as few lines.
        let lines: Vec<usize> = (widths.iter().zip([guid, guid, upn, upn, reason, reason]))
            .map(|(w, n)| n.lines_at(*w))
            .collect();
        assert!(lines.iter().all(|l| *l <= 5), "{lines:?}");
        // Words too long for the page break as well.
        let (widths, _) = fit(&[upn, upn, upn, upn, upn, upn]);
        assert!(widths.iter().sum::<f64>() <= PAGE_CHARS, "{widths:?}");
    }

    #[test]
    fn a_wrapped_row_gets_its_lines() {
        let row = [Value::Text("a".repeat(95).leak()), Value::Int(5)];
        assert_eq!(lines(&row, &[20.0, 10.0], &[true, false]), 5);
        assert_eq!(lines(&row, &[10.0, 10.0], &[true, false]), 10);
        assert_eq!(lines(&row, &[20.0, 10.0], &[false, false]), 1);
    }
}
