//! How the workbook prints: A4 landscape, one page wide, at a readable size. Fitting a sheet one
//! page wide shrinks it by its total column width, so the printed columns are capped to
//! [`PAGE_CHARS`] characters together; a capped column wraps its text, and a row whose text wraps
//! gets the height of its lines (Excel and LibreOffice do not grow rows of a generated file).

use super::Value;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Column width (in characters) that prints one A4 landscape page wide at about 8.5 pt with
/// the margins of [`page_setup`] (measured through LibreOffice: 190 characters printed at 7.1 pt).
pub const PAGE_CHARS: f64 = 160.0;
/// The widest a column is on screen; longer text wraps.
pub const MAX_WIDTH: f64 = 60.0;
/// The narrowest a column is capped to.
const MIN_WIDTH: f64 = 10.0;
/// Points of one line of text (Excel's default row height).
pub const LINE_HEIGHT: f64 = 15.0;
/// The most lines a row is given; longer text is still all in the cell.
const MAX_LINES: usize = 12;

/// Landscape A4, narrow margins, one page wide, the header row repeated when asked.
pub fn page_setup(ws: &mut Worksheet, repeat_header: bool) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_margins(0.3, 0.3, 0.5, 0.5, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    if repeat_header {
        ws.set_repeat_rows(0, 0)?;
    }
    Ok(())
}

/// Screen widths capped so the columns sum to at most [`PAGE_CHARS`].
/// Prose columns (`rigid` false: names, reasons, messages) are cut first, to one common width;
/// only when that is not enough are the rigid ones (ids, sign-in names) cut too. No column is
/// cut below [`MIN_WIDTH`], none is over [`MAX_WIDTH`]. `widths` are what the content needs;
/// returns the widths and which columns are narrower than their content (they wrap: text
/// running past the last column would widen the printout).
pub fn fit(natural: &[f64], rigid: &[bool]) -> (Vec<f64>, Vec<bool>) {
    let widths: Vec<f64> = natural.iter().map(|w| w.min(MAX_WIDTH)).collect();
    // The cap that fits the page when only `cut` columns are narrowed.
    let cap_of = |cut: &[usize]| {
        let kept: f64 = (0..widths.len())
            .filter(|i| !cut.contains(i))
            .map(|i| widths[i])
            .sum();
        let cut_widths: Vec<f64> = cut.iter().map(|&i| widths[i]).collect();
        common_cap(&cut_widths, PAGE_CHARS - kept)
    };
    let flexible: Vec<usize> = (0..widths.len()).filter(|&i| !rigid[i]).collect();
    let (cut, cap) = match cap_of(&flexible) {
        Some(cap) if cap < MIN_WIDTH => {
            let all: Vec<usize> = (0..widths.len()).collect();
            let cap = cap_of(&all);
            (all, cap)
        }
        cap => (flexible, cap),
    };
    let mut fitted = widths.clone();
    if let Some(cap) = cap {
        let cap = cap.max(MIN_WIDTH).floor();
        for i in cut {
            fitted[i] = fitted[i].min(cap);
        }
    }
    let capped = natural.iter().zip(&fitted).map(|(n, f)| n > f).collect();
    (fitted, capped)
}

/// The width `c` with `sum(min(w, c)) = budget`, or `None` when `widths` already fit.
fn common_cap(widths: &[f64], budget: f64) -> Option<f64> {
    if widths.iter().sum::<f64>() <= budget {
        return None;
    }
    let mut sorted = widths.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut below = 0.0;
    for (i, w) in sorted.iter().enumerate() {
        let cap = (budget - below) / (sorted.len() - i) as f64;
        if cap <= *w {
            return Some(cap);
        }
        below += w;
    }
    Some(MIN_WIDTH)
}

/// Whether a column's sample values are mostly single tokens (ids, sign-in names, codes), which
/// wrap badly.
pub fn is_rigid(values: impl Iterator<Item = Option<bool>>) -> bool {
    let (mut tokens, mut texts) = (0, 0);
    for has_space in values.flatten() {
        texts += 1;
        tokens += usize::from(!has_space);
    }
    texts == 0 || tokens * 2 > texts
}

/// Lines `text` takes when it wraps in a column `width` characters wide (at least 1).
pub fn line_count(text: &str, width: f64) -> usize {
    // Measured: a line holds about 1.15 characters per unit of width (proportional fonts);
    // 1.05 leaves room for words that do not break evenly.
    (text.chars().count())
        .div_ceil(((width * 1.05) as usize).max(1))
        .max(1)
}

/// Lines a row needs when its capped columns wrap (1 when nothing wraps).
pub fn lines(row: &[Value], widths: &[f64], capped: &[bool]) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_columns_are_capped_to_fit_the_page() {
        let wide = [20.0, 50.0, 80.0, 80.0];
        let (widths, capped) = fit(&wide, &[false; 4]);
        assert_eq!(capped, [false, true, true, true]);
        assert!(widths.iter().sum::<f64>() <= PAGE_CHARS);
        assert_eq!(widths[1], ((PAGE_CHARS - 20.0) / 3.0).floor());
        // A rigid column (ids) keeps its width while prose columns are cut.
        let (widths, capped) = fit(&wide, &[false, true, false, false]);
        assert_eq!((widths[1], capped[1]), (50.0, false));
        assert!(capped[2] && capped[3]);
        let narrow = [12.0, 20.0, 30.0];
        assert_eq!(fit(&narrow, &[false; 3]), (narrow.to_vec(), vec![false; 3]));
        // Long text in a narrow table still wraps at the widest a column gets.
        let (widths, capped) = fit(&[12.0, 300.0], &[false; 2]);
        assert_eq!((widths[1], capped), (MAX_WIDTH, vec![false, true]));
    }

    #[test]
    fn a_wrapped_row_gets_its_lines() {
        let row = [Value::Text("a".repeat(95).leak()), Value::Int(5)];
        assert_eq!(lines(&row, &[20.0, 10.0], &[true, false]), 5);
        assert_eq!(lines(&row, &[10.0, 10.0], &[true, false]), 10);
        assert_eq!(lines(&row, &[20.0, 10.0], &[false, false]), 1);
    }
}
