//! The saved workbook made whole. rust_xlsxwriter saves each table sheet with its header and
//! first data row only (the frame); here every table gets its full range ([`super::table_ranges`])
//! and every table sheet its data rows, written and deflated on every core ([`super::rows`],
//! [`super::deflate`]). Every other part is copied as it was compressed.
//!
//! A frame's data row must be the row this writer makes of the same values, byte for byte, or
//! the workbook is refused as an internal error: that checks the styles and the spelling of the
//! cells on every run. The frame's last row is also where rust_xlsxwriter 0.102 repeats a row
//! with a height in constant-memory mode (`<row r="2" ht="30" customHeight="1"/>` after row 2):
//! Excel wants each row once, so the repeat is dropped with the frame's rows.

use super::deflate::Deflated;
use super::table_ranges::{self, Range};
use anyhow::{Context, Result, ensure};
use rust_xlsxwriter::{ColNum, column_number_to_name};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// A table sheet's data rows, ready to go into its frame.
pub(super) struct SheetRows {
    /// Its part, `xl/worksheets/sheetN.xml`.
    pub part: String,
    /// The first data row as [`super::rows::RowWriter`] writes it (empty without rows).
    pub first: Vec<u8>,
    /// All its data rows, deflated in order.
    pub pieces: Vec<Deflated>,
    pub rows: usize,
    pub last_col: ColNum,
}

/// `saved` (rust_xlsxwriter's workbook) with `ranges` (its tables in sheet order) widened and
/// `sheets`' rows in their frames; `level`: the zip's compression level.
pub(super) fn assemble(
    saved: Vec<u8>,
    ranges: &[Range],
    sheets: Vec<SheetRows>,
    level: u8,
) -> Result<Vec<u8>> {
    let size = saved.len()
        + sheets
            .iter()
            .flat_map(|s| &s.pieces)
            .map(|p| p.data.len())
            .sum::<usize>();
    let mut archive = zip::ZipArchive::new(Cursor::new(saved))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size)));
    let mut sheets: HashMap<String, SheetRows> =
        sheets.into_iter().map(|s| (s.part.clone(), s)).collect();
    let mut widened = 0;
    for i in 0..archive.len() {
        let name = archive.by_index_raw(i)?.name()?.to_string();
        let mut xml = || -> Result<String> {
            let mut xml = String::new();
            archive.by_index(i)?.read_to_string(&mut xml)?;
            Ok(xml)
        };
        let whole = if let Some(range) = table_ranges::table_of(&name, ranges) {
            widened += 1;
            let xml = table_ranges::widen(&name, &xml()?, *range?)?;
            Deflated::join(vec![Deflated::new(xml.as_bytes(), level, true)?])
        } else if let Some(sheet) = sheets.remove(&name) {
            framed(&name, &xml()?, sheet, level)?
        } else {
            out.raw_copy_file(archive.by_index_raw(i)?)?;
            continue;
        };
        let mut one = zip::ZipArchive::new(Cursor::new(whole.archive(&name)?))?;
        out.raw_copy_file(one.by_index_raw(0)?)
            .with_context(|| format!("internal error: cannot add `{name}`"))?;
    }
    ensure!(
        widened == ranges.len() && sheets.is_empty(),
        "internal error: {widened} tables in the workbook, {} added; sheets not found: {:?}",
        ranges.len(),
        sheets.keys().collect::<Vec<_>>()
    );
    Ok(out.finish()?.into_inner())
}

/// The sheet `part` (its frame `xml`) with `sheet`'s rows in place of the frame's.
fn framed(part: &str, xml: &str, sheet: SheetRows, level: u8) -> Result<Deflated> {
    let bad = |what: &str| format!("internal error: `{part}` {what}");
    let data = xml
        .find("<sheetData>")
        .with_context(|| bad("has no sheetData"))?;
    let header_end = (xml[data..]
        .find("</row>")
        .map(|i| data + i + "</row>".len()))
    .with_context(|| bad("has no header row"))?;
    let data_end = xml
        .find("</sheetData>")
        .with_context(|| bad("has no sheetData end"))?;
    let frame_rows = &xml[header_end..data_end];
    // The frame's data row (or none), then at most rust_xlsxwriter's repeat of its last row.
    let written = frame_rows.as_bytes().starts_with(&sheet.first);
    let last = if sheet.first.is_empty() { 1 } else { 2 };
    let repeat = &frame_rows[if written { sheet.first.len() } else { 0 }..];
    let repeat_ok = repeat.is_empty()
        || (repeat.starts_with(&format!("<row r=\"{last}\" "))
            && repeat.ends_with("/>")
            && repeat.matches('<').count() == 1);
    ensure!(
        written && repeat_ok,
        "internal error: the first data row of `{part}` is not the one written for it:\n\
         frame:   {frame_rows}\nwritten: {}",
        String::from_utf8_lossy(&sheet.first)
    );
    // The frame spans its last written row; the sheet spans all its rows.
    let mut head = xml[..header_end].to_string();
    if sheet.rows + 1 != last {
        let col = column_number_to_name(sheet.last_col);
        let framed = format!("<dimension ref=\"A1:{col}{last}\"/>");
        ensure!(
            head.matches(&framed).count() == 1,
            bad(&format!("has no {framed}"))
        );
        head = head.replace(
            &framed,
            &format!("<dimension ref=\"A1:{col}{}\"/>", sheet.rows + 1),
        );
    }
    let mut pieces = Vec::with_capacity(sheet.pieces.len() + 2);
    pieces.push(Deflated::new(head.as_bytes(), level, false)?);
    pieces.extend(sheet.pieces);
    pieces.push(Deflated::new(&xml.as_bytes()[data_end..], level, true)?);
    Ok(Deflated::join(pieces))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `framed` applied to `frame` (a sheet of columns A and B), `rows` rows given as `xml`, read
    /// back.
    fn frame_with(frame: &str, first: &str, xml: &str, rows: usize) -> Result<String> {
        let sheet = SheetRows {
            part: "xl/worksheets/sheet1.xml".to_string(),
            first: first.as_bytes().to_vec(),
            pieces: vec![Deflated::new(xml.as_bytes(), 3, false)?],
            rows,
            last_col: 1,
        };
        let whole = framed("xl/worksheets/sheet1.xml", frame, sheet, 3)?;
        let mut zip = zip::ZipArchive::new(Cursor::new(whole.archive("a.xml")?))?;
        let mut back = String::new();
        zip.by_index(0)?.read_to_string(&mut back)?;
        Ok(back)
    }

    const HEADER: &str = r#"<row r="1" ht="30" customHeight="1"><c r="A1"><v>1</v></c></row>"#;
    const ROW2: &str = r#"<row r="2"><c r="A2"><v>2</v></c></row>"#;
    const ROW3: &str = r#"<row r="3"><c r="B3"><v>3</v></c></row>"#;

    #[test]
    fn the_rows_replace_the_frames_and_its_repeated_last_row() {
        let frame = format!(
            "<dimension ref=\"A1:B2\"/><sheetData>{HEADER}{ROW2}<row r=\"2\" ht=\"30\" \
             customHeight=\"1\"/></sheetData><tail/>"
        );
        let back = frame_with(&frame, ROW2, &format!("{ROW2}{ROW3}"), 2).unwrap();
        assert_eq!(
            back,
            format!("<dimension ref=\"A1:B3\"/><sheetData>{HEADER}{ROW2}{ROW3}</sheetData><tail/>")
        );
    }

    #[test]
    fn a_first_row_without_cells_leaves_the_frame_at_its_header() {
        // rust_xlsxwriter writes nothing for a row without cells, and repeats the header.
        let frame = format!(
            "<dimension ref=\"A1:B1\"/><sheetData>{HEADER}<row r=\"1\" ht=\"30\" \
             customHeight=\"1\"/></sheetData>"
        );
        let back = frame_with(&frame, "", ROW3, 2).unwrap();
        assert_eq!(
            back,
            format!("<dimension ref=\"A1:B3\"/><sheetData>{HEADER}{ROW3}</sheetData>")
        );
    }

    #[test]
    fn a_frame_row_unlike_the_written_one_is_refused() {
        let frame = format!("<dimension ref=\"A1:B2\"/><sheetData>{HEADER}{ROW3}</sheetData>");
        let refused = frame_with(&frame, ROW2, ROW2, 1).unwrap_err();
        assert!(
            refused.to_string().contains("is not the one written"),
            "{refused}"
        );
    }
}
