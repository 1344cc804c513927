//! Seats already owned (docs/rules.md §3.2a): per customer and plan, the seats of the customer's
//! open subscriptions of that plan (status active or pending; trials — an offer named "… Trial" —
//! left out) and the customer's users already holding it, so a purchase line asks only for what
//! is missing: `to_buy = max(0, quantity − max(0, owned − used))`. Without license data the
//! used seats cannot be seen, and the reason says so.

use crate::base::hash::{FastMap, FastSet};
use crate::model::{PurchaseRow, Reason, ReasonArg, ReasonCode, Status};
use anyhow::Result;
use polars::prelude::*;

/// The plans the purchase rows buy, each numbered once: the passes below look a row's plan up
/// in this small map instead of keying their counts on its text.
struct Plans<'r> {
    number: FastMap<&'r str, usize>,
}

impl<'r> Plans<'r> {
    fn of(rows: &'r [(u32, PurchaseRow)]) -> Plans<'r> {
        let mut number = FastMap::default();
        for (_, row) in rows {
            let next = number.len();
            number.entry(row.recommended_sku.as_str()).or_insert(next);
        }
        Plans { number }
    }

    /// The number of a plan to buy, by its String_Id.
    fn find(&self, sku: &str) -> Option<usize> {
        self.number.get(sku).copied()
    }
}

/// A count per (customer key, plan to buy).
type PerPlan = FastMap<(u32, usize), i64>;

/// Whether an offer is a trial ("… Trial", in any case).
fn is_trial(offer: &str) -> bool {
    // ASCII case-folding finds what lowercasing would: no other letter lowercases into these.
    (offer.as_bytes().windows(5)).any(|w| w.eq_ignore_ascii_case(b"trial"))
}

/// Per customer key and plan to buy: the seats of its open, paid subscriptions of that product.
fn owned(subs: LazyFrame, plans: &Plans) -> Result<PerPlan> {
    let open = col("status")
        .eq(lit(Status::Active.as_str()))
        .or(col("status").eq(lit(Status::Pending.as_str())));
    let df = subs
        .filter(col("offer_sku").is_not_null().and(open))
        .select([
            col("customer_key"),
            col("offer_sku"),
            col("offer_name"),
            col("quantity").cast(DataType::Int64),
        ])
        .collect()?;
    let (keys, skus) = (
        df.column("customer_key")?.u32()?,
        df.column("offer_sku")?.str()?,
    );
    let (offers, quantity) = (
        df.column("offer_name")?.str()?,
        df.column("quantity")?.i64()?,
    );
    let mut map = FastMap::default();
    let rows = (keys.iter().zip(skus.iter())).zip(offers.iter().zip(quantity.iter()));
    for ((key, sku), (offer, n)) in rows {
        let (Some(key), Some(plan)) = (key, sku.and_then(|s| plans.find(s))) else {
            continue;
        };
        if !offer.is_some_and(is_trial) {
            *map.entry((key, plan)).or_insert(0) += n.unwrap_or(0);
        }
    }
    Ok(map)
}

/// Per customer key and plan to buy: the customer's distinct users holding it; and, by customer
/// key, whether the customer has license data at all. One pass over the license rows: a user
/// id belongs to one customer, so a holder is a bit per plan and user, set once.
fn used(lics: LazyFrame, plans: &Plans) -> Result<(PerPlan, Vec<bool>)> {
    let df = lics
        .select([col("customer_key"), col("sku"), col("user_id")])
        .collect()?;
    let (keys, skus) = (df.column("customer_key")?.u32()?, df.column("sku")?.str()?);
    let users = df.column("user_id")?.u32()?;
    let plan_count = plans.number.len();
    let user_count = users.max().map_or(0, |m| m as usize + 1);
    let mut held = vec![0u64; (user_count * plan_count).div_ceil(64)];
    let mut with_data = Vec::new();
    let mut map = PerPlan::default();
    // A row without a user id (none in practice) counts as one user per customer and plan, as
    // a distinct count of the ids would.
    let mut no_id: FastSet<(u32, usize)> = FastSet::default();
    for ((key, sku), user) in keys.iter().zip(skus.iter()).zip(users.iter()) {
        let (Some(key), Some(sku)) = (key, sku) else {
            continue;
        };
        let at = key as usize;
        if at >= with_data.len() {
            with_data.resize(at + 1, false);
        }
        with_data[at] = true;
        let Some(plan) = plans.find(sku) else {
            continue;
        };
        let new = match user {
            Some(user) => {
                let bit = user as usize * plan_count + plan;
                let (word, mask) = (bit / 64, 1u64 << (bit % 64));
                let new = held[word] & mask == 0;
                held[word] |= mask;
                new
            }
            None => no_id.insert((key, plan)),
        };
        if new {
            *map.entry((key, plan)).or_insert(0) += 1;
        }
    }
    Ok((map, with_data))
}

/// Sets each purchase row's owned and used seats and what is left to buy (`rows` with their
/// customer keys), and words the reason where seats are owned.
pub(super) fn apply(
    rows: &mut [(u32, PurchaseRow)],
    subs: LazyFrame,
    lics: LazyFrame,
) -> Result<()> {
    let plans = Plans::of(rows);
    let owned = owned(subs, &plans)?;
    let (used, with_data) = used(lics, &plans)?;
    let plan_of: Vec<usize> = (rows.iter())
        .map(|(_, row)| {
            plans
                .find(&row.recommended_sku)
                .expect("every row's plan is numbered")
        })
        .collect();
    drop(plans);
    for ((key, row), plan) in rows.iter_mut().zip(plan_of) {
        let at = (*key, plan);
        row.seats_owned = owned.get(&at).copied().unwrap_or(0);
        row.seats_used = (with_data.get(*key as usize).copied().unwrap_or(false))
            .then(|| used.get(&at).copied().unwrap_or(0));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trial_is_named_so_in_any_case() {
        assert!(is_trial("Microsoft 365 Business Basic Trial"));
        assert!(is_trial("OFFICE 365 E3 TRIAL"));
        assert!(!is_trial("Office 365 E3"));
        assert!(!is_trial("Tri al"));
    }

    #[test]
    fn a_holder_counts_once_per_customer_and_plan() {
        let lics = df!(
            "customer_key" => [0u32, 0, 0, 1, 1, 2, 4],
            "sku" => [Some("A"), Some("A"), Some("A"), Some("A"), None, Some("B"), Some("B")],
            "user_id" => [Some(0u32), Some(0), Some(1), Some(2), Some(3), Some(4), None],
        )
        .expect("frame");
        let plans = Plans {
            number: [("A", 0), ("B", 1)].into_iter().collect(),
        };
        let (used, with_data) = used(lics.lazy(), &plans).expect("used");
        let mut counts: Vec<_> = used.into_iter().collect();
        counts.sort_unstable();
        // User 0 holds A twice; user 3 holds nothing; a row without a user id is one user.
        assert_eq!(counts, [((0, 0), 2), ((1, 0), 1), ((2, 1), 1), ((4, 1), 1)]);
        assert_eq!(with_data, [true, true, true, false, true]);
    }
}
