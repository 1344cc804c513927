//! The operations the analyses share: joins, the customers' rows by key, the days between a
//! date column and `as_of`, the resolved license rows, distinct users per customer and value,
//! and the customer sort order every table uses.

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// A left join that matches nulls to nulls (offer columns are often empty).
pub(super) fn left_join(left: LazyFrame, right: LazyFrame, on: &[&str]) -> LazyFrame {
    let keys: Vec<Expr> = on.iter().map(|c| col(*c)).collect();
    left.join(right, keys.clone(), keys, left_join_args())
}

/// Per customer key and value of `column` (not null): how many distinct users the license rows
/// `lics` hold, in a column named `alias`, as a frame to join.
pub(super) fn distinct_users(lics: LazyFrame, column: &str, alias: &str) -> LazyFrame {
    lics.filter(col(column).is_not_null())
        .group_by([col("customer_key"), col(column)])
        .agg([col("user_id").n_unique().cast(DataType::Int64).alias(alias)])
}

/// [`distinct_users`] as rows: `(customer_key, value, users)`.
pub(super) fn users_per(lics: LazyFrame, column: &str) -> Result<Vec<(u32, String, i64)>> {
    let df = distinct_users(lics, column, "users").collect()?;
    let keys = df.column("customer_key")?.u32()?;
    let r = crate::base::frame::Rows::new(&df);
    let (values, users) = (r.strs(column)?, r.ints("users")?);
    Ok((values.into_iter().zip(users).enumerate())
        .filter_map(|(i, (value, n))| Some((keys.get(i)?, value?, n.unwrap_or(0))))
        .collect())
}

/// The arguments of [`left_join`]: nulls match nulls.
pub(super) fn left_join_args() -> JoinArgs {
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    args
}

/// The license rows with their lookup columns (`sku`, `retirement_id`, `education`) beside
/// them. Only the `license` column goes through the join (the lookup is one row per distinct
/// value, so the result is in row order, row for row); the other columns are shared, not copied.
pub(super) fn with_resolved_licenses(
    licenses: &DataFrame,
    lookup: &DataFrame,
) -> Result<DataFrame> {
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

/// The row of each of `keys` in a frame that holds each of its `customers` at its key's row
/// (the customers' frame, the segments' frame), to take the customers' columns row by row
/// instead of joining them on the key.
pub(super) fn customer_rows(keys: &UInt32Chunked, customers: usize) -> Result<IdxCa> {
    anyhow::ensure!(
        keys.null_count() == 0 && keys.max().is_none_or(|k| (k as usize) < customers),
        "internal error: a row without a known customer"
    );
    Ok(keys.iter().map(|k| k.map(|k| k as IdxSize)).collect())
}

/// `end − as_of` in days, for a `Date` column.
pub(super) fn days_from(column: &str, as_of: NaiveDate) -> Expr {
    col(column).cast(DataType::Int32).cast(DataType::Int64)
        - lit(i64::from(crate::base::frame::date_to_days(as_of)))
}

/// Sort key shared by every table: customer name, then id (with `sort_by_cached_key`, so it is
/// built once per row, not once per comparison).
pub(super) fn customer_order(name: &str, id: Option<&String>) -> (String, String, String) {
    (
        name.to_lowercase(),
        name.to_string(),
        id.cloned().unwrap_or_default(),
    )
}
