//! `--columns FILE`: a partner's own header names for the canonical fields (TOML,
//! `"Gebruikersnaam" = "user_principal_name"`), applied to every table before the built-in
//! aliases. A header named there is read as the field; a field name that does not exist is an
//! error listing the valid ones.

use super::header_aliases::{LICENSE_FIELDS, SUBSCRIPTION_FIELDS};
use crate::read::headers::{KnownHeaders, normalize};
use crate::read::limits::read_file;
use crate::read::table::Table;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The largest `--columns` file read (a few hundred lines are plenty).
const MAX_COLUMNS_FILE_BYTES: u64 = 1 << 20;

/// Header (normalized) → the field's preferred header, which the field lists match first.
#[derive(Debug, Clone, Default)]
pub struct ColumnRenames(BTreeMap<String, &'static str>);

impl ColumnRenames {
    /// Reads a `--columns` file.
    pub fn read(path: &Path) -> Result<ColumnRenames> {
        let label = path.display().to_string();
        let bytes = read_file(path, &label, MAX_COLUMNS_FILE_BYTES).context("--columns")?;
        let text = String::from_utf8(bytes).map_err(|_| {
            anyhow::anyhow!("--columns: `{label}` is not UTF-8 text; save it as UTF-8")
        })?;
        let table: BTreeMap<String, String> = toml::from_str(&text).with_context(|| {
            format!(
                "--columns: `{}` is not a TOML table of `\"Header\" = \"field\"` lines",
                path.display()
            )
        })?;
        let fields = || SUBSCRIPTION_FIELDS.iter().chain(LICENSE_FIELDS);
        let mut renames = BTreeMap::new();
        for (header, field) in &table {
            let Some(spec) = fields().find(|s| s.name == field.trim()) else {
                let mut valid: Vec<&str> = fields().map(|s| s.name).collect();
                valid.sort_unstable();
                valid.dedup();
                anyhow::bail!(
                    "--columns: `{}` maps \"{header}\" to \"{field}\", which is no field; the \
                     fields are: {}",
                    path.display(),
                    valid.join(", ")
                );
            };
            renames.insert(normalize(header), spec.aliases[0]);
        }
        Ok(ColumnRenames(renames))
    }

    /// The headers a column can be read as a field under: a built-in alias of a subscription or
    /// license field, or a header this file names. The readers hold no other column's cells.
    pub(super) fn wanted(&self) -> KnownHeaders {
        KnownHeaders::of(SUBSCRIPTION_FIELDS.iter().chain(LICENSE_FIELDS))
            .and(self.0.keys().cloned())
    }

    /// Renames the headers of `table` that the file names.
    pub(super) fn apply(&self, mut table: Table) -> Table {
        if !self.0.is_empty() {
            for header in &mut table.headers {
                if let Some(name) = self.0.get(&normalize(header)) {
                    *header = (*name).to_string();
                }
            }
        }
        table
    }
}
