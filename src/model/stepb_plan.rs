//! The record a step B script writes (`<customer-slug>-plan-<mode>-<time>.json`): the tenant's
//! SKUs and subscriptions as Microsoft Graph gave them, the family table the script used, and per
//! user the licenses before and the exact `assignLicense` request. Field names are Graph's
//! (`subscribedSku`, `companySubscription`, `user.assignedLicenses`,
//! `licenseAssignmentStates`); `skusunset check-plan` verifies it.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole record.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepBPlan {
    /// The customer's name.
    #[serde(default)]
    pub customer: String,
    /// `dryrun` or `apply`.
    #[serde(default)]
    pub mode: String,
    /// Service plan name → family, as the script used it.
    #[serde(default)]
    pub plan_families: BTreeMap<String, String>,
    /// `GET /subscribedSkus`.
    pub subscribed_skus: Vec<SubscribedSku>,
    /// `GET /directory/subscriptions` (empty when the tenant did not answer).
    #[serde(default)]
    pub subscriptions: Vec<CompanySubscription>,
    /// One entry per input row.
    pub users: Vec<PlannedUser>,
}

/// A product the tenant has.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    /// Its id.
    pub sku_id: String,
    /// Its part number.
    #[serde(default)]
    pub sku_part_number: String,
    /// Its service plans.
    #[serde(default)]
    pub service_plans: Vec<ServicePlan>,
}

/// One service plan of a product.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlan {
    /// Its id.
    pub service_plan_id: String,
    /// Its name.
    #[serde(default)]
    pub service_plan_name: String,
}

/// A subscription of the tenant.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanySubscription {
    /// The product.
    pub sku_id: String,
    /// Whether it is a trial.
    #[serde(default)]
    pub is_trial: bool,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`.
    #[serde(default)]
    pub status: String,
    /// Its licenses.
    #[serde(default)]
    pub total_licenses: i64,
}

/// One input row as the script planned it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedUser {
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// `reassign`, `remove-only` or `review-blocked`.
    #[serde(default)]
    pub class: String,
    /// `any`, `each` or `none` (the input CSV's `KeepMode`).
    #[serde(default)]
    pub keep_mode: String,
    /// `;`-separated families (the input CSV's `KeepFamilies`).
    #[serde(default)]
    pub keep_families: String,
    /// The row's status.
    #[serde(default)]
    pub status: String,
    /// The user as Graph gave it before (absent when the row stopped earlier).
    #[serde(default)]
    pub before: Option<GraphUser>,
    /// The `assignLicense` body as sent (or, in a dry run, as it would be sent); empty when none.
    #[serde(default)]
    pub request: String,
    /// What the SDK said when Graph refused (the whole HTTP response as text); empty when none.
    #[serde(default)]
    pub graph_error: String,
}

/// The parts of a Graph `user` the check reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    /// `assignedLicenses`.
    #[serde(default)]
    pub assigned_licenses: Vec<AssignedLicense>,
    /// `licenseAssignmentStates`.
    #[serde(default)]
    pub license_assignment_states: Vec<LicenseAssignmentState>,
}

/// A license as assigned (also an `addLicenses` element).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    /// The product.
    pub sku_id: String,
    /// Its service plans turned off for the user.
    #[serde(default)]
    pub disabled_plans: Vec<String>,
}

/// How a license came to the user and whether it works.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseAssignmentState {
    /// The product.
    pub sku_id: String,
    /// `Active`, `ActiveWithError`, `Disabled`, `Error`.
    #[serde(default)]
    pub state: Option<String>,
    /// The group it comes from, if any.
    #[serde(default)]
    pub assigned_by_group: Option<String>,
}

/// The body of `POST /users/{id}/assignLicense`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignLicenseRequest {
    /// Licenses to add (or to change the disabled plans of).
    #[serde(default)]
    pub add_licenses: Vec<AssignedLicense>,
    /// Product ids to remove.
    #[serde(default)]
    pub remove_licenses: Vec<String>,
}
