//! Analysis (docs/rules.md §3): joins the attributed frames with the SKU table and the retirement
//! catalog and produces the [`Report`]. Deterministic: the date comes from `Params::as_of`, never
//! from the clock, and every table is sorted.

mod deprovisioning;
mod expiring;
mod license_cells;
mod lookups;
mod products;
pub mod summary;
mod users;

use crate::attribute::Customers;
use crate::ingest::Ingested;
use crate::model::issues::Issue;
use crate::model::{Report, RunInfo};
use crate::reference::catalog::Segment;
use crate::reference::resolve::Resolver;
use anyhow::Result;
use chrono::NaiveDate;
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

/// A left join that matches nulls to nulls (offer columns are often empty).
fn left_join(left: LazyFrame, right: LazyFrame, on: &[&str]) -> LazyFrame {
    let keys: Vec<Expr> = on.iter().map(|c| col(*c)).collect();
    left.join(right, keys.clone(), keys, left_join_args())
}

/// The arguments of [`left_join`]: nulls match nulls.
fn left_join_args() -> JoinArgs {
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    args
}

/// The license rows with their lookup columns (`sku`, `retirement_id`, `education`) beside
/// them. Only the `license` column goes through the join (the lookup is one row per distinct
/// value, so the result is in row order, row for row); the other columns are shared, not copied.
fn with_resolved_licenses(licenses: &DataFrame, lookup: &DataFrame) -> Result<DataFrame> {
    let args = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..left_join_args()
    };
    let resolved = licenses
        .select(["license"])?
        .lazy()
        .join(
            lookup.clone().lazy(),
            [col("license")],
            [col("license")],
            args,
        )
        .collect()?;
    anyhow::ensure!(
        resolved.height() == licenses.height(),
        "the license lookup has one row per distinct license"
    );
    let mut out = licenses.clone();
    for column in resolved.columns().iter().skip(1) {
        out.with_column(column.clone())?;
    }
    Ok(out)
}

/// `end − as_of` in days, for a `Date` column.
fn days_from(column: &str, as_of: NaiveDate) -> Expr {
    col(column).cast(DataType::Int32).cast(DataType::Int64)
        - lit(i64::from(crate::base::frame::date_to_days(as_of)))
}

/// Runs every analysis of §3 and assembles the report.
pub fn analyze(
    mut ingested: Ingested,
    customers: &Customers,
    resolver: &Resolver,
    params: &Params,
    run: RunInfo,
) -> Result<Report> {
    let joined = std::mem::take(&mut ingested.licenses);
    ingested.licenses = license_cells::split(joined, resolver)?;
    let lookups = lookups::Lookups::build(&ingested, resolver)?;
    ingested
        .issues
        .extend(lookups.unknown_license_issues(&ingested.licenses)?);
    let customer_frame = customers.to_frame()?.lazy();
    let subs = left_join(
        ingested.subscriptions.clone().lazy(),
        lookups.offers.clone().lazy(),
        &["offer_name", "offer_id", "friendly_name"],
    );
    // Resolved once and kept: every table below reads the same resolved license rows.
    let lics = with_resolved_licenses(&ingested.licenses, &lookups.licenses)?.lazy();

    let segments = users::segments(lics.clone(), customers, params)?;
    let (expiring, undated_issues) = expiring::table(subs.clone(), customer_frame.clone(), params)?;
    let users = users::table(
        lics.clone(),
        &lookups,
        &segments,
        customer_frame.clone(),
        resolver,
    )?;
    let (purchases, seat_count_issues) = users::purchases(
        &users,
        subs.clone(),
        lics.clone(),
        &segments,
        customer_frame.clone(),
        resolver,
        params,
    )?;
    let deprovisioning = deprovisioning::table(subs, lics, customer_frame, params)?;

    let mut issues: Vec<Issue> = ingested.issues;
    issues.extend(seat_count_issues);
    issues.extend(undated_issues);
    issues.sort();
    let customers = segments.rows(customers);
    let summary = summary::summarize(
        &summary::Tables {
            customers: &customers,
            expiring: &expiring,
            users: &users.rows,
            purchases: &purchases,
            deprovisioning: &deprovisioning,
        },
        params.as_of,
    );
    let retirements = summary::retirements_used(resolver, &expiring, &users.rows, &deprovisioning);
    let (retiring_licenses, skus) = products::products(resolver, &users.rows, &retirements);
    Ok(Report {
        run,
        customers,
        expiring,
        users: users.rows,
        purchases,
        deprovisioning,
        issues,
        accounting: ingested.accounting,
        summary,
        retirements,
        retiring_licenses,
        skus,
    })
}

/// Sort key shared by every table: customer name, then id (with `sort_by_cached_key`, so it is
/// built once per row, not once per comparison).
fn customer_order(name: &str, id: Option<&String>) -> (String, String, String) {
    (
        name.to_lowercase(),
        name.to_string(),
        id.cloned().unwrap_or_default(),
    )
}

/// [`customer_order`] as polars sort keys over `customer_name` and `customer_id`, for a table
/// polars sorts itself (stable, so ties keep their order as `sort_by_cached_key` does).
fn customer_order_exprs() -> [Expr; 3] {
    [
        col("customer_name").str().to_lowercase(),
        col("customer_name"),
        col("customer_id").fill_null(lit("")),
    ]
}
