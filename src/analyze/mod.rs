//! Analysis (docs/rules.md §3): joins the attributed frames with the SKU table and the retirement
//! catalog and produces the [`Report`]. Deterministic: the date comes from `Params::as_of`, never
//! from the clock, and every table is sorted.

pub mod attribute;
pub mod changes;
pub mod costs;
mod deprovisioning;
mod expiring;
mod license_cells;
mod lookups;
mod ops;
mod owned;
mod plan_changes;
mod products;
pub mod progress;
mod purchases;
pub mod redact;
mod segments;
mod staleness;
pub mod stepb_plan;
pub mod summary;
mod users;

use crate::ingest::Ingested;
use crate::model::issues::Issue;
use crate::model::{Report, RunInfo};
use crate::reference::catalog::Segment;
use crate::reference::resolve::Resolver;
use anyhow::Result;
use attribute::Customers;
use chrono::NaiveDate;
use ops::{left_join, with_resolved_licenses};
use polars::prelude::*;
use std::collections::BTreeMap;

/// Days from suspension to de-provisioning unless `--deprovision-days` says otherwise.
pub const DEFAULT_DEPROVISION_DAYS: i64 = 120;
/// The largest `--deprovision-days` accepted (ten years).
pub const MAX_DEPROVISION_DAYS: i64 = 3650;

/// What the analysis needs besides the data.
#[derive(Debug, Clone)]
pub struct Params {
    /// The date days are counted from.
    pub as_of: NaiveDate,
    /// Days from suspension to de-provisioning.
    pub deprovision_days: i64,
    /// `--segment CUSTOMER=SEGMENT`: customer id, name or domain → segment.
    pub segment_overrides: BTreeMap<String, Segment>,
}

impl Params {
    /// The day a subscription suspended on `suspended` is de-provisioned (docs/rules.md §3.3):
    /// the one place this date is computed. Checked: a date the calendar cannot hold is no
    /// date, never a panic (inputs keep dates in the years 1000–9998, plus at most 3650 days).
    pub fn deprovision_on(&self, suspended: NaiveDate) -> Option<NaiveDate> {
        suspended.checked_add_signed(chrono::Duration::days(self.deprovision_days))
    }

    /// Days from `as_of` to `date` (negative once it has passed).
    pub fn days_until(&self, date: NaiveDate) -> i64 {
        (date - self.as_of).num_days()
    }
}

/// Runs every analysis of §3 and assembles the report.
// Over the house's 80 lines: the analysis steps in their order, each one call.
#[allow(clippy::too_many_lines)]
pub fn analyze(
    mut ingested: Ingested,
    customers: &Customers,
    resolver: &Resolver,
    params: &Params,
    pricing: Option<&costs::Pricing>,
    run: RunInfo,
) -> Result<Report> {
    let mut laps = crate::base::laps::Laps::start("analysing");
    let joined = std::mem::take(&mut ingested.licenses);
    ingested.licenses = license_cells::split(joined, resolver)?;
    laps.lap("license cells split");
    let lookups = lookups::Lookups::build(&ingested, resolver)?;
    laps.lap("licenses and offers looked up");
    ingested
        .issues
        .extend(lookups.unknown_license_issues(&ingested.licenses)?);
    let customer_table = customers.to_frame()?;
    let customer_frame = customer_table.clone().lazy();
    // Joined once and kept: the expiring, purchase and deprovisioning tables all read the
    // subscriptions with their offers, and a lazy join would be redone (on three text keys) by
    // each of them.
    let subs = left_join(
        ingested.subscriptions.clone().lazy(),
        lookups.offers.clone().lazy(),
        &["offer_name", "offer_id", "friendly_name"],
    )
    .collect()?
    .lazy();
    // Resolved once and kept: every table below reads the same resolved license rows.
    let lics = with_resolved_licenses(&ingested.licenses, &lookups.licenses)?.lazy();
    laps.lap("resolved license rows");

    // The segments read the license rows, the expiring table and the date checks the
    // subscriptions: side by side, each on a core when there is one.
    let (segments, expiring_and_checks) = rayon::join(
        || segments::segments(lics.clone(), customers, params),
        || -> Result<_> {
            let (expiring, undated) =
                expiring::table(subs.clone(), customer_frame.clone(), params)?;
            let active = deprovisioning::still_active_after_window(subs.clone(), params)?;
            let stale = staleness::stale_exports(
                &ingested.subscriptions,
                &ingested.licenses,
                &ingested.accounting,
                params,
            )?;
            Ok((expiring, undated, active, stale))
        },
    );
    let segments = segments?;
    let (expiring, undated_issues, active_issues, stale_issues) = expiring_and_checks?;
    laps.lap("segments, expiring and date checks");
    let users = users::table(lics.clone(), &lookups, &segments, &customer_table, resolver)?;
    laps.lap("users frame");
    // The purchases and the de-provisioning windows read the users frame and the subscriptions
    // only: they are made side by side, each on a core when there is one.
    let (purchased, billed_and_windows) = rayon::join(
        || {
            purchases::purchases(
                &users,
                subs.clone(),
                lics.clone(),
                &segments,
                customer_frame.clone(),
                resolver,
                params,
            )
        },
        || -> Result<_> {
            let billed = match pricing {
                Some(_) => costs::billed(subs.clone(), customer_frame.clone(), params)?,
                None => Vec::new(),
            };
            let deprovisioning =
                deprovisioning::table(subs.clone(), lics.clone(), &customer_table, params)?;
            Ok((billed, deprovisioning))
        },
    );
    let (mut purchases, seat_count_issues) = purchased?;
    let (billed, deprovisioning) = billed_and_windows?;
    laps.lap("purchases and deprovisioning");
    // The license frames are done with: the users' rows take their memory.
    drop((subs, lics));
    drop(std::mem::take(&mut ingested.licenses));
    drop(std::mem::take(&mut ingested.subscriptions));
    let users = users.rows(&segments, resolver)?;
    laps.lap("users rows");

    let customers = segments.rows(customers);
    laps.lap("customers and prices");
    let price_issues = match pricing {
        Some(pricing) => pricing.price(&mut purchases, &customers, &billed, resolver),
        None => Vec::new(),
    };
    let mut issues: Vec<Issue> = [
        ingested.issues,
        seat_count_issues,
        price_issues,
        undated_issues,
        active_issues,
        stale_issues,
    ]
    .concat();
    issues.sort();
    let retirements = summary::retirements_used(resolver, &expiring, &users, &deprovisioning);
    let tables = summary::Tables::new(
        &customers,
        &expiring,
        &users,
        &purchases,
        &deprovisioning,
        &retirements,
    );
    // Three passes over the finished tables, each on its own core when there is one.
    let (summary, (progress, (retiring_licenses, skus, plan_changes))) = rayon::join(
        || summary::summarize(&tables, params.as_of),
        || {
            rayon::join(
                || progress::progress(&tables, params.as_of),
                || {
                    let (retiring_licenses, skus) =
                        products::products(resolver, &users, &retirements);
                    let changes = plan_changes::plan_changes(&users, &retiring_licenses, &skus);
                    (retiring_licenses, skus, changes)
                },
            )
        },
    );
    laps.lap("summary, progress and products");
    let mut report = Report {
        run,
        customers,
        expiring,
        users,
        purchases,
        deprovisioning,
        progress,
        changes: Vec::new(),
        previous: None,
        history: Vec::new(),
        issues,
        accounting: ingested.accounting,
        summary,
        retirements,
        retiring_licenses,
        skus,
        plan_changes,
    };
    report.history = progress::history(&report, &[]);
    laps.lap("history");
    Ok(report)
}
