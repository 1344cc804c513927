//! Resolves a license value or a subscription offer to a SKU and to a retirement
//! (docs/rules.md §2.2 and §2.4), and splits the admin center's `+`-joined license lists.

use crate::reference::catalog::{Catalog, Retirement};
use crate::reference::names::lookup_key;
use crate::reference::skus::{Sku, SkuTable};

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

    /// Whether a value is a product's exact name: a display name, String_Id or GUID of the SKU
    /// table (its former names and `data/sku-aliases.csv` included, `tenant:SKU` on its SKU
    /// part), or an alias of the catalog. Never a catalog `contains` word: a substring does not
    /// make a name.
    pub fn is_exact_name(&self, value: &str) -> bool {
        self.sku(value).is_some() || self.catalog.has_alias(&lookup_key(value))
    }

    /// Splits an admin-center `Licenses` cell (docs/rules.md §2.2): on every `+`, then adjacent
    /// pieces are re-joined (as `A + B`) only where the joined text is an exact product name
    /// ([`Resolver::is_exact_name`]), the longest such run first, so
    /// `Enterprise Mobility + Security E5` stays whole while `Office 365 E3 + Microsoft Kaizala
    /// Pro` is two licenses. A piece no run takes stands alone, known or not; empty pieces (a
    /// trailing or doubled `+`) are dropped. `Unlicensed` and empty give no licenses.
    pub fn split_licenses(&self, cell: &str) -> Vec<String> {
        let cell = cell.trim();
        if cell.is_empty() || cell.eq_ignore_ascii_case("unlicensed") {
            return Vec::new();
        }
        let parts: Vec<&str> = cell
            .split('+')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        // A run of several parts is an exact name, never longer than the longest name: runs are
        // bounded by that, so a cell of thousands of pieces is split in linear time.
        let longest = self.skus.longest_name().max(self.catalog.longest_alias());
        let visible: Vec<usize> = parts
            .iter()
            .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
            .collect();
        let mut pieces = Vec::with_capacity(parts.len());
        let mut i = 0;
        while i < parts.len() {
            let (mut last, mut chars) = (i + 1, visible[i]);
            while last < parts.len() && chars + 1 + visible[last] <= longest {
                chars += 1 + visible[last];
                last += 1;
            }
            let end = (i + 2..=last)
                .rev()
                .find(|&end| self.is_exact_name(&parts[i..end].join(" + ")))
                .unwrap_or(i + 1);
            pieces.push(parts[i..end].join(" + "));
            i = end;
        }
        pieces
    }
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
        });
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
            let many = vec!["Office 365 E3"; 10_000].join(" + ");
            assert_eq!(r.split_licenses(&many).len(), 10_000);
            assert!(r.split_licenses("Unlicensed").is_empty());
            assert!(r.split_licenses("  ").is_empty());
            assert!(r.split_licenses(" + + ").is_empty());
        });
    }

    /// A catalog `contains` word (`kaizala pro`) never makes a spaced `+` list one license: the
    /// Office 365 E3 that already covers Kaizala is kept (issue 22).
    #[test]
    fn plus_splitting_rejoins_only_into_exact_names() {
        let e3_kaizala = ["Office 365 E3", "Microsoft Kaizala Pro"];
        let ems_kaizala = ["Enterprise Mobility + Security E5", "Microsoft Kaizala Pro"];
        with(|r| {
            for (cell, want) in [
                ("Office 365 E3 + Microsoft Kaizala Pro", &e3_kaizala[..]),
                ("Office 365 E3+Microsoft Kaizala Pro", &e3_kaizala),
                ("Office 365 E3  +  Microsoft Kaizala Pro", &e3_kaizala),
                (
                    "Enterprise Mobility + Security E5+Microsoft Kaizala Pro",
                    &ems_kaizala,
                ),
                (
                    "Enterprise Mobility + Security E5 + Microsoft Kaizala Pro",
                    &ems_kaizala,
                ),
                (
                    "Microsoft 365 E3 + Enterprise Mobility + Security E3",
                    &["Microsoft 365 E3", "Enterprise Mobility + Security E3"],
                ),
                ("Office 365 E3 + Microsoft Kaizala Pro +", &e3_kaizala),
                ("Office 365 E3 ++ Microsoft Kaizala Pro", &e3_kaizala),
                ("+Office 365 E3 + + Microsoft Kaizala Pro", &e3_kaizala),
                (
                    "Office 365 E3 + Contoso Widget + Microsoft Kaizala Pro",
                    &["Office 365 E3", "Contoso Widget", "Microsoft Kaizala Pro"],
                ),
                ("Contoso + Fabrikam Suite", &["Contoso", "Fabrikam Suite"]),
                (
                    "Microsoft Kaizala Pro + Enterprise Mobility + Security E5",
                    &["Microsoft Kaizala Pro", "Enterprise Mobility + Security E5"],
                ),
            ] {
                assert_eq!(r.split_licenses(cell), want, "{cell}");
            }
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
