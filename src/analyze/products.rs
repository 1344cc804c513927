//! The products step B needs by identifier: how each retiring license of the `users` table
//! resolves to a SKU, and the SKU table's rows (GUID, service plans) for those and for every
//! replacement of the retirements the report names.

use crate::model::{RetirementInfo, RetiringLicense, SkuInfo, UserRow};
use crate::reference::resolve::Resolver;
use crate::reference::skus::Sku;
use std::collections::{BTreeMap, BTreeSet};

/// One [`RetiringLicense`] per distinct (license as written, retirement) of `users`, sorted, and
/// the products they and the replacements of `retirements` resolve to, sorted by String_Id.
pub fn products(
    resolver: &Resolver,
    users: &[UserRow],
    retirements: &[RetirementInfo],
) -> (Vec<RetiringLicense>, Vec<SkuInfo>) {
    let written: BTreeSet<(&str, &str)> = users
        .iter()
        .map(|u| (u.retiring_license.as_str(), u.retirement_id.as_str()))
        .collect();
    let mut skus: BTreeMap<&str, &Sku> = BTreeMap::new();
    let licenses = written
        .into_iter()
        .map(|(license, retirement_id)| {
            let sku = resolver.resolve(license).sku;
            if let Some(sku) = sku {
                skus.insert(&sku.string_id, sku);
            }
            RetiringLicense {
                license: license.to_string(),
                retirement_id: retirement_id.to_string(),
                sku: sku.map(|s| s.string_id.clone()),
            }
        })
        .collect();
    let replacements = retirements.iter().flat_map(|r| &r.replacements);
    for sku in replacements.filter_map(|p| resolver.skus.lookup(&p.sku)) {
        skus.insert(&sku.string_id, sku);
    }
    let skus = skus
        .into_values()
        .map(|sku| SkuInfo {
            string_id: sku.string_id.clone(),
            guid: sku.guid.clone(),
            display_name: sku.display_name.clone(),
            service_plans: sku.service_plans.iter().cloned().collect(),
        })
        .collect();
    (licenses, skus)
}
