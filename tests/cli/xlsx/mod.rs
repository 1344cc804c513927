//! `expiry-report.xlsx`: read back with calamine (sheets, headers, row counts, typed cells),
//! formula-looking text kept as text, sheet splitting, byte-identical reruns, and LibreOffice
//! opening the file; its parts as XML in `parts.rs`.

mod parts;

use crate::util::{demo_report, have};
use calamine::{Data, Reader, Xlsx};
use skusunset::export::{Exporter, XlsxExporter};
use skusunset::model::{Report, Urgency};
use std::io::{Cursor, Read};

/// The table sheets, in the workbook's order after Summary.
const TABLE_SHEETS: [&str; 8] = [
    "Changes",
    "Progress",
    "Expiring",
    "Users",
    "Purchases",
    "Deprovisioning",
    "Issues",
    "History",
];

pub(super) fn workbook(report: &Report, exporter: XlsxExporter) -> Vec<u8> {
    let files = exporter.export(report).expect("xlsx export");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0.to_str(), Some("expiry-report.xlsx"));
    files.into_iter().next().expect("one file").1
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens it")
}

pub(super) fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("part {name} exists"))
        .read_to_string(&mut text)
        .expect("utf-8 part");
    text
}

fn rows(wb: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<Data>> {
    wb.worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"))
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn text_row(row: &[Data]) -> Vec<String> {
    row.iter().map(std::string::ToString::to_string).collect()
}

// Over the house's 80 lines: the workbook opened once in LibreOffice and every sheet checked.
#[allow(clippy::too_many_lines)]
#[test]
fn every_sheet_has_its_header_rows_and_typed_cells() {
    let report = demo_report();
    let bytes = workbook(&report, XlsxExporter::default());
    let mut wb = open(&bytes);
    let mut sheets = vec!["Summary"];
    sheets.extend(TABLE_SHEETS);
    assert_eq!(wb.sheet_names(), sheets);

    let expiring = rows(&mut wb, "Expiring");
    assert_eq!(
        text_row(&expiring[0]),
        [
            "Customer",
            "Subscription ID",
            "Offer",
            "Retirement",
            "Quantity",
            "Status",
            "Auto renew",
            "End date",
            "Days left",
            "Urgency",
            "State",
            // Right of the print area: the name leads on paper.
            "Customer ID"
        ]
    );
    assert_eq!(expiring.len(), report.expiring.len() + 1);
    // What to do first on top: by urgency (overdue first), then end date (none last).
    let urgency_order = |cell: &Data| {
        let urgency = Urgency::parse(&cell.to_string()).expect("an urgency");
        Urgency::ALL.iter().position(|u| *u == urgency)
    };
    let order: Vec<_> = (expiring[1..].iter())
        .map(|r| {
            let end = match &r[7] {
                Data::DateTime(d) => Some(d.as_f64()),
                _ => None,
            };
            (urgency_order(&r[9]), end.is_none(), end)
        })
        .collect();
    assert!(
        order.is_sorted(),
        "Expiring by urgency, then end date: {order:?}"
    );
    assert_eq!(expiring[1][9], Data::String("overdue".into()));
    // Each row holds its subscription's values, typed.
    let cells = &expiring[1];
    let first = (report.expiring.iter())
        .find(|e| Data::String(e.subscription_id.clone()) == cells[1])
        .expect("the row's subscription");
    assert_eq!(cells[0], Data::String(first.customer_name.clone()));
    assert_eq!(
        cells[11],
        Data::String(first.customer_id.clone().expect("customer id"))
    );
    assert_eq!(
        cells[4],
        Data::Float(first.quantity.expect("quantity") as f64)
    );
    assert_eq!(cells[6], Data::Bool(first.auto_renew.expect("auto renew")));
    let Data::DateTime(end) = &cells[7] else {
        panic!("end date is not a date cell: {:?}", cells[7]);
    };
    assert_eq!(
        end.as_datetime().expect("a date").date(),
        first.end_date.expect("end date")
    );
    assert_eq!(cells[8], Data::Float(first.days_left.expect("days") as f64));
    // An empty value is an empty cell, not "".
    let no_end = report
        .expiring
        .iter()
        .find(|e| e.end_date.is_none())
        .expect("the demo has a subscription without end date");
    let no_end_row = (expiring.iter())
        .find(|r| r[1] == Data::String(no_end.subscription_id.clone()))
        .expect("its row");
    assert_eq!(no_end_row[7], Data::Empty);

    let users = rows(&mut wb, "Users");
    assert_eq!(users.len(), report.users.len() + 1);
    assert_eq!(
        text_row(&users[0]),
        [
            "Customer",
            "User principal name",
            "Display name",
            "Retiring license",
            "Retirement",
            "Action",
            "Recommended SKU",
            "Recommended plan",
            "Reason",
            "Customer ID"
        ]
    );
    assert_eq!(
        users[1][1],
        Data::String(report.users[0].user_principal_name.clone())
    );

    let purchases = rows(&mut wb, "Purchases");
    assert_eq!(purchases.len(), report.purchases.len() + 1);
    assert_eq!(
        text_row(&purchases[0]),
        [
            "Customer",
            "Retirement",
            "Recommended SKU",
            "Recommended plan",
            "Quantity",
            "Seats owned",
            "Seats used",
            "To buy",
            "Reason",
            "Currency",
            "Monthly cost",
            "Monthly ERP",
            "Monthly saving",
            "Product ID",
            "SKU ID",
            "Term",
            "Billing",
            "Unit price",
            "ERP price",
            "Monthly saving (ERP)",
            "Price found by",
            "Customer ID"
        ]
    );
    let total: f64 = purchases[1..]
        .iter()
        .map(|r| match r[4] {
            Data::Float(n) => n,
            ref other => panic!("quantity is not a number: {other:?}"),
        })
        .sum();
    assert_eq!(total, 63.0);

    let deprovisioning = rows(&mut wb, "Deprovisioning");
    assert_eq!(deprovisioning.len(), report.deprovisioning.len() + 1);
    assert_eq!(
        deprovisioning[0][5],
        Data::String("De-provisioned on".into())
    );
    for (row, d) in deprovisioning[1..].iter().zip(&report.deprovisioning) {
        match d.deprovision_on {
            Some(date) => assert!(
                matches!(&row[5], Data::DateTime(x) if x.as_datetime().map(|t| t.date()) == Some(date))
            ),
            None => assert_eq!(row[5], Data::Empty),
        }
        assert_eq!(row[8], Data::Float(d.licenses_still_assigned as f64));
    }

    let issues = rows(&mut wb, "Issues");
    assert_eq!(issues.len(), report.issues.len() + 1);
    assert_eq!(
        text_row(&issues[0]),
        ["File", "Row", "Column", "Severity", "Code", "Message"]
    );

    let summary = rows(&mut wb, "Summary");
    let label = |text: &str| {
        summary
            .iter()
            .find(|r| r.first() == Some(&Data::String(text.into())))
            .unwrap_or_else(|| panic!("Summary has `{text}`"))
            .clone()
    };
    // Labels span columns A:B; the value is in C.
    assert!(matches!(label("As of")[2], Data::DateTime(_)));
    assert_eq!(label("Customers affected")[2], Data::Float(5.0));
    assert_eq!(
        label("Retiring, overdue (past end date, still open)")[2],
        Data::Float(1.0)
    );
    assert_eq!(label("Users to move (reassign)")[2], Data::Float(18.0));
    assert_eq!(label("Seats to buy (all plans)")[2], Data::Float(63.0));
    // Two demo customers have no user export: their 45 seats are seat counts, said on top.
    assert_eq!(
        label("of which seat counts (no license export)")[2],
        Data::Float(45.0)
    );
    let banner = summary[1][0].to_string();
    assert!(
        banner.starts_with("Check before buying: 45 of the seats to buy are seat counts")
            && banner.contains("Tailspin Toys, Wide World Importers"),
        "{banner}"
    );
    // What to do comes first, how the report was made last.
    let position = |text: &str| {
        summary
            .iter()
            .position(|r| r.first() == Some(&Data::String(text.into())))
            .unwrap_or_else(|| panic!("Summary has `{text}`"))
    };
    assert!(
        position("What to do first: customers by earliest deadline")
            < position("How this report was made")
    );
}

#[test]
fn an_empty_report_still_gives_every_sheet_with_its_header() {
    let mut report = demo_report();
    report.expiring.clear();
    report.users.clear();
    report.purchases.clear();
    report.deprovisioning.clear();
    report.issues.clear();
    report.summary.weekly_expiries.clear();
    report.summary.customers.clear();
    report.summary.seats_to_buy.clear();
    report.progress.clear();
    report.history.clear();
    let bytes = workbook(&report, XlsxExporter::default());
    let mut wb = open(&bytes);
    for sheet in TABLE_SHEETS {
        let rows = rows(&mut wb, sheet);
        assert_eq!(rows.len(), 1, "{sheet}: header only");
        assert_eq!(
            rows[0][0],
            Data::String(
                if sheet == "Issues" {
                    "File"
                } else {
                    "Customer"
                }
                .into()
            )
        );
    }
    let summary = rows(&mut wb, "Summary");
    assert!(
        summary
            .iter()
            .any(|r| r[0] == Data::String("No open retiring subscriptions.".into()))
    );
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    assert!(
        zip.by_name("xl/charts/chart1.xml").is_err(),
        "no chart without data"
    );
    assert!(part(&bytes, "xl/worksheets/sheet4.xml").contains("<autoFilter ref=\"A1:L1\"/>"));
}

#[test]
fn formula_looking_text_stays_text() {
    let mut report = demo_report();
    let hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)"];
    for (row, text) in report.expiring.iter_mut().zip(hostile) {
        row.customer_name = text.to_string();
        row.offer_name = text.to_string();
    }
    let bytes = workbook(&report, XlsxExporter::default());
    for n in 1..=9 {
        let sheet = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(!sheet.contains("<f>"), "sheet{n} has no formula cell");
    }
    let expiring = rows(&mut open(&bytes), "Expiring");
    for text in hostile {
        let text = Data::String(text.to_string());
        assert!(
            (expiring.iter()).any(|row| row[0] == text && row[2] == text),
            "{text} as text"
        );
    }
}

#[test]
fn a_table_past_the_row_limit_continues_on_numbered_sheets() {
    let report = demo_report();
    assert_eq!(report.users.len(), 27);
    // 10 rows per sheet: a header and 9 users, so 27 users take Users, Users (2), Users (3).
    let bytes = workbook(
        &report,
        XlsxExporter {
            max_rows_per_sheet: 10,
        },
    );
    let mut wb = open(&bytes);
    let names = wb.sheet_names();
    let users: Vec<&String> = names.iter().filter(|n| n.starts_with("Users")).collect();
    assert_eq!(users, ["Users", "Users (2)", "Users (3)"]);
    let mut upns = Vec::new();
    for name in ["Users", "Users (2)", "Users (3)"] {
        let sheet = rows(&mut wb, name);
        assert_eq!(sheet.len(), 10, "{name}: header + 9 rows");
        assert_eq!(sheet[0][1], Data::String("User principal name".into()));
        upns.extend(sheet[1..].iter().map(|r| r[1].to_string()));
    }
    let expected: Vec<String> = report
        .users
        .iter()
        .map(|u| u.user_principal_name.clone())
        .collect();
    assert_eq!(upns, expected, "every user once, in order");
}

#[test]
fn identical_inputs_give_identical_bytes_dated_by_as_of() {
    let report = demo_report();
    let a = workbook(&report, XlsxExporter::default());
    let b = workbook(&demo_report(), XlsxExporter::default());
    assert!(a == b, "two runs differ");
    let core = part(&a, "docProps/core.xml");
    assert!(
        core.contains(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-21T00:00:00Z</dcterms:created>"
        ),
        "{core}"
    );
}

/// Readable on paper: every page of `pdf` prints at 8 pt or more (a DejaVu word box is 1.164
/// times the font size; the median word of each page is taken, so that chart labels do not count).
fn assert_readable(pdf: &std::path::Path) {
    let boxes = std::process::Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let boxes = String::from_utf8_lossy(&boxes.stdout);
    for (page, words) in boxes.split("<page ").skip(1).enumerate() {
        let mut heights: Vec<f64> = words
            .lines()
            .filter(|l| l.trim_start().starts_with("<word"))
            .filter_map(|l| {
                let attr = |name: &str| -> Option<f64> {
                    let at = l.find(&format!("{name}=\""))? + name.len() + 2;
                    l[at..].split('"').next()?.parse().ok()
                };
                Some(attr("yMax")? - attr("yMin")?)
            })
            .collect();
        heights.sort_by(f64::total_cmp);
        let median = heights[heights.len() / 2];
        assert!(
            median / 1.164 >= 8.0,
            "page {} prints at {:.1} pt",
            page + 1,
            median / 1.164
        );
    }
}

#[test]
fn libreoffice_opens_the_workbook() {
    if !have("soffice", "libreoffice_opens_the_workbook")
        || !have("pdftotext", "libreoffice_opens_the_workbook")
    {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsx = dir.path().join("expiry-report.xlsx");
    std::fs::write(&xlsx, workbook(&demo_report(), XlsxExporter::default())).expect("write");
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let status = std::process::Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&xlsx)
        .output()
        .expect("soffice runs");
    let pdf = dir.path().join("expiry-report.pdf");
    assert!(
        pdf.is_file(),
        "soffice made no PDF: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert_readable(&pdf);
    for expected in [
        "skusunset — expiry report",
        "Expiring seats per ISO week",
        "What to do first: customers by earliest deadline",
        "Northwind Traders",
        // Titles wrap in capped columns: "User principal / name".
        "User principal",
        "De-provisioned",
        "2026-10-31",
        "TRUE",
        // SKU names and sign-in names print whole.
        "ENTERPRISEPREMIUM",
        "O365_BUSINESS_ESSENTIALS",
        "STANDARDWOFFPACK_FACULTY",
        "s.lindqvist@fabrikamschools.org",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` not in the PDF:\n{text}"
        );
    }
}
