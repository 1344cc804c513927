//! The parsed command line turned into a validated [`Config`] and [`OutputConfig`]: `KEY=FILE`
//! split, segments checked, `--as-of` parsed, formats and locale chosen. Only this room knows
//! clap's types; everything below it reads the configuration.

use super::{CatalogArgs, InputArgs, OutputArgs, PriceArgs};
use crate::analyze::Params;
use crate::config::PreviousSource;
use crate::config::{Config, OutputConfig, PriceSource, as_of};
use crate::export::Format;
use crate::ingest::values::DateOrder;
use crate::ingest::{InputFile, InputSpec};
use crate::reference::catalog::{CatalogSource, Segment};
use crate::reference::prices::{Billing, PriceChoice, Term};
use anyhow::{Result, bail};

impl InputArgs {
    /// Validates the input arguments.
    pub fn config(&self) -> Result<Config> {
        let args = self;
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
                date_order: match (args.day_first, args.month_first) {
                    (true, _) => Some(DateOrder::DayFirst),
                    (_, true) => Some(DateOrder::MonthFirst),
                    _ => None,
                },
                columns: args.columns.clone(),
            },
            skus: args.skus.clone(),
            catalog: args.catalog.source(),
            params: Params {
                as_of: as_of(args.as_of.as_deref())?,
                deprovision_days: args.deprovision_days,
                segment_overrides,
            },
            strict: args.strict,
            prices: args.prices.config()?,
        })
    }
}

impl PriceArgs {
    /// The price files and choice, when `--price-list` is given.
    fn config(&self) -> Result<Option<PriceSource>> {
        let Some(price_list) = &self.price_list else {
            return Ok(None);
        };
        let Some(term) = Term::parse(&self.term) else {
            bail!("--term {:?}: use P1M, P1Y or P3Y", self.term);
        };
        let Some(billing) = Billing::parse(&self.billing) else {
            bail!(
                "--billing {:?}: use monthly, annual or triennial",
                self.billing
            );
        };
        Ok(Some(PriceSource {
            price_list: price_list.clone(),
            offer_matrix: self.offer_matrix.clone(),
            choice: PriceChoice {
                market: self.market.clone(),
                currency: self.currency.clone(),
                term,
                billing,
            },
        }))
    }
}

impl OutputArgs {
    /// Validates the output arguments; no `--format` means `defaults` (without the scripts when
    /// users are redacted).
    pub fn config(&self, defaults: &[Format]) -> Result<OutputConfig> {
        let args = self;
        let mut formats: Vec<Format> = if args.format.is_empty() {
            (defaults.iter())
                .filter(|f| !(args.redact_users && **f == Format::Scripts))
                .copied()
                .collect()
        } else {
            args.format.clone()
        };
        if args.redact_users && formats.contains(&Format::Scripts) {
            bail!(
                "--redact-users cannot write the step B scripts: they reassign licenses by the \
                 users' real names. Leave `scripts` out of --format, and write the scripts in \
                 a run without --redact-users into another --out folder"
            );
        }
        // report.json is always written: next week's run compares against it.
        formats.push(Format::Json);
        formats.sort();
        formats.dedup();
        let previous = match &args.previous {
            None => PreviousSource::Replaced,
            Some(path) if path.as_os_str() == "none" => PreviousSource::Nothing,
            Some(path) => PreviousSource::Path(path.clone()),
        };
        Ok(OutputConfig {
            out: args.out.clone(),
            formats,
            locale: args.locale,
            force: args.force,
            raw_csv: args.raw_csv,
            keep: args.keep,
            previous,
            redact_users: args.redact_users,
        })
    }
}

impl CatalogArgs {
    /// The catalog the flags name.
    pub fn source(&self) -> CatalogSource {
        CatalogSource {
            replace: self.catalog.clone(),
            extend: self.catalog_extend.clone(),
        }
    }
}
