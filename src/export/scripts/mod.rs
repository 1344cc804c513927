//! `scripts/`: step B without clicking. For every customer with users to `reassign` or
//! `remove-only`, a Microsoft Graph PowerShell script (`<customer-slug>.ps1`, from
//! `templates/swap.ps1`) and the input it reads (`<customer-slug>.csv`, one row per `users` row
//! of that customer). The script does nothing without `-Apply`; the CSV is the reviewed list.
//! SKU GUIDs come from the report's SKU table rows; a license the table does not know gets no
//! guessed GUID: the script finds it in the tenant by part number at run time.

mod cover;
mod powershell;

use super::slug::customer_slugs;
use super::{Exporter, OutputFile};
use crate::base::hash::FastMap;
use crate::base::text::is_guid;
use crate::model::{
    Action, PlanChange, Report, RetirementInfo, RetiringLicense, SkuInfo, UserRow, by_customer,
};
use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::path::PathBuf;

/// The script template, and the functions it includes.
const TEMPLATE: &str = include_str!("../../../templates/swap.ps1");
const FUNCTIONS: &str = include_str!("../../../templates/swap-functions.ps1");

/// The input CSV's columns, in order (the script checks them). `CoverSku*` name the license
/// that covers a `remove-only` row; `KeepMode` and `KeepFamilies` what the keeper (that license,
/// or the new plan) must have enabled before the retiring license goes ([`cover`]).
pub const CSV_COLUMNS: [&str; 10] = [
    "UserPrincipalName",
    "Action",
    "RemoveSkuId",
    "RemoveSkuPartNumber",
    "AddSkuId",
    "AddSkuPartNumber",
    "CoverSkuId",
    "CoverSkuPartNumber",
    "KeepMode",
    "KeepFamilies",
];

/// Writes `scripts/`.
pub struct ScriptsExporter;

/// What the template sees for one customer.
#[derive(Serialize)]
struct ScriptPage<'a> {
    version: &'a str,
    as_of: String,
    customer_name: &'a str,
    customer_domain: Option<&'a str>,
    /// The customer id when it is a tenant id (a GUID); otherwise the script asks for one.
    tenant_id: Option<&'a str>,
    script_file: String,
    csv_file: String,
    /// The result CSV's name before `-<mode>-<time>.csv` in `scripts/results/` (the slug: the
    /// folder holds only what the scripts write, so no input list can be overwritten).
    result_prefix: String,
    /// The plan record's name before `-<mode>-<time>.json`.
    plan_prefix: String,
    reassign: usize,
    remove_only: usize,
    blocked: Vec<BlockedUser<'a>>,
    changes: Vec<&'a PlanChange>,
    /// The retiring licenses to verify gone before step C.
    retiring: Vec<String>,
    /// Service plan name → family, for every plan the script compares ([`cover::family_table`]).
    plan_families: Vec<(String, String)>,
}

#[derive(Serialize)]
struct BlockedUser<'a> {
    upn: &'a str,
    display_name: &'a str,
    license: &'a str,
}

/// One CSV row's SKU columns: `(RemoveSkuId, RemoveSkuPartNumber, AddSkuId, AddSkuPartNumber)`.
type SkuColumns<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Looks products up among the report's SKU rows and retiring licenses (built once per export).
pub(super) struct Products<'a> {
    skus: FastMap<&'a str, &'a SkuInfo>,
    /// (license as written, retirement) → how the analysis resolved it.
    licenses: FastMap<(&'a str, &'a str), &'a RetiringLicense>,
    retirements: FastMap<&'a str, &'a RetirementInfo>,
}

impl<'a> Products<'a> {
    /// Indexes the report's products.
    pub(super) fn new(report: &'a Report) -> Products<'a> {
        Products {
            skus: (report.skus.iter())
                .map(|s| (s.string_id.as_str(), s))
                .collect(),
            licenses: (report.retiring_licenses.iter())
                .map(|l| ((l.license.as_str(), l.retirement_id.as_str()), l))
                .collect(),
            retirements: (report.retirements.iter())
                .map(|r| (r.id.as_str(), r))
                .collect(),
        }
    }

    /// The retiring license's product, and the keeper's: the covering license's (remove-only)
    /// or the new plan's (reassign).
    fn retiring_and_keeper(&self, user: &UserRow) -> (Option<&'a SkuInfo>, Option<&'a SkuInfo>) {
        let retiring = self.license(user).and_then(|l| self.sku(l.sku.as_deref()?));
        let keeper = match user.action {
            Action::RemoveOnly => user.covering_sku.as_deref(),
            _ => user.recommended_sku.as_deref(),
        };
        (retiring, keeper.and_then(|k| self.sku(k)))
    }

    /// What the keeper of `user`'s row must have enabled.
    fn keep(&self, user: &UserRow) -> cover::Keep {
        let (retiring, keeper) = self.retiring_and_keeper(user);
        let retirement = self.retirements.get(&*user.retirement_id).copied();
        cover::keep_rule(user, retirement, retiring, keeper)
    }

    /// The family table of a customer's rows: the plans of every product they name, and the
    /// covering plans of their retirements.
    fn family_table(&self, users: &[&'a UserRow]) -> Vec<(String, String)> {
        let skus: Vec<&SkuInfo> = (users.iter())
            .flat_map(|u| {
                let (retiring, keeper) = self.retiring_and_keeper(u);
                [retiring, keeper]
            })
            .flatten()
            .collect();
        let covering = (users.iter())
            .filter_map(|u| self.retirements.get(&*u.retirement_id))
            .flat_map(|r| &r.covered_by_plans);
        cover::family_table(skus, covering)
    }

    fn sku(&self, string_id: &str) -> Option<&'a SkuInfo> {
        self.skus.get(string_id).copied()
    }

    fn license(&self, user: &UserRow) -> Option<&'a RetiringLicense> {
        let key = (&*user.retiring_license, &*user.retirement_id);
        self.licenses.get(&key).copied()
    }

    /// The retiring license's part number, as the analysis decided it
    /// ([`RetiringLicense::part_number`]).
    fn retiring_part_number(&self, user: &'a UserRow) -> &'a str {
        self.license(user)
            .map_or(&user.retiring_license, |l| l.part_number.as_str())
    }

    fn columns(&self, user: &'a UserRow) -> SkuColumns<'a> {
        let retiring = self.license(user).and_then(|l| self.sku(l.sku.as_deref()?));
        let remove_id = retiring.map_or("", |s| s.guid.as_str());
        let remove_part = self.retiring_part_number(user);
        let (add_id, add_part) = match (user.action, user.recommended_sku.as_deref()) {
            (Action::Reassign, Some(sku)) => (self.sku(sku).map_or("", |s| s.guid.as_str()), sku),
            _ => ("", ""),
        };
        (remove_id, remove_part, add_id, add_part)
    }
}

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(powershell::format);
    env.add_filter("comment", powershell::comment);
    env.add_template("swap.ps1", TEMPLATE)
        .context("template swap.ps1")?;
    env.add_template("swap-functions.ps1", FUNCTIONS)
        .context("template swap-functions.ps1")?;
    Ok(env)
}

/// The input CSV of one customer's script: UTF-8 with a BOM (Windows PowerShell 5.1 and Excel
/// both read it so), values as in the `users` rows (this file is the script's input, so no value
/// is altered).
fn input_csv<'a>(products: &Products<'a>, users: &[&'a UserRow]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(CSV_COLUMNS)?;
    for user in users {
        let (remove_id, remove_part, add_id, add_part) = products.columns(user);
        let cover = (user.covering_sku.as_deref()).and_then(|c| products.sku(c));
        let keep = products.keep(user);
        w.write_record([
            user.user_principal_name.as_str(),
            user.action.as_str(),
            remove_id,
            remove_part,
            add_id,
            add_part,
            cover.map_or("", |c| c.guid.as_str()),
            user.covering_sku.as_deref().unwrap_or_default(),
            keep.mode.as_str(),
            keep.families_text().as_str(),
        ])?;
    }
    Ok(w.into_inner()?)
}

impl Exporter for ScriptsExporter {
    fn export(&self, report: &Report) -> Result<Vec<OutputFile>> {
        let env = environment()?;
        let template = env.get_template("swap.ps1")?;
        let products = Products::new(report);
        let slugs = customer_slugs(report);
        let customers = by_customer(&report.customers);
        let mut files = Vec::new();
        for (key, users) in by_customer(&report.users) {
            if !users.iter().any(|u| u.action.is_scripted()) {
                continue;
            }
            let slug = &slugs[&key];
            let (customer_id, customer_name) = key;
            let count = |action| users.iter().filter(|u| u.action == action).count();
            let domain = customers.get(&key).and_then(|rows| rows.first());
            let mut retiring: Vec<String> = users
                .iter()
                .filter(|u| u.action != Action::ReviewBlocked)
                .map(|u| match products.retiring_part_number(u) {
                    part if part == &*u.retiring_license => part.to_string(),
                    part => format!("{} ({part})", u.retiring_license),
                })
                .collect();
            retiring.sort();
            retiring.dedup();
            let page = ScriptPage {
                version: &report.run.version,
                as_of: report.run.as_of.format("%Y-%m-%d").to_string(),
                customer_name,
                customer_domain: domain.and_then(|c| c.customer_domain.as_deref()),
                tenant_id: customer_id.filter(|id| is_guid(id)),
                script_file: format!("{slug}.ps1"),
                csv_file: format!("{slug}.csv"),
                result_prefix: slug.clone(),
                plan_prefix: format!("{slug}-plan"),
                reassign: count(Action::Reassign),
                remove_only: count(Action::RemoveOnly),
                blocked: users
                    .iter()
                    .filter(|u| u.action == Action::ReviewBlocked)
                    .map(|u| BlockedUser {
                        upn: &u.user_principal_name,
                        display_name: u.display_name.as_deref().unwrap_or_default(),
                        license: &u.retiring_license,
                    })
                    .collect(),
                changes: report.plan_changes_of(users.iter().copied()),
                retiring,
                plan_families: products.family_table(&users),
            };
            let script = template
                .render(Value::from(Serde(&page)))
                .with_context(|| format!("rendering the step B script for {customer_name}"))?;
            files.push((
                PathBuf::from(super::SCRIPTS).join(format!("{slug}.ps1")),
                script.into_bytes(),
            ));
            files.push((
                PathBuf::from(super::SCRIPTS).join(format!("{slug}.csv")),
                input_csv(&products, &users)?,
            ));
        }
        Ok(files)
    }
}
