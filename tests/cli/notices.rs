//! Customer notices (issue 30): every demo `.eml` parsed with an independent MIME parser
//! (`mail-parser`) — both parts, headers well formed and encoded, `X-Unsent: 1`, lines within 78
//! characters — and its facts (dates, plans, counts, users, prices) equal to the Report's; hostile
//! names stay text in both parts and never become a header; users who prefer `de-DE` get the
//! German notice; `--notice-locale`, `--notice-to`, `--notice-from` and `--redact-users`.

use crate::util::{run, stderr, stdout};
use mail_parser::{Message, MessageParser, MimeHeaders};
use skusunset::export::notices::NoticeOptions;
use skusunset::export::{Format, Locale, Rendering, render};
use skusunset::model::{Action, CustomerRowKey, Report};
use std::path::Path;

/// The notices of `report` in memory: (file name, bytes).
fn notices(report: &Report, options: &NoticeOptions) -> Vec<(String, Vec<u8>)> {
    let rendering = Rendering {
        formats: &[Format::Notices],
        locale: Locale::En,
        raw_csv: false,
        notices: options,
    };
    (render(report, &rendering).unwrap().into_iter())
        .map(|o| {
            let (path, bytes) = o.into_file().unwrap();
            (path.display().to_string(), bytes)
        })
        .collect()
}

fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("a MIME message")
}

/// Checks the parts and headers every notice has; returns (subject, text, html).
fn well_formed(name: &str, bytes: &[u8]) -> (String, String, String) {
    for line in bytes.split(|b| *b == b'\n') {
        assert!(
            line.len() <= 79,
            "{name}: a line over 78 characters: {line:?}"
        );
        assert!(
            line.is_ascii(),
            "{name}: 8-bit bytes in the message: {line:?}"
        );
    }
    let message = parse(bytes);
    assert_eq!(
        message.header_raw("X-Unsent").map(str::trim),
        Some("1"),
        "{name}"
    );
    let content_type = message.content_type().expect("Content-Type");
    assert_eq!(content_type.ctype(), "multipart");
    assert_eq!(content_type.subtype(), Some("alternative"));
    assert!(
        message
            .message_id()
            .is_some_and(|id| id.ends_with("@skusunset"))
    );
    assert!(message.date().is_some(), "{name}: Date");
    let text = message.body_text(0).expect("a text part").into_owned();
    let html = message.body_html(0).expect("an HTML part").into_owned();
    assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
    for banned in ["<script", "<img", "<link", "<style", "http://", "https://"] {
        assert!(!html.to_lowercase().contains(banned), "{name}: {banned}");
    }
    let subject = message.subject().expect("a subject").to_string();
    (subject, text, html)
}

/// Checks that a notice's text and HTML parts hold the customer's facts from the Report: each
/// open retiring subscription and its end date, each purchase to approve, each user to tell.
fn says_what_the_report_says(
    report: &Report,
    key: skusunset::model::CustomerKey,
    name: &str,
    (text, html): (&str, &str),
) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let m = skusunset::export::Messages::english();
    for e in report
        .expiring
        .iter()
        .filter(|e| e.customer_key() == key && e.state.is_open())
    {
        let when = e
            .end_date
            .map_or("no end date in our records".to_string(), |d| {
                format!("Expires on {}.", m.date(d))
            });
        let line = format!(
            "{} ({} licenses): {when}",
            e.offer_name,
            e.quantity.unwrap()
        );
        assert!(flat.contains(&line), "{name}: {line}\n{text}");
    }
    for p in report
        .purchases
        .iter()
        .filter(|p| p.customer_key() == key && p.to_buy > 0)
    {
        let ask = format!(
            "approve the purchase of {} {} of {}.",
            p.to_buy,
            if p.to_buy == 1 { "license" } else { "licenses" },
            p.recommended_plan
        );
        assert!(flat.contains(&ask), "{name}: {ask}\n{text}");
    }
    let mut moving: Vec<_> = (report.users.iter())
        .filter(|u| u.customer_key() == key && u.action == Action::Reassign)
        .collect();
    // A user who moves for two retirements is one person to tell.
    let mut seen = std::collections::HashSet::new();
    moving.retain(|u| seen.insert(u.user_principal_name.to_lowercase()));
    if !moving.is_empty() {
        let tell = format!("tell these {} users", moving.len());
        assert!(flat.contains(&tell), "{name}: {tell}\n{text}");
    }
    for u in moving {
        assert!(
            text.contains(&u.user_principal_name),
            "{name}: {}",
            u.user_principal_name
        );
        assert!(
            html.contains(&u.user_principal_name),
            "{name}: {}",
            u.user_principal_name
        );
    }
}

#[test]
fn every_demo_notice_is_well_formed_and_says_what_the_report_says() {
    let report = crate::util::demo_report();
    let files = notices(&report, &NoticeOptions::default());
    let emls: Vec<&(String, Vec<u8>)> = files.iter().filter(|(n, _)| n.ends_with(".eml")).collect();
    // Every demo customer has an open retiring subscription (Wide World's has no end date).
    let names: Vec<&str> = emls.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "notices/northwind-traders.eml",
            "notices/contoso-ltd.eml",
            "notices/fabrikam-school-district.eml",
            "notices/tailspin-toys.eml",
            "notices/wide-world-importers.eml",
        ]
    );
    for (name, bytes) in emls {
        let (subject, text, html) = well_formed(name, bytes);
        let message = parse(bytes);
        assert!(message.to().is_none(), "{name}: no To without --notice-to");
        let customer = (report.summary.customers.iter())
            .find(|c| subject.starts_with(&format!("{}:", c.customer_name)))
            .expect("the subject names its customer");
        let key = customer.customer_key();
        let preview = &files
            .iter()
            .find(|(n, _)| *n == name.replace(".eml", ".html"))
            .unwrap()
            .1;
        // The part's lines end in CRLF, as MIME wants; the preview's in LF.
        assert_eq!(
            String::from_utf8_lossy(preview),
            html.replace("\r\n", "\n"),
            "{name}: the preview is the part"
        );
        says_what_the_report_says(&report, key, name, (&text, &html));
        assert!(text.contains("[Your name] · [Company] · [E-mail] · [Phone]"));
    }
}

/// A subscription export and a license export for one customer, written into `dir`.
fn one_customer(dir: &Path, customer: &str, users: &[(&str, &str, &str)]) -> (String, String) {
    let subs = dir.join("subs.csv");
    let mut text = String::from(crate::analysis::SUB_HEADER);
    text.push_str(&format!(
        "\"{}\",bergbau.example,b1,Kaizala Pro,5,Active,False,2026-12-31,\n",
        customer.replace('"', "\"\"")
    ));
    std::fs::write(&subs, text).unwrap();
    let lics = dir.join("users.csv");
    let mut text = String::from(
        "Display name,User principal name,Block credential,Licenses,Preferred language\n",
    );
    for (name, upn, language) in users {
        text.push_str(&format!(
            "\"{}\",{upn},False,Kaizala Pro,{language}\n",
            name.replace('"', "\"\"")
        ));
    }
    std::fs::write(&lics, text).unwrap();
    (subs.display().to_string(), lics.display().to_string())
}

/// [`one_customer`] with two users who prefer `language`.
fn two_users(dir: &Path, customer: &str, language: &str) -> (String, String) {
    let users = [
        ("Jürgen Weiß", "juergen@bergbau.example", language),
        ("Anna Berg", "anna@bergbau.example", language),
    ];
    one_customer(dir, customer, &users)
}

/// `report --format notices,html` on the files of [`one_customer`], with `extra`.
fn report(dir: &Path, files: &(String, String), extra: &[&str]) -> std::process::Output {
    let out = dir.join("out");
    let args = [
        &[
            "report",
            "--as-of",
            "2026-11-21",
            "--format",
            "notices,html",
            "-s",
            &files.0,
            "-l",
            &files.1,
            "--out",
            out.to_str().unwrap(),
        ][..],
        extra,
    ]
    .concat();
    run(dir, &args)
}

#[test]
fn users_who_prefer_german_get_the_german_notice_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let files = one_customer(
        dir.path(),
        "Bergbau Müller GmbH",
        &[
            ("Jürgen Weiß", "juergen@bergbau.example", "de-DE"),
            ("Anna Berg", "anna@bergbau.example", "de-DE"),
            ("Tom Smith", "tom@bergbau.example", "en-US"),
        ],
    );
    let out = report(dir.path(), &files, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let eml = std::fs::read(dir.path().join("out/notices/bergbau-mueller-gmbh.eml")).unwrap();
    let (subject, text, _) = well_formed("de", &eml);
    assert_eq!(
        subject,
        "Bergbau Müller GmbH: Microsoft stellt Kaizala Pro (eigenständig) ein – Ihre Freigabe \
         wird benötigt"
    );
    assert_eq!(
        parse(&eml).header_raw("Content-Language").map(str::trim),
        Some("de")
    );
    assert!(text.contains("Läuft ab am 31. Dezember 2026."), "{text}");
    assert!(
        text.contains("Jürgen Weiß <juergen@bergbau.example>"),
        "{text}"
    );
    // The subject is encoded (RFC 2047): no 8-bit byte in the header.
    let raw = String::from_utf8(eml.clone()).unwrap();
    assert!(
        raw.lines().any(|l| l.starts_with("Subject: =?utf-8?")),
        "{raw}"
    );
    // The terminal says the signature is a placeholder.
    assert!(stdout(&out).contains("--notice-from"), "{}", stdout(&out));
    // The index links the notice.
    let index = std::fs::read_to_string(dir.path().join("out/runbooks/index.html")).unwrap();
    assert!(
        index.contains("href=\"../notices/bergbau-mueller-gmbh.eml\""),
        "{index}"
    );
}

#[test]
fn notice_flags_choose_the_language_the_address_and_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let files = two_users(dir.path(), "Bergbau Müller GmbH", "de-DE");
    // --notice-locale wins over the users' language; --notice-to and --notice-from fill the
    // headers and the signature.
    let signature = dir.path().join("me.toml");
    std::fs::write(
        &signature,
        "name = \"Åsa Lind\"\ncompany = \"Partner AB\"\nemail = \"asa@partner.example\"\nphone = \"+46 8 123 45\"\n",
    )
    .unwrap();
    let out = report(
        dir.path(),
        &files,
        &[
            "--notice-locale",
            "Bergbau Müller GmbH=sv",
            "--notice-to",
            "bergbau.example=it@bergbau.example",
            "--notice-from",
            signature.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("--notice-from"), "{}", stdout(&out));
    let eml = std::fs::read(dir.path().join("out/notices/bergbau-mueller-gmbh.eml")).unwrap();
    let (subject, text, html) = well_formed("sv", &eml);
    assert!(
        subject.contains("Microsoft drar tillbaka Kaizala Pro"),
        "{subject}"
    );
    let message = parse(&eml);
    let to = message
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    assert_eq!(to, "it@bergbau.example");
    let from = message.from().and_then(|a| a.first()).unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Åsa Lind"), Some("asa@partner.example"))
    );
    for part in [&text, &html] {
        assert!(
            part.contains("Partner AB") && part.contains("+46 8 123 45"),
            "{part}"
        );
    }
}

#[test]
fn hostile_names_stay_text_in_both_parts_and_never_make_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let customer = "<script>alert(1)</script> & \"Co\"\nBcc: evil@attacker.example";
    let files = one_customer(
        dir.path(),
        customer,
        &[(
            "<img src=x onerror=alert(2)>",
            "a'b<i>@bergbau.example",
            "en-US",
        )],
    );
    let out = report(dir.path(), &files, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let notices = dir.path().join("out/notices");
    let eml_name = crate::util::file_names(&notices)
        .into_iter()
        .find(|n| n.ends_with(".eml"))
        .expect("a notice");
    let eml = std::fs::read(notices.join(&eml_name)).unwrap();
    let (subject, text, html) = well_formed("hostile", &eml);
    let message = parse(&eml);
    assert!(message.bcc().is_none(), "no Bcc header from a name");
    assert!(message.header_raw("Bcc").is_none());
    assert!(
        subject.starts_with("<script>alert(1)</script> & \"Co\" Bcc: evil@attacker.example:"),
        "{subject}"
    );
    assert!(
        text.contains("<img src=x onerror=alert(2)> <a'b<i>@bergbau.example>"),
        "{text}"
    );
    assert!(
        !html.contains("<script>") && !html.contains("<img") && !html.contains("<i>"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "{html}"
    );
}

#[test]
fn a_redacted_notice_counts_the_users_and_names_none() {
    let dir = tempfile::tempdir().unwrap();
    let files = two_users(dir.path(), "Bergbau GmbH", "en-US");
    let out = report(dir.path(), &files, &["--redact-users"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let eml = std::fs::read(dir.path().join("out/notices/bergbau-gmbh.eml")).unwrap();
    let (_, text, html) = well_formed("redacted", &eml);
    assert!(text.contains("Please tell the 2 users concerned"), "{text}");
    for part in [&text, &html] {
        for name in ["juergen", "anna", "Jürgen", "Anna", "user-0001"] {
            assert!(!part.contains(name), "{name}: {part}");
        }
    }
}

#[test]
fn a_notice_flag_naming_no_customer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = one_customer(
        dir.path(),
        "Bergbau GmbH",
        &[("A", "a@bergbau.example", "")],
    );
    let out = report(dir.path(), &files, &["--notice-locale", "Nobody Ltd=de"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--notice-locale \"Nobody Ltd\": no customer of the subscription exports has this id, name or domain"),
        "{}",
        stderr(&out)
    );
    let out = report(dir.path(), &files, &["--notice-locale", "Bergbau GmbH=fr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown locale \"fr\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn with_prices_the_notice_says_the_monthly_cost_before_and_after_at_retail() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Contoso's E4 bought in new commerce (a made-up offer the price list prices at 420.00 a
    // year for the partner, 525.00 estimated retail).
    let subs = std::fs::read_to_string(root.join("fixtures/demo/subscriptions.csv"))
        .unwrap()
        .replace(
            "8b2e3a1f-2d55-4c8f-8e12-4a6b8d0f1c22,7F3B9E3C-0A4E-4D2B-8F11-2C3D4E5F6A02",
            "8b2e3a1f-2d55-4c8f-8e12-4a6b8d0f1c22,CFQ7TTC0TEE4:1:CFQ7TTC0K9ZZ",
        );
    std::fs::write(dir.path().join("subs.csv"), subs).unwrap();
    let prices = std::fs::read_to_string(root.join("fixtures/prices/pricelist-us.csv")).unwrap()
        + "Unchanged,Office 365 E4,CFQ7TTC0TEE4,0001,Office 365 E4,Microsoft Corporation,E4,\
           1 License,P1Y,Monthly,US,USD,420.00,,,2/1/2023 12:00:00 AM,12/31/9999 11:59:59 PM,\
           License,525.00,Commercial\n";
    std::fs::write(dir.path().join("prices.csv"), prices).unwrap();
    let out = dir.path().join("out");
    let (subs, prices) = (dir.path().join("subs.csv"), dir.path().join("prices.csv"));
    let args = [
        &[
            "report",
            "--as-of",
            "2026-11-21",
            "--format",
            "notices,csv",
            "-s",
            subs.to_str().unwrap(),
            "--price-list",
            prices.to_str().unwrap(),
            "--offer-matrix",
            "fixtures/prices/offer-matrix.csv",
            "--out",
            out.to_str().unwrap(),
        ][..],
        &crate::util::DEMO_LICENSES[..],
    ]
    .concat();
    let result = run(root, &args);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let eml = std::fs::read(out.join("notices/contoso-ltd.eml")).unwrap();
    let (_, text, _) = well_formed("prices", &eml);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        "What it will cost",
        // After: the seats to buy at estimated retail, per month (72.00 and 456.00 a year).
        "Microsoft 365 Business Basic (1 license): about 6.00 USD a month.",
        "Office 365 E5 (2 licenses): about 76.00 USD a month.",
        // Before: the E4's 3 seats at 525.00 a year.
        "Your retiring subscriptions: about 131.25 USD a month, which stops.",
        "excluding tax and promotions",
    ] {
        assert!(flat.contains(line), "{line}\n{text}");
    }
    let purchases = std::fs::read_to_string(out.join("csv/purchases.csv")).unwrap();
    let contoso_e5 = purchases.lines().nth(2).unwrap();
    assert!(
        contoso_e5.contains(",105.00,131.25,offer-matrix"),
        "{contoso_e5}"
    );
}

#[test]
fn chromium_renders_a_notice_without_network_requests() {
    const TEST: &str = "chromium_renders_a_notice_without_network_requests";
    if !crate::util::have("chromium", TEST) || !crate::util::have("pdftotext", TEST) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = crate::util::demo_report();
    let files = notices(&report, &NoticeOptions::default());
    let (_, eml) = (files.iter())
        .find(|(n, _)| n == "notices/contoso-ltd.eml")
        .unwrap();
    // The HTML part as a mail client gets it, parsed out of the message.
    let html = parse(eml).body_html(0).unwrap().into_owned();
    let page = dir.path().join("contoso-notice.html");
    std::fs::write(&page, html).unwrap();
    let pdf = dir.path().join("notice.pdf");
    let log = crate::html::chromium(
        &page,
        dir.path(),
        "notice",
        &format!("--print-to-pdf={}", pdf.display()),
    );
    assert_eq!(crate::html::page_requests(&log), Vec::<String>::new());
    let (text, pages) = crate::html::pdf_text(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for e in [
        "Dear Contoso Ltd team,",
        "What is retiring",
        "Kaizala Pro (6 licenses): Expires on 11 December 2026.",
        "What we need from you",
        "Adele Vance <AdeleV@contoso.com>",
        "[Your name] · [Company] · [E-mail] · [Phone]",
    ] {
        assert!(flat.contains(e), "`{e}` not in the printed notice:\n{text}");
    }
    assert!(pages >= 1);
}
