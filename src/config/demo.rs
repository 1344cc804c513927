//! The bundled demo: a realistic multi-customer set of exports (`fixtures/demo/`), embedded in
//! the binary so `skusunset demo` works from any directory.

use super::Config;
use crate::analyze::DEFAULT_DEPROVISION_DAYS;
use crate::analyze::Params;
use crate::ingest::{InputFile, InputSpec};
use crate::reference::catalog::CatalogSource;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use tempfile::TempDir;

/// The demo files: name under `fixtures/demo/`, customer key (for `KEY=FILE`), contents.
const SUBSCRIPTIONS: (&str, &[u8]) = (
    "subscriptions.csv",
    include_bytes!("../../fixtures/demo/subscriptions.csv"),
);
const LICENSES: &[(&str, Option<&str>, &[u8])] = &[
    (
        "contoso-users.csv",
        None,
        include_bytes!("../../fixtures/demo/contoso-users.csv"),
    ),
    (
        "fabrikam-active-users.csv",
        Some("Fabrikam School District"),
        include_bytes!("../../fixtures/demo/fabrikam-active-users.csv"),
    ),
    (
        "northwind-licenses.csv",
        None,
        include_bytes!("../../fixtures/demo/northwind-licenses.csv"),
    ),
];

/// The unpacked demo files; removed when dropped.
pub struct DemoFixtures {
    dir: TempDir,
}

/// Writes the embedded fixtures into a temporary directory.
pub fn unpack() -> Result<DemoFixtures> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory for the demo")?;
    std::fs::write(dir.path().join(SUBSCRIPTIONS.0), SUBSCRIPTIONS.1)?;
    for (name, _, bytes) in LICENSES {
        std::fs::write(dir.path().join(name), bytes)?;
    }
    Ok(DemoFixtures { dir })
}

fn input(fixtures: &DemoFixtures, name: &str, key: Option<&str>) -> InputFile {
    InputFile {
        key: key.map(str::to_string),
        path: fixtures.dir.path().join(name),
        name: format!("fixtures/demo/{name}"),
        in_folder: false,
    }
}

/// The `report` configuration over the demo files.
pub fn config(fixtures: &DemoFixtures, as_of: NaiveDate) -> Config {
    Config {
        inputs: InputSpec {
            subscriptions: vec![input(fixtures, SUBSCRIPTIONS.0, None)],
            licenses: LICENSES
                .iter()
                .map(|(name, key, _)| input(fixtures, name, *key))
                .collect(),
            sheet: None,
            date_order: None,
            columns: None,
        },
        skus: Vec::new(),
        catalog: CatalogSource::default(),
        params: Params {
            as_of,
            deprovision_days: DEFAULT_DEPROVISION_DAYS,
            segment_overrides: BTreeMap::new(),
        },
        strict: false,
        prices: None,
    }
}
