//! §3.2, first step: each customer's segment (education, business, enterprise, frontline) and
//! the facts behind it, from its licensed users and its SKUs, or from `--segment`.

use super::Params;
use super::ops::customer_order;
use crate::analyze::attribute::{Customers, key_col};
use crate::base::frame::str_col;
use crate::model::{CustomerRow, SegmentBasis};
use crate::reference::catalog::Segment;
use anyhow::{Result, bail};
use polars::prelude::*;
use std::collections::HashMap;

/// The Microsoft 365 Business seat cap: up to this many licensed users is `business`.
pub(super) const BUSINESS_SEAT_CAP: i64 = 300;

/// One customer's segment and the facts behind it.
#[derive(Debug, Clone)]
pub(super) struct SegmentInfo {
    /// The segment.
    pub(super) segment: Segment,
    reason: String,
    /// Why this segment.
    pub(super) basis: SegmentBasis,
    /// Users holding any license.
    pub(super) licensed_users: i64,
    has_license_data: bool,
    /// The language most of its users prefer (`de-DE`), when the export says.
    preferred_language: Option<String>,
}

/// Segments of all customers, by `customer_key` (the customer's index).
pub(super) struct Segments {
    /// Each customer's segment, at its `customer_key`.
    pub(super) by_key: Vec<SegmentInfo>,
    /// `customer_key → segment`, to join onto the data.
    pub(super) frame: DataFrame,
}

/// A `customer_key` value (always set on the analysed rows) as an index.
pub(super) fn key_at(keys: &UInt32Chunked, i: usize) -> usize {
    keys.get(i).unwrap_or_default() as usize
}

impl Segments {
    /// The `customers` table of the report.
    pub(super) fn rows(&self, customers: &Customers) -> Vec<CustomerRow> {
        let mut rows: Vec<CustomerRow> = customers
            .list
            .iter()
            .zip(&self.by_key)
            .map(|(c, info)| CustomerRow {
                customer_id: c.id.clone(),
                customer_name: c.name.clone(),
                customer_domain: c.domain.clone(),
                segment: info.segment,
                segment_reason: info.reason.clone(),
                licensed_users: info.licensed_users,
                has_license_data: info.has_license_data,
                preferred_language: info.preferred_language.clone(),
            })
            .collect();
        rows.sort_by_cached_key(|r| customer_order(&r.customer_name, r.customer_id.as_ref()));
        rows
    }
}

/// Per customer key: the `Preferred language` most of its users have (distinct users; a tie
/// goes to the first in alphabetical order, so the choice is stable).
fn preferred_languages(lics: LazyFrame) -> Result<HashMap<u32, String>> {
    let mut best: HashMap<u32, (i64, String)> = HashMap::new();
    for (key, language, n) in super::ops::users_per(lics, "preferred_language")? {
        let language = language.trim().to_string();
        let better = |(m, held): &(i64, String)| n > *m || (n == *m && language < *held);
        if best.get(&key).is_none_or(better) {
            best.insert(key, (n, language));
        }
    }
    Ok(best.into_iter().map(|(k, (_, l))| (k, l)).collect())
}

/// Per customer key, when it has license rows: its licensed users (distinct users with a
/// license) and whether any of its rows is an education SKU. One pass over the license rows:
/// a user id belongs to one customer, so a licensed user is one bit, set once.
fn license_stats(lics: LazyFrame, customers: usize) -> Result<Vec<Option<(i64, bool)>>> {
    let df = lics
        .select([
            col("customer_key"),
            col("license"),
            col("user_id"),
            col("education"),
        ])
        .collect()?;
    let (keys, licenses) = (
        df.column("customer_key")?.u32()?,
        df.column("license")?.str()?,
    );
    let (users, education) = (
        df.column("user_id")?.u32()?,
        df.column("education")?.bool()?,
    );
    let mut stats: Vec<Option<(i64, bool)>> = vec![None; customers];
    let mut counted = vec![false; users.max().map_or(0, |m| m as usize + 1)];
    // A licensed row without a user id (none in practice) counts as one user per customer, as
    // a distinct count of the ids would.
    let mut counted_no_id = vec![false; customers];
    let rows = (keys.iter().zip(licenses.iter())).zip(users.iter().zip(education.iter()));
    for ((key, license), (user, education)) in rows {
        let Some(at) = key.map(|k| k as usize).filter(|at| *at < customers) else {
            continue;
        };
        let (users, is_education) = stats[at].get_or_insert((0, false));
        *is_education |= education == Some(true);
        if license.is_none() {
            continue;
        }
        let first = match user {
            Some(user) => !std::mem::replace(&mut counted[user as usize], true),
            None => !std::mem::replace(&mut counted_no_id[at], true),
        };
        if first {
            *users += 1;
        }
    }
    Ok(stats)
}

/// Segments every customer: `--segment` override, else education SKU, else ≤ 300 licensed users.
pub(super) fn segments(
    lics: LazyFrame,
    customers: &Customers,
    params: &Params,
) -> Result<Segments> {
    let stats = license_stats(lics.clone(), customers.list.len())?;
    let mut overrides: HashMap<usize, Segment> = HashMap::new();
    for (name, segment) in &params.segment_overrides {
        let Some(at) = customers.position_any(name) else {
            bail!(
                "--segment {name}={}: no customer has the id, name or domain `{name}`",
                segment.as_str()
            );
        };
        overrides.insert(at, *segment);
    }
    let mut languages = preferred_languages(lics)?;
    let mut by_key = Vec::with_capacity(customers.list.len());
    for (at, stat) in stats.iter().enumerate() {
        let (licensed_users, education) = stat.unwrap_or((0, false));
        let (segment, basis, reason) = if let Some(s) = overrides.get(&at) {
            (*s, SegmentBasis::Override, "set by --segment".to_string())
        } else if education {
            (
                Segment::Education,
                SegmentBasis::Education,
                "users hold an education SKU".to_string(),
            )
        } else if licensed_users <= BUSINESS_SEAT_CAP {
            (
                Segment::Business,
                SegmentBasis::Business,
                format!("{licensed_users} licensed users, at most {BUSINESS_SEAT_CAP}"),
            )
        } else {
            (
                Segment::Enterprise,
                SegmentBasis::Enterprise,
                format!("{licensed_users} licensed users, more than {BUSINESS_SEAT_CAP}"),
            )
        };
        let info = SegmentInfo {
            segment,
            reason,
            basis,
            licensed_users,
            has_license_data: stat.is_some(),
            preferred_language: languages.remove(&(at as u32)),
        };
        by_key.push(info);
    }
    let frame = DataFrame::new_infer_height(vec![
        key_col((0..by_key.len()).map(Some)),
        str_col(
            "segment",
            by_key.iter().map(|info| Some(info.segment.as_str())),
        ),
    ])?;
    Ok(Segments { by_key, frame })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_stats_count_each_customers_distinct_licensed_users() {
        let lics = df!(
            "customer_key" => [0u32, 0, 0, 0, 0, 2, 2],
            "license" => [Some("E3"), Some("E5"), None, Some("E3"), Some("E3"), None, Some("A1")],
            "user_id" => [Some(1u32), Some(1), Some(2), None, None, Some(5), Some(6)],
            "education" => [Some(false), None, None, Some(false), Some(false), Some(true), None],
        )
        .unwrap();
        // Customer 0: user 1 (two rows) and the rows without an id, once; user 2 holds no
        // license. Customer 1 has no rows. Customer 2: user 6, and an education row.
        let got = license_stats(lics.lazy(), 3).unwrap();
        assert_eq!(got, [Some((2, false)), None, Some((1, true))]);
    }
}
