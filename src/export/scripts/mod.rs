//! `scripts/`: step B without clicking. For every customer with users to `reassign` or
//! `remove-only`, a Microsoft Graph PowerShell script (`<customer-slug>.ps1`, from
//! `templates/swap.ps1`) and the input it reads (`<customer-slug>.csv`, one row per `users` row
//! of that customer). The script does nothing without `-Apply`; the CSV is the reviewed list.
//! SKU GUIDs come from the report's SKU table rows; a license the table does not know gets no
//! guessed GUID: the script finds it in the tenant by part number at run time.

mod powershell;

use super::slug::customer_slugs;
use super::{Exporter, OutputFile};
use crate::base::hash::FastMap;
use crate::model::{Action, Report, RetirementInfo, SkuInfo, UserRow, by_customer};
use crate::reference::names::is_part_number;
use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The script template.
const TEMPLATE: &str = include_str!("../../../templates/swap.ps1");

/// The input CSV's columns, in order (the script checks them).
pub const CSV_COLUMNS: [&str; 6] = [
    "UserPrincipalName",
    "Action",
    "RemoveSkuId",
    "RemoveSkuPartNumber",
    "AddSkuId",
    "AddSkuPartNumber",
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
    result_file: String,
    reassign: usize,
    remove_only: usize,
    blocked: Vec<BlockedUser<'a>>,
    changes: Vec<PlanChange>,
    /// The retiring licenses to verify gone before step C.
    retiring: Vec<String>,
}

#[derive(Serialize)]
struct BlockedUser<'a> {
    upn: &'a str,
    display_name: &'a str,
    license: &'a str,
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
    /// Service plans of `from` with no plan of the same family in `to` (see [`plan_family`]).
    pub lost_plans: Vec<String>,
    /// `from` has an Exchange Online mailbox plan and `to` has none.
    pub loses_mailbox: bool,
    /// `from` has the desktop Office apps and `to` has not.
    pub loses_desktop_apps: bool,
}

/// Exchange Online mailbox service plans start so (`EXCHANGE_S_FOUNDATION` is not a mailbox).
fn is_mailbox_plan(plan: &str) -> bool {
    plan.starts_with("EXCHANGE_S_") && plan != "EXCHANGE_S_FOUNDATION"
}

/// The desktop Office apps: Microsoft 365 Apps for enterprise and for business.
fn is_desktop_apps_plan(plan: &str) -> bool {
    matches!(plan, "OFFICESUBSCRIPTION" | "OFFICE_BUSINESS")
}

/// A service plan's name without its level: `FLOW_O365_P2` and `FLOW_O365_P3` are one family,
/// as are `FORMS_PLAN_E3` / `FORMS_PLAN_E5` and `BPOS_S_TODO_2` / `BPOS_S_TODO_3`.
fn plan_family(plan: &str) -> &str {
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

/// A tenant id: a GUID in its 8-4-4-4-12 hex form.
fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One CSV row's SKU columns: `(RemoveSkuId, RemoveSkuPartNumber, AddSkuId, AddSkuPartNumber)`.
type SkuColumns<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Looks products up among the report's SKU rows and retiring licenses (built once per export).
pub struct Products<'a> {
    report: &'a Report,
    skus: FastMap<&'a str, &'a SkuInfo>,
    /// (license as written, retirement) → the String_Id it resolves to.
    licenses: FastMap<(&'a str, &'a str), &'a str>,
}

impl<'a> Products<'a> {
    /// Indexes the report's products.
    pub fn new(report: &'a Report) -> Products<'a> {
        Products {
            report,
            skus: (report.skus.iter())
                .map(|s| (s.string_id.as_str(), s))
                .collect(),
            licenses: (report.retiring_licenses.iter())
                .filter_map(|l| {
                    let key = (l.license.as_str(), l.retirement_id.as_str());
                    Some((key, l.sku.as_deref()?))
                })
                .collect(),
        }
    }

    fn sku(&self, string_id: &str) -> Option<&'a SkuInfo> {
        self.skus.get(string_id).copied()
    }

    /// The product a users row's retiring license resolves to.
    fn retiring_sku(&self, user: &UserRow) -> Option<&'a SkuInfo> {
        let key = (user.retiring_license.as_str(), user.retirement_id.as_str());
        self.sku(self.licenses.get(&key)?)
    }

    fn retirement(&self, id: &str) -> Option<&'a RetirementInfo> {
        self.report.retirements.iter().find(|r| r.id == id)
    }

    /// The retiring license's part number: the product's String_Id; else the value itself when
    /// it is written like one; else the catalog's first part-number alias; else the value.
    fn retiring_part_number(&self, user: &'a UserRow) -> &'a str {
        if let Some(sku) = self.retiring_sku(user) {
            return &sku.string_id;
        }
        if is_part_number(&user.retiring_license) {
            return &user.retiring_license;
        }
        self.retirement(&user.retirement_id)
            .and_then(|r| r.part_numbers.first())
            .map_or(&user.retiring_license, String::as_str)
    }

    fn columns(&self, user: &'a UserRow) -> SkuColumns<'a> {
        let remove_id = self.retiring_sku(user).map_or("", |s| s.guid.as_str());
        let remove_part = self.retiring_part_number(user);
        let (add_id, add_part) = match (user.action, user.recommended_sku.as_deref()) {
            (Action::Reassign, Some(sku)) => (self.sku(sku).map_or("", |s| s.guid.as_str()), sku),
            _ => ("", ""),
        };
        (remove_id, remove_part, add_id, add_part)
    }

    /// The plan changes of reassigned users, each once.
    pub fn plan_changes<'u>(
        &self,
        users: impl IntoIterator<Item = &'u UserRow>,
    ) -> Vec<PlanChange> {
        let changes: BTreeSet<PlanChange> = users
            .into_iter()
            .filter(|u| u.action == Action::Reassign)
            .filter_map(|u| self.change(u))
            .collect();
        changes.into_iter().collect()
    }

    /// What a reassigned user loses going from the retiring license to the new plan.
    fn change(&self, user: &UserRow) -> Option<PlanChange> {
        let to_id = user.recommended_sku.as_deref()?;
        let from = self.retiring_sku(user);
        let to = self.sku(to_id);
        let (mut lost_plans, mut loses_mailbox, mut loses_desktop_apps) =
            (Vec::new(), false, false);
        if let (Some(from), Some(to)) = (from, to) {
            let families: BTreeSet<&str> =
                to.service_plans.iter().map(|p| plan_family(p)).collect();
            lost_plans = (from.service_plans.iter())
                .filter(|p| !families.contains(plan_family(p)))
                .cloned()
                .collect();
            let loses = |has: fn(&str) -> bool| {
                from.service_plans.iter().any(|p| has(p))
                    && !to.service_plans.iter().any(|p| has(p))
            };
            loses_mailbox = loses(is_mailbox_plan);
            loses_desktop_apps = loses(is_desktop_apps_plan);
        }
        Some(PlanChange {
            from: from.map_or_else(|| user.retiring_license.clone(), |s| s.display_name.clone()),
            to: user
                .recommended_plan
                .clone()
                .unwrap_or_else(|| to_id.to_string()),
            known: from.is_some() && to.is_some(),
            lost_plans,
            loses_mailbox,
            loses_desktop_apps,
        })
    }
}

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(powershell::format);
    env.add_filter("comment", powershell::comment);
    env.add_template("swap.ps1", TEMPLATE)
        .context("template swap.ps1")?;
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
        w.write_record([
            user.user_principal_name.as_str(),
            user.action.as_str(),
            remove_id,
            remove_part,
            add_id,
            add_part,
        ])?;
    }
    Ok(w.into_inner()?)
}

/// Whether a customer's users give its script something to do.
pub fn has_script(users: &[&UserRow]) -> bool {
    users
        .iter()
        .any(|u| matches!(u.action, Action::Reassign | Action::RemoveOnly))
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
            if !has_script(&users) {
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
                    part if part == u.retiring_license => part.to_string(),
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
                result_file: format!("{slug}-result.csv"),
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
                changes: products.plan_changes(users.iter().copied()),
                retiring,
            };
            let script = template
                .render(Value::from(Serde(&page)))
                .with_context(|| format!("rendering the step B script for {customer_name}"))?;
            files.push((
                PathBuf::from(format!("scripts/{slug}.ps1")),
                script.into_bytes(),
            ));
            files.push((
                PathBuf::from(format!("scripts/{slug}.csv")),
                input_csv(&products, &users)?,
            ));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_guids() {
        assert!(is_guid("4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e01"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
        assert!(!is_guid("4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e0"));
        assert!(!is_guid("4f9a1c2e-7b3d-4e8a-9c1f-0a2b3c4d5e0g"));
    }

    #[test]
    fn plan_families_drop_the_level() {
        assert_eq!(plan_family("FLOW_O365_P2"), "FLOW_O365");
        assert_eq!(plan_family("FORMS_PLAN_E3"), "FORMS_PLAN");
        assert_eq!(plan_family("BPOS_S_TODO_2"), "BPOS_S_TODO");
        assert_eq!(plan_family("KAIZALA_O365_P3"), "KAIZALA_O365");
        assert_eq!(
            plan_family("EXCHANGE_S_ENTERPRISE"),
            "EXCHANGE_S_ENTERPRISE"
        );
        assert_eq!(plan_family("MCOIMP"), "MCOIMP");
        assert_eq!(plan_family("SHAREPOINTWAC"), "SHAREPOINTWAC");
    }

    #[test]
    fn mailbox_plans() {
        assert!(is_mailbox_plan("EXCHANGE_S_ENTERPRISE"));
        assert!(is_mailbox_plan("EXCHANGE_S_DESKLESS"));
        assert!(!is_mailbox_plan("EXCHANGE_S_FOUNDATION"));
        assert!(!is_mailbox_plan("MCOIMP"));
    }
}
