//! The products and retirements a report names: the retiring licenses of the `users` table, what
//! moving users lose (plan changes), and the SKU table's and the catalog's descriptions the
//! runbooks and scripts read.

use super::Segment;
use serde::Serialize;
use std::collections::BTreeMap;

/// A retiring license value of the `users` table and the product it resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetiringLicense {
    /// The value as written in the input (`UserRow::retiring_license`).
    pub license: String,
    /// The retirement.
    pub retirement_id: String,
    /// String_Id of the product, when the SKU table knows the value (standalone Kaizala Pro has
    /// no product row).
    pub sku: Option<String>,
    /// The part number step B removes: `sku`; else the value itself when it is written like
    /// one; else the retirement's first part-number alias; else the value.
    pub part_number: String,
}

/// What users moving from one product to another lose, by the SKU table's service plans.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PlanChange {
    /// The retiring license (product name when known, else as written).
    pub from: String,
    /// The new plan's name.
    pub to: String,
    /// Whether both products' service plans are known.
    pub known: bool,
    /// The products of the two whose service plans the SKU table does not know, by name.
    pub unknown_products: Vec<String>,
    /// Service plans of `from` with no plan of the same family in `to`.
    pub lost_plans: Vec<String>,
    /// `from` has an Exchange Online mailbox plan and `to` has none.
    pub loses_mailbox: bool,
    /// `from` has the desktop Office apps and `to` has not.
    pub loses_desktop_apps: bool,
}

/// One move of `reassign` users: from a retiring license (as written) to a plan, and what it
/// loses. Sorted by `(retiring_license, retirement_id, recommended_sku)`, each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanMove {
    /// The retiring license as written (`UserRow::retiring_license`).
    pub retiring_license: String,
    /// The retirement.
    pub retirement_id: String,
    /// String_Id of the plan the users move to.
    pub recommended_sku: String,
    /// What they lose.
    pub change: PlanChange,
}

/// A product as Microsoft's SKU table describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkuInfo {
    /// `skuPartNumber`, e.g. `ENTERPRISEPREMIUM`.
    pub string_id: String,
    /// `skuId`, lower case.
    pub guid: String,
    /// Product name.
    pub display_name: String,
    /// Service plan names it includes, sorted.
    pub service_plans: Vec<String>,
}

/// A retirement as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetirementInfo {
    /// The retirement id the tables use.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its name in other languages, by language code (from the catalog).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
    /// Replacement options in Partner Center's order.
    pub replacements: Vec<ReplacementInfo>,
    /// Service plans that cover it: a user holding any of them needs no replacement.
    pub covered_by_plans: Vec<String>,
    /// Products (String_Ids) that cover it whole.
    pub covered_by_skus: Vec<String>,
    /// The aliases that are product part numbers (String_Ids such as `KAIZALA_STANDALONE`):
    /// how a tenant's `subscribedSkus` name it when the SKU table has no row for it.
    pub part_numbers: Vec<String>,
    /// Where the catalog entry comes from.
    pub source: String,
}

impl RetirementInfo {
    /// Its name in the language `code` (`nl`), or its own name.
    pub fn name_in(&self, code: &str) -> &str {
        self.names
            .get(code)
            .map_or(self.name.as_str(), String::as_str)
    }
}

/// One replacement option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplacementInfo {
    /// String_Id.
    pub sku: String,
    /// Plan name.
    pub name: String,
    /// Segments it is recommended for.
    pub segments: Vec<Segment>,
}
