//! The validated configuration of a run: what to read, how to analyse it, where and what to
//! write. Built from the command line by `cli::to_config`, or by `demo` for the bundled
//! fixtures; knows no flag. The clock is read here and nowhere else.

pub mod demo; // the bundled demo fixtures and the configuration that reads them

use crate::analyze::Params;
use crate::export::{Format, Locale};
use crate::ingest::InputSpec;
use crate::reference::catalog::CatalogSource;
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
    /// What prices the purchases (`--price-list`).
    pub prices: Option<PriceSource>,
}

/// The price files of a run and which of their prices it uses.
#[derive(Debug, Clone)]
pub struct PriceSource {
    /// `--price-list`.
    pub price_list: PathBuf,
    /// `--offer-matrix`.
    pub offer_matrix: Option<PathBuf>,
    /// `--market`, `--currency`, `--term`, `--billing`.
    pub choice: crate::reference::prices::PriceChoice,
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
    /// Earlier report generations to keep in `--out/.skusunset/`.
    pub keep: usize,
    /// The report to compare with (`--previous`).
    pub previous: PreviousSource,
    /// Users as pseudonyms in every output (`--redact-users`).
    pub redact_users: bool,
    /// `--notice-to`, `--notice-locale`, `--notice-from`.
    pub notices: crate::export::notices::NoticeOptions,
}

/// Which previous report the weekly comparison reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviousSource {
    /// The one the run replaces in `--out` (or the newest kept one).
    Replaced,
    /// None: compare nothing.
    Nothing,
    /// A report folder or its `report.json`.
    Path(PathBuf),
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
