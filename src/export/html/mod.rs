//! `runbooks/`: one self-contained, printable HTML migration runbook per customer with a retiring
//! or suspended subscription, and `runbooks/index.html` listing them by earliest deadline
//! (docs/rules.md §1, §4). Templates live in `templates/` and are embedded in the binary; minijinja
//! runs them with strict undefined values and HTML auto-escaping, so every input value is escaped.
//! All fixed text comes from the locale's message file (`locales/`). A runbook lists at most
//! [`views::USER_LIMIT`] users per retirement; past that, `<runbook>-users.csv` beside it holds
//! all of the customer's users.

mod texts;
mod timeline;
mod views;

pub use super::locale::{Locale, Messages};

use super::{Exporter, Output, OutputFile};
use crate::model::Report;
use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, HtmlEscape, UndefinedBehavior, Value};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// About how many bytes a customer's row of the index has (434 in a wave's book): the index's
/// size hint. A runbook's is 0: they are many and small, and go after the large files.
const INDEX_ROW_BYTES: u64 = 400;

/// The templates, by name.
const TEMPLATES: [(&str, &str); 4] = [
    (
        "layout.html",
        include_str!("../../../templates/layout.html"),
    ),
    ("index.html", include_str!("../../../templates/index.html")),
    (
        "runbook.html",
        include_str!("../../../templates/runbook.html"),
    ),
    ("style.css", include_str!("../../../templates/style.css")),
];

/// Writes the runbooks in one locale.
pub struct HtmlExporter {
    /// The language of all fixed text and dates.
    pub locale: Locale,
    /// The other formats written: the runbooks link to the step B scripts (`scripts`), the
    /// customer's calendar (`ics`) and its notice (`notices`) when those are written too.
    pub beside: Vec<super::Format>,
    /// `--raw-csv`: the users files beside long runbooks keep formula-like text as read.
    pub raw_csv: bool,
}

/// A message with Partner Center UI terms in `**bold**`: escaped, then the terms made bold.
fn ui(text: String) -> Value {
    let escaped = HtmlEscape(&text).to_string();
    let mut out = String::new();
    for (i, part) in escaped.split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str("<strong>");
            out.push_str(part);
            out.push_str("</strong>");
        } else {
            out.push_str(part);
        }
    }
    Value::from_safe_string(out)
}

/// The template environment: embedded templates, strict, auto-escaping HTML; `num` writes a
/// count the way `messages`' language groups digits (an empty value stays empty).
fn environment(messages: &Messages) -> Result<Environment<'static>> {
    let mut env = strict_environment(&TEMPLATES)?;
    env.add_filter("ui", ui);
    let m = messages.clone();
    env.add_filter("num", move |v: Value| -> String {
        match i64::try_from(v.clone()) {
            Ok(n) => m.number(n),
            Err(_) if v.is_none() || v.is_undefined() => String::new(),
            Err(_) => v.to_string(),
        }
    });
    Ok(env)
}

/// An environment of embedded `templates` (name, source): an undefined value is an error, and a
/// `.html` template escapes every value (the notices' `.txt` part is plain text).
pub(crate) fn strict_environment(
    templates: &[(&'static str, &'static str)],
) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    for &(name, source) in templates {
        env.add_template(name, source)
            .with_context(|| format!("template {name}"))?;
    }
    Ok(env)
}

fn render_into(env: &Environment, name: &str, context: Value, w: &mut dyn Write) -> Result<()> {
    env.get_template(name)?
        .render_captured_to(context, w)
        .with_context(|| format!("rendering {name}"))?;
    Ok(())
}

/// What every runbook is rendered from, shared by the runbooks written as they are staged.
struct Shared<'r> {
    env: Environment<'static>,
    pages: views::Pages<'r>,
}

impl Exporter for HtmlExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        (self.outputs(report)?.into_iter())
            .map(Output::into_file)
            .collect()
    }

    /// Each runbook is rendered straight into its file as it is staged (a wave's runbooks are
    /// hundreds of megabytes), in parallel with the other files.
    fn outputs<'r>(&self, report: &'r Report) -> Result<Vec<Output<'r>>> {
        let mut laps = crate::base::laps::Laps::start("html");
        let messages = Messages::load(self.locale)?.for_report(report);
        let shared = Arc::new(Shared {
            env: environment(&messages)?,
            pages: views::Pages::new(
                report,
                messages,
                (
                    self.beside.contains(&super::Format::Scripts),
                    self.beside.contains(&super::Format::Ics),
                    self.beside.contains(&super::Format::Notices),
                ),
            ),
        });
        laps.lap("pages");
        let dir = PathBuf::from(super::RUNBOOKS);
        // Rendered as it is staged too: a wave's index lists 20,000 customers (0.25 s at L).
        let index = Arc::clone(&shared);
        let index_size = report.customers.len() as u64 * INDEX_ROW_BYTES;
        let mut files = vec![Output::streamed(
            dir.join("index.html"),
            index_size,
            Box::new(move |w| {
                let page = Value::from(Serde(index.pages.index()));
                render_into(&index.env, "index.html", page, w)
            }),
        )];
        for (at, file) in shared.pages.files().iter().enumerate() {
            let shared = Arc::clone(&shared);
            files.push(Output::streamed(
                dir.join(file),
                0,
                Box::new(move |w| {
                    let page = shared.pages.runbook_at(at);
                    render_into(&shared.env, "runbook.html", Value::from(Serde(&page)), w)
                }),
            ));
        }
        // A runbook that cannot list every user links to all of them, as csv/users.csv words them.
        let messages = shared.pages.messages();
        for (file, users) in shared.pages.user_lists() {
            // In the runbook's language: the header row and the reasons (csv/users.csv keeps
            // the column keys and English, for machines).
            let table = super::tables::users(users.iter().copied(), shared.pages.reasons());
            let titles: Vec<String> = (table.columns.iter())
                .map(|c| messages.label("users_csv", c.key))
                .collect();
            let bytes = super::csv_tables::write_titled(table, self.raw_csv, &titles)?;
            files.push(Output::from((dir.join(file), bytes)));
        }
        laps.lap("user lists");
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_refuse_undefined_values_and_escape_input() {
        let env = environment(&Messages::english()).unwrap();
        let missing = env
            .get_template("index.html")
            .unwrap()
            .render(minijinja::context! {});
        assert!(missing.is_err(), "strict undefined behaviour");
        let escaped = env
            .render_named_str(
                "x.html",
                "{{ name }}",
                minijinja::context! { name => "<b>&" },
            )
            .unwrap();
        assert_eq!(escaped, "&lt;b&gt;&amp;");
    }

    #[test]
    fn ui_terms_are_bold_and_the_rest_escaped() {
        let html = ui("Select **Customers** → <i>x</i>".to_string());
        assert_eq!(
            html.to_string(),
            "Select <strong>Customers</strong> → &lt;i&gt;x&lt;&#x2f;i&gt;"
        );
    }
}
