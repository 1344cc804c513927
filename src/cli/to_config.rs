//! The parsed command line turned into a validated [`Config`] and [`OutputConfig`]: `KEY=FILE`
//! split, segments checked, `--as-of` parsed, formats and locale chosen. Only this room knows
//! clap's types; everything below it reads the configuration.

use super::{CatalogArgs, InputArgs, NoticeArgs, OutputArgs, PriceArgs};
use crate::analyze::Params;
use crate::config::PreviousSource;
use crate::config::{Config, OutputConfig, PriceSource, as_of};
use crate::export::notices::{NoticeOptions, Signature};
use crate::export::{Format, Locale};
use crate::ingest::values::DateOrder;
use crate::ingest::{InputFile, InputSpec};
use crate::reference::catalog::{CatalogSource, Segment};
use crate::reference::prices::{Billing, PriceChoice, Term};
use anyhow::{Context, Result, bail};

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
            notices: args.notices.options()?,
        })
    }
}

/// `CUSTOMER=VALUE` split at its last `=`.
fn customer_value<'a>(flag: &str, arg: &'a str, what: &str) -> Result<(String, &'a str)> {
    match arg.rsplit_once('=') {
        Some((customer, value)) if !customer.trim().is_empty() && !value.trim().is_empty() => {
            Ok((customer.trim().to_string(), value.trim()))
        }
        _ => bail!("{flag} {arg:?} must look like CUSTOMER={what}"),
    }
}

impl NoticeArgs {
    /// The notice options; the signature file read and checked.
    fn options(&self) -> Result<NoticeOptions> {
        let mut to = Vec::new();
        for arg in &self.notice_to {
            let (customer, address) = customer_value("--notice-to", arg, "ADDRESS")?;
            if !address.contains('@')
                || address.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                bail!("--notice-to {arg:?}: `{address}` is not an e-mail address");
            }
            to.push((customer, address.to_string()));
        }
        let mut locales = Vec::new();
        for arg in &self.notice_locale {
            let (customer, code) = customer_value("--notice-locale", arg, "LOCALE")?;
            let Some(locale) = Locale::ALL
                .into_iter()
                .find(|l| l.code().eq_ignore_ascii_case(code))
            else {
                bail!("--notice-locale {arg:?}: unknown locale {code:?}; use en, nl, de, sv or tr");
            };
            locales.push((customer, locale));
        }
        let from = match &self.notice_from {
            Some(path) => Some(signature(path)?),
            None => None,
        };
        Ok(NoticeOptions { to, locales, from })
    }
}

/// Reads `--notice-from`: a small TOML file; an unknown key or a bad value is an error naming it.
fn signature(path: &std::path::Path) -> Result<Signature> {
    let label = path.display().to_string();
    let bytes = crate::read::limits::read_file(path, &label, 64 * 1024)
        .with_context(|| format!("--notice-from: cannot read `{label}`"))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("--notice-from `{label}` is not UTF-8 text"))?;
    let signature: Signature =
        toml::from_str(text.trim_start_matches('\u{feff}')).with_context(|| {
            format!(
                "--notice-from `{label}`: expected TOML lines `name = \"…\"`, `company`, `email`, \
             `phone`"
            )
        })?;
    Ok(signature)
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
