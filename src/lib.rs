//! skusunset: moves Microsoft CSP customers off retiring SKUs, offline, from the exports
//! partners already have.
//!
//! Pipeline: `ingest` (files → canonical polars frames + issues) → `attribute` (every row gets
//! its customer) → `analyze` (frames + SKU table + catalog → `model::Report`) → `export`
//! (report → files). `main.rs` only parses arguments and maps the outcome to an exit status.

pub mod analyze; // §3: expiring, users, purchases, de-provisioning
pub mod base; // errors, FastMap, text escaping and bounding, frame helpers, panic hook
pub mod cli; // clap arguments, no I/O
pub mod config; // validated configuration from the arguments
pub mod export; // one exporter per output format
pub mod ingest; // readers for every export dialect
pub mod model; // the Report every exporter reads, its vocabulary, issues and accounting
pub mod outdir; // --out: plain files, ownership, staging, the switch under a record, one writer
pub mod read; // tables from CSV and spreadsheets, format-neutral, with limits
pub mod reference; // SKU table, retirement catalog, resolver, name normalisation
pub mod terminal; // what check/report print

use anyhow::{Context, Result};
use cli::{Cli, Command};
use config::{Config, OutputConfig};
use export::Format;
use model::{Report, RunInfo};
use reference::catalog::Catalog;
use reference::resolve::Resolver;
use reference::skus::SkuTable;
use terminal::progress::Progress;

/// How a run ended, mapped to the process exit status by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: `--strict` and an issue of severity `error` exists.
    StrictFailure,
}

/// Reads, attributes and analyses everything a configuration names.
pub fn build_report(config: &Config) -> Result<Report> {
    build_report_shown(config, &Progress::hidden())
}

/// [`build_report`], showing each input file and phase on `progress`.
pub fn build_report_shown(config: &Config, progress: &Progress) -> Result<Report> {
    let skus = SkuTable::load(&config.skus)?;
    let (catalog, catalog_name) = Catalog::load(&config.catalog)?;
    let resolver = Resolver {
        skus: &skus,
        catalog: &catalog,
    };
    let mut ingested = ingest::load_observed(&config.inputs, &|file| {
        progress.step(format!("reading {file}"));
    })?;
    let pricing = match &config.prices {
        Some(source) => {
            progress.step(format!("reading {}", source.price_list.display()));
            Some(analyze::costs::Pricing::load(
                &source.price_list,
                source.offer_matrix.as_deref(),
                &source.choice,
                config.params.as_of,
            )?)
        }
        None => None,
    };
    progress.step("attributing rows to customers");
    let customers = analyze::attribute::attribute(&mut ingested)?;
    progress.step("analysing");
    // Named with the largest input, should memory run out.
    if let Some(largest) = (ingested.accounting.iter()).max_by_key(|a| a.rows_read) {
        base::memory::set_phase(&format!(
            "analysing (the largest input: `{}`, {} rows)",
            base::text::escape(&largest.file),
            largest.rows_read
        ));
    }
    let names = |files: &[ingest::InputFile]| files.iter().map(ingest::InputFile::label).collect();
    let run = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        as_of: config.params.as_of,
        deprovision_days: config.params.deprovision_days,
        catalog: catalog_name,
        subscription_files: names(&config.inputs.subscriptions),
        license_files: names(&config.inputs.licenses),
        segment_overrides: config.params.segment_overrides.clone(),
        prices: pricing.as_ref().map(|p| model::PricesUsed {
            price_list: p.list.file.clone(),
            offer_matrix: (config.prices.as_ref())
                .and_then(|s| s.offer_matrix.as_ref())
                .map(|m| m.display().to_string()),
            market: p.list.market.clone(),
            currency: p.list.currency.clone(),
            term: p.list.term.as_str().to_string(),
            billing: p.list.billing.as_str().to_string(),
        }),
        redacted_users: false,
    };
    analyze::analyze(
        ingested,
        &customers,
        &resolver,
        &config.params,
        pricing.as_ref(),
        run,
    )
}

fn outcome(report: &Report, strict: bool) -> Outcome {
    if !strict {
        return Outcome::Success;
    }
    let has_errors = (report.issues.iter()).any(|i| i.severity == model::issues::Severity::Error);
    let guessed: Vec<&str> = (report.issues.iter())
        .filter(|i| i.code == model::IssueCode::DateOrderGuess)
        .map(|i| i.file.as_str())
        .collect();
    if has_errors {
        eprintln!(
            "--strict: exit status 1, because some rows were not used (issues of severity \
             `error`, listed above)"
        );
    }
    if !guessed.is_empty() {
        eprintln!(
            "--strict: exit status 1, because the order of day and month in {} was guessed \
             (`date-order-guess`); pass --day-first or --month-first",
            guessed.join(", ")
        );
    }
    if has_errors || !guessed.is_empty() {
        Outcome::StrictFailure
    } else {
        Outcome::Success
    }
}

/// Writes a report and prints its summary.
fn report(config: &Config, output: &OutputConfig, progress: &Progress) -> Result<Outcome> {
    let mut report = build_report_shown(config, progress)?;
    compare_with_previous(&mut report, output)?;
    if output.redact_users {
        // After the comparison, which counts users and so reads the same either way.
        analyze::redact::redact_users(&mut report);
    }
    let names: Vec<String> = output
        .formats
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    progress.step(format!("rendering {}", names.join(", ")));
    let rendering = export::Rendering {
        formats: &output.formats,
        locale: output.locale,
        raw_csv: output.raw_csv,
        notices: &output.notices,
    };
    let files = export::render(&report, &rendering)?;
    progress.step(format!(
        "writing {} files to {}",
        files.len(),
        output.out.display()
    ));
    let destination = outdir::Destination {
        out: output.out.clone(),
        force: output.force,
        as_of: report.run.as_of,
        formats: names,
        keep: output.keep,
    };
    let published = outdir::publish(files, &destination)
        .with_context(|| format!("no report written to `{}`", output.out.display()))?;
    progress.finish();
    for warning in &published.warnings {
        eprintln!("warning: {warning}");
    }
    terminal::print_summary(&report, &published.written, &mut std::io::stdout())?;
    let notices = (published.written.iter())
        .any(|p| p.starts_with(output.out.join(export::notices::NOTICES)));
    if notices && output.notices.from.is_none() {
        println!(
            "notices: without --notice-from FILE, each notice ends with a signature placeholder \
             ([Your name] · [Company] · …): fill it in before sending"
        );
    }
    let outcome = outcome(&report, config.strict);
    // A wave's report is millions of rows: freeing them one by one took half a second of an XL
    // run after everything was written. The process ends after the command, and the system
    // takes its memory back at once, so the report is left to it.
    std::mem::forget(report);
    Ok(outcome)
}

/// Runs a parsed command line. Made for a process that ends after it: `report` leaves its
/// report's memory to the system instead of freeing it row by row.
pub fn run(cli: Cli) -> Result<Outcome> {
    outdir::guard::install_signal_handler();
    let progress = Progress::new(cli.quiet);
    match cli.command {
        Command::Report(args) => report(
            &args.inputs.config()?,
            &args.output.config(&[Format::Xlsx, Format::Html])?,
            &progress,
        ),
        Command::Check(args) => {
            let config = args.inputs.config()?;
            let report = build_report_shown(&config, &progress)?;
            progress.finish();
            terminal::print_check(&report, &mut std::io::stdout())?;
            Ok(outcome(&report, config.strict))
        }
        Command::Catalog(args) => {
            let (catalog, name) = Catalog::load(&args.source())?;
            terminal::print_catalog(&catalog, &name, &mut std::io::stdout())?;
            Ok(Outcome::Success)
        }
        Command::CheckPlan(args) => {
            let plan = read_plan(&args.file)?;
            let check = analyze::stepb_plan::check_plan(&plan);
            terminal::print_plan_check(&args.file, &check, &mut std::io::stdout())?;
            Ok(if check.findings.is_empty() {
                Outcome::Success
            } else {
                Outcome::StrictFailure
            })
        }
        Command::Demo(args) => {
            let output = args.output.config(&Format::ALL)?;
            let fixtures = config::demo::unpack()?;
            let config = config::demo::config(&fixtures, config::as_of(args.as_of.as_deref())?);
            report(&config, &output, &progress)
        }
    }
}

/// Sets the report's changes since the previous report `output` names (docs/rules.md §3.6).
fn compare_with_previous(report: &mut Report, output: &OutputConfig) -> Result<()> {
    let found = match &output.previous {
        config::PreviousSource::Nothing => None,
        config::PreviousSource::Replaced => outdir::previous_report_json(&output.out)?,
        config::PreviousSource::Path(path) => {
            let file = if path.is_dir() {
                path.join("report.json")
            } else {
                path.clone()
            };
            let label = file.display().to_string();
            let bytes = read::limits::read_file(&file, &label, read::limits::MAX_FILE_BYTES)
                .with_context(|| {
                    format!(
                        "--previous: cannot read `{}` (a report folder or its report.json)",
                        file.display()
                    )
                })?;
            Some((file, bytes))
        }
    };
    let Some((path, bytes)) = found else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&bytes);
    let previous: model::previous::PreviousReport =
        serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .with_context(|| format!("`{}` is not a skusunset report.json", path.display()))?;
    let (changes, info) = analyze::changes::compare(report, &previous, &path.display().to_string());
    report.changes = changes;
    report.previous = Some(info);
    report.history = analyze::progress::history(report, &previous.history);
    Ok(())
}

/// Reads a step B record; an unreadable or malformed file is an error naming it.
fn read_plan(path: &std::path::Path) -> Result<model::stepb_plan::StepBPlan> {
    let label = path.display().to_string();
    let bytes = read::limits::read_file(path, &label, read::limits::MAX_FILE_BYTES)?;
    let text = String::from_utf8_lossy(&bytes);
    // Windows PowerShell writes UTF-8 with a byte order mark.
    serde_json::from_str(text.trim_start_matches('\u{feff}')).with_context(|| {
        format!(
            "`{}` is not a step B record (the `-plan-…json` a skusunset script writes)",
            path.display()
        )
    })
}

/// Whether an error is a broken pipe on stdout (treated as success).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Whether an error is a signal that stopped the run before its report was switched in.
pub fn is_interrupted(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| matches!(e.downcast_ref(), Some(outdir::OutDirError::Interrupted)))
}
