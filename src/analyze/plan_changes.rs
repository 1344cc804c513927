//! What `reassign` users lose (docs/rules.md §3.2): for each move from a retiring license to a
//! recommended plan, the service plans of the old product that the new one has no plan of the
//! same family for, and whether the mailbox or the desktop Office apps go with them.

use crate::model::{Action, PlanChange, PlanMove, RetiringLicense, SkuInfo, UserRow};
use crate::reference::skus::plan_family;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Exchange Online mailbox service plans start so (`EXCHANGE_S_FOUNDATION` is not a mailbox).
fn is_mailbox_plan(plan: &str) -> bool {
    plan.starts_with("EXCHANGE_S_") && plan != "EXCHANGE_S_FOUNDATION"
}

/// The desktop Office apps: Microsoft 365 Apps for enterprise and for business.
fn is_desktop_apps_plan(plan: &str) -> bool {
    matches!(plan, "OFFICESUBSCRIPTION" | "OFFICE_BUSINESS")
}

/// Every distinct move of the `reassign` users, sorted, with what it loses; products come from
/// the report's SKU rows (`skus`) by the String_Id `licenses` resolve each license to.
pub(super) fn plan_changes(
    users: &[UserRow],
    licenses: &[RetiringLicense],
    skus: &[SkuInfo],
) -> Vec<PlanMove> {
    let skus: HashMap<&str, &SkuInfo> = skus.iter().map(|s| (s.string_id.as_str(), s)).collect();
    let resolved: HashMap<(&str, &str), &str> = (licenses.iter())
        .filter_map(|l| {
            Some((
                (l.license.as_str(), l.retirement_id.as_str()),
                l.sku.as_deref()?,
            ))
        })
        .collect();
    let mut moves: BTreeMap<(&str, &str, &str), Option<&str>> = BTreeMap::new();
    for u in users.iter().filter(|u| u.action == Action::Reassign) {
        if let Some(to) = u.recommended_sku.as_deref() {
            let key = (&*u.retiring_license, &*u.retirement_id, to);
            moves.entry(key).or_insert(u.recommended_plan.as_deref());
        }
    }
    (moves.into_iter())
        .map(|((license, retirement_id, to_id), plan)| {
            let from = (resolved.get(&(license, retirement_id))).and_then(|id| skus.get(id));
            let to = skus.get(to_id);
            PlanMove {
                retiring_license: license.to_string(),
                retirement_id: retirement_id.to_string(),
                recommended_sku: to_id.to_string(),
                change: change(
                    (
                        from.map_or(license, |s| s.display_name.as_str()),
                        from.is_some(),
                    ),
                    (plan.unwrap_or(to_id), to.is_some()),
                    from.copied().zip(to.copied()),
                ),
            }
        })
        .collect()
}

/// What going from `from` to `to` (each: name, whether the SKU table knows it) loses, when both
/// products are known.
fn change(
    (from_name, from_known): (&str, bool),
    (to_name, to_known): (&str, bool),
    products: Option<(&SkuInfo, &SkuInfo)>,
) -> PlanChange {
    let (mut lost_plans, mut loses_mailbox, mut loses_desktop_apps) = (Vec::new(), false, false);
    if let Some((from, to)) = products {
        let families: BTreeSet<&str> = to.service_plans.iter().map(|p| plan_family(p)).collect();
        lost_plans = (from.service_plans.iter())
            .filter(|p| !families.contains(plan_family(p)))
            .cloned()
            .collect();
        let loses = |has: fn(&str) -> bool| {
            from.service_plans.iter().any(|p| has(p)) && !to.service_plans.iter().any(|p| has(p))
        };
        loses_mailbox = loses(is_mailbox_plan);
        loses_desktop_apps = loses(is_desktop_apps_plan);
    }
    PlanChange {
        from: from_name.to_string(),
        to: to_name.to_string(),
        known: products.is_some(),
        unknown_products: [(from_name, from_known), (to_name, to_known)]
            .into_iter()
            .filter(|(_, known)| !known)
            .map(|(name, _)| name.to_string())
            .collect(),
        lost_plans,
        loses_mailbox,
        loses_desktop_apps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_families_drop_the_level() {
        assert_eq!(plan_family("FLOW_O365_P2"), "FLOW_O365");
        assert_eq!(plan_family("FORMS_PLAN_E3"), "FORMS_PLAN");
        assert_eq!(plan_family("BPOS_S_TODO_2"), "BPOS_S_TODO");
        assert_eq!(plan_family("KAIZALA_O365_P3"), "KAIZALA_O365");
        assert_eq!(
            plan_family("EXCHANGE_S_ENTERPRISE"),
            "EXCHANGE_S_ENTERPRISE"
        );
        assert_eq!(plan_family("MCOIMP"), "MCOIMP");
        assert_eq!(plan_family("SHAREPOINTWAC"), "SHAREPOINTWAC");
    }

    #[test]
    fn mailbox_plans() {
        assert!(is_mailbox_plan("EXCHANGE_S_ENTERPRISE"));
        assert!(is_mailbox_plan("EXCHANGE_S_DESKLESS"));
        assert!(!is_mailbox_plan("EXCHANGE_S_FOUNDATION"));
        assert!(!is_mailbox_plan("MCOIMP"));
    }
}
