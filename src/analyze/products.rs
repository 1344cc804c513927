//! The products step B needs by identifier: how each retiring license of the `users` table
//! resolves to a SKU, and the SKU table's rows (GUID, service plans) for those, for the licenses
//! that cover them, and for every replacement of the retirements the report names.

use crate::base::hash::FastSet;
use crate::model::{RetirementInfo, RetiringLicense, SkuInfo, UserRow};
use crate::reference::names::is_part_number;
use crate::reference::resolve::Resolver;
use crate::reference::skus::Sku;
use std::collections::{BTreeMap, BTreeSet};

/// One [`RetiringLicense`] per distinct (license as written, retirement) of `users`, sorted, and
/// the products they and the replacements of `retirements` resolve to, sorted by String_Id.
pub(super) fn products(
    resolver: &Resolver,
    users: &[UserRow],
    retirements: &[RetirementInfo],
) -> (Vec<RetiringLicense>, Vec<SkuInfo>) {
    // Hashed, then sorted: a wave has hundreds of thousands of users and a handful of pairs.
    let written: FastSet<(&str, &str)> = users
        .iter()
        .map(|u| (&*u.retiring_license, &*u.retirement_id))
        .collect();
    let written: BTreeSet<(&str, &str)> = written.into_iter().collect();
    let mut skus: BTreeMap<&str, &Sku> = BTreeMap::new();
    let retirement = |id: &str| retirements.iter().find(|r| r.id == id);
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
                part_number: part_number(license, sku, retirement(retirement_id)),
            }
        })
        .collect();
    // The covering licenses too: step B checks each is still held, its covering plans enabled.
    let covering: FastSet<&str> = (users.iter())
        .filter_map(|u| u.covering_sku.as_deref())
        .collect();
    for sku in covering.into_iter().filter_map(|c| resolver.skus.lookup(c)) {
        skus.insert(&sku.string_id, sku);
    }
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

/// The part number step B removes for a retiring license: the product's String_Id; else the
/// value itself when it is written like one; else the retirement's first part-number alias;
/// else the value.
fn part_number(license: &str, sku: Option<&Sku>, retirement: Option<&RetirementInfo>) -> String {
    if let Some(sku) = sku {
        return sku.string_id.clone();
    }
    if is_part_number(license) {
        return license.to_string();
    }
    (retirement.and_then(|r| r.part_numbers.first()))
        .map_or_else(|| license.to_string(), Clone::clone)
}
