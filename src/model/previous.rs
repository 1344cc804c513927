//! The previous report, as its `report.json` holds it: only the parts the weekly comparison reads
//! (docs/rules.md §3.6). Every field has a default, so a report of an older version still reads;
//! what it lacks is simply not compared.

use chrono::NaiveDate;
use serde::Deserialize;

/// The previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousReport {
    /// Its run.
    pub run: PreviousRun,
    /// Its retiring subscriptions.
    pub expiring: Vec<PreviousSubscription>,
    /// Its users rows.
    pub users: Vec<PreviousUser>,
    /// Its purchases rows.
    pub purchases: Vec<PreviousPurchase>,
    /// Its suspended subscriptions.
    pub deprovisioning: Vec<PreviousWindow>,
    /// Its progress rows (`None` before skusunset wrote them).
    pub progress: Option<Vec<PreviousProgress>>,
    /// Its history (empty before skusunset wrote it).
    pub history: Vec<super::HistoryRow>,
    /// Its headline figures.
    pub summary: Option<PreviousSummary>,
}

/// The headline figures of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousSummary {
    /// Customers affected.
    pub customers_affected: i64,
    /// Users per action.
    pub users_by_action: Vec<PreviousCount>,
    /// Seats to buy per plan.
    pub seats_to_buy: Vec<PreviousSeats>,
    /// De-provisioning windows overdue.
    pub windows_overdue: i64,
}

/// A count under a key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousCount {
    /// The key's spelling.
    pub key: String,
    /// How many.
    pub count: i64,
}

/// Seats of one plan.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousSeats {
    /// How many.
    pub quantity: i64,
}

/// The run of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousRun {
    /// Its as-of date.
    pub as_of: Option<NaiveDate>,
    /// The version of skusunset that wrote it.
    pub version: String,
}

/// A retiring subscription of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousSubscription {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Subscription id.
    pub subscription_id: String,
    /// Retirement.
    pub retirement_id: String,
    /// Its state spelling (`expiring`, `suspended`, …).
    pub state: String,
    /// Its urgency spelling.
    pub urgency: String,
}

/// A users row of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousUser {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Retirement.
    pub retirement_id: String,
    /// The user.
    pub user_principal_name: String,
}

/// A purchases row of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousPurchase {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Plan String_Id.
    pub recommended_sku: String,
    /// Plan name.
    pub recommended_plan: String,
    /// Licences the move needed.
    pub quantity: i64,
    /// Licences left to buy (`None` before skusunset wrote it: then `quantity`).
    pub to_buy: Option<i64>,
    /// What the line cost per month at the partner's price (`None` without a price list).
    pub monthly_cost: Option<f64>,
    /// Its currency.
    pub currency: Option<String>,
}

/// A suspended subscription of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousWindow {
    /// Subscription id.
    pub subscription_id: String,
}

/// A progress row of the previous report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviousProgress {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Retirement.
    pub retirement_id: String,
    /// Its next action spelling.
    pub next_action: String,
}
