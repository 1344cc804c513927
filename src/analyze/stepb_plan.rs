//! `skusunset check-plan`: verifies a step B record ([`StepBPlan`]) against the rules the
//! script must keep — each `reassign` request adds and removes, no product is both added and
//! removed, every removal leaves the user an enabled plan of the families the row lists (after
//! the request, as Graph would apply it), and no user is moved onto a product the tenant has
//! only as a trial. A finding names the user and the rule.

use crate::model::stepb_plan::{
    AssignLicenseRequest, AssignedLicense, GraphUser, PlannedUser, StepBPlan,
};
use std::collections::{BTreeMap, BTreeSet};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The user.
    pub user: String,
    /// What is wrong, in words.
    pub message: String,
}

/// What a check found.
#[derive(Debug, Default)]
pub struct PlanCheck {
    /// Users with a request.
    pub requests: usize,
    /// Users without one (stopped, skipped or not run).
    pub without_request: usize,
    /// The broken rules.
    pub findings: Vec<Finding>,
    /// What Graph refused, with its code and message.
    pub refusals: Vec<Finding>,
}

/// Graph's code and message in the error text of the Graph PowerShell SDK, which holds the whole
/// HTTP response: the request and status lines, the headers, a blank line, then Graph's JSON
/// body (`{"error":{"code":…,"message":…}}`). The step B script reads it the same way.
pub fn graph_error(text: &str) -> Option<(String, String)> {
    let body = match text.find("\r\n\r\n").or_else(|| text.find("\n\n")) {
        Some(blank) => &text[blank..],
        None => text,
    };
    let json: serde_json::Value = serde_json::from_str(body.get(body.find('{')?..)?.trim()).ok()?;
    let error = json.get("error")?;
    let code = error.get("code")?.as_str()?.to_string();
    let message = error
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or_default();
    Some((code, message.to_string()))
}

/// The checks over a whole record.
pub fn check_plan(plan: &StepBPlan) -> PlanCheck {
    let mut check = PlanCheck::default();
    for user in &plan.users {
        if let Some((code, message)) = graph_error(&user.graph_error) {
            check.refusals.push(Finding {
                user: user.user_principal_name.clone(),
                message: format!("Graph refused ({code}): {message}"),
            });
        }
        if user.request.trim().is_empty() {
            check.without_request += 1;
            continue;
        }
        check.requests += 1;
        for message in check_user(plan, user) {
            check.findings.push(Finding {
                user: user.user_principal_name.clone(),
                message,
            });
        }
    }
    check
}

/// The family of a service plan, by the record's table (a name not in it is its own family).
fn family<'a>(plan: &'a StepBPlan, name: &'a str) -> &'a str {
    plan.plan_families.get(name).map_or(name, String::as_str)
}

/// The families each license enables, given the licenses a user holds.
fn enabled_families<'a>(
    plan: &'a StepBPlan,
    licenses: &[AssignedLicense],
) -> BTreeMap<String, BTreeSet<&'a str>> {
    let mut enabled = BTreeMap::new();
    for license in licenses {
        let Some(sku) = plan
            .subscribed_skus
            .iter()
            .find(|s| s.sku_id == license.sku_id)
        else {
            continue;
        };
        let families = (sku.service_plans.iter())
            .filter(|p| !license.disabled_plans.contains(&p.service_plan_id))
            .map(|p| family(plan, &p.service_plan_name))
            .collect();
        enabled.insert(license.sku_id.clone(), families);
    }
    enabled
}

fn part_number(plan: &StepBPlan, sku_id: &str) -> String {
    (plan.subscribed_skus.iter())
        .find(|s| s.sku_id == sku_id)
        .map_or_else(|| sku_id.to_string(), |s| s.sku_part_number.clone())
}

/// The rules one user's request breaks.
fn check_user(plan: &StepBPlan, user: &PlannedUser) -> Vec<String> {
    let request: AssignLicenseRequest = match serde_json::from_str(&user.request) {
        Ok(request) => request,
        Err(e) => return vec![format!("the request is not an assignLicense body: {e}")],
    };
    let mut broken = shape(plan, user, &request);
    let before = user.before.clone().unwrap_or_default();
    if user.before.is_none() {
        broken.push(
            "the record has no licenses before the request, so the removal cannot be checked"
                .into(),
        );
    }
    broken.extend(removals(plan, user, &request, &before));
    broken.extend(trial_targets(plan, &request, &before));
    broken
}

/// A request's own shape: what it adds and removes for the row's class.
fn shape(plan: &StepBPlan, user: &PlannedUser, request: &AssignLicenseRequest) -> Vec<String> {
    let mut broken = Vec::new();
    let added: BTreeSet<&str> = request
        .add_licenses
        .iter()
        .map(|l| l.sku_id.as_str())
        .collect();
    for sku in request
        .remove_licenses
        .iter()
        .filter(|r| added.contains(r.as_str()))
    {
        broken.push(format!(
            "{} is both added and removed",
            part_number(plan, sku)
        ));
    }
    let adds_and_removes = !request.add_licenses.is_empty() && !request.remove_licenses.is_empty();
    if user.class == "reassign" && !adds_and_removes {
        broken.push("a reassign request must add the new plan and remove the retiring one".into());
    }
    if user.class == "remove-only" && !request.add_licenses.is_empty() {
        broken.push("a remove-only request adds a license".into());
    }
    broken
}

/// Each removed product must leave the row's keep families enabled on a working license once
/// the request is applied (removed ones gone, added ones with their disabled plans).
fn removals(
    plan: &StepBPlan,
    user: &PlannedUser,
    request: &AssignLicenseRequest,
    before: &GraphUser,
) -> Vec<String> {
    let replaced = |sku: &str| {
        request.remove_licenses.iter().any(|r| r == sku)
            || request.add_licenses.iter().any(|a| a.sku_id == sku)
    };
    let failing = |sku: &str| {
        (before.license_assignment_states.iter())
            .any(|s| s.sku_id == sku && s.state.as_deref() == Some("Error"))
    };
    let after: Vec<AssignedLicense> = (before.assigned_licenses.iter())
        .filter(|l| !replaced(&l.sku_id))
        .chain(&request.add_licenses)
        .filter(|l| !failing(&l.sku_id))
        .cloned()
        .collect();
    let kept: BTreeSet<&str> = enabled_families(plan, &after)
        .into_values()
        .flatten()
        .collect();
    let had = enabled_families(plan, &before.assigned_licenses);
    let wanted: Vec<&str> = user
        .keep_families
        .split(';')
        .filter(|f| !f.is_empty())
        .collect();
    let mut broken = Vec::new();
    for removed in &request.remove_licenses {
        let name = part_number(plan, removed);
        match user.keep_mode.as_str() {
            "none" => {}
            _ if wanted.is_empty() => broken.push(format!(
                "{name} is removed although the row lists no service plan to check the cover by"
            )),
            "any" if !wanted.iter().any(|f| kept.contains(f)) => broken.push(format!(
                "{name} is removed and no plan of {} stays enabled",
                wanted.join(", ")
            )),
            "any" => {}
            _ => {
                let lost: Vec<&str> = (wanted.iter().copied())
                    .filter(|f| had.get(removed).is_some_and(|h| h.contains(f)))
                    .filter(|f| !kept.contains(f))
                    .collect();
                if !lost.is_empty() {
                    broken.push(format!(
                        "{name} is removed and these of its enabled services stay on no license: {}",
                        lost.join(", ")
                    ));
                }
            }
        }
    }
    broken
}

/// A product added to a user who did not hold it must be paid for: an enabled subscription that
/// is not a trial (when the record has the tenant's subscriptions).
fn trial_targets(
    plan: &StepBPlan,
    request: &AssignLicenseRequest,
    before: &GraphUser,
) -> Vec<String> {
    let held: BTreeSet<&str> = before
        .assigned_licenses
        .iter()
        .map(|l| l.sku_id.as_str())
        .collect();
    let mut broken = Vec::new();
    for sku in request.add_licenses.iter().map(|l| l.sku_id.as_str()) {
        if held.contains(sku) || plan.subscriptions.is_empty() {
            continue;
        }
        let paid: i64 = (plan.subscriptions.iter())
            .filter(|s| s.sku_id == sku && !s.is_trial && s.status == "Enabled")
            .map(|s| s.total_licenses)
            .sum();
        if paid <= 0 {
            broken.push(format!(
                "{} is added but the tenant has it only as a trial (or not at all)",
                part_number(plan, sku)
            ));
        }
    }
    broken
}
