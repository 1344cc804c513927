//! `runbooks/`: snapshots of the demo runbooks (one customer per segment, `en` and `nl`), the
//! figures a runbook must show, self-containment, hostile input, and a real headless Chromium
//! printing the pages to PDF with no network request.

use crate::util::{file_names, have, run, stderr};
use std::path::{Path, PathBuf};

/// Runs the demo's HTML output in a locale; returns the runbooks directory.
fn demo_runbooks(dir: &Path, locale: &str) -> PathBuf {
    let out = format!("out-{locale}");
    let result = run(
        dir,
        &[
            "demo",
            "--as-of",
            "2026-11-21",
            "--format",
            "html",
            "--locale",
            locale,
            "--out",
            &out,
        ],
    );
    assert!(result.status.success(), "{}", stderr(&result));
    dir.join(out).join("runbooks")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The page with its (long, shared) stylesheet folded, for snapshots.
fn without_css(html: &str) -> String {
    let start = html.find("<style>").expect("inline style");
    let end = html.find("</style>").expect("style end");
    format!("{}<style>/* style.css */{}", &html[..start], &html[end..])
}

#[test]
fn demo_runbooks_match_snapshots_in_english_and_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let en = demo_runbooks(dir.path(), "en");
    assert_eq!(
        file_names(&en),
        [
            "contoso-ltd.html",
            "fabrikam-school-district.html",
            "index.html",
            "northwind-traders.html",
            "tailspin-toys.html",
            "wide-world-importers.html"
        ]
    );
    for page in [
        "index",
        "contoso-ltd",              // business
        "fabrikam-school-district", // education
        "northwind-traders",        // enterprise
        "wide-world-importers",     // no license data, suspended subscriptions
    ] {
        let html = read(&en.join(format!("{page}.html")));
        insta::assert_snapshot!(format!("runbook_en__{page}"), without_css(&html));
    }
    let nl = demo_runbooks(dir.path(), "nl");
    for page in [
        "index",
        "contoso-ltd",
        "fabrikam-school-district",
        "northwind-traders",
    ] {
        let html = read(&nl.join(format!("{page}.html")));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">"));
        insta::assert_snapshot!(format!("runbook_nl__{page}"), without_css(&html));
    }
}

#[test]
fn a_runbook_shows_the_customers_real_steps_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let en = demo_runbooks(dir.path(), "en");
    let contoso = read(&en.join("contoso-ltd.html"));
    for expected in [
        "Migration runbook: Contoso Ltd",
        "4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e01",
        "contoso.com",
        "Business (up to 300 users)",
        // A: plan × quantity, and the unassigned seats of the retiring subscription.
        "<strong>Microsoft 365 Business Basic</strong>",
        "6 seats: 3 assigned to users, 3 unassigned",
        // B: users with their action.
        "AdeleV@contoso.com",
        "<tr class=\"remove-only\">",
        "<tr class=\"review-blocked\">",
        // C: the subscription to suspend, its end date and both de-provisioning dates
        // (as of 2026-11-21 + 120 = 2027-03-21; end 2026-12-11 + 120 = 2027-04-10).
        "6a1d2f0e-1c44-4b7e-9d01-3f5a7c9e0b11",
        "Expires on 11 December 2026",
        "<td>21 March 2027</td><td>10 April 2027</td>",
        "<svg class=\"timeline\"",
    ] {
        assert!(contoso.contains(expected), "`{expected}` missing");
    }
    assert_eq!(
        contoso
            .matches("<input class=\"tick\" type=\"checkbox\"")
            .count(),
        (1 + 3 + 1) + (1 + 3 + 1),
        "a box per line of A, B and C, for Kaizala Pro and for Office 365 E4"
    );

    let index = read(&en.join("index.html"));
    let order: Vec<usize> = [
        "northwind-traders.html",
        "contoso-ltd.html",
        "fabrikam-school-district.html",
        "tailspin-toys.html",
        "wide-world-importers.html",
    ]
    .iter()
    .map(|f| index.find(&format!("href=\"{f}\"")).expect("linked"))
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "earliest deadline first"
    );

    // Self-contained: no scripts, no external references, a CSP that forbids loading anything.
    for name in file_names(&en) {
        let html = read(&en.join(&name));
        assert!(!html.contains("<script"), "{name}");
        assert!(!html.contains(" src="), "{name}");
        assert!(html.contains("default-src 'none'"), "{name}");
        for href in html.split("href=\"").skip(1) {
            let target = &href[..href.find('"').expect("closed")];
            assert!(
                target.ends_with(".html") && !target.contains('/'),
                "{name} links to {target}"
            );
        }
    }
}

#[test]
fn hostile_customer_names_are_escaped_and_get_safe_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let subs = dir.path().join("subs.csv");
    std::fs::write(
        &subs,
        "CustomerName,SubscriptionId,OfferName,Quantity,Status,AutoRenewEnabled,CommitmentEndDate\n\
         <script>alert(1)</script>,s-1,Kaizala Pro,5,Active,False,2026-12-31\n\
         ../../etc/passwd,s-2,\"Kaizala Pro \"\"><img src=x onerror=alert(2)>\",3,Active,False,2026-12-31\n\
         CON,s-3,Kaizala Pro,1,Active,False,2026-12-31\n",
    )
    .unwrap();
    let users = dir.path().join("users.csv");
    std::fs::write(
        &users,
        "Display name,User principal name,Block credential,Licenses\n\
         <img src=x onerror=alert(3)>,\"a'b<i>@x.example\",False,Kaizala Pro\n",
    )
    .unwrap();
    let users_arg = format!("<script>alert(1)</script>={}", users.display());
    let out = run(
        dir.path(),
        &[
            "report",
            "--subscriptions",
            subs.to_str().unwrap(),
            "--licenses",
            &users_arg,
            "--as-of",
            "2026-11-21",
            "--format",
            "html",
            "--out",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let runbooks = dir.path().join("out/runbooks");
    assert_eq!(
        file_names(&runbooks),
        [
            "con-customer.html",
            "etc-passwd.html",
            "index.html",
            "script-alert-1-script.html"
        ]
    );
    assert_eq!(
        file_names(&dir.path().join("out")),
        [
            ".skusunset",
            ".skusunset-report.json",
            "report.json",
            "runbooks"
        ],
        "nothing written elsewhere (report.json is always written)"
    );
    assert!(!dir.path().join("etc").exists());
    let script = read(&runbooks.join("script-alert-1-script.html"));
    assert!(
        script.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{script}"
    );
    assert!(!script.contains("<script>"));
    // User values from the license export are escaped too.
    assert!(
        script.contains("&lt;img src=x onerror=alert(3)&gt;"),
        "{script}"
    );
    assert!(script.contains("a&#x27;b&lt;i&gt;@x.example"), "{script}");
    assert!(!script.contains("<img") && !script.contains("<i>"));
    let passwd = read(&runbooks.join("etc-passwd.html"));
    assert!(passwd.contains("..&#x2f;..&#x2f;etc&#x2f;passwd"));
    assert!(passwd.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(!passwd.contains("<img"));
    let index = read(&runbooks.join("index.html"));
    assert!(!index.contains("<script>") && !index.contains("<img"));
    assert!(index.contains("href=\"etc-passwd.html\""));
}

/// Page-initiated network requests in a Chromium net log: requests whose network isolation key
/// is the `file://` page (Chromium's own background requests carry other keys).
pub(crate) fn page_requests(netlog: &Path) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(&read(netlog)).expect("net log is JSON");
    let start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].clone();
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == start)
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.starts_with("file://"))
        })
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .filter(|url| !url.starts_with("file:") && !url.starts_with("data:"))
        .collect()
}

/// Headless Chromium with the flags CI uses; `output` is e.g. `--print-to-pdf=...`.
pub(crate) fn chromium(page: &Path, work: &Path, tag: &str, output: &str) -> PathBuf {
    let netlog = work.join(format!("{tag}.netlog.json"));
    let result = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--no-pdf-header-footer",
            "--window-size=1200,1600",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join(format!("{tag}.profile")).display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(output)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        result.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    netlog
}

pub(crate) fn pdf_text(pdf: &Path) -> (String, usize) {
    let text = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    // pdftotext ends every page with a form feed.
    let pages = text.matches('\u{c}').count();
    (text, pages)
}

// Over the house's 80 lines: one printed runbook checked page by page.
#[allow(clippy::too_many_lines)]
#[test]
fn chromium_prints_the_runbooks_without_network_requests() {
    const TEST: &str = "chromium_prints_the_runbooks_without_network_requests";
    if !have("chromium", TEST) || !have("pdftotext", TEST) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let en = demo_runbooks(dir.path(), "en");
    let work = dir.path();

    // The detector works: a page that loads an image from the network is caught.
    let control = work.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><p>control</p><img src=\"http://example.invalid/x.png\">",
    )
    .unwrap();
    let pdf = work.join("control.pdf");
    let log = chromium(
        &control,
        work,
        "control",
        &format!("--print-to-pdf={}", pdf.display()),
    );
    assert_eq!(page_requests(&log), ["http://example.invalid/x.png"]);

    for (page, expected, min_pages) in [
        (
            "index.html",
            &[
                "Migration runbooks",
                "Northwind Traders",
                "Wide World Importers",
                "31 October 2026",
            ][..],
            1,
        ),
        (
            "contoso-ltd.html",
            &[
                "Migration runbook: Contoso Ltd",
                "A. Purchase the new subscription",
                "B. Reassign current user licenses",
                "C. Cancel old subscription",
                "Microsoft 365 Business Basic",
                "AdeleV@contoso.com",
                "Expires on 11 December 2026",
                "10 April 2027",
            ][..],
            // The overview, then a page per retirement (Kaizala Pro, Office 365 E4).
            3,
        ),
    ] {
        let path = en.join(page);
        let pdf = work.join(format!("{page}.pdf"));
        let log = chromium(
            &path,
            work,
            page,
            &format!("--print-to-pdf={}", pdf.display()),
        );
        assert_eq!(
            page_requests(&log),
            Vec::<String>::new(),
            "{page} made network requests"
        );
        let (text, pages) = pdf_text(&pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for e in expected {
            assert!(
                flat.contains(e),
                "{page}: `{e}` not in the printed PDF:\n{text}"
            );
        }
        assert!(pages >= min_pages, "{page}: {pages} pages");

        let png = work.join(format!("{page}.png"));
        chromium(
            &path,
            work,
            &format!("{page}-shot"),
            &format!("--screenshot={}", png.display()),
        );
        let bytes = std::fs::read(&png).expect("screenshot written");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        assert_eq!(width, 1200);
        if let Some(keep) = std::env::var_os("SKUSUNSET_KEEP_SCREENSHOTS") {
            std::fs::create_dir_all(&keep).expect("the screenshot folder can be made");
            std::fs::copy(&png, Path::new(&keep).join(format!("{page}.png")))
                .expect("keep screenshot");
        }
    }
}

#[test]
fn reasons_are_translated_without_leftover_placeholders() {
    use skusunset::export::{Locale, Messages};
    // The English wording is the `reason` column of the CSV and JSON snapshots.
    let report = crate::util::demo_report();
    let whys: Vec<&skusunset::model::Reason> = report
        .users
        .iter()
        .map(|u| &*u.why)
        .chain(report.purchases.iter().map(|p| &p.why))
        .collect();
    let codes: std::collections::BTreeSet<&str> = whys.iter().map(|w| w.code.as_str()).collect();
    assert!(
        codes.len() >= 6,
        "the demo exercises most reason codes: {codes:?}"
    );
    let en = Messages::english();
    for locale in [Locale::Nl, Locale::De, Locale::Sv, Locale::Tr] {
        let m = Messages::load(locale).unwrap();
        for why in &whys {
            let (text, english) = (m.reason(why), en.reason(why));
            assert_ne!(text, english, "{locale:?} {} is not translated", why.code);
            assert!(!text.contains('{'), "{locale:?} {}: {text}", why.code);
        }
    }
}

#[test]
fn without_retiring_subscriptions_the_index_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let subs = dir.path().join("subs.csv");
    std::fs::write(
        &subs,
        "CustomerName,SubscriptionId,OfferName,Quantity,Status,AutoRenewEnabled,CommitmentEndDate\n\
         Contoso,s-1,Office 365 E3,5,Active,True,2026-12-31\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "report",
            "-s",
            subs.to_str().unwrap(),
            "--format",
            "html",
            "--locale",
            "tr",
            "--out",
            "out",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let runbooks = dir.path().join("out/runbooks");
    assert_eq!(file_names(&runbooks), ["index.html"]);
    let index = read(&runbooks.join("index.html"));
    assert!(
        index.contains(
            "Hiçbir müşterinin kullanımdan kaldırılan veya askıya alınmış aboneliği yok."
        )
    );
    assert!(!index.contains("<table>"));
}

/// No template walks every customer inside its walk over customers (issue 28: the index
/// evaluated `customers | selectattr("script")` once per row, quadratic in customers; 19,554
/// runbooks took 171 s). A loop over a page's customers may not name `customers` again.
#[test]
fn no_template_loops_over_all_customers_inside_a_loop_over_customers() {
    let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for entry in std::fs::read_dir(templates).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("{% for c in customers %}") {
            // Up to the loop's own end: the `endfor` that ends a line (a nested loop's sits
            // inside one).
            let start = at + "{% for c in customers %}".len();
            let end = text[start..]
                .find("{% endfor %}\n")
                .map_or(text.len(), |e| start + e);
            let whole = &text[start..end];
            assert!(
                !whole.contains("customers"),
                "{}: the loop over customers names `customers` again",
                path.display()
            );
        }
    }
}
