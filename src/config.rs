//! Turns the parsed `Cli` into a validated `Config`: dates parsed, `KEY=FILE` split, segments
//! checked, formats chosen. The clock is read here and nowhere else.

use crate::analyze::Params;
use crate::cli::{CatalogArgs, FormatArg, InputArgs, LocaleArg, OutputArgs};
use crate::export::{Format, Locale};
use crate::ingest::{InputFile, InputSpec};
use crate::reference::catalog::{CatalogSource, Segment};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use std::path::PathBuf;

/// Everything a run of `report` or `check` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to read.
    pub inputs: InputSpec,
    /// Extra SKU tables.
    pub skus: Vec<PathBuf>,
    /// The catalog source.
    pub catalog: CatalogSource,
    /// Analysis parameters.
    pub params: Params,
    /// Fail (exit 1) on error issues.
    pub strict: bool,
}

/// Where and what to write.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// The output directory.
    pub out: PathBuf,
    /// The formats, sorted, without repeats.
    pub formats: Vec<Format>,
    /// The runbooks' language.
    pub locale: Locale,
    /// Write into a non-empty folder without a skusunset report.
    pub force: bool,
    /// Write the CSV tables' text exactly as read.
    pub raw_csv: bool,
}

/// The years `--as-of` may name: every date the analysis adds days to stays far inside what
/// the date type holds (input dates are years 1000–9998, year 9999 meaning "no end date").
pub const AS_OF_YEARS: std::ops::RangeInclusive<i32> = 1900..=9998;

/// Parses `--as-of`, or today's date (UTC) when absent.
pub fn as_of(arg: Option<&str>) -> Result<NaiveDate> {
    let date = match arg {
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .with_context(|| format!("--as-of {text:?} is not a date; use YYYY-MM-DD"))?,
        None => chrono::Utc::now().date_naive(),
    };
    if !AS_OF_YEARS.contains(&date.year()) {
        bail!(
            "--as-of {date} is out of range; use a date in the years {} to {}",
            AS_OF_YEARS.start(),
            AS_OF_YEARS.end()
        );
    }
    Ok(date)
}

impl Config {
    /// Validates the input arguments.
    pub fn from_cli(args: &InputArgs) -> Result<Config> {
        let mut segment_overrides = std::collections::BTreeMap::new();
        for arg in &args.segment {
            let Some((customer, segment)) = arg.rsplit_once('=') else {
                bail!("--segment {arg:?} must look like CUSTOMER=SEGMENT");
            };
            let Some(segment) = Segment::parse(segment) else {
                bail!(
                    "--segment {arg:?}: unknown segment {segment:?}; use education, business, \
                     enterprise or frontline"
                );
            };
            segment_overrides.insert(customer.trim().to_string(), segment);
        }
        Ok(Config {
            inputs: InputSpec {
                subscriptions: args
                    .subscriptions
                    .iter()
                    .map(|a| InputFile::parse(a))
                    .collect(),
                licenses: args.licenses.iter().map(|a| InputFile::parse(a)).collect(),
                sheet: args.sheet.clone(),
                day_first: args.day_first,
            },
            skus: args.skus.clone(),
            catalog: catalog_source(&args.catalog),
            params: Params {
                as_of: as_of(args.as_of.as_deref())?,
                deprovision_days: args.deprovision_days,
                segment_overrides,
            },
            strict: args.strict,
        })
    }
}

impl OutputConfig {
    /// Validates the output arguments; no `--format` means `defaults`.
    pub fn from_cli(args: &OutputArgs, defaults: &[Format]) -> OutputConfig {
        let mut formats: Vec<Format> = if args.format.is_empty() {
            defaults.to_vec()
        } else {
            args.format.iter().map(|&f| format(f)).collect()
        };
        formats.sort();
        formats.dedup();
        OutputConfig {
            out: args.out.clone(),
            formats,
            locale: locale(args.locale),
            force: args.force,
            raw_csv: args.raw_csv,
        }
    }
}

/// The catalog the flags name.
pub fn catalog_source(args: &CatalogArgs) -> CatalogSource {
    CatalogSource {
        replace: args.catalog.clone(),
        extend: args.catalog_extend.clone(),
    }
}

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Html => Format::Html,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
        FormatArg::Scripts => Format::Scripts,
    }
}

fn locale(arg: LocaleArg) -> Locale {
    match arg {
        LocaleArg::En => Locale::En,
        LocaleArg::Nl => Locale::Nl,
        LocaleArg::De => Locale::De,
        LocaleArg::Sv => Locale::Sv,
        LocaleArg::Tr => Locale::Tr,
    }
}
