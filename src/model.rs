//! The `Report`: the single contract between the analysis and every exporter. Plain data,
//! already sorted; exporters format it but compute nothing.

use crate::issues::{FileAccounting, Issue};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything one run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// How the run was made.
    pub run: RunInfo,
    /// Every customer with data, with its segment.
    pub customers: Vec<CustomerRow>,
    /// Retiring subscriptions (§3.1).
    pub expiring: Vec<ExpiringRow>,
    /// Users holding a retiring license (§3.2).
    pub users: Vec<UserRow>,
    /// Licences to buy (§3.2).
    pub purchases: Vec<PurchaseRow>,
    /// Suspended subscriptions and their de-provisioning windows (§3.3).
    pub deprovisioning: Vec<DeprovisioningRow>,
    /// Every input problem (§3.4).
    pub issues: Vec<Issue>,
    /// Rows read, used and rejected per input file.
    pub accounting: Vec<FileAccounting>,
}

/// The run parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// skusunset's version.
    pub version: String,
    /// The date the analysis counts from.
    pub as_of: NaiveDate,
    /// Days from suspension to de-provisioning.
    pub deprovision_days: i64,
    /// Which catalog was used (`built-in`, or the files).
    pub catalog: String,
    /// The subscription inputs.
    pub subscription_files: Vec<String>,
    /// The license inputs.
    pub license_files: Vec<String>,
    /// `--segment` overrides, customer → segment.
    pub segment_overrides: BTreeMap<String, String>,
}

/// A customer and its segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerRow {
    /// Tenant id (empty when no export gives one).
    pub customer_id: Option<String>,
    /// Name as the subscription export writes it.
    pub customer_name: String,
    /// Primary domain, when known.
    pub customer_domain: Option<String>,
    /// `education`, `business`, `enterprise` or `frontline`.
    pub segment: String,
    /// Why this segment.
    pub segment_reason: String,
    /// Distinct users with at least one license.
    pub licensed_users: i64,
    /// Whether any license row was attributed to the customer.
    pub has_license_data: bool,
}

/// One retiring subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiringRow {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Partner Center subscription id.
    pub subscription_id: String,
    /// Offer name as exported.
    pub offer_name: String,
    /// The retirement it matches.
    pub retirement_id: String,
    /// Licence count.
    pub quantity: Option<i64>,
    /// Status (lower case).
    pub status: String,
    /// Auto renew, when known.
    pub auto_renew: Option<bool>,
    /// Commitment end date.
    pub end_date: Option<NaiveDate>,
    /// end_date − as_of in days.
    pub days_left: Option<i64>,
    /// `overdue`, `due-30`, `due-90`, `later` or `none`.
    pub urgency: String,
    /// `expiring`, `auto-renew-on`, `auto-renew-unknown`, `suspended` or `ended`.
    pub state: String,
}

/// One user × retirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// The retiring license as written in the input.
    pub retiring_license: String,
    /// The retirement.
    pub retirement_id: String,
    /// `reassign`, `remove-only` or `review-blocked`.
    pub action: String,
    /// String_Id of the plan to assign (reassign only).
    pub recommended_sku: Option<String>,
    /// Name of the plan to assign (reassign only).
    pub recommended_plan: Option<String>,
    /// Why this action and plan.
    pub reason: String,
}

/// Licences to buy for one customer, retirement and plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseRow {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// The retirement.
    pub retirement_id: String,
    /// String_Id to buy.
    pub recommended_sku: String,
    /// Plan name to buy.
    pub recommended_plan: String,
    /// Number of licences.
    pub quantity: i64,
    /// How the quantity was found.
    pub reason: String,
}

/// One suspended subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeprovisioningRow {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Partner Center subscription id.
    pub subscription_id: String,
    /// Offer name.
    pub offer_name: String,
    /// Status (always `suspended`).
    pub status: String,
    /// When it was suspended.
    pub suspended_on: Option<NaiveDate>,
    /// suspended_on + deprovision-days.
    pub deprovision_on: Option<NaiveDate>,
    /// deprovision_on − as_of in days.
    pub days_left: Option<i64>,
    /// `in-window`, `overdue` or `unknown-start`.
    pub state: String,
    /// Distinct users still holding a license of this offer.
    pub licenses_still_assigned: i64,
    /// The retirement the offer belongs to, if any.
    pub retirement_id: Option<String>,
}
