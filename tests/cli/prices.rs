//! Finance (issue 29, first slice): the demo's purchase lines priced from constructed price lists
//! in each shape Partner Center gives — `ChangeIndicator` first and `Segment` last, a price listed
//! twice with two effective dates and once more for next year, three date shapes, an education
//! customer, the workbook form with `SkuId` shortened to `1` and six currencies — checked to the
//! cent; a plan without a price is a `no-price` issue and empty cells, never zero.

use crate::util::{run, stderr, stdout};
use std::path::Path;

/// The repository root (the fixtures are read from there).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `report --format csv,xlsx,html` on the demo's fixtures as of 2026-11-21, with `extra` arguments.
fn demo_report(out: &Path, extra: &[&str]) -> std::process::Output {
    report_with("fixtures/demo/subscriptions.csv", out, extra)
}

/// [`demo_report`] with another subscription export.
fn report_with(subscriptions: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    report_as_of("2026-11-21", subscriptions, out, extra)
}

/// [`report_with`] as of another date.
fn report_as_of(
    as_of: &str,
    subscriptions: &str,
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    let out = out.to_str().unwrap();
    let args = [
        &[
            "report",
            "--as-of",
            as_of,
            "--format",
            "csv,xlsx,html",
            "-s",
            subscriptions,
            "--out",
            out,
        ][..],
        &crate::util::DEMO_LICENSES[..],
        extra,
    ]
    .concat();
    run(root(), &args)
}

/// The constructed US price list and its offer matrix.
const US: [&str; 4] = [
    "--price-list",
    "fixtures/prices/pricelist-us.csv",
    "--offer-matrix",
    "fixtures/prices/offer-matrix.csv",
];

/// `purchases.csv` as rows of (customer, plan, to_buy, product, sku, currency, unit, erp,
/// monthly cost, monthly erp, match).
fn priced(out: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(out.join("csv/purchases.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let columns = [
        "customer_name",
        "recommended_sku",
        "to_buy",
        "product_id",
        "sku_id",
        "currency",
        "unit_price",
        "erp_price",
        "monthly_cost",
        "monthly_erp",
        "price_match",
    ]
    .map(at);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            columns.iter().map(|&c| r[c].to_string()).collect()
        })
        .collect()
}

#[test]
fn purchases_are_priced_per_month_from_the_price_list_and_offer_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo_report(dir.path(), &US);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Contoso's E5 is at the price in force on 2026-11-21 (not the one that ended in March 2025,
    // not next year's); Fabrikam, an education customer, pays the `Education` price; its
    // Office 365 A1 has no price: empty, never zero.
    let expected = "\
        Contoso Ltd,O365_BUSINESS_ESSENTIALS,1,CFQ7TTC0LH18,0001,USD,57.60,72.00,4.80,6.00,offer-matrix
        Contoso Ltd,ENTERPRISEPREMIUM,2,CFQ7TTC0TE55,0001,USD,364.80,456.00,60.80,76.00,offer-matrix
        Fabrikam School District,M365EDU_A1,1,CFQ7TTC0TEA1,0001,USD,14.40,18.00,1.20,1.50,offer-matrix
        Fabrikam School District,STANDARDWOFFPACK_FACULTY,2,,,,,,,,
        Northwind Traders,ENTERPRISEPREMIUM,12,CFQ7TTC0TE55,0001,USD,364.80,456.00,364.80,456.00,offer-matrix
        Tailspin Toys,DESKLESSPACK,40,CFQ7TTC0TEF3,0001,USD,28.80,36.00,96.00,120.00,offer-matrix
        Wide World Importers,DESKLESSPACK,5,CFQ7TTC0TEF3,0001,USD,28.80,36.00,12.00,15.00,offer-matrix";
    let lines: Vec<String> = priced(dir.path()).iter().map(|r| r.join(",")).collect();
    assert_eq!(lines, expected.lines().map(str::trim).collect::<Vec<_>>());
    // The workbook's cells are numbers (the currency beside them), empty where there is no price.
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("expiry-report.xlsx")).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "Purchases").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let at = |title: &str| header.iter().position(|h| h == title).unwrap();
    let e5 = sheet.rows().nth(2).unwrap();
    assert_eq!(e5[at("Currency")], calamine::Data::String("USD".into()));
    assert_eq!(e5[at("Monthly cost")], calamine::Data::Float(60.8));
    assert_eq!(e5[at("Unit price")], calamine::Data::Float(364.8));
    assert_eq!(
        sheet.rows().nth(4).unwrap()[at("Monthly cost")],
        calamine::Data::Empty
    );
    // Each runbook's step A says what its lines cost.
    let runbook = std::fs::read_to_string(dir.path().join("runbooks/contoso-ltd.html")).unwrap();
    assert!(
        runbook.contains(
            "<span class=\"cost\">60.80 USD a month at your price; about 76.00 USD for the \
             customer (estimate, without tax and promotions)</span>"
        ),
        "{runbook}"
    );
    let issues = std::fs::read_to_string(dir.path().join("csv/issues.csv")).unwrap();
    let no_price: Vec<&str> = issues
        .lines()
        .filter(|l| l.contains(",no-price,"))
        .collect();
    assert_eq!(no_price.len(), 1, "{issues}");
    for part in [
        "fixtures/prices/pricelist-us.csv,,,warning,no-price,",
        "no price for Office 365 A1 (STANDARDWOFFPACK_FACULTY)",
        "market US, currency USD, term P1Y, billing monthly, segment Education",
        "its 1 purchase line(s) have no cost",
    ] {
        assert!(no_price[0].contains(part), "{part}: {}", no_price[0]);
    }
    assert!(
        stdout(&out).contains(
            "  539.60 USD a month at your price (estimated retail 674.50 USD) for 6 of 7 \
             purchase lines (taxes and promotions not included; lines without a price are \
             `no-price` issues)"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_retiring_new_commerce_subscription_saves_its_own_price() {
    let dir = tempfile::tempdir().unwrap();
    // Contoso's E4 bought in new commerce (a made-up offer of the price list); Northwind's
    // stays a legacy offer, which no price list prices.
    let subs = std::fs::read_to_string(root().join("fixtures/demo/subscriptions.csv"))
        .unwrap()
        .replace(
            "8b2e3a1f-2d55-4c8f-8e12-4a6b8d0f1c22,7F3B9E3C-0A4E-4D2B-8F11-2C3D4E5F6A02",
            "8b2e3a1f-2d55-4c8f-8e12-4a6b8d0f1c22,CFQ7TTC0TEE4:1:CFQ7TTC0K9ZZ",
        );
    let subs_path = dir.path().join("subscriptions.csv");
    std::fs::write(&subs_path, subs).unwrap();
    let prices = std::fs::read_to_string(root().join("fixtures/prices/pricelist-us.csv")).unwrap()
        + "Unchanged,Office 365 E4,CFQ7TTC0TEE4,0001,Office 365 E4,Microsoft Corporation,E4,\
           1 License,P1Y,Monthly,US,USD,420.00,,,2/1/2023 12:00:00 AM,12/31/9999 11:59:59 PM,\
           License,525.00,Commercial\n";
    let prices_path = dir.path().join("pricelist.csv");
    std::fs::write(&prices_path, prices).unwrap();
    let out_dir = dir.path().join("out");
    let out = report_with(
        subs_path.to_str().unwrap(),
        &out_dir,
        &[
            "--price-list",
            prices_path.to_str().unwrap(),
            "--offer-matrix",
            "fixtures/prices/offer-matrix.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(out_dir.join("csv/purchases.csv")).unwrap();
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "monthly_saving")
        .unwrap();
    let savings: Vec<String> = (reader.records())
        .map(|r| r.unwrap()[at].to_string())
        .collect();
    // Contoso's E4 line: its 3 E4 seats at 420.00 a year, per month; every other retiring
    // subscription is a legacy offer: no saving, never zero.
    assert_eq!(savings, ["", "105.00", "", "", "", "", ""]);
    // The Costs sheet's total and the terminal carry it.
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(out_dir.join("expiry-report.xlsx")).unwrap();
    let costs = calamine::Reader::worksheet_range(&mut book, "Costs").unwrap();
    let total = (costs.rows())
        .find(|r| r[0] == calamine::Data::String("Total".into()))
        .unwrap();
    assert_eq!(total[6], calamine::Data::Float(105.0));
    assert!(
        stdout(&out).contains("  105.00 USD a month stops being billed when the retiring"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn without_the_offer_matrix_plans_are_found_by_title_and_labelled_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo_report(
        dir.path(),
        &["--price-list", "fixtures/prices/pricelist-us.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let matched: Vec<(String, String, String)> = (priced(dir.path()).into_iter())
        .map(|r| (r[1].clone(), r[8].clone(), r[10].clone()))
        .collect();
    assert_eq!(
        matched[0],
        (
            "O365_BUSINESS_ESSENTIALS".into(),
            "4.80".into(),
            "title".into()
        )
    );
    assert_eq!(
        matched[1],
        ("ENTERPRISEPREMIUM".into(), "60.80".into(), "title".into())
    );
    let issues = std::fs::read_to_string(dir.path().join("csv/issues.csv")).unwrap();
    assert!(issues.contains("add `--offer-matrix FILE`"), "{issues}");
}

#[test]
fn another_term_and_billing_plan_pick_their_own_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo_report(dir.path(), &[&US[..], &["--term", "P1M"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = priced(dir.path());
    // P1M: a month's price for a month; 6.912 rounds to the cent as 6.91.
    assert_eq!(rows[0][6..10], ["6.912", "8.64", "6.91", "8.64"]);
    // Only Business Basic has a P1M row here.
    assert!(rows[1][6].is_empty(), "{:?}", rows[1]);
}

/// A European price list kept as a workbook: `SkuId` written as the number 1 (Excel dropped
/// its zeros), dates as date cells, one market in six currencies.
fn european_workbook(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let headers = [
        "ChangeIndicator",
        "ProductTitle",
        "ProductId",
        "SkuId",
        "SkuTitle",
        "TermDuration",
        "BillingPlan",
        "Market",
        "Currency",
        "UnitPrice",
        "EffectiveStartDate",
        "EffectiveEndDate",
        "ERP Price",
        "Segment",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let start = ExcelDateTime::from_ymd(2025, 4, 1).unwrap();
    let end = ExcelDateTime::from_ymd(9999, 12, 31).unwrap();
    let prices = [
        ("EUR", 336.0),
        ("GBP", 288.0),
        ("DKK", 2510.4),
        ("NOK", 3840.0),
        ("SEK", 3852.0),
        ("CHF", 331.2),
    ];
    for (r, (currency, price)) in prices.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, "Unchanged").unwrap();
        ws.write_string(r, 1, "Office 365 E5").unwrap();
        ws.write_string(r, 2, "CFQ7TTC0TE55").unwrap();
        ws.write_number(r, 3, 1.0).unwrap();
        ws.write_string(r, 4, "Office 365 E5").unwrap();
        ws.write_string(r, 5, "P1Y").unwrap();
        ws.write_string(r, 6, "Monthly").unwrap();
        ws.write_string(r, 7, "NL").unwrap();
        ws.write_string(r, 8, *currency).unwrap();
        ws.write_number(r, 9, *price).unwrap();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        ws.write_datetime_with_format(r, 10, &start, &date).unwrap();
        ws.write_datetime_with_format(r, 11, &end, &date).unwrap();
        ws.write_number(r, 12, price * 1.25).unwrap();
        ws.write_string(r, 13, "Commercial").unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_european_workbook_needs_its_currency_chosen_and_pads_sku_ids() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("pricelist-eu.xlsx");
    european_workbook(&book);
    let book = book.to_str().unwrap();
    let out_dir = dir.path().join("out");
    let matrix = "fixtures/prices/offer-matrix.csv";
    let out = demo_report(&out_dir, &["--price-list", book, "--offer-matrix", matrix]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "holds prices for several values of --currency: CHF, DKK, EUR, GBP, NOK, SEK; \
             choose one with --currency"
        ),
        "{}",
        stderr(&out)
    );
    let out = demo_report(
        &out_dir,
        &[
            "--price-list",
            book,
            "--offer-matrix",
            matrix,
            "--currency",
            "eur",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = priced(&out_dir);
    assert_eq!(
        rows[1][1..],
        [
            "ENTERPRISEPREMIUM",
            "2",
            "CFQ7TTC0TE55",
            "0001",
            "EUR",
            "336.00",
            "420.00",
            "56.00",
            "70.00",
            "offer-matrix"
        ]
    );
    let out = demo_report(&out_dir, &["--price-list", book, "--currency", "USD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--currency USD: `") && stderr(&out).contains("it has: CHF, DKK"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_price_list_without_a_required_column_or_with_a_bad_price_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-price.csv");
    std::fs::write(
        &missing,
        "ProductId,SkuId,TermDuration,BillingPlan,Market,Currency\nX,0001,P1Y,Monthly,US,USD\n",
    )
    .unwrap();
    let bad = dir.path().join("bad-price.csv");
    std::fs::write(
        &bad,
        "ProductId,SkuId,TermDuration,BillingPlan,Market,Currency,UnitPrice\n\
         X,0001,P1Y,Monthly,US,USD,\"1,234.50\"\n",
    )
    .unwrap();
    for (file, says) in [
        (&missing, "has no `unit_price` column"),
        (&bad, "row 2 [UnitPrice]: \"1,234.50\" is not a price"),
    ] {
        let out = demo_report(
            &dir.path().join("out"),
            &["--price-list", file.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
    }
}

#[test]
fn the_workbook_sums_the_costs_per_customer_and_in_total() {
    use calamine::Data::{Empty, Float, String as S};
    let dir = tempfile::tempdir().unwrap();
    let out = demo_report(dir.path(), &US);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("expiry-report.xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(
        calamine::Reader::sheet_names(&book)[..2],
        ["Summary", "Costs"]
    );
    let costs = calamine::Reader::worksheet_range(&mut book, "Costs").unwrap();
    let rows: Vec<Vec<calamine::Data>> = costs.rows().map(<[_]>::to_vec).collect();
    let money = |m: f64| Float(m);
    // Customer, seats, lines, priced, cost, retail, no longer billed, currency (the id last).
    let expected = [
        ("Contoso Ltd", 3.0, 2.0, 2.0, money(65.6), money(82.0)),
        (
            "Fabrikam School District",
            3.0,
            2.0,
            1.0,
            money(1.2),
            money(1.5),
        ),
        (
            "Northwind Traders",
            12.0,
            1.0,
            1.0,
            money(364.8),
            money(456.0),
        ),
        ("Tailspin Toys", 40.0, 1.0, 1.0, money(96.0), money(120.0)),
        (
            "Wide World Importers",
            5.0,
            1.0,
            1.0,
            money(12.0),
            money(15.0),
        ),
    ];
    for (row, (name, seats, lines, priced, cost, retail)) in rows[1..].iter().zip(expected) {
        assert_eq!(
            row[..8],
            [
                S(name.into()),
                Float(seats),
                Float(lines),
                Float(priced),
                cost,
                retail,
                Empty,
                S("USD".into())
            ]
        );
    }
    // A blank row, then the total: 6 of 7 lines priced, the unpriced one never counted as zero.
    let total = &rows[7];
    assert_eq!(
        total[..8],
        [
            S("Total".into()),
            Float(63.0),
            Float(7.0),
            Float(6.0),
            Float(539.6),
            Float(674.5),
            Empty,
            S("USD".into())
        ]
    );
    assert!(rows[9][0].to_string().starts_with("Taxes and promotions"));
}

#[test]
fn the_summary_carries_the_cost_totals_in_the_currency() {
    use calamine::Data::{Float, String as S};
    let dir = tempfile::tempdir().unwrap();
    let out = demo_report(dir.path(), &US);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("expiry-report.xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    // The Summary's Costs block: the same totals, beside their labels.
    let summary = calamine::Reader::worksheet_range(&mut book, "Summary").unwrap();
    let value = |label: &str| {
        (summary.rows())
            .find(|r| r[0] == S(label.into()))
            .unwrap_or_else(|| panic!("{label}"))[2]
            .clone()
    };
    assert_eq!(value("At your price (UnitPrice)"), Float(539.6));
    assert_eq!(
        value("At estimated retail (ERP Price): the customers' estimate"),
        Float(674.5)
    );
    assert_eq!(value("Purchase lines priced"), S("6 of 7".into()));
    // Amounts are typed cells in the price list's currency.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("[$USD] #,##0.00##"), "{styles}");
}

#[test]
fn without_a_price_list_there_is_no_costs_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo_report(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("expiry-report.xlsx")).unwrap();
    assert!(!calamine::Reader::sheet_names(&book).contains(&"Costs".to_string()));
    assert!(!stdout(&out).contains("a month at your price"));
}

#[test]
fn a_price_rise_shows_in_the_weekly_changes() {
    let dir = tempfile::tempdir().unwrap();
    let report = |as_of: &str| {
        let out = report_as_of(as_of, "fixtures/demo/subscriptions.csv", dir.path(), &US);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    };
    // The price list raises Office 365 E5 from 364.80 to 400.00 a year on 1 January 2027.
    report("2026-11-21");
    report("2027-01-04");
    let changes = std::fs::read_to_string(dir.path().join("csv/changes.csv")).unwrap();
    let costs: Vec<&str> = (changes.lines())
        .filter(|l| l.starts_with("cost-changed,"))
        .collect();
    assert_eq!(
        costs,
        [
            "cost-changed,4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e01,Contoso Ltd,,,,,65.60 USD,71.47 USD",
            "cost-changed,c3d8e5f6-2a7b-4c9d-8e1f-0a1b2c3d4e03,Northwind Traders,,,,,364.80 USD,\
             400.00 USD"
        ]
    );
    let runbook = std::fs::read_to_string(dir.path().join("runbooks/contoso-ltd.html")).unwrap();
    assert!(
        runbook.contains("Monthly cost at your price went from 65.60 USD to 71.47 USD."),
        "{runbook}"
    );
}
