//! Seats already owned (docs/rules.md §3.2a): per customer and plan, the seats of the customer's
//! open subscriptions of that plan (status active or pending; trials — an offer named "… Trial" —
//! left out) and the customer's users already holding it, so a purchase line asks only for what
//! is missing: `to_buy = max(0, quantity − max(0, owned − used))`. Without license data the
//! used seats cannot be seen, and the reason says so.

use crate::base::frame::Rows;
use crate::base::hash::FastMap;
use crate::model::{PurchaseRow, Reason, ReasonArg, ReasonCode, Status};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeSet;

/// A count per (customer key, String_Id).
type PerPlan = FastMap<(u32, String), i64>;

/// Per (customer key, String_Id): the seats of its open, paid subscriptions of that product.
fn owned(subs: LazyFrame) -> Result<PerPlan> {
    let open = col("status")
        .eq(lit(Status::Active.as_str()))
        .or(col("status").eq(lit(Status::Pending.as_str())));
    let df = subs
        .filter(col("offer_sku").is_not_null().and(open))
        .select([
            col("customer_key"),
            col("offer_sku"),
            col("offer_name"),
            col("quantity"),
        ])
        .collect()?;
    let keys = df.column("customer_key")?.u32()?;
    let r = Rows::new(&df);
    let (skus, offers, quantity) = (
        r.strs("offer_sku")?,
        r.strs("offer_name")?,
        r.ints("quantity")?,
    );
    let mut map = FastMap::default();
    for (i, ((sku, offer), n)) in skus.into_iter().zip(offers).zip(quantity).enumerate() {
        let trial = offer.is_some_and(|o| o.to_lowercase().contains("trial"));
        if let (Some(key), Some(sku), false) = (keys.get(i), sku, trial) {
            *map.entry((key, sku)).or_insert(0) += n.unwrap_or(0);
        }
    }
    Ok(map)
}

/// Per (customer key, String_Id) of `wanted`: the customer's distinct users holding it; and the
/// customers with license data at all. Only the wanted pairs are counted: in a wave nearly every
/// customer has license data, but only the plans to buy need their users counted.
fn used(lics: LazyFrame, wanted: &[(u32, PurchaseRow)]) -> Result<(PerPlan, BTreeSet<u32>)> {
    let pairs = DataFrame::new_infer_height(vec![
        Column::new(
            "customer_key".into(),
            wanted.iter().map(|(key, _)| *key).collect::<Vec<u32>>(),
        ),
        crate::base::frame::str_col(
            "sku",
            wanted
                .iter()
                .map(|(_, row)| Some(row.recommended_sku.as_str())),
        ),
    ])?;
    // The few plans to buy first: the two-key join then hashes only their holders' rows, not
    // every license row of a wave.
    let skus: BTreeSet<&str> = wanted
        .iter()
        .map(|(_, row)| row.recommended_sku.as_str())
        .collect();
    let skus = Series::new("skus".into(), skus.into_iter().collect::<Vec<&str>>());
    let joined = (lics
        .clone()
        .filter(col("sku").is_in(lit(skus).implode(false), false)))
    .join(
        // Unique pairs: the inner join keeps each license row at most once.
        pairs.lazy().unique(None, UniqueKeepStrategy::Any),
        [col("customer_key"), col("sku")],
        [col("customer_key"), col("sku")],
        JoinArgs::new(JoinType::Inner),
    );
    let map: PerPlan = (super::ops::users_per(joined, "sku")?.into_iter())
        .map(|(key, sku, n)| ((key, sku), n))
        .collect();
    let with_data = lics
        .filter(col("sku").is_not_null())
        .select([col("customer_key")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let with_data = with_data
        .column("customer_key")?
        .u32()?
        .iter()
        .flatten()
        .collect();
    Ok((map, with_data))
}

/// Sets each purchase row's owned and used seats and what is left to buy (`rows` with their
/// customer keys), and words the reason where seats are owned.
pub(super) fn apply(
    rows: &mut [(u32, PurchaseRow)],
    subs: LazyFrame,
    lics: LazyFrame,
) -> Result<()> {
    let owned = owned(subs)?;
    let (used, with_data) = used(lics, rows)?;
    for (key, row) in rows.iter_mut() {
        let sku = (*key, row.recommended_sku.clone());
        row.seats_owned = owned.get(&sku).copied().unwrap_or(0);
        row.seats_used = with_data
            .contains(key)
            .then(|| used.get(&sku).copied().unwrap_or(0));
        let free = (row.seats_owned - row.seats_used.unwrap_or(0)).max(0);
        row.to_buy = (row.quantity - free).max(0);
        if row.seats_owned > 0 {
            row.why = owned_reason(row, free);
        }
    }
    Ok(())
}

/// The purchase reason with the owned seats said.
fn owned_reason(row: &PurchaseRow, free: i64) -> Reason {
    let mut why = row.why.clone();
    why.code = match why.code {
        ReasonCode::PurchaseNoLicenseData => ReasonCode::PurchaseNoLicenseDataOwned,
        _ => ReasonCode::PurchaseReassignOwned,
    };
    let mut set = |arg, value: i64| {
        why.args.insert(arg, value.to_string());
    };
    set(ReasonArg::Owned, row.seats_owned);
    set(ReasonArg::ToBuy, row.to_buy);
    if let Some(used) = row.seats_used {
        set(ReasonArg::Used, used);
        set(ReasonArg::Free, free);
    }
    why.args
        .insert(ReasonArg::Plan, row.recommended_plan.clone());
    why
}
