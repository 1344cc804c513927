//! Customer attribution (docs/rules.md §2.2): gives every subscription and license row a
//! `customer_key`, the customer's index in [`Customers::list`] (a `u32`, so the analysis groups
//! and joins customers on an integer). A license row's customer is, in order: its own customer
//! column; the `KEY` of its file; the customer whose domain equals the user's UPN domain. Rows
//! with none of these are reported (`unattributed-user`) and left out. Each attributed license row also gets a
//! `user_id`, one number per customer and user.

use super::ops::customer_order;
use crate::base::frame::{row_parts, str_col, texts, texts_in};
use crate::base::hash::FastMap;
use crate::ingest::Ingested;
use crate::model::issues::{FileAccounting, Issue, IssueCode};
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// One customer, as the subscription export names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Tenant id, when an export gives one.
    pub id: Option<String>,
    /// Name (the id when no export names it).
    pub name: String,
    /// Primary domain, when known.
    pub domain: Option<String>,
}

/// `; did you mean …?` with up to three names or domains of `customers` that `key` most likely
/// meant: those that contain it or that it contains, then the most similar spellings.
fn closest(key: &str, customers: &[Customer]) -> String {
    let key = key.trim().to_lowercase();
    // A domain (`adatum.com`) is compared by its first label too (`adatum`).
    let label = key
        .split('.')
        .next()
        .filter(|l| l.len() >= 3 && key.contains('.'));
    let scored = customers
        .iter()
        .flat_map(|c| std::iter::once(c.name.as_str()).chain(c.domain.as_deref()))
        .filter(|candidate| !candidate.is_empty())
        .map(|candidate| {
            let lower = candidate.to_lowercase();
            let score = if lower.contains(&key)
                || key.contains(&lower)
                || label.is_some_and(|l| lower.contains(l))
            {
                2.0
            } else {
                strsim::jaro_winkler(&key, &lower)
            };
            (score, candidate)
        });
    crate::base::error::did_you_mean(scored, 0.85)
}

/// All customers and their lookups.
#[derive(Debug, Clone, Default)]
pub struct Customers {
    /// Customers in order of first appearance.
    pub list: Vec<Customer>,
    by_id: FastMap<String, usize>,
    by_name: FastMap<String, usize>,
    by_domain: FastMap<String, usize>,
}

impl Customers {
    fn find(&self, id: Option<&str>, name: Option<&str>) -> Option<usize> {
        id.and_then(|i| self.by_id.get(&i.to_lowercase()))
            .or_else(|| name.and_then(|n| self.by_name.get(&n.to_lowercase())))
            .copied()
    }

    /// Where the customer with this id, name or domain (case-insensitive) is in the list: its
    /// `customer_key`.
    pub fn position_any(&self, key: &str) -> Option<usize> {
        let k = key.to_lowercase();
        [&self.by_id, &self.by_name, &self.by_domain]
            .iter()
            .find_map(|m| m.get(&k).copied())
    }

    fn add(&mut self, id: Option<&str>, name: Option<&str>, domain: Option<&str>) -> usize {
        let at = if let Some(at) = self.find(id, name) {
            at
        } else {
            debug_assert!(
                id.is_some() || name.is_some(),
                "a customer has an id or a name"
            );
            self.list.push(Customer {
                id: id.map(str::to_string),
                name: name.or(id).unwrap_or_default().to_string(),
                domain: None,
            });
            self.list.len() - 1
        };
        let c = &mut self.list[at];
        if c.id.is_none() && id.is_some() {
            c.id = id.map(str::to_string);
        }
        if c.domain.is_none() && domain.is_some() {
            c.domain = domain.map(str::to_string);
        }
        if let Some(i) = id {
            self.by_id.entry(i.to_lowercase()).or_insert(at);
        }
        if let Some(n) = name {
            self.by_name.entry(n.to_lowercase()).or_insert(at);
        }
        if let Some(d) = domain {
            self.by_domain.entry(d.to_lowercase()).or_insert(at);
        }
        at
    }

    /// The customers as a frame (`customer_key, customer_id, customer_name, customer_domain,
    /// customer_rank`). The rank is the customer's place in the order every table is sorted by
    /// ([`customer_order`]; customers that sort alike share one), so a table polars sorts is
    /// sorted on one integer instead of three texts a row.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let keys: Vec<_> = (self.list.iter())
            .map(|c| customer_order(&c.name, c.id.as_ref()))
            .collect();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        let mut rank = vec![0u32; keys.len()];
        for (place, pair) in order.iter().enumerate().skip(1) {
            let (before, at) = (order[place - 1], *pair);
            rank[at] = if keys[at] == keys[before] {
                rank[before]
            } else {
                place as u32
            };
        }
        DataFrame::new_infer_height(vec![
            key_col((0..self.list.len()).map(Some)),
            Column::new("customer_rank".into(), rank),
            str_col("customer_id", self.list.iter().map(|c| c.id.as_ref())),
            str_col("customer_name", self.list.iter().map(|c| Some(&c.name))),
            str_col(
                "customer_domain",
                self.list.iter().map(|c| c.domain.as_ref()),
            ),
        ])
    }
}

/// A `customer_key` column from customer indices.
pub fn key_col(at: impl Iterator<Item = Option<usize>>) -> Column {
    let keys: UInt32Chunked = at.map(|a| a.map(|a| a as u32)).collect();
    keys.with_name("customer_key".into()).into_column()
}

/// Adds `customer_key` to both frames, drops unattributed license rows (with an error issue
/// each, and moves them to `rows_rejected`), and returns the customers.
// Over the house's 80 lines: the two attribution passes and the frame updates they share.
#[allow(clippy::too_many_lines)]
pub fn attribute(ingested: &mut Ingested) -> Result<Customers> {
    let mut laps = crate::base::laps::Laps::start("attributing");
    let mut customers = Customers::default();
    let sub_keys = {
        let subs = &ingested.subscriptions;
        let column =
            |name: &str| -> Result<Vec<Option<&str>>> { Ok(texts(subs.column(name)?)?.collect()) };
        let (ids, names, domains) = (
            column("customer_id")?,
            column("customer_name")?,
            column("customer_domain")?,
        );
        // Adding the same values again finds the same customer and changes nothing, so a row
        // like the previous one (exports list a customer's rows together) is not looked up.
        let mut previous = None;
        let mut add = |i: usize| {
            let values = (ids[i], names[i], domains[i]);
            match previous {
                Some((last, at)) if last == values => at,
                _ => {
                    let at = customers.add(values.0, values.1, values.2);
                    previous = Some((values, at));
                    at
                }
            }
        };
        // First pass registers every id↔name pairing, so a row with only a name still finds
        // the id.
        for i in (0..ids.len()).filter(|&i| ids[i].is_some() && names[i].is_some()) {
            add(i);
        }
        (0..ids.len()).map(add).collect::<Vec<usize>>()
    };
    ingested
        .subscriptions
        .with_column(key_col(sub_keys.into_iter().map(Some)))?;

    laps.lap("subscriptions");
    let known = customers.list.clone();
    let (lic_keys, unmatched_file_keys, unattributed) =
        attribute_licenses(&ingested.licenses, &mut customers)?;
    laps.lap("license rows");
    if !unmatched_file_keys.is_empty() {
        let lines: Vec<String> = unmatched_file_keys
            .iter()
            .map(|(file, key)| {
                let hint = closest(key, &known);
                format!(
                    "`{key}=` (on `{file}`) matches no customer id, name or domain in the \
                     subscription exports{hint}"
                )
            })
            .collect();
        anyhow::bail!(
            "{}\nWrite the customer as the subscription export names it (its id, name or \
             domain), or add its subscriptions.",
            lines.join("\n")
        );
    }
    for (file, _, _) in &unattributed {
        FileAccounting::reject_one(&mut ingested.accounting, file);
    }
    // A file none of whose users found a customer, beside exactly one customer without a
    // domain (a per-customer subscription export): that customer is the likely one.
    let undomained: Vec<&Customer> = known.iter().filter(|c| c.domain.is_none()).collect();
    for (file, row, domain) in &unattributed {
        let none_used = (ingested.accounting.iter()).any(|a| a.file == *file && a.rows_used == 0);
        let customer = match undomained.as_slice() {
            [only] if none_used => only.name.as_str(),
            _ => "CUSTOMER",
        };
        ingested.issues.push(Issue::error(
            file,
            *row as usize,
            None,
            IssueCode::UnattributedUser,
            format!(
                "no customer of the subscription exports has this user's domain `{domain}`, and \
                 the file has no customer column and no `KEY=`: if the customer has retiring \
                 subscriptions, add its subscription export; if it is there under another \
                 domain, pass `--licenses \"{customer}={file}\"`"
            ),
        ));
    }
    ingested
        .licenses
        .with_column(key_col(lic_keys.iter().copied()))?;
    let user_ids = user_ids(
        &lic_keys,
        ingested.licenses.column("user_principal_name")?.str()?,
        customers.list.len(),
    );
    ingested.licenses.with_column(user_ids)?;
    laps.lap("user ids");
    // The columns attribution was the last to read, and those no rule reads, are let go: in a
    // wave's book each is millions of cells the analysis would hold to its end.
    ingested.licenses = ingested.licenses.drop_many(DONE_AFTER_ATTRIBUTION);
    // Filtering copies every column, so only when a row is unattributed.
    if lic_keys.iter().any(Option::is_none) {
        ingested.licenses = ingested
            .licenses
            .clone()
            .lazy()
            .filter(col("customer_key").is_not_null())
            .collect()?;
    }
    laps.lap("columns let go");
    Ok(customers)
}

/// License columns no step after attribution reads: the customer columns and the file's `KEY=`
/// (the row's `customer_key` says it all now), and the directory fields the exports carry but no
/// rule uses (docs/rules.md §2.2 lists them as read, for `--columns`).
const DONE_AFTER_ATTRIBUTION: [&str; 7] = [
    "customer_id",
    "customer_name",
    "customer_domain",
    "file_key",
    "department",
    "title",
    "usage_location",
];

/// How a license row finds its customer, with the values that decide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Via<'a> {
    /// Its own customer columns: id, name, domain.
    Columns(Option<&'a str>, Option<&'a str>, Option<&'a str>),
    /// The `KEY=` of its file: file, key.
    FileKey(Option<&'a str>, &'a str),
    /// The domain of its user principal name.
    Domain(Option<&'a str>),
}

/// What license attribution found: each row's customer (an index into the list), the `KEY=`s
/// that matched no customer (file → key), and the unattributed rows (file, row, the user's
/// domain).
type LicenseAttribution = (
    Vec<Option<usize>>,
    BTreeMap<String, String>,
    BTreeSet<(String, i64, String)>,
);

/// A run of consecutive license rows that find their customer the same way: its first row and
/// how.
type Run<'a> = (usize, Via<'a>);

/// How each license row finds its customer, as runs of rows alike (exports list a customer's
/// rows together). Each core reads a part of the rows; a run that crosses parts is two runs,
/// which find the same customer.
fn runs(lics: &DataFrame) -> Result<Vec<Run<'_>>> {
    let column = |name: &str| lics.column(name);
    let (ids, names, domains) = (
        column("customer_id")?,
        column("customer_name")?,
        column("customer_domain")?,
    );
    let (keys, upns, files) = (
        column("file_key")?,
        column("user_principal_name")?,
        column("file")?,
    );
    let in_parts: Vec<PolarsResult<Vec<Run<'_>>>> = row_parts(lics.height())
        .into_par_iter()
        .map(|rows| {
            let text = |column| texts_in(column, rows.clone());
            let columns = text(ids)?.zip(text(names)?).zip(text(domains)?);
            let more = text(keys)?.zip(text(upns)?).zip(text(files)?);
            let mut runs = Vec::new();
            let mut last = None;
            for (at, (((id, name), domain), ((key, upn), file))) in
                rows.clone().zip(columns.zip(more))
            {
                let via = match (id.or(name), key) {
                    (Some(_), _) => Via::Columns(id, name, domain),
                    (None, Some(key)) => Via::FileKey(file, key),
                    (None, None) => {
                        Via::Domain(upn.and_then(|u| u.rsplit_once('@')).map(|(_, d)| d))
                    }
                };
                if last != Some(via) {
                    runs.push((at, via));
                    last = Some(via);
                }
            }
            Ok(runs)
        })
        .collect();
    let mut runs = Vec::new();
    for part in in_parts {
        runs.extend(part?);
    }
    Ok(runs)
}

/// Attributes every license row, in row order. The rows are read as runs of rows alike
/// ([`runs`], on every core), and a way that found its customer is remembered: resolving it
/// again would find the same customer (customers are only ever added), so only unfound rows are
/// looked at twice.
fn attribute_licenses(lics: &DataFrame, customers: &mut Customers) -> Result<LicenseAttribution> {
    let height = lics.height();
    let (files, rows) = (lics.column("file")?, lics.column("row")?.i64()?);
    let mut found: FastMap<Via<'_>, usize> = FastMap::default();
    let mut at_rows = Vec::with_capacity(height);
    let mut unmatched_file_keys: BTreeMap<String, String> = BTreeMap::new();
    let mut unattributed: BTreeSet<(String, i64, String)> = BTreeSet::new();
    let runs = runs(lics)?;
    for (i, &(start, via)) in runs.iter().enumerate() {
        let end = runs.get(i + 1).map_or(height, |next| next.0);
        let at = match found.get(&via) {
            Some(&at) => Some(at),
            None => match via {
                Via::Columns(id, name, domain) => Some(customers.add(id, name, domain)),
                Via::FileKey(file, key) => Some(if let Some(at) = customers.position_any(key) {
                    at
                } else {
                    let file = file.unwrap_or_default().to_string();
                    unmatched_file_keys.insert(file, key.to_string());
                    customers.add(None, Some(key), None)
                }),
                Via::Domain(domain) => {
                    domain.and_then(|d| customers.by_domain.get(&d.to_lowercase()).copied())
                }
            },
        };
        match at {
            Some(at) => {
                found.insert(via, at);
            }
            None => {
                let domain = match via {
                    Via::Domain(domain) => domain.unwrap_or_default(),
                    _ => "",
                };
                for (file, row) in texts_in(files, start..end)?.zip(start..end) {
                    unattributed.insert((
                        file.unwrap_or_default().to_string(),
                        rows.get(row).unwrap_or(0),
                        domain.to_string(),
                    ));
                }
            }
        }
        at_rows.extend(std::iter::repeat_n(at, end - start));
    }
    Ok((at_rows, unmatched_file_keys, unattributed))
}

/// `user_id`: one dense number per customer and user principal name (as written), numbered in
/// order of first appearance, so the analysis groups and joins users on an integer instead of
/// two strings. Each of the `customers` has its own small map: an export lists a customer's rows
/// together, so the map being looked up stays in cache (one map for a wave's 5 million users
/// took 5 s). A long export lists a user's licenses one after another, so the previous row's
/// user is tried first.
fn user_ids(customer_at: &[Option<usize>], upns: &StringChunked, customers: usize) -> Column {
    let mut per_customer: Vec<FastMap<&str, u32>> = Vec::new();
    per_customer.resize_with(customers, FastMap::default);
    let mut next = 0;
    let mut previous: Option<((usize, &str), u32)> = None;
    let values: UInt32Chunked = customer_at
        .iter()
        .zip(upns.iter())
        .map(|(at, upn)| {
            let user = ((*at)?, upn.unwrap_or_default());
            if let Some((last, id)) = previous
                && last == user
            {
                return Some(id);
            }
            let id = *per_customer[user.0].entry(user.1).or_insert_with(|| {
                next += 1;
                next - 1
            });
            previous = Some((user, id));
            Some(id)
        })
        .collect();
    values.with_name("user_id".into()).into_column()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_is_one_customer_and_one_upn_wherever_its_rows_are() {
        let upns: StringChunked = [
            Some("ann@a.com"),
            Some("ann@a.com"),
            Some("bob@a.com"),
            Some("ann@a.com"),
            Some("ann@a.com"),
            Some("x@none.com"),
        ]
        .into_iter()
        .collect();
        let customers = [Some(0), Some(0), Some(0), Some(0), Some(1), None];
        let ids = user_ids(&customers, &upns, 2);
        let ids: Vec<Option<u32>> = ids.u32().unwrap().iter().collect();
        assert_eq!(ids, [Some(0), Some(0), Some(1), Some(0), Some(2), None]);
    }

    /// License rows in two chunks (two files), with every column of attribution.
    fn license_rows(rows: &[[Option<&str>; 5]]) -> DataFrame {
        let frame = |rows: &[[Option<&str>; 5]], first: usize| {
            let text = |name: &str, at: usize| str_col(name, rows.iter().map(|r| r[at]));
            let file = if first == 0 { "a.csv" } else { "b.csv" };
            DataFrame::new_infer_height(vec![
                text("customer_id", 0),
                text("customer_name", 1),
                text("customer_domain", 2),
                text("file_key", 3),
                text("user_principal_name", 4),
                str_col("file", rows.iter().map(|_| Some(file))),
                Column::new(
                    "row".into(),
                    (first..first + rows.len())
                        .map(|r| r as i64)
                        .collect::<Vec<_>>(),
                ),
            ])
            .unwrap()
        };
        let half = rows.len() / 2;
        let mut df = frame(&rows[..half], 0);
        df.vstack_mut(&frame(&rows[half..], half)).unwrap();
        assert_eq!(df.column("customer_id").unwrap().n_chunks(), 2);
        df
    }

    #[test]
    fn license_rows_find_their_customers_in_row_order_across_parts_and_chunks() {
        let ann = Some("ann@a.com");
        let df = license_rows(&[
            // Before any row names the customer of a.com: unattributed.
            [None, None, None, None, ann],
            [
                Some("t-1"),
                Some("Adatum"),
                Some("a.com"),
                None,
                Some("x@y.com"),
            ],
            [
                Some("t-1"),
                Some("Adatum"),
                Some("a.com"),
                None,
                Some("z@y.com"),
            ],
            [None, None, None, None, ann],
            [None, None, None, None, ann],
            [None, None, None, None, Some("bob@b.com")],
            [None, None, None, Some("adatum"), Some("c@c.com")],
            [None, None, None, Some("Fabrikam"), Some("d@c.com")],
        ]);
        let mut customers = Customers::default();
        let (at, unmatched, unattributed) = attribute_licenses(&df, &mut customers).unwrap();
        assert_eq!(
            at,
            [
                None,
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(1)
            ]
        );
        assert_eq!(customers.list.len(), 2);
        assert_eq!(
            unmatched.into_iter().collect::<Vec<_>>(),
            [("b.csv".to_string(), "Fabrikam".to_string())]
        );
        let unattributed: Vec<_> = unattributed.into_iter().collect();
        assert_eq!(
            unattributed,
            [
                ("a.csv".to_string(), 0, "a.com".to_string()),
                ("b.csv".to_string(), 5, "b.com".to_string()),
            ]
        );
    }

    #[test]
    fn texts_in_reads_a_range_across_chunks() {
        let df = license_rows(&[
            [Some("a"), None, None, None, None],
            [Some("b"), None, None, None, None],
            [None, None, None, None, None],
            [Some("d"), None, None, None, None],
        ]);
        let column = df.column("customer_id").unwrap();
        let got: Vec<_> = texts_in(column, 1..4).unwrap().collect();
        assert_eq!(got, [Some("b"), None, Some("d")]);
        assert_eq!(texts_in(column, 2..2).unwrap().count(), 0);
        let constant = Column::new_scalar("k".into(), Scalar::from(PlSmallStr::from("v")), 4);
        let got: Vec<_> = texts_in(&constant, 1..3).unwrap().collect();
        assert_eq!(got, [Some("v"), Some("v")]);
    }
}
