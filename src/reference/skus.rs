//! The SKU table: Microsoft's "Product names and service plan identifiers for licensing" CSV,
//! grouped by product GUID. The whole list ships in the binary (gzip, `data/skus.csv.gz`, made
//! by `scripts/sku-table.py`) with the former names of renamed products
//! (`data/sku-aliases.csv`); `--skus FILE` adds or replaces products (any copy of the CSV: both
//! `String_Id` spellings, BOM, stray spaces, `;` delimiter).

use crate::base::error::InputError;
use crate::read::headers::{ColumnMap, FieldSpec};
use crate::read::limits::read_file;
use crate::read::{csv_text, table::Table};
use crate::reference::names::lookup_key;
use std::collections::{BTreeSet, HashMap};

/// The largest `--skus` file read (64 MiB; Microsoft's whole table is under 1 MiB).
pub const MAX_SKU_TABLE_BYTES: u64 = 64 << 20;
/// Microsoft's whole table, every product (gzip).
const BUILTIN_CSV_GZ: &[u8] = include_bytes!("../../data/skus.csv.gz");
/// Names that must find one product: former names of renamed products (still in older exports
/// and usage reports), and the product meant by a display name several products share (`Visio
/// Plan 2` is both VISIOCLIENT and VISIO_PLAN2_DEPT): `Name,String_Id`; they win over the table.
const BUILTIN_ALIASES: &str = include_str!("../../data/sku-aliases.csv");

const FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "display_name",
        aliases: &["Product_Display_Name", "Product name"],
    },
    FieldSpec {
        name: "string_id",
        aliases: &["String_Id", "String ID", "SkuPartNumber"],
    },
    FieldSpec {
        name: "guid",
        aliases: &["GUID", "SkuId"],
    },
    FieldSpec {
        name: "service_plan",
        aliases: &["Service_Plan_Name", "Service plan name"],
    },
];

/// One licensable product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    /// `skuId`, lower case.
    pub guid: String,
    /// `skuPartNumber`, e.g. `ENTERPRISEPACK`.
    pub string_id: String,
    /// The product name admin-center exports show, e.g. `Office 365 E3`.
    pub display_name: String,
    /// Service plan names (`Service_Plan_Name`) the product includes.
    pub service_plans: BTreeSet<String>,
}

impl Sku {
    /// Whether it is an education product (docs/rules.md §3.2, segment): its String_Id contains
    /// `EDU`, `FACULTY` or `STUDENT` (`M365EDU_A3_FACULTY`, `STANDARDWOFFPACK_STUDENT`).
    pub fn is_education(&self) -> bool {
        let id = self.string_id.to_uppercase();
        ["EDU", "FACULTY", "STUDENT"].iter().any(|m| id.contains(m))
    }
}

/// All known products, looked up by display name, String_Id or GUID (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct SkuTable {
    skus: Vec<Sku>,
    index: HashMap<String, usize>,
    /// The most characters any lookup key has.
    longest_key: usize,
}

impl SkuTable {
    /// The built-in table plus every `--skus` file.
    pub fn load(paths: &[std::path::PathBuf]) -> anyhow::Result<SkuTable> {
        let mut table = SkuTable::builtin();
        for path in paths {
            let label = path.display().to_string();
            let bytes = read_file(path, &label, MAX_SKU_TABLE_BYTES)?;
            table.add_csv(&label, &bytes)?;
        }
        Ok(table)
    }

    /// The built-in table: Microsoft's whole CSV and the former names.
    pub fn builtin() -> SkuTable {
        use std::io::Read;
        let mut csv = Vec::new();
        flate2::read::GzDecoder::new(BUILTIN_CSV_GZ)
            .read_to_end(&mut csv)
            .expect("the built-in SKU table decompresses");
        let mut table = SkuTable::default();
        table
            .add_csv("built-in SKU table", &csv)
            .expect("the built-in SKU table is valid");
        table
            .add_aliases(BUILTIN_ALIASES)
            .expect("every alias names a known String_Id");
        table
    }

    /// Makes each `Name,String_Id` line (after the header) a name of that product, also where
    /// the table gives the name to another product. An unknown String_Id is an error.
    fn add_aliases(&mut self, csv: &str) -> Result<(), String> {
        for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let (name, string_id) = line
                .rsplit_once(',')
                .ok_or_else(|| format!("{line:?} is not `Name,String_Id`"))?;
            let at = self
                .skus
                .iter()
                .position(|s| s.string_id.eq_ignore_ascii_case(string_id.trim()))
                .ok_or_else(|| format!("{line:?}: no product has String_Id {string_id}"))?;
            self.add_key(name, at, true);
        }
        Ok(())
    }

    /// Adds (or, for a GUID already known, replaces) the products of one CSV. Returns how many
    /// products the file held.
    pub fn add_csv(&mut self, file: &str, bytes: &[u8]) -> Result<usize, InputError> {
        let raw: Table = csv_text::read(bytes).map_err(|message| InputError::Malformed {
            file: file.to_string(),
            message,
        })?;
        let map = ColumnMap::new(&raw.headers, FIELDS);
        let pos = |name: &str| {
            map.get(name).ok_or_else(|| {
                let spec = FIELDS.iter().find(|f| f.name == name).expect("known field");
                ColumnMap::missing(file, &raw.headers, &[spec])
            })
        };
        let (name_at, id_at, guid_at) = (pos("display_name")?, pos("string_id")?, pos("guid")?);
        let plan_at = map.get("service_plan");
        let mut products: Vec<Sku> = Vec::new();
        let mut by_guid: HashMap<String, usize> = HashMap::new();
        for (i, row) in raw.rows.iter().enumerate() {
            let text = |at: usize| raw.columns[at].text.get(i);
            let cell = |at: usize| text(at).unwrap_or_default().to_string();
            let guid = cell(guid_at).to_lowercase();
            if guid.is_empty() {
                return Err(InputError::Skus {
                    file: file.to_string(),
                    message: format!("row {row} has no GUID"),
                });
            }
            let at = *by_guid.entry(guid.clone()).or_insert_with(|| {
                products.push(Sku {
                    guid,
                    string_id: cell(id_at),
                    display_name: cell(name_at),
                    service_plans: BTreeSet::new(),
                });
                products.len() - 1
            });
            if let Some(plan) = plan_at.and_then(text) {
                products[at].service_plans.insert(plan.to_string());
            }
        }
        let count = products.len();
        for sku in products {
            self.insert(sku);
        }
        Ok(count)
    }

    fn insert(&mut self, sku: Sku) {
        let known = self
            .index
            .get(&lookup_key(&sku.guid))
            .copied()
            .filter(|&at| self.skus[at].guid == sku.guid);
        let at = if let Some(at) = known {
            self.skus[at] = sku;
            at
        } else {
            self.skus.push(sku);
            self.skus.len() - 1
        };
        let sku = &self.skus[at];
        let keys = [
            sku.display_name.clone(),
            sku.string_id.clone(),
            sku.guid.clone(),
        ];
        for key in keys {
            self.add_key(&key, at, false);
        }
    }

    /// Indexes product `at` under `name` (unless the name is empty); a name that already names
    /// a product keeps it unless `replace`.
    fn add_key(&mut self, name: &str, at: usize, replace: bool) {
        if name.trim().is_empty() {
            return;
        }
        let key = lookup_key(name);
        self.longest_key = self.longest_key.max(key.chars().count());
        if replace {
            self.index.insert(key, at);
        } else {
            self.index.entry(key).or_insert(at);
        }
    }

    /// The product a license value names (display name, String_Id or GUID).
    pub fn lookup(&self, value: &str) -> Option<&Sku> {
        self.index.get(&lookup_key(value)).map(|&at| &self.skus[at])
    }

    /// The most characters a value can have (white space not counted) and still name a product.
    pub fn longest_name(&self) -> usize {
        self.longest_key
    }

    /// How many products are known.
    pub fn len(&self) -> usize {
        self.skus.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.skus.is_empty()
    }
}

/// A service plan's name without its level: `FLOW_O365_P2` and `FLOW_O365_P3` are one family,
/// as are `FORMS_PLAN_E3` / `FORMS_PLAN_E5` and `BPOS_S_TODO_2` / `BPOS_S_TODO_3`.
pub fn plan_family(plan: &str) -> &str {
    let mut family = plan;
    while let Some((head, last)) = family.rsplit_once('_') {
        let level = last.trim_start_matches(['P', 'E', 'A', 'F', 'K']);
        let level = level.strip_prefix("LAN").unwrap_or(level);
        if level.is_empty() || !level.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        family = head;
    }
    family
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_resolves_names_ids_guids_and_former_names() {
        let table = SkuTable::builtin();
        let e4 = table.lookup("office 365 e4").unwrap();
        assert_eq!(e4.string_id, "ENTERPRISEWITHSCAL");
        assert_eq!(
            table.lookup("1392051D-0CB9-4B7A-88D5-621FEE5E8711"),
            Some(e4)
        );
        assert!(
            table
                .lookup("MCOIMP")
                .unwrap()
                .service_plans
                .contains("MCOIMP")
        );
        assert!(
            table
                .lookup("STANDARDPACK")
                .unwrap()
                .service_plans
                .contains("KAIZALA_O365_P2")
        );
        assert!(table.lookup("Kaizala Pro").is_none());
        assert!(
            table.len() > 500,
            "Microsoft's whole table: {}",
            table.len()
        );
        // Names real exports carry: usage reports write them upper-case, some by a former name.
        for (name, string_id) in [
            ("MICROSOFT FLOW FREE", "FLOW_FREE"),
            ("POWER BI (FREE)", "POWER_BI_STANDARD"),
            ("OFFICE 365 E3 DEVELOPER", "DEVELOPERPACK"),
            (
                "MICROSOFT 365 E5 DEVELOPER (WITHOUT WINDOWS AND AUDIO CONFERENCING)",
                "DEVELOPERPACK_E5",
            ),
            ("MEETING_ROOM", "MEETING_ROOM"),
            ("Office 365 Business Premium", "O365_BUSINESS_PREMIUM"),
            ("Microsoft 365 Business Standard", "O365_BUSINESS_PREMIUM"),
            // Display names several products share: the one partners sell.
            ("Visio Plan 2", "VISIOCLIENT"),
            ("Visio Plan 1", "VISIOONLINE_PLAN1"),
            ("Microsoft 365 Business Basic", "O365_BUSINESS_ESSENTIALS"),
        ] {
            let sku = table.lookup(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(sku.string_id, string_id, "{name}");
        }
    }

    #[test]
    fn an_alias_to_an_unknown_string_id_is_refused() {
        let mut table = SkuTable::builtin();
        let err = table
            .add_aliases("Name,String_Id\nOld Thing,NO_SUCH_SKU\n")
            .unwrap_err();
        assert!(
            err.contains("no product has String_Id NO_SUCH_SKU"),
            "{err}"
        );
    }

    #[test]
    fn old_header_spelling_stray_spaces_and_semicolons() {
        let csv = "\u{feff}Product_Display_Name;String_ Id;GUID;Service_Plan_Name\n\
                   Contoso Suite ; CONTOSO_SUITE ; 11111111-2222-3333-4444-555555555555 ;PLAN_A\n\
                   Contoso Suite;CONTOSO_SUITE;11111111-2222-3333-4444-555555555555;PLAN_B\n";
        let mut table = SkuTable::default();
        assert_eq!(table.add_csv("old.csv", csv.as_bytes()).unwrap(), 1);
        let sku = table.lookup("contoso_suite").unwrap();
        assert_eq!(sku.display_name, "Contoso Suite");
        assert_eq!(sku.service_plans.len(), 2);
    }

    #[test]
    fn a_file_without_guid_column_is_a_named_error() {
        let err = SkuTable::default()
            .add_csv("x.csv", b"Product name,String ID\na,b\n")
            .unwrap_err();
        assert!(
            err.to_string().contains("`x.csv` has no `guid` column"),
            "{err}"
        );
    }
}
