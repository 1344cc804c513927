//! `runbooks/`: one self-contained, printable HTML migration runbook per customer with a retiring
//! or suspended subscription, and `runbooks/index.html` listing them by earliest deadline
//! (docs/rules.md §1, §4). Templates live in `templates/` and are embedded in the binary; minijinja
//! runs them with strict undefined values and HTML auto-escaping, so every input value is escaped.
//! All fixed text comes from the locale's message file (`locales/`). A runbook lists at most
//! [`views::USER_LIMIT`] users per retirement; past that, `<runbook>-users.csv` beside it holds
//! all of the customer's users.

mod timeline;
mod views;

pub use super::locale::{Locale, Messages};

use super::locale::Reasons;

use super::{Exporter, OutputFile};
use crate::model::Report;
use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, HtmlEscape, UndefinedBehavior, Value};
use std::path::PathBuf;

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
    /// Whether `scripts/` is written beside the runbooks (step B links to each script).
    pub scripts: bool,
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

/// The template environment: embedded templates, strict, auto-escaping HTML.
fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("ui", ui);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .with_context(|| format!("template {name}"))?;
    }
    Ok(env)
}

fn render(env: &Environment, name: &str, context: Value) -> Result<Vec<u8>> {
    let html = env
        .get_template(name)?
        .render(context)
        .with_context(|| format!("rendering {name}"))?;
    Ok(html.into_bytes())
}

impl Exporter for HtmlExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let messages = Messages::load(self.locale)?;
        let env = environment()?;
        let pages = views::Pages::new(report, &messages, self.scripts);
        let mut files = vec![(
            PathBuf::from(super::RUNBOOKS).join("index.html"),
            render(&env, "index.html", Value::from(Serde(pages.index())))?,
        )];
        for (file, page) in pages.runbooks() {
            let bytes = render(&env, "runbook.html", Value::from(Serde(&page)))?;
            files.push((PathBuf::from(super::RUNBOOKS).join(file), bytes));
        }
        // A runbook that cannot list every user links to all of them, as csv/users.csv words them.
        let english = Messages::english();
        let mut reasons = None;
        for (file, users) in pages.user_lists() {
            let reasons = reasons.get_or_insert_with(|| Reasons::word(report, &english));
            let table = super::tables::users(users.iter().copied(), reasons);
            let bytes = super::csv_tables::write(table, self.raw_csv)?;
            files.push((PathBuf::from(super::RUNBOOKS).join(file), bytes));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_refuse_undefined_values_and_escape_input() {
        let env = environment().unwrap();
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
