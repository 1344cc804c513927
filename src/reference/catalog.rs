//! The retirement catalog (docs/rules.md §2.4): which SKUs retire, how to recognise them, what
//! already covers them and what replaces them. The default catalog is `data/catalog.toml`,
//! embedded in the binary; `--catalog` replaces it and `--catalog-extend` adds to it.

use crate::base::error::InputError;
use crate::read::limits::read_file;
use crate::reference::names::lookup_key;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The largest catalog file read (16 MiB).
pub const MAX_CATALOG_BYTES: u64 = 16 << 20;
/// The most retirements a catalog may hold.
pub const MAX_RETIREMENTS: usize = 1_000;

/// The default catalog, as shipped.
pub const DEFAULT_CATALOG: &str = include_str!("../../data/catalog.toml");

pub use crate::model::Segment;

/// Where the catalog comes from: the built-in one or a file that replaces it, then files whose
/// retirements are added (`--catalog`, `--catalog-extend`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogSource {
    /// A catalog that replaces the built-in one.
    pub replace: Option<std::path::PathBuf>,
    /// Catalogs whose retirements are added (same id replaces).
    pub extend: Vec<std::path::PathBuf>,
}

/// One replacement plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// The String_Id to buy.
    pub sku: String,
    /// The plan name shown to people.
    pub name: String,
    /// The segments this plan is offered to.
    pub segments: Vec<Segment>,
}

/// One retiring SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retirement {
    /// A stable kebab-case id, e.g. `office365-e4`.
    pub id: String,
    /// The name shown to people.
    pub name: String,
    /// The name in other languages, by language code (`nl = "Zelfstandige Kaizala Pro"`), as
    /// Microsoft's localized pages write it; `name` stands in for a language without one.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub names: std::collections::BTreeMap<String, String>,
    /// Offer names, String_Ids, GUIDs and offer ids that identify it.
    pub aliases: Vec<String>,
    /// Substrings of an offer or license name that identify it.
    #[serde(default)]
    pub contains: Vec<String>,
    /// When Microsoft stopped selling it.
    pub retired_on: toml::value::Datetime,
    /// When Microsoft set its subscriptions to auto renew = False.
    pub auto_renew_off_on: toml::value::Datetime,
    /// Service plans that already provide the capability.
    #[serde(default)]
    pub covered_by_plans: Vec<String>,
    /// SKUs (String_Id) that already provide the capability.
    #[serde(default)]
    pub covered_by_skus: Vec<String>,
    /// Replacement plans, in the order Partner Center lists them.
    pub replacements: Vec<Replacement>,
    /// Where the facts come from.
    pub source: String,
    /// `aliases` (a set) and `contains` as lookup keys, made once on first use.
    #[serde(skip)]
    keys: std::sync::OnceLock<(std::collections::HashSet<String>, Vec<String>)>,
}

impl Retirement {
    /// Whether `value` (an offer name, offer id, license name, String_Id or GUID) names this
    /// retirement, by alias or by substring.
    pub fn matches(&self, value: &str) -> bool {
        self.matches_key(&lookup_key(value))
    }

    /// [`Retirement::matches`] for a value already made a [`lookup_key`].
    pub fn matches_key(&self, key: &str) -> bool {
        let (aliases, contains) = self.keys();
        !key.is_empty()
            && (aliases.contains(key) || contains.iter().any(|c| key.contains(c.as_str())))
    }

    /// Whether a [`lookup_key`] is one of the aliases (exactly; `contains` words not asked).
    pub fn has_alias_key(&self, key: &str) -> bool {
        self.keys().0.contains(key)
    }

    fn keys(&self) -> &(std::collections::HashSet<String>, Vec<String>) {
        self.keys.get_or_init(|| {
            let aliases = self.aliases.iter().map(|a| lookup_key(a)).collect();
            let contains = self.contains.iter().map(|c| lookup_key(c)).collect();
            (aliases, contains)
        })
    }

    /// The default replacement for a segment: the first that lists it.
    pub fn recommended(&self, segment: Segment) -> Option<&Replacement> {
        self.replacements
            .iter()
            .find(|r| r.segments.contains(&segment))
    }

    /// `retired_on` as a date.
    pub fn retired_on(&self) -> NaiveDate {
        toml_date(&self.retired_on).expect("validated on load")
    }

    /// `auto_renew_off_on` as a date.
    pub fn auto_renew_off_on(&self) -> NaiveDate {
        toml_date(&self.auto_renew_off_on).expect("validated on load")
    }
}

fn toml_date(value: &toml::value::Datetime) -> Option<NaiveDate> {
    let date = value.date.as_ref()?;
    if value.time.is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
}

/// The catalog in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The retirements, in file order.
    #[serde(rename = "retirement")]
    pub retirements: Vec<Retirement>,
}

impl Catalog {
    /// Whether a [`lookup_key`] is exactly an alias of some retirement.
    pub fn has_alias(&self, key: &str) -> bool {
        self.retirements.iter().any(|r| r.has_alias_key(key))
    }

    /// The most characters an alias has: a longer value can only match a retirement through
    /// its `contains` words.
    pub fn longest_alias(&self) -> usize {
        self.retirements
            .iter()
            .flat_map(|r| &r.aliases)
            .map(|a| lookup_key(a).chars().count())
            .max()
            .unwrap_or(0)
    }

    /// Loads the catalog a source names; returns it with a name for the report
    /// (`built-in`, or the files).
    pub fn load(source: &CatalogSource) -> anyhow::Result<(Catalog, String)> {
        let read = |path: &std::path::Path| -> anyhow::Result<Catalog> {
            let label = path.display().to_string();
            let bytes = read_file(path, &label, MAX_CATALOG_BYTES)?;
            let text = String::from_utf8(bytes).map_err(|e| InputError::Catalog {
                file: label.clone(),
                message: format!(
                    "not UTF-8 text (byte {}); save it as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            })?;
            Ok(Catalog::parse(&label, &text)?)
        };
        let (mut catalog, mut name) = match &source.replace {
            Some(path) => (read(path)?, path.display().to_string()),
            None => (Catalog::builtin(), "built-in".to_string()),
        };
        for path in &source.extend {
            catalog.extend(read(path)?);
            name.push_str(&format!(" + {}", path.display()));
            if catalog.retirements.len() > MAX_RETIREMENTS {
                return Err(InputError::Catalog {
                    file: name,
                    message: format!(
                        "together they hold {} retirements, over the limit of {MAX_RETIREMENTS}",
                        catalog.retirements.len()
                    ),
                }
                .into());
            }
        }
        Ok((catalog, name))
    }

    /// The built-in catalog.
    pub fn builtin() -> Catalog {
        Catalog::parse("built-in catalog", DEFAULT_CATALOG).expect("the built-in catalog is valid")
    }

    /// Parses and validates a catalog; errors name the file and line.
    pub fn parse(file: &str, text: &str) -> Result<Catalog, InputError> {
        let err = |message: String| InputError::Catalog {
            file: file.to_string(),
            message,
        };
        let catalog: Catalog = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if catalog.retirements.len() > MAX_RETIREMENTS {
            return Err(err(format!(
                "{} retirements, over the limit of {MAX_RETIREMENTS}; Microsoft retires a few \
                 products a year, so this is probably not a catalog",
                catalog.retirements.len()
            )));
        }
        for (i, r) in catalog.retirements.iter().enumerate() {
            let line = line_of(text, &r.id);
            let at = |what: String| err(format!("line {line}: retirement `{}`: {what}", r.id));
            if r.id.trim().is_empty() {
                return Err(at("`id` is empty".into()));
            }
            if catalog.retirements[..i].iter().any(|o| o.id == r.id) {
                return Err(at("the id is used twice".into()));
            }
            if r.aliases.is_empty() && r.contains.is_empty() {
                return Err(at("needs `aliases` or `contains` to recognise it".into()));
            }
            for (field, value) in [
                ("retired_on", &r.retired_on),
                ("auto_renew_off_on", &r.auto_renew_off_on),
            ] {
                if toml_date(value).is_none() {
                    return Err(at(format!("`{field}` must be a date like 2020-07-01")));
                }
            }
            for segment in Segment::ALL {
                if r.recommended(segment).is_none() {
                    return Err(at(format!(
                        "no replacement lists the segment `{}`; every segment needs one",
                        segment.as_str()
                    )));
                }
            }
        }
        Ok(catalog)
    }

    /// Adds the retirements of `other`; one with an id already present replaces it.
    pub fn extend(&mut self, other: Catalog) {
        for r in other.retirements {
            match self.retirements.iter_mut().find(|o| o.id == r.id) {
                Some(existing) => *existing = r,
                None => self.retirements.push(r),
            }
        }
    }

    /// The retirement with this id.
    pub fn get(&self, id: &str) -> Option<&Retirement> {
        self.retirements.iter().find(|r| r.id == id)
    }

    /// The catalog as TOML, for `skusunset catalog`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a catalog serialises")
    }
}

fn line_of(text: &str, id: &str) -> usize {
    let needle = format!("\"{id}\"");
    text.lines()
        .position(|l| l.trim_start().starts_with("id") && l.contains(&needle))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_has_the_three_retirements_and_their_first_options() {
        let c = Catalog::builtin();
        let ids: Vec<&str> = c.retirements.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["kaizala-pro", "office365-e4", "skype-business-online-p1"]
        );
        let k = c.get("kaizala-pro").unwrap();
        assert_eq!(k.recommended(Segment::Education).unwrap().sku, "M365EDU_A1");
        assert_eq!(
            k.recommended(Segment::Business).unwrap().sku,
            "O365_BUSINESS_ESSENTIALS"
        );
        assert_eq!(
            k.recommended(Segment::Enterprise).unwrap().sku,
            "STANDARDPACK"
        );
        assert_eq!(k.recommended(Segment::Frontline).unwrap().sku, "SPE_F1");
        let s = c.get("skype-business-online-p1").unwrap();
        assert_eq!(
            s.recommended(Segment::Education).unwrap().name,
            "Office 365 A1"
        );
        assert_eq!(
            s.recommended(Segment::Business).unwrap().sku,
            "DESKLESSPACK"
        );
        assert_eq!(
            s.auto_renew_off_on(),
            NaiveDate::from_ymd_opt(2018, 9, 1).unwrap()
        );
        assert!(s.matches("  skype for business ONLINE (plan 1) "));
        assert!(!s.matches("Skype for Business Online (Plan 2)"));
        assert!(k.matches("Microsoft Kaizala Pro Standalone (Monthly)"));
    }

    #[test]
    fn malformed_catalogs_name_the_line() {
        let bad = "[[retirement]]\nid = \"x\"\nname = 3\n";
        let err = Catalog::parse("c.toml", bad).unwrap_err().to_string();
        assert!(err.contains("c.toml") && err.contains("line 3"), "{err}");
        let no_edu = DEFAULT_CATALOG.replace("segments = [\"education\"]", "segments = []");
        let err = Catalog::parse("c.toml", &no_edu).unwrap_err().to_string();
        assert!(
            err.contains("line 11: retirement `kaizala-pro`") && err.contains("education"),
            "{err}"
        );
    }

    #[test]
    fn extend_replaces_same_ids_and_appends_new_ones() {
        let mut c = Catalog::builtin();
        let extra = DEFAULT_CATALOG
            .replace("id = \"kaizala-pro\"", "id = \"kaizala-pro-2\"")
            .replace(
                "name = \"Office 365 E4 (ENTERPRISEWITHSCAL)\"",
                "name = \"E4 (renamed)\"",
            );
        c.extend(Catalog::parse("extra.toml", &extra).unwrap());
        let ids: Vec<&str> = c.retirements.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "kaizala-pro",
                "office365-e4",
                "skype-business-online-p1",
                "kaizala-pro-2"
            ]
        );
        assert_eq!(c.get("office365-e4").unwrap().name, "E4 (renamed)");
    }

    #[test]
    fn the_catalog_round_trips_through_toml() {
        let c = Catalog::builtin();
        assert_eq!(Catalog::parse("again", &c.to_toml()).unwrap(), c);
    }
}
