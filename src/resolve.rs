//! Resolves a license value or a subscription offer to a SKU and to a retirement
//! (docs/rules.md §2.2 and §2.4), and splits the admin center's `+`-joined license lists.

use crate::catalog::{Catalog, Retirement};
use crate::skus::{Sku, SkuTable, lookup_key};

/// What one license or offer value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution<'a> {
    /// The product, when the SKU table knows the value.
    pub sku: Option<&'a Sku>,
    /// The retirement it belongs to, if it is retiring.
    pub retirement: Option<&'a Retirement>,
}

/// The SKU part of `tenant:SKU` (AccountSkuId) or `reseller-account:SKU` (a CSP-sold license in
/// MSOnline); `None` for any other value.
fn sku_part(value: &str) -> Option<&str> {
    (value.split_once(':'))
        .map(|(_, part)| part)
        .filter(|part| !value.contains(' ') && !part.is_empty())
}

/// Looks values up in the SKU table and the retirement catalog.
pub struct Resolver<'a> {
    /// The SKU table.
    pub skus: &'a SkuTable,
    /// The retirement catalog.
    pub catalog: &'a Catalog,
}

impl<'a> Resolver<'a> {
    /// Resolves a license (or offer) value: exact, case-insensitive match on the SKU table's
    /// display name, String_Id or GUID (a `tenant:SKU` AccountSkuId or MSOnline's
    /// `reseller-account:SKU` matches on its SKU part),
    /// then the catalog's aliases; retiring when the value or its SKU's names match.
    pub fn resolve(&self, value: &str) -> Resolution<'a> {
        let value = value.trim();
        let part = sku_part(value);
        let sku = self.sku(value);
        let mut names = vec![value];
        names.extend(part);
        if let Some(sku) = sku {
            names.extend([
                sku.display_name.as_str(),
                sku.string_id.as_str(),
                sku.guid.as_str(),
            ]);
        }
        let retirement = self.retirement_of(&names);
        Resolution { sku, retirement }
    }

    /// The product a license value names, by the SKU table alone (see [`Resolver::resolve`]).
    pub fn sku(&self, value: &str) -> Option<&'a Sku> {
        let value = value.trim();
        (self.skus.lookup(value)).or_else(|| sku_part(value).and_then(|p| self.skus.lookup(p)))
    }

    /// How people call the product of a license value: the SKU table's display name
    /// (`SPE_E3` is "Microsoft 365 E3"), or the value as exported when the table does not know it.
    pub fn product_name<'v>(&self, value: &'v str) -> &'v str
    where
        'a: 'v,
    {
        self.sku(value).map_or(value, |s| s.display_name.as_str())
    }

    /// The retirement any of `values` names (offer name, offer id, friendly name...).
    pub fn retirement_of(&self, values: &[&str]) -> Option<&'a Retirement> {
        // Each value made a lookup key once, not once per retirement.
        let keys: Vec<String> = values.iter().map(|v| lookup_key(v)).collect();
        self.catalog
            .retirements
            .iter()
            .find(|r| keys.iter().any(|k| r.matches_key(k)))
    }

    /// Whether a value is a known product (SKU table or catalog).
    pub fn is_known(&self, value: &str) -> bool {
        let r = self.resolve(value);
        r.sku.is_some() || r.retirement.is_some()
    }

    /// Splits an admin-center `Licenses` cell. `+` without surrounding spaces always separates;
    /// ` + ` separates only where every resulting piece is a known product, so
    /// `Enterprise Mobility + Security E5` stays whole. `Unlicensed` and empty give no licenses.
    pub fn split_licenses(&self, cell: &str) -> Vec<String> {
        let cell = cell.trim();
        if cell.is_empty() || cell.eq_ignore_ascii_case("unlicensed") {
            return Vec::new();
        }
        let mut out = Vec::new();
        for segment in split_tight_plus(cell) {
            out.extend(self.split_spaced_plus(segment));
        }
        out
    }

    fn split_spaced_plus(&self, segment: &str) -> Vec<String> {
        let whole = segment.trim().to_string();
        let parts: Vec<&str> = segment.split(" + ").map(str::trim).collect();
        if parts.len() == 1 || self.is_known(&whole) {
            return vec![whole];
        }
        // Greedy: at each position take the longest run of parts that names a known product.
        // The whole segment is not known, so no run matches a catalog `contains` word (a run is
        // part of the whole); a run of several parts is known only by an exact name, which is
        // never longer than the longest name. Runs are bounded by that, so a cell of thousands
        // of pieces is split in linear time.
        let longest = self.skus.longest_name().max(self.catalog.longest_alias());
        let visible: Vec<usize> = parts
            .iter()
            .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
            .collect();
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            let (mut last, mut chars) = (i + 1, visible[i]);
            while last < parts.len() && chars + 1 + visible[last] <= longest {
                chars += 1 + visible[last];
                last += 1;
            }
            let Some(end) = (i + 1..=last)
                .rev()
                .find(|&end| self.is_known(&parts[i..end].join(" + ")))
            else {
                return vec![whole];
            };
            pieces.push(parts[i..end].join(" + "));
            i = end;
        }
        pieces
    }
}

/// Splits on every `+` that has no white space on either side.
fn split_tight_plus(cell: &str) -> Vec<&str> {
    let bytes = cell.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'+' {
            continue;
        }
        let spaced_before = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let spaced_after = bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace);
        if !spaced_before && !spaced_after {
            pieces.push(&cell[start..i]);
            start = i + 1;
        }
    }
    pieces.push(&cell[start..]);
    pieces
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<T>(f: impl FnOnce(&Resolver) -> T) -> T {
        let skus = SkuTable::builtin();
        let catalog = Catalog::builtin();
        f(&Resolver {
            skus: &skus,
            catalog: &catalog,
        })
    }

    #[test]
    fn a_license_is_named_by_its_product() {
        with(|r| {
            assert_eq!(r.product_name("SPE_E3"), "Microsoft 365 E3");
            assert_eq!(
                r.product_name(" reseller-account:SPE_E3 "),
                "Microsoft 365 E3"
            );
            assert_eq!(
                r.product_name("05e9a617-0261-4cee-bb44-138d3ef5d965"),
                "Microsoft 365 E3"
            );
            assert_eq!(r.product_name("Contoso Suite"), "Contoso Suite");
        })
    }

    #[test]
    fn plus_splitting_keeps_product_names_that_contain_plus() {
        with(|r| {
            assert_eq!(
                r.split_licenses("Office 365 E4+Microsoft Power Automate Free"),
                ["Office 365 E4", "Microsoft Power Automate Free"]
            );
            assert_eq!(
                r.split_licenses("Enterprise Mobility + Security E5+Office 365 E3"),
                ["Enterprise Mobility + Security E5", "Office 365 E3"]
            );
            assert_eq!(
                r.split_licenses("Office 365 E3 + Microsoft Power Automate Free"),
                ["Office 365 E3", "Microsoft Power Automate Free"]
            );
            assert_eq!(
                r.split_licenses("Contoso + Fabrikam Suite"),
                ["Contoso + Fabrikam Suite"]
            );
            let many = vec!["Office 365 E3"; 10_000].join(" + ");
            assert_eq!(r.split_licenses(&many).len(), 10_000);
            assert!(r.split_licenses("Unlicensed").is_empty());
            assert!(r.split_licenses("  ").is_empty());
        });
    }

    #[test]
    fn values_resolve_to_skus_and_retirements() {
        with(|r| {
            let e4 = r.resolve("OFFICE 365 E4");
            assert_eq!(e4.sku.unwrap().string_id, "ENTERPRISEWITHSCAL");
            assert_eq!(e4.retirement.unwrap().id, "office365-e4");
            let kaizala = r.resolve("Microsoft Kaizala Pro");
            assert!(kaizala.sku.is_none());
            assert_eq!(kaizala.retirement.unwrap().id, "kaizala-pro");
            assert_eq!(
                r.resolve("contoso:MCOIMP").retirement.unwrap().id,
                "skype-business-online-p1"
            );
            assert!(
                r.resolve("Skype for Business Online (Plan 2)")
                    .retirement
                    .is_none()
            );
            let unknown = r.resolve("Contoso Widget Plan");
            assert!(unknown.sku.is_none() && unknown.retirement.is_none());
        });
    }
}
