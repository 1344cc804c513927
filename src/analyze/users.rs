//! §3.2: the users holding a retiring license, with their action and recommended plan.

use super::ops::customer_rows;
use super::segments::{BUSINESS_SEAT_CAP, Segments, key_at};
use crate::base::frame::{Rows, row_parts};
use crate::base::hash::FastMap;
use crate::model::{Action, Reason, ReasonArg, ReasonCode, Shared, UserRow};
use crate::reference::catalog::Segment;
use crate::reference::resolve::Resolver;
use anyhow::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::sync::Arc;

/// The users table as a sorted frame, which purchases are counted from; [`UsersTable::rows`]
/// makes the report's rows from it.
pub(super) struct UsersTable {
    pub(super) frame: DataFrame,
}

impl UsersTable {
    /// The report's rows: in a wave they are hundreds of thousands.
    pub(super) fn rows(&self, segments: &Segments, resolver: &Resolver) -> Result<Vec<UserRow>> {
        user_rows(&self.frame, segments, resolver)
    }
}

/// One row per (customer, user, retirement) for every retiring license held.
pub(super) fn table(
    lics: LazyFrame,
    lookups: &super::lookups::Lookups,
    segments: &Segments,
    customers: &DataFrame,
    resolver: &Resolver,
) -> Result<UsersTable> {
    let mut laps = crate::base::laps::Laps::start("users frame");
    let retiring = lics
        .clone()
        .filter(col("retirement_id").is_not_null())
        .select([
            col("user_id"),
            col("retirement_id"),
            col("customer_key"),
            col("user_principal_name"),
            col("license"),
            col("display_name"),
            col("block_credential"),
        ])
        .collect()?;
    let catalog: Vec<&str> = (resolver.catalog.retirements.iter())
        .map(|r| r.id.as_str())
        .collect();
    laps.lap("retiring rows");
    let held = with_held_key(retiring, &catalog)?
        .lazy()
        .group_by_stable([col("held_key")])
        .agg([
            col("user_id").first(),
            col("retirement_id").first(),
            col("customer_key").first(),
            col("user_principal_name").first(),
            col("license").first().alias("retiring_license"),
            col("display_name")
                .drop_nulls()
                .first()
                .alias("display_name"),
            col("block_credential")
                .fill_null(lit(false))
                .any(true)
                .alias("blocked"),
        ]);
    let held = held.collect()?;
    laps.lap("held");
    let held = covering_licenses(held, lics, &lookups.covers, &catalog)?;
    laps.lap("covering");
    let df = with_customer_columns(held, segments, customers, resolver)?;
    laps.lap("gathered");
    let df = sorted(df)?;
    laps.lap("sorted");
    Ok(UsersTable { frame: df })
}

/// `held` (one row per user and retirement held, with `held_key`, `customer_key`, `blocked` and
/// `covering_license`) with the columns its rows take from their customer and retirement,
/// gathered by the customer's key (every customer frame has its customer at its key's row)
/// instead of joined: `customer_rank, customer_id, customer_name, customer_domain` of
/// `customers`, the `segment`, the catalog's `recommended_sku, recommended_plan` for the
/// retirement and segment, and the `action`. `held_key` is dropped.
fn with_customer_columns(
    held: DataFrame,
    segments: &Segments,
    customers: &DataFrame,
    resolver: &Resolver,
) -> Result<DataFrame> {
    let keys = held.column("customer_key")?.u32()?;
    let at = customer_rows(keys, segments.by_key.len())?;
    let mut columns: Vec<Column> = Vec::new();
    for name in [
        "customer_rank",
        "customer_id",
        "customer_name",
        "customer_domain",
    ] {
        columns.push(customers.column(name)?.take(&at)?);
    }
    columns.push(segments.frame.column("segment")?.take(&at)?);
    // The catalog's plan for each retirement (its place in the catalog: the low half of the
    // held key) and segment.
    let plans: Vec<[Option<(&str, &str)>; Segment::ALL.len()]> = (resolver.catalog.retirements)
        .iter()
        .map(|r| Segment::ALL.map(|s| r.recommended(s).map(|p| (p.sku.as_str(), p.name.as_str()))))
        .collect();
    let plan_of = |(key, held): (Option<u32>, Option<u64>)| {
        let segment = segments.by_key[key? as usize].segment;
        let place = Segment::ALL.iter().position(|s| *s == segment)?;
        plans.get((held? & u64::from(u32::MAX)) as usize)?[place]
    };
    let held_keys = held.column("held_key")?.u64()?;
    let plan: Vec<Option<(&str, &str)>> = keys.iter().zip(held_keys.iter()).map(plan_of).collect();
    let skus: StringChunked = plan.iter().map(|p| p.map(|p| p.0)).collect();
    let names: StringChunked = plan.iter().map(|p| p.map(|p| p.1)).collect();
    columns.push(skus.with_name("recommended_sku".into()).into_column());
    columns.push(names.with_name("recommended_plan".into()).into_column());
    let (blocked, covering) = (
        held.column("blocked")?.bool()?,
        held.column("covering_license")?.str()?,
    );
    let action: StringChunked = (blocked.iter().zip(covering.iter()))
        .map(|(blocked, covering)| {
            Some(if blocked == Some(true) {
                Action::ReviewBlocked.as_str()
            } else if covering.is_some() {
                Action::RemoveOnly.as_str()
            } else {
                Action::Reassign.as_str()
            })
        })
        .collect();
    columns.push(action.with_name("action".into()).into_column());
    let mut held = held.drop("held_key")?;
    held.hstack_mut(&columns)?;
    Ok(held)
}

/// The users frame in the users table's order: customer (rank), user principal name ignoring
/// case, retirement; rows alike keep their order. Sorted as row numbers on every core, then
/// taken: polars sorted on a lowercased copy of every name.
fn sorted(df: DataFrame) -> Result<DataFrame> {
    let (ranks, upns, retirements) = (
        df.column("customer_rank")?.u32()?,
        df.column("user_principal_name")?.str()?,
        df.column("retirement_id")?.str()?,
    );
    let keys: Vec<_> = (ranks.iter().zip(upns.iter()).zip(retirements.iter()))
        .map(|((rank, upn), retirement)| (rank, upn.map(lowered), retirement))
        .collect();
    let mut order: Vec<IdxSize> = (0..df.height() as IdxSize).collect();
    order.par_sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
    drop(keys);
    Ok(df.take(&IdxCa::from_vec("order".into(), order))?)
}

/// `upn` as the users table sorts it: lowercased, borrowed when it has no capital.
fn lowered(upn: &str) -> std::borrow::Cow<'_, str> {
    if upn.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        upn.to_lowercase().into()
    } else {
        upn.into()
    }
}

/// A held (user, retirement) as one integer: the user id and the retirement's place in the
/// catalog's list.
fn held_key(user: u32, retirement: usize) -> u64 {
    u64::from(user) << 32 | retirement as u64
}

/// `retiring` license rows with `held_key` ([`held_key`]; `catalog`: the catalog's retirement
/// ids in order), so the rows are grouped on one integer instead of on an integer and a text.
fn with_held_key(mut retiring: DataFrame, catalog: &[&str]) -> Result<DataFrame> {
    let users = retiring.column("user_id")?.u32()?;
    let retirements = retiring.column("retirement_id")?.str()?;
    let key: UInt64Chunked = (users.iter().zip(retirements.iter()))
        .map(|(user, retirement)| {
            let at = catalog.iter().position(|id| Some(*id) == retirement)?;
            Some(held_key(user?, at))
        })
        .collect();
    // Every retiring row has a user and a catalog retirement (lookups resolve against the same
    // catalog): a null key would merge unrelated rows into one group.
    anyhow::ensure!(
        key.null_count() == 0,
        "internal error: a retiring license row without a user or a catalog retirement"
    );
    retiring.with_column(key.with_name("held_key".into()).into_column())?;
    Ok(retiring)
}

/// `held` (one row per user and retirement held, with its `held_key`) with `covering_license`:
/// the first license in file order among the user's license rows `lics` that covers that
/// retirement (`covers`: `license, covers_retirement_id`; `catalog` as for [`with_held_key`]),
/// if any. One pass over the license rows, in Rust: polars
/// joined every license row with the holders, then the covering licenses, then grouped them
/// (1.2 s of the XL wave's users frame, and a second join to bring them back).
fn covering_licenses(
    mut held: DataFrame,
    lics: LazyFrame,
    covers: &DataFrame,
    catalog: &[&str],
) -> Result<DataFrame> {
    let covers_rows = Rows::new(covers);
    let (covering, covered) = (
        covers_rows.strs("license")?,
        covers_rows.strs("covers_retirement_id")?,
    );
    // What each covering license covers, by the retirements' places in the catalog.
    let mut covers_of: FastMap<&str, Vec<usize>> = FastMap::default();
    for (license, retirement) in covering.iter().zip(&covered) {
        let at = catalog
            .iter()
            .position(|id| Some(*id) == retirement.as_deref());
        if let (Some(l), Some(r)) = (license, at) {
            covers_of.entry(l.as_str()).or_default().push(r);
        }
    }
    // Each held (user, retirement): its row in `held`.
    let row_of: FastMap<u64, usize> = (held.column("held_key")?.u64()?.iter().enumerate())
        .filter_map(|(row, key)| Some((key?, row)))
        .collect();
    // Whether a user holds a retiring license, by user id (dense): most license rows are not
    // a holder's, and this answers them without hashing their license.
    let users = held.column("user_id")?.u32()?;
    let mut holds = vec![false; users.max().map_or(0, |m| m as usize + 1)];
    for user in users.iter().flatten() {
        holds[user as usize] = true;
    }
    // The license rows' two columns, shared with the frame, not copied.
    let rows = lics.select([col("user_id"), col("license")]).collect()?;
    let (ids, licenses) = (
        rows.column("user_id")?.u32()?,
        rows.column("license")?.str()?,
    );
    // Each core takes a run of the license rows and finds the first covering license within
    // it; the runs' finds are then taken in file order, the earliest run's first.
    // A find is (held row, license row).
    let first_in = |rows: std::ops::Range<usize>| -> Vec<(u32, usize)> {
        let mut found = Vec::new();
        let (offset, len) = (rows.start, rows.len());
        let (ids, licenses) = (
            ids.slice(offset as i64, len),
            licenses.slice(offset as i64, len),
        );
        for (at, (user, license)) in ids.iter().zip(licenses.iter()).enumerate() {
            let (Some(u), Some(l)) = (user, license) else {
                continue;
            };
            if !holds.get(u as usize).copied().unwrap_or(false) {
                continue;
            }
            for &r in covers_of.get(l).map_or(&[][..], Vec::as_slice) {
                if let Some(&row) = row_of.get(&held_key(u, r)) {
                    found.push((row as u32, offset + at));
                }
            }
        }
        found
    };
    let finds: Vec<Vec<(u32, usize)>> = row_parts(rows.height())
        .into_par_iter()
        .map(first_in)
        .collect();
    let mut first: Vec<Option<&str>> = vec![None; held.height()];
    for (row, at) in finds.into_iter().flatten() {
        if first[row as usize].is_none() {
            first[row as usize] = licenses.get(at);
        }
    }
    let first: StringChunked = first.into_iter().collect();
    held.with_column(first.with_name("covering_license".into()).into_column())?;
    Ok(held)
}

/// One [`Shared`] per distinct value of a column: a users frame sorted by customer repeats each
/// value in runs, so the value of the row before is tried first, then a map.
#[derive(Default)]
struct Interned<'d> {
    last: Option<(&'d str, Shared)>,
    seen: FastMap<&'d str, Shared>,
}

impl<'d> Interned<'d> {
    fn get(&mut self, value: &'d str) -> Shared {
        if let Some((last, shared)) = &self.last
            && *last == value
        {
            return shared.clone();
        }
        let shared = (self.seen.entry(value))
            .or_insert_with(|| Shared::from(value))
            .clone();
        self.last = Some((value, shared.clone()));
        shared
    }

    fn at(&mut self, column: &'d StringChunked, i: usize) -> Option<Shared> {
        column.get(i).map(|value| self.get(value))
    }
}

/// What one user's reason depends on: its customer (key; the segment and its user count), its
/// action, the retiring and the covering license, and the retirement.
type ReasonKey<'d> = (u32, Action, &'d str, Option<&'d str>, &'d str);

/// The users frame's columns that the report's rows are made from, borrowed.
struct UserColumns<'d> {
    actions: Vec<Action>,
    customer_keys: &'d UInt32Chunked,
    customer_ids: &'d StringChunked,
    customer_names: &'d StringChunked,
    upns: &'d StringChunked,
    display_names: &'d StringChunked,
    licenses: &'d StringChunked,
    retirements: &'d StringChunked,
    skus: &'d StringChunked,
    plans: &'d StringChunked,
    covering: &'d StringChunked,
    segments: &'d StringChunked,
}

impl<'d> UserColumns<'d> {
    fn of(df: &'d DataFrame) -> Result<UserColumns<'d>> {
        let s = |name: &str| -> Result<&StringChunked> { Ok(df.column(name)?.str()?) };
        Ok(UserColumns {
            actions: Rows::new(df).vocab("action", Action::parse)?,
            customer_keys: df.column("customer_key")?.u32()?,
            customer_ids: s("customer_id")?,
            customer_names: s("customer_name")?,
            upns: s("user_principal_name")?,
            display_names: s("display_name")?,
            licenses: s("retiring_license")?,
            retirements: s("retirement_id")?,
            skus: s("recommended_sku")?,
            plans: s("recommended_plan")?,
            covering: s("covering_license")?,
            segments: s("segment")?,
        })
    }
}

/// Makes users rows from the columns. Each parallel job has its own, with its own caches of
/// the texts and reasons the rows share: the values are the same whichever job makes a row.
struct RowMaker<'d, 'c> {
    columns: &'c UserColumns<'d>,
    segments: &'c Segments,
    resolver: &'c Resolver<'c>,
    customer_ids: Interned<'d>,
    customer_names: Interned<'d>,
    licenses: Interned<'d>,
    retirements: Interned<'d>,
    skus: Interned<'d>,
    plans: Interned<'d>,
    /// Reasons name products as people call them, not by their `String_Id`; a book has a
    /// handful of distinct license values over all its rows, each looked up once.
    products: FastMap<&'d str, String>,
    /// The covering license's `String_Id`, once per distinct covering license (the SKU table
    /// alone: what retires does not matter here).
    covering_skus: FastMap<&'d str, Option<Shared>>,
    reasons: FastMap<ReasonKey<'d>, Arc<Reason>>,
}

impl<'d, 'c> RowMaker<'d, 'c> {
    fn new(
        columns: &'c UserColumns<'d>,
        segments: &'c Segments,
        resolver: &'c Resolver<'c>,
    ) -> Self {
        RowMaker {
            columns,
            segments,
            resolver,
            customer_ids: Interned::default(),
            customer_names: Interned::default(),
            licenses: Interned::default(),
            retirements: Interned::default(),
            skus: Interned::default(),
            plans: Interned::default(),
            products: FastMap::default(),
            covering_skus: FastMap::default(),
            reasons: FastMap::default(),
        }
    }

    fn product(&mut self, value: &'d str) -> String {
        (self.products.entry(value))
            .or_insert_with(|| self.resolver.product_name(value).to_string())
            .clone()
    }

    /// The reason of row `i`, made once per [`ReasonKey`].
    fn why(&mut self, i: usize, key: ReasonKey<'d>) -> Arc<Reason> {
        if let Some(why) = self.reasons.get(&key) {
            return why.clone();
        }
        let (customer, action, license, covering_license, retirement) = key;
        let info = &self.segments.by_key[customer as usize];
        let why = Arc::new(match action {
            Action::ReviewBlocked => Reason::new(
                ReasonCode::ReviewBlocked,
                [(ReasonArg::License, self.product(license))],
            ),
            Action::RemoveOnly => Reason::new(
                ReasonCode::RemoveOnly,
                [
                    (
                        ReasonArg::Covering,
                        self.product(covering_license.unwrap_or_default()),
                    ),
                    (
                        ReasonArg::Retirement,
                        retirement_name(self.resolver, retirement),
                    ),
                ],
            ),
            Action::Reassign => Reason::new(
                ReasonCode::reassign(info.basis),
                [
                    (ReasonArg::License, self.product(license)),
                    (
                        ReasonArg::Segment,
                        (self.columns.segments.get(i))
                            .unwrap_or_default()
                            .to_string(),
                    ),
                    (ReasonArg::Users, info.licensed_users.to_string()),
                    (ReasonArg::Cap, BUSINESS_SEAT_CAP.to_string()),
                ],
            ),
        });
        self.reasons.insert(key, why.clone());
        why
    }

    /// The report's row `i`.
    fn row(&mut self, i: usize) -> UserRow {
        let c = self.columns;
        let action = c.actions[i];
        let retirement: &'d str = c.retirements.get(i).unwrap_or_default();
        let license: &'d str = c.licenses.get(i).unwrap_or_default();
        let reassign = action == Action::Reassign;
        let covering_license = c.covering.get(i).filter(|_| action == Action::RemoveOnly);
        let key = key_at(c.customer_keys, i) as u32;
        let why = self.why(i, (key, action, license, covering_license, retirement));
        let resolver = self.resolver;
        UserRow {
            customer_id: self.customer_ids.at(c.customer_ids, i),
            customer_name: (self.customer_names).get(c.customer_names.get(i).unwrap_or_default()),
            user_principal_name: c.upns.get(i).unwrap_or_default().to_string(),
            display_name: c.display_names.get(i).map(str::to_string),
            retiring_license: self.licenses.get(license),
            retirement_id: self.retirements.get(retirement),
            action,
            recommended_sku: self.skus.at(c.skus, i).filter(|_| reassign),
            recommended_plan: self.plans.at(c.plans, i).filter(|_| reassign),
            covering_sku: covering_license.and_then(|l| {
                (self.covering_skus.entry(l))
                    .or_insert_with(|| resolver.sku(l).map(|s| Shared::from(s.string_id.as_str())))
                    .clone()
            }),
            covering_license: covering_license.map(|l| self.licenses.get(l)),
            why,
        }
    }
}

/// The report's users rows from the joined and sorted users frame, made on every core.
fn user_rows(df: &DataFrame, segments: &Segments, resolver: &Resolver) -> Result<Vec<UserRow>> {
    let columns = UserColumns::of(df)?;
    let mut rows = Vec::with_capacity(df.height());
    (0..df.height())
        .into_par_iter()
        .with_min_len(4096)
        .map_init(
            || RowMaker::new(&columns, segments, resolver),
            RowMaker::row,
        )
        .collect_into_vec(&mut rows);
    Ok(rows)
}

/// How people call a retirement: its catalog name, else its id.
fn retirement_name(resolver: &Resolver, id: &str) -> String {
    resolver
        .catalog
        .get(id)
        .map_or_else(|| id.to_string(), |r| r.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_sort_by_customer_then_name_ignoring_case_then_retirement_keeping_ties() {
        let upns = [
            Some("bob@x.com"),
            Some("Ann@x.com"),
            Some("ann@x.com"),
            None,
            Some("ÉMILE@x.com"),
            Some("émile@x.com"),
            Some("Zoë@x.com"),
            Some("ann@x.com"),
            Some("ANN@x.com"),
        ];
        let df = df!(
            "customer_rank" => [1u32, 0, 1, 0, 1, 1, 0, 0, 0],
            "user_principal_name" => upns,
            "retirement_id" => ["s", "s", "k", "s", "s", "k", "s", "k", "s"],
            "row" => [0i64, 1, 2, 3, 4, 5, 6, 7, 8],
        )
        .unwrap();
        let polars_order = df
            .clone()
            .lazy()
            .sort_by_exprs(
                [
                    col("customer_rank"),
                    col("user_principal_name").str().to_lowercase(),
                    col("retirement_id"),
                ],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()
            .unwrap();
        let rows = |df: &DataFrame| -> Vec<i64> {
            df.column("row")
                .unwrap()
                .i64()
                .unwrap()
                .iter()
                .flatten()
                .collect()
        };
        let got = sorted(df).unwrap();
        assert_eq!(rows(&got), rows(&polars_order));
        assert_eq!(rows(&got), [3, 7, 1, 8, 6, 2, 0, 5, 4]);
    }

    #[test]
    fn the_covering_license_is_the_first_in_file_order_wherever_the_rows_are_split() {
        let catalog = ["skype", "kaizala"];
        // User 0 holds Skype, user 1 Skype and Kaizala, user 2 Kaizala.
        let held = df!(
            "user_id" => [0u32, 1, 1, 2],
            "held_key" => [held_key(0, 0), held_key(1, 0), held_key(1, 1), held_key(2, 1)],
        )
        .unwrap();
        let lics = df!(
            "user_id" => [Some(0u32), Some(1), Some(0), Some(1), Some(3), None, Some(0), Some(1), Some(2)],
            "license" => [Some("skype"), Some("E3"), Some("E5"), Some("skype"), Some("E5"), Some("E3"), Some("E3"), Some("E5"), None],
        )
        .unwrap();
        let covers = df!(
            "license" => ["E3", "E5", "E5"],
            "covers_retirement_id" => ["skype", "skype", "kaizala"],
        )
        .unwrap();
        let got = covering_licenses(held, lics.lazy(), &covers, &catalog).unwrap();
        let got: Vec<Option<&str>> = got
            .column("covering_license")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(got, [Some("E5"), Some("E3"), Some("E5"), None]);
    }
}
