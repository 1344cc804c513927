//! Command-line arguments (clap derive). Describes flags only: no I/O and no validation beyond
//! syntax; `to_config` turns them into a validated configuration.

pub mod to_config;

use crate::export::{Format, Locale};
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Move CSP customers off retiring Microsoft SKUs: expiry report, migration runbooks and
/// de-provisioning windows from Partner Center and Microsoft 365 exports. Offline.
#[derive(Debug, Parser)]
#[command(name = "skusunset", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Show no progress (progress is shown on stderr only when it is a terminal).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse the exports and write the report files.
    Report(ReportArgs),
    /// Read and validate the exports; print per-file accounting and issues; write nothing.
    Check(CheckArgs),
    /// Print the retirement catalog in use (TOML).
    Catalog(CatalogArgs),
    /// Run `report` on the bundled demo fixtures.
    Demo(DemoArgs),
    /// Verify the record a step B script wrote (`<customer>-plan-<mode>-<time>.json`): every
    /// removal keeps an enabled covering plan, reassigns add and remove, no trial target.
    CheckPlan(CheckPlanArgs),
}

/// `check-plan`.
#[derive(Debug, Clone, Args)]
pub struct CheckPlanArgs {
    /// The record (`results/<customer-slug>-plan-dryrun-<time>.json` beside the script).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// A `ValueEnum` read with white space around it ignored (`--format "xlsx, html"`), with the
/// enum's own possible values for `--help` and errors.
#[derive(Clone)]
pub struct Trimmed<E>(std::marker::PhantomData<E>);

impl<E> Default for Trimmed<E> {
    fn default() -> Self {
        Trimmed(std::marker::PhantomData)
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Trimmed<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        let trimmed = value
            .to_str()
            .map_or(value, |v| std::ffi::OsStr::new(v.trim()));
        clap::builder::EnumValueParser::<E>::new().parse_ref(cmd, arg, trimmed)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// `--format` takes the exporters' own formats: their names and what each writes.
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Format::Xlsx => {
                "`expiry-report.xlsx`: Summary with a weekly chart, and one sheet per table"
            }
            Format::Html => {
                "`runbooks/*.html`: a printable migration runbook per customer, and an index"
            }
            Format::Csv => "`csv/*.csv`, one file per table",
            Format::Json => "`report.json`: every table, the accounting and the run parameters",
            Format::Scripts => {
                "`scripts/*.ps1`: step B per customer as a dry-run-first Microsoft Graph PowerShell script"
            }
            Format::Ics => {
                "`calendar/*.ics`: end dates and de-provisioning dates as calendar events, all customers and per customer"
            }
            Format::Notices => {
                "`notices/*.eml`: a ready-to-send notice per affected customer in its language, and its HTML"
            }
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

/// `--locale` takes the runbooks' own languages.
impl ValueEnum for Locale {
    fn value_variants<'a>() -> &'a [Self] {
        &Locale::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Locale::En => "English",
            Locale::Nl => "Dutch",
            Locale::De => "German",
            Locale::Sv => "Swedish",
            Locale::Tr => "Turkish",
        };
        Some(PossibleValue::new(self.code()).help(help))
    }
}

/// Where the catalog comes from.
#[derive(Debug, Clone, Args)]
pub struct CatalogArgs {
    /// A retirement catalog (TOML) that replaces the built-in one.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// A catalog (TOML) whose retirements are added to the one in use (same id replaces).
    #[arg(long, value_name = "FILE")]
    pub catalog_extend: Vec<PathBuf>,
}

/// The inputs shared by `report` and `check`.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Your own header names for the canonical fields: a TOML file of `"Header" = "field"` lines
    /// (`"Gebruikersnaam" = "user_principal_name"`), used before the built-in header names.
    #[arg(long, value_name = "FILE")]
    pub columns: Option<PathBuf>,
    /// Partner Center subscription export (CSV or spreadsheet); `KEY=FILE` ties a file without a
    /// customer column to the customer KEY. Repeatable.
    #[arg(long, short = 's', value_name = "[KEY=]FILE", required = true)]
    pub subscriptions: Vec<String>,
    /// Microsoft 365 user/license export or a directory of them; `KEY=FILE` ties it to the
    /// customer whose id, name or domain is KEY. Repeatable.
    #[arg(long, short = 'l', value_name = "[KEY=]FILE_OR_DIR")]
    pub licenses: Vec<String>,
    /// Microsoft's "Product names and service plan identifiers" CSV, added to the built-in SKUs.
    #[arg(long, value_name = "FILE")]
    pub skus: Vec<PathBuf>,
    /// The catalog.
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// The sheet to read from spreadsheets (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Read all slash dates as D/M/YYYY (default: decided per file, from its dates and locale).
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,
    /// Read all slash dates as M/D/YYYY, as Partner Center's en-US exports write them.
    #[arg(long)]
    pub month_first: bool,
    /// The date to count from, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Days from suspension to de-provisioning (0 to 3650).
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = crate::analyze::DEFAULT_DEPROVISION_DAYS,
        value_parser = clap::value_parser!(i64).range(0..=crate::analyze::MAX_DEPROVISION_DAYS)
    )]
    pub deprovision_days: i64,
    /// Force a customer's segment: `CUSTOMER=education|business|enterprise|frontline`
    /// (CUSTOMER is an id, name or domain). Repeatable.
    #[arg(long, value_name = "CUSTOMER=SEGMENT")]
    pub segment: Vec<String>,
    /// Exit with status 1 when an issue of severity `error` exists.
    #[arg(long)]
    pub strict: bool,
    /// Prices.
    #[command(flatten)]
    pub prices: PriceArgs,
}

/// What prices the purchases.
#[derive(Debug, Clone, Args)]
pub struct PriceArgs {
    /// Partner Center's new-commerce license-based price list (Pricing > "New commerce"
    /// license-based, CSV or spreadsheet): prices every purchase line per month.
    #[arg(long, value_name = "FILE")]
    pub price_list: Option<PathBuf>,
    /// The offer matrix from the same page: finds each plan's `ProductId:SkuId` by its String_Id
    /// (without it, plans are found by title, a fallback).
    #[arg(long, value_name = "FILE", requires = "price_list")]
    pub offer_matrix: Option<PathBuf>,
    /// The market of the prices, e.g. US or NL (default: the only one in the price list).
    #[arg(long, value_name = "CODE", requires = "price_list")]
    pub market: Option<String>,
    /// The currency of the prices, e.g. EUR (default: the only one for the market).
    #[arg(long, value_name = "CODE", requires = "price_list")]
    pub currency: Option<String>,
    /// The commitment term priced: P1M, P1Y or P3Y.
    #[arg(
        long,
        value_name = "TERM",
        default_value = "P1Y",
        requires = "price_list"
    )]
    pub term: String,
    /// The billing plan priced: monthly, annual or triennial.
    #[arg(
        long,
        value_name = "PLAN",
        default_value = "monthly",
        requires = "price_list"
    )]
    pub billing: String,
}

/// Output options.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// The output folder. Created when missing; the report in it is plain files (copy, zip or
    /// sync it anywhere); a previous skusunset report is replaced and kept in `DIR/.skusunset/`;
    /// nothing skusunset did not write is ever deleted.
    #[arg(
        long,
        short = 'o',
        value_name = "DIR",
        default_value = "skusunset-report"
    )]
    pub out: PathBuf,
    /// Formats to write, comma-separated (default: `xlsx,html` for `report`, all for `demo`).
    #[arg(
        long,
        short = 'f',
        value_delimiter = ',',
        value_name = "FORMATS",
        ignore_case = true,
        value_parser = Trimmed::<Format>::default()
    )]
    pub format: Vec<Format>,
    /// Language of the HTML runbooks.
    #[arg(
        long,
        default_value = "en",
        value_name = "LOCALE",
        ignore_case = true,
        value_parser = Trimmed::<Locale>::default()
    )]
    pub locale: Locale,
    /// Write into a non-empty folder that holds no skusunset report (its files are left alone;
    /// a file with the name of an output is still refused).
    #[arg(long)]
    pub force: bool,
    /// Write the CSV tables' text exactly as read. By default a text cell that Excel would run
    /// as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
    /// leading `'`. The JSON and the step B scripts' CSV always hold the values as read.
    #[arg(long)]
    pub raw_csv: bool,
    /// Earlier reports to keep in `DIR/.skusunset/` (each week's `report.json` and manifest, for
    /// comparing weeks); older ones are removed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub keep: usize,
    /// The report to compare with: a report folder or its `report.json`; `none` compares
    /// nothing (default: the report this run replaces in --out).
    #[arg(long, value_name = "PATH")]
    pub previous: Option<PathBuf>,
    /// Replace every user with a per-customer pseudonym (`user-0017`) in every output, for a
    /// report that leaves the partner; counts stay the same. The step B scripts need the real
    /// names, so `--format scripts` is refused with it.
    #[arg(long)]
    pub redact_users: bool,
    /// The notices: who gets them, in which language, and whose signature.
    #[command(flatten)]
    pub notices: NoticeArgs,
}

/// `--format notices`: addresses, languages and the signature.
#[derive(Debug, Clone, Args)]
pub struct NoticeArgs {
    /// The address a customer's notice goes to: `CUSTOMER=ADDRESS` (CUSTOMER is an id, name or
    /// domain). Repeatable; without it a notice has no `To`.
    #[arg(long, value_name = "CUSTOMER=ADDRESS")]
    pub notice_to: Vec<String>,
    /// The language of a customer's notice: `CUSTOMER=en|nl|de|sv|tr` (default: the language
    /// most of its users prefer in the license export, else --locale). Repeatable.
    #[arg(long, value_name = "CUSTOMER=LOCALE")]
    pub notice_locale: Vec<String>,
    /// The signature under every notice: a TOML file with `name`, `company`, `email` (the
    /// notice's From) and `phone`. Without it, each notice has a placeholder to fill in.
    #[arg(long, value_name = "FILE")]
    pub notice_from: Option<PathBuf>,
}

/// `report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Outputs.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// `demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The date to count from, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Outputs.
    #[command(flatten)]
    pub output: OutputArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn formats_and_locales_ignore_case_and_spaces() {
        let cli = Cli::try_parse_from([
            "skusunset",
            "demo",
            "--format",
            "XLSX, html ,Json",
            "--locale",
            "DE",
        ])
        .unwrap();
        let Command::Demo(demo) = cli.command else {
            panic!("a demo command")
        };
        assert_eq!(
            demo.output.format,
            [Format::Xlsx, Format::Html, Format::Json]
        );
        assert_eq!(demo.output.locale, Locale::De);
        let err = Cli::try_parse_from(["skusunset", "demo", "--format", "pdf"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[possible values: xlsx, html, csv, json, scripts, ics, notices]"),
            "{err}"
        );
    }
}
