//! Lookup frames: every distinct license value and every distinct offer, resolved once against
//! the SKU table and the catalog, ready to be joined onto the data.

use crate::base::frame::{Rows, bool_col, row_parts, str_col, texts_in};
use crate::base::hash::FastSet;
use crate::ingest::Ingested;
use crate::model::issues::{Issue, IssueCode, Severity};
use crate::reference::resolve::Resolver;
use crate::reference::skus::Sku;
use anyhow::Result;
use polars::prelude::*;

/// The resolved lookups.
pub(super) struct Lookups {
    /// `license → sku, retirement_id, education`.
    pub licenses: DataFrame,
    /// `license, covers_retirement_id`: the license already provides that retirement's
    /// capability (and is not itself that retirement).
    pub covers: DataFrame,
    /// `offer_name, offer_id, friendly_name → retirement_id, offer_sku`.
    pub offers: DataFrame,
    unknown: Vec<String>,
}

fn distinct(df: &DataFrame, columns: &[&str]) -> Result<DataFrame> {
    let cols: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
    Ok(df
        .clone()
        .lazy()
        .select(cols)
        .unique_stable(None, UniqueKeepStrategy::First)
        .collect()?)
}

/// The distinct values of a text column (nulls left out), in order of first appearance. Each
/// core reads a part of the rows into its values in order, the row before's value skipped
/// without a lookup; the parts' values are then taken in part order. A wave's millions of
/// license rows hold a few hundred values: polars' stable unique over them took 82 ms of the
/// L wave's 91 ms of lookups.
fn distinct_texts(column: &Column) -> PolarsResult<Vec<&str>> {
    use rayon::prelude::*;
    let in_parts: Vec<PolarsResult<Vec<&str>>> = row_parts(column.len())
        .into_par_iter()
        .map(|rows| {
            let (mut seen, mut values) = (FastSet::default(), Vec::new());
            let mut last = None;
            for value in texts_in(column, rows)?.flatten() {
                if last != Some(value) && seen.insert(value) {
                    values.push(value);
                }
                last = Some(value);
            }
            Ok(values)
        })
        .collect();
    let (mut seen, mut values) = (FastSet::default(), Vec::new());
    for part in in_parts {
        values.extend(part?.into_iter().filter(|value| seen.insert(*value)));
    }
    Ok(values)
}

impl Lookups {
    /// Resolves the distinct values of the ingested frames.
    // Over the house's 80 lines: the license half and the offer half share the distinct-value scan.
    #[allow(clippy::too_many_lines)]
    pub(super) fn build(ingested: &Ingested, resolver: &Resolver) -> Result<Lookups> {
        let values: Vec<String> = (distinct_texts(ingested.licenses.column("license")?)?)
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut skus = Vec::new();
        let mut retirements = Vec::new();
        let mut education = Vec::new();
        let mut covers: Vec<(String, String)> = Vec::new();
        let mut unknown = Vec::new();
        for value in &values {
            let r = resolver.resolve(value);
            skus.push(r.sku.map(|s| s.string_id.clone()));
            retirements.push(r.retirement.map(|r| r.id.clone()));
            education.push(Some(r.sku.is_some_and(Sku::is_education)));
            if r.sku.is_none() && r.retirement.is_none() {
                unknown.push(value.clone());
            }
            let Some(sku) = r.sku else { continue };
            for retirement in &resolver.catalog.retirements {
                let is_itself = r.retirement.is_some_and(|own| own.id == retirement.id);
                let covered = retirement
                    .covered_by_plans
                    .iter()
                    .any(|p| sku.service_plans.contains(p))
                    || retirement
                        .covered_by_skus
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(&sku.string_id));
                if covered && !is_itself {
                    covers.push((value.clone(), retirement.id.clone()));
                }
            }
        }
        let licenses = DataFrame::new_infer_height(vec![
            str_col("license", values.iter().map(Some)),
            str_col("sku", skus),
            str_col("retirement_id", retirements),
            bool_col("education", education),
        ])?;
        let covers = DataFrame::new_infer_height(vec![
            str_col("license", covers.iter().map(|(l, _)| Some(l))),
            str_col("covers_retirement_id", covers.iter().map(|(_, r)| Some(r))),
        ])?;

        let offer_cols = ["offer_name", "offer_id", "friendly_name"];
        let offers = distinct(&ingested.subscriptions, &offer_cols)?;
        let rows = Rows::new(&offers);
        let (names, ids, friendly) = (
            rows.strs("offer_name")?,
            rows.strs("offer_id")?,
            rows.strs("friendly_name")?,
        );
        let mut offer_retirement = Vec::new();
        let mut offer_sku = Vec::new();
        for i in 0..rows.len() {
            let name = names[i].as_deref().unwrap_or_default();
            let by_name = resolver.resolve(name);
            let by_id = ids[i].as_deref().map(|id| resolver.resolve(id));
            let others: Vec<&str> = [ids[i].as_deref(), friendly[i].as_deref()]
                .into_iter()
                .flatten()
                .collect();
            let retirement = by_name
                .retirement
                .or_else(|| resolver.retirement_of(&others));
            offer_retirement.push(retirement.map(|r| r.id.clone()));
            offer_sku.push(
                by_name
                    .sku
                    .or(by_id.and_then(|r| r.sku))
                    .map(|s| s.string_id.clone()),
            );
        }
        let mut offers = offers;
        offers.with_column(str_col("retirement_id", offer_retirement))?;
        offers.with_column(str_col("offer_sku", offer_sku))?;
        Ok(Lookups {
            licenses,
            covers,
            offers,
            unknown,
        })
    }

    /// One `unknown-license` warning per distinct unresolved value, at its first occurrence.
    pub(super) fn unknown_license_issues(&self, licenses: &DataFrame) -> Result<Vec<Issue>> {
        if self.unknown.is_empty() {
            return Ok(Vec::new());
        }
        let (values, files, nums) = (
            licenses.column("license")?.str()?,
            licenses.column("file")?.str()?,
            licenses.column("row")?.i64()?,
        );
        let unknown: crate::base::hash::FastSet<&str> =
            self.unknown.iter().map(String::as_str).collect();
        // The first row of each unknown value, in one pass over the columns (the issues are
        // sorted with all the others afterwards).
        let mut first: crate::base::hash::FastMap<&str, (Option<&str>, Option<i64>)> =
            crate::base::hash::FastMap::default();
        let rows = values.iter().zip(files.iter()).zip(nums.iter());
        for ((value, file), num) in rows {
            if let Some(v) = value.filter(|v| unknown.contains(v)) {
                first.entry(v).or_insert((file, num));
            }
        }
        Ok(first
            .into_iter()
            .map(|(value, (file, num))| {
                Issue::new(
                    file.unwrap_or_default(),
                    num.map(|n| n as usize),
                    Some("license"),
                    Severity::Warning,
                    IssueCode::UnknownLicense,
                    format!(
                        "license {value:?} is not in the SKU table or the catalog; it is kept \
                         under its own name and never counts as coverage (if it is a product \
                         newer than the built-in table, pass --skus with Microsoft's current \
                         product CSV)"
                    ),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_texts_are_in_order_of_first_appearance_across_chunks() {
        let chunk = |values: &[Option<&str>]| {
            DataFrame::new_infer_height(vec![str_col("license", values.iter().copied())]).unwrap()
        };
        let mut df = chunk(&[Some("E3"), None, Some("E5"), Some("E5")]);
        df.vstack_mut(&chunk(&[Some("A1"), Some("E3"), Some("F3"), Some("E5")]))
            .unwrap();
        let column = df.column("license").unwrap();
        assert_eq!(column.n_chunks(), 2);
        assert_eq!(distinct_texts(column).unwrap(), ["E3", "E5", "A1", "F3"]);
        let empty = chunk(&[]);
        assert!(
            distinct_texts(empty.column("license").unwrap())
                .unwrap()
                .is_empty()
        );
    }
}
