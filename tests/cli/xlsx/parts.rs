//! `expiry-report.xlsx`'s parts read as XML: the chart, conditional formats, frozen header and
//! autofilter; every part well formed with unique table headers; every table spanning every row
//! of its sheet.

use super::{part, workbook};
use crate::util::demo_report;
use skusunset::export::XlsxExporter;
use std::io::{Cursor, Read};

#[test]
fn chart_conditional_formats_frozen_header_and_autofilter_exist() {
    let report = demo_report();
    let bytes = workbook(&report, XlsxExporter::default());
    let chart = part(&bytes, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barChart>"), "a native column chart");
    assert!(
        chart.contains("<c:f>Summary!$A$"),
        "categories: the ISO weeks"
    );
    assert!(chart.contains("<c:f>Summary!$D$"), "values: the seats");
    assert!(part(&bytes, "xl/drawings/drawing1.xml").contains("chart"));

    let expiring = part(&bytes, "xl/worksheets/sheet4.xml");
    for rule in [r#"$J2="overdue""#, r#"$J2="due-30""#, r#"$J2="due-90""#] {
        assert!(
            expiring.contains(&format!("<formula>{rule}</formula>")),
            "conditional format {rule} in {expiring}"
        );
    }
    assert!(expiring.contains("<conditionalFormatting sqref=\"A2:L11\">"));
    assert!(
        expiring.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        )
    );
    // The customer id is last and prints not: the page leads with the name.
    let names = part(&bytes, "xl/workbook.xml");
    assert!(
        names.contains(r#"localSheetId="3">Expiring!$A$1:$K$11</definedName>"#),
        "print area of Expiring: {names}"
    );
    let deprovisioning = part(&bytes, "xl/worksheets/sheet7.xml");
    assert!(deprovisioning.contains("<conditionalFormatting"));
    // Every table sheet has an Excel table with an autofilter and a bold header.
    // Six tables: the demo has no previous report, so Changes is a header row with a filter.
    for n in 1..=6 {
        let table = part(&bytes, &format!("xl/tables/table{n}.xml"));
        assert!(table.contains("<autoFilter"), "table{n} has an autofilter");
    }
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>"));
    assert!(styles.contains("FFFFC7CE"), "red fill of overdue");
}

#[test]
fn every_part_of_the_workbook_is_well_formed_xml_with_unique_table_headers() {
    let bytes = workbook(&demo_report(), XlsxExporter::default());
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).expect("a zip");
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("a valid part name").into_owned())
        .collect();
    let mut parts = 0;
    for name in names
        .iter()
        .filter(|n| n.ends_with(".xml") || n.ends_with(".rels"))
    {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        reader.config_mut().check_end_names = true;
        let mut depth = 0i64;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name} is not well formed: {e}"),
            }
        }
        assert_eq!(depth, 0, "{name}: unbalanced elements");
        parts += 1;
        if name.starts_with("xl/worksheets/sheet") {
            // Excel repairs a sheet that gives a row twice (rust_xlsxwriter 0.102 repeats a
            // constant-memory sheet's last row when it has a height: package.rs drops it).
            let numbers: Vec<u32> = (text.split("<row r=\"").skip(1))
                .map(|r| r.split('"').next().unwrap().parse().unwrap())
                .collect();
            assert!(
                numbers.windows(2).all(|w| w[0] < w[1]),
                "{name}: rows out of order or repeated: {numbers:?}"
            );
        }
        if name.starts_with("xl/tables/") {
            // Excel repairs a table whose column names repeat.
            let columns: Vec<&str> = text
                .split("<tableColumn ")
                .skip(1)
                .map(|c| {
                    c.split("name=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                })
                .collect();
            let mut unique = columns.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), columns.len(), "{name}: {columns:?}");
        }
    }
    assert!(parts >= 20, "{parts} parts");
}

/// The text between `start` and the next `end` in `text`.
fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    Some(&text[from..from + text[from..].find(end)?])
}

#[test]
fn every_table_spans_every_row_of_its_sheet() {
    // The tables are added over two rows and widened in the saved file (table_ranges.rs).
    for per_sheet in [10, 1_048_576] {
        let bytes = workbook(
            &demo_report(),
            XlsxExporter {
                max_rows_per_sheet: per_sheet,
            },
        );
        let names: Vec<String> = zip::ZipArchive::new(Cursor::new(&bytes[..]))
            .expect("a zip")
            .file_names()
            .map(|name| name.expect("a UTF-8 name").to_string())
            .collect();
        let (mut tables, mut longest) = (0, 0);
        for sheet in names
            .iter()
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
        {
            let rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels";
            let Some(table) = names
                .contains(&rels)
                .then(|| part(&bytes, &rels))
                .and_then(|r| between(&r, "Target=\"../tables/", "\"").map(String::from))
            else {
                continue;
            };
            let sheet_xml = part(&bytes, sheet);
            let rows = between(&sheet_xml, "<dimension ref=\"", "\"").expect("a dimension");
            let table_xml = part(&bytes, &format!("xl/tables/{table}"));
            let expected = format!("ref=\"{rows}\"");
            assert_eq!(
                table_xml.matches(&expected).count(),
                2,
                "{table} of {sheet} spans {rows}, table and autofilter: {table_xml}"
            );
            let last_cell = rows.rsplit(':').next().unwrap_or_default();
            let last_row: u32 = (last_cell.trim_start_matches(|c: char| c.is_ascii_uppercase()))
                .parse()
                .expect("a row number");
            longest = longest.max(last_row);
            tables += 1;
        }
        let parts = names.iter().filter(|n| n.starts_with("xl/tables/")).count();
        assert_eq!(tables, parts, "every table part belongs to a sheet");
        assert!(tables >= 6, "{tables} tables");
        // The Users table: its 27 users, or 9 a sheet.
        assert_eq!(longest, if per_sheet == 10 { 10 } else { 28 });
    }
}
