//! What step B must find enabled before it removes a retiring license, decided here — from the
//! catalog's covering plans and products and the SKU table's service plans — so that the script
//! only looks values up. A removal needs a *keeper*: for `remove-only` the license that covers
//! the retiring one, for `reassign` the new plan (added in the same call, or already held). The
//! keeper must have enabled, for the user, a service plan of each family listed (`each`: of
//! those the retiring license has enabled), or of one of them (`any`: the catalog's covering
//! plans, such as Kaizala's); `none` when the new plan shares no family with the retiring
//! license (the catalog's replacement for a retired service: nothing of it can stay). An empty
//! list under `any` or `each` means the check cannot be made: the script removes nothing then,
//! and says why.

use crate::model::{Action, RetirementInfo, SkuInfo, UserRow};
use crate::reference::skus::plan_family;
use std::collections::BTreeSet;

/// How a keeper's families are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeepMode {
    /// One enabled plan of any listed family is enough.
    Any,
    /// Each listed family the retiring license has enabled must be enabled on the keeper.
    Each,
    /// Nothing of the retiring license can stay (reassign to a plan without its families).
    Nothing,
}

impl KeepMode {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            KeepMode::Any => "any",
            KeepMode::Each => "each",
            KeepMode::Nothing => "none",
        }
    }
}

/// What the keeper of one row must have enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keep {
    /// How the families are checked.
    pub(super) mode: KeepMode,
    /// The service plan families, sorted (empty: cannot be checked).
    pub(super) families: Vec<String>,
}

impl Keep {
    /// The families as the CSV column holds them, `;`-separated.
    pub(super) fn families_text(&self) -> String {
        self.families.join(";")
    }
}

fn families<'a>(plans: impl IntoIterator<Item = &'a String>) -> BTreeSet<&'a str> {
    plans.into_iter().map(|p| plan_family(p)).collect()
}

/// The keeper rule of one `users` row: `retiring` is the retiring license's product, `keeper`
/// the covering license's (remove-only) or the new plan's (reassign), each when the SKU table
/// knows it.
pub(super) fn keep_rule(
    user: &UserRow,
    retirement: Option<&RetirementInfo>,
    retiring: Option<&SkuInfo>,
    keeper: Option<&SkuInfo>,
) -> Keep {
    let none = |mode| Keep {
        mode,
        families: Vec::new(),
    };
    if user.action == Action::ReviewBlocked {
        return none(KeepMode::Each);
    }
    let keeper_families = keeper.map(|k| families(&k.service_plans));
    let covering_plans = retirement.map_or(&[][..], |r| r.covered_by_plans.as_slice());
    let (mode, wanted) = if covering_plans.is_empty() {
        let Some(retiring) = retiring else {
            return none(KeepMode::Each);
        };
        (KeepMode::Each, families(&retiring.service_plans))
    } else {
        (KeepMode::Any, families(covering_plans))
    };
    let Some(keeper_families) = keeper_families else {
        return none(mode);
    };
    let families: Vec<String> = (wanted.intersection(&keeper_families))
        .map(|f| (*f).to_string())
        .collect();
    if families.is_empty() && user.action == Action::Reassign {
        return none(KeepMode::Nothing);
    }
    Keep { mode, families }
}

/// Every plan name of `skus` and of the catalog's covering plans whose family differs from the
/// name, with its family, sorted: the script's lookup table (a name not in it is its own
/// family).
pub(super) fn family_table<'a>(
    skus: impl IntoIterator<Item = &'a SkuInfo>,
    covering: impl IntoIterator<Item = &'a String>,
) -> Vec<(String, String)> {
    let names: BTreeSet<&String> = (skus.into_iter().flat_map(|s| &s.service_plans))
        .chain(covering)
        .collect();
    names
        .into_iter()
        .filter(|name| plan_family(name) != name.as_str())
        .map(|name| (name.clone(), plan_family(name).to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Reason, ReasonCode};

    fn sku(id: &str, plans: &[&str]) -> SkuInfo {
        SkuInfo {
            string_id: id.into(),
            guid: String::new(),
            display_name: id.into(),
            service_plans: plans.iter().map(|p| (*p).to_string()).collect(),
        }
    }

    fn user(action: Action) -> UserRow {
        UserRow {
            customer_id: None,
            customer_name: "Contoso".into(),
            user_principal_name: "a@contoso.com".into(),
            display_name: None,
            retiring_license: "x".into(),
            retirement_id: "r".into(),
            action,
            recommended_sku: None,
            recommended_plan: None,
            covering_license: None,
            covering_sku: None,
            why: Reason::new(ReasonCode::RemoveOnly, []).into(),
        }
    }

    fn retirement(plans: &[&str], skus: &[&str]) -> RetirementInfo {
        RetirementInfo {
            id: "r".into(),
            name: "r".into(),
            names: std::collections::BTreeMap::new(),
            replacements: vec![],
            covered_by_plans: plans.iter().map(|p| (*p).to_string()).collect(),
            covered_by_skus: skus.iter().map(|p| (*p).to_string()).collect(),
            part_numbers: vec![],
            source: String::new(),
        }
    }

    // From the SKU table: Office 365 E4 and E5 (a subset of their plans).
    fn e4() -> SkuInfo {
        sku(
            "ENTERPRISEWITHSCAL",
            &[
                "EXCHANGE_S_ENTERPRISE",
                "FLOW_O365_P2",
                "MCOVOICECONF",
                "STREAM_O365_E3",
            ],
        )
    }
    fn e5() -> SkuInfo {
        sku(
            "ENTERPRISEPREMIUM",
            &[
                "EXCHANGE_S_ENTERPRISE",
                "FLOW_O365_P3",
                "MCOMEETADV",
                "STREAM_O365_E5",
            ],
        )
    }

    #[test]
    fn a_product_cover_keeps_each_family_both_have() {
        let e4_retirement = retirement(&[], &["ENTERPRISEPREMIUM", "SPE_E5"]);
        let keep = keep_rule(
            &user(Action::RemoveOnly),
            Some(&e4_retirement),
            Some(&e4()),
            Some(&e5()),
        );
        // Audio conferencing has no family in E5: the analysis judged E5 to cover E4 anyway,
        // so it is not required; Exchange, Flow and Stream are, whatever their level.
        assert_eq!(keep.mode, KeepMode::Each);
        assert_eq!(
            keep.families,
            ["EXCHANGE_S_ENTERPRISE", "FLOW_O365", "STREAM_O365"]
        );
        assert_eq!(
            keep.families_text(),
            "EXCHANGE_S_ENTERPRISE;FLOW_O365;STREAM_O365"
        );
    }

    #[test]
    fn a_plan_cover_needs_any_covering_plan_of_the_keeper() {
        let kaizala = retirement(
            &[
                "KAIZALA_STANDALONE",
                "KAIZALA_O365_P1",
                "KAIZALA_O365_P2",
                "KAIZALA_O365_P3",
            ],
            &[],
        );
        let e3 = sku(
            "ENTERPRISEPACK",
            &["EXCHANGE_S_ENTERPRISE", "KAIZALA_O365_P3"],
        );
        // Standalone Kaizala has no SKU row: the covering plans decide.
        let keep = keep_rule(&user(Action::RemoveOnly), Some(&kaizala), None, Some(&e3));
        assert_eq!(keep.mode, KeepMode::Any);
        assert_eq!(keep.families, ["KAIZALA_O365"]);
        // A keeper without any covering plan keeps nothing: the script removes nothing.
        let e1 = sku("STANDARDPACK", &["EXCHANGE_S_STANDARD"]);
        let none = keep_rule(&user(Action::RemoveOnly), Some(&kaizala), None, Some(&e1));
        assert!(none.families.is_empty());
    }

    #[test]
    fn a_replacement_without_the_retired_service_keeps_nothing() {
        let kaizala = retirement(&["KAIZALA_STANDALONE", "KAIZALA_O365_P3"], &[]);
        let basic = sku(
            "O365_BUSINESS_ESSENTIALS",
            &["EXCHANGE_S_STANDARD", "TEAMS1"],
        );
        let keep = keep_rule(&user(Action::Reassign), Some(&kaizala), None, Some(&basic));
        assert_eq!(keep.mode, KeepMode::Nothing);
        assert_eq!(keep.mode.as_str(), "none");
        // Unknown new plan: cannot be checked.
        let unknown = keep_rule(&user(Action::Reassign), Some(&kaizala), None, None);
        assert_eq!((unknown.mode, unknown.families.len()), (KeepMode::Any, 0));
    }

    #[test]
    fn unknown_products_or_blocked_users_cannot_be_checked() {
        let e4_retirement = retirement(&[], &["ENTERPRISEPREMIUM"]);
        let u = user(Action::RemoveOnly);
        assert!(
            keep_rule(&u, Some(&e4_retirement), None, Some(&e5()))
                .families
                .is_empty()
        );
        assert!(
            keep_rule(&u, Some(&e4_retirement), Some(&e4()), None)
                .families
                .is_empty()
        );
        let blocked = user(Action::ReviewBlocked);
        assert!(
            keep_rule(&blocked, Some(&e4_retirement), Some(&e4()), Some(&e5()))
                .families
                .is_empty()
        );
    }

    #[test]
    fn the_family_table_names_only_plans_with_a_level() {
        let covering = vec!["KAIZALA_O365_P3".to_string()];
        let table = family_table([&e4(), &e5()], &covering);
        assert_eq!(
            table,
            [
                ("FLOW_O365_P2", "FLOW_O365"),
                ("FLOW_O365_P3", "FLOW_O365"),
                ("KAIZALA_O365_P3", "KAIZALA_O365"),
                ("STREAM_O365_E3", "STREAM_O365"),
                ("STREAM_O365_E5", "STREAM_O365"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
