//! The `Report`: the single contract between the analysis and every exporter. Plain data,
//! already sorted; exporters format it but compute nothing.

pub mod cost;
pub mod customers;
pub mod issues;
pub mod previous;
pub mod products;
pub mod stepb_plan;
pub mod vocab;

pub use cost::{Cost, CostTotals, CustomerCost, PricesUsed};
pub use customers::{CustomerKey, CustomerRowKey, PerCustomer, by_customer, rows_of};
pub use products::{
    PlanChange, PlanMove, ReplacementInfo, RetirementInfo, RetiringLicense, SkuInfo,
};
pub use vocab::{
    Action, ChangeKind, IssueCode, NextAction, ReasonArg, ReasonCode, Segment, SegmentBasis, State,
    Status, SubscriptionsState, Urgency, WindowState,
};

use chrono::NaiveDate;
use issues::{FileAccounting, Issue};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

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
    /// Per customer and retirement: where it stands and the next action.
    pub progress: Vec<ProgressRow>,
    /// What changed since the previous report.
    pub changes: Vec<ChangeRow>,
    /// The previous report compared with, if any.
    pub previous: Option<PreviousInfo>,
    /// Per as-of, customer and retirement: the trend, carried forward from report to report.
    pub history: Vec<HistoryRow>,
    /// Every input problem (§3.4).
    pub issues: Vec<Issue>,
    /// Rows read, used and rejected per input file.
    pub accounting: Vec<FileAccounting>,
    /// Headline counts, the weekly expiry series and per-customer progress.
    pub summary: Summary,
    /// The catalog entries the tables refer to (names and replacement options).
    pub retirements: Vec<RetirementInfo>,
    /// How each retiring license of `users` resolves (step B's scripts remove it by SKU).
    pub retiring_licenses: Vec<RetiringLicense>,
    /// The products `retiring_licenses` and the replacements name, from the SKU table.
    pub skus: Vec<SkuInfo>,
    /// What `reassign` users lose, per move from a retiring license to a plan.
    pub plan_changes: Vec<PlanMove>,
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
    pub segment_overrides: BTreeMap<String, Segment>,
    /// The prices used (`--price-list`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prices: Option<PricesUsed>,
    /// Whether users are pseudonyms (`--redact-users`): no user principal name or display name
    /// is in the report.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub redacted_users: bool,
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
    /// The segment that picks the recommended plans.
    pub segment: Segment,
    /// Why this segment.
    pub segment_reason: String,
    /// Distinct users with at least one license.
    pub licensed_users: i64,
    /// Whether any license row was attributed to the customer.
    pub has_license_data: bool,
    /// The `Preferred language` most of its users have in the license export (`de-DE`), when
    /// it says; the notices are written in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
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
    /// How soon it ends (`none` unless open with an end date).
    pub urgency: Urgency,
    /// Where it stands.
    pub state: State,
    /// De-provisioning date if it is suspended on the as-of date (open states only).
    pub deprovision_if_suspended_today: Option<NaiveDate>,
    /// De-provisioning date if it is suspended on its end date (open states with an end date).
    pub deprovision_if_suspended_on_end_date: Option<NaiveDate>,
}

/// Text that many rows hold the same (a customer's name, a license, a plan): allocated once and
/// shared. A wave's users table has hundreds of thousands of rows and a few thousand distinct
/// values in each of these columns.
pub type Shared = std::sync::Arc<str>;

/// One user × retirement. The texts every user of a customer or a plan repeats are [`Shared`],
/// and so is the reason: the users of one customer, license and action share one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    /// Tenant id.
    pub customer_id: Option<Shared>,
    /// Customer name.
    pub customer_name: Shared,
    /// The user's sign-in name.
    pub user_principal_name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// The retiring license as written in the input.
    pub retiring_license: Shared,
    /// The retirement.
    pub retirement_id: Shared,
    /// What to do.
    pub action: Action,
    /// String_Id of the plan to assign (reassign only).
    pub recommended_sku: Option<Shared>,
    /// Name of the plan to assign (reassign only).
    pub recommended_plan: Option<Shared>,
    /// The license that already covers the retiring one, as written (remove-only only).
    pub covering_license: Option<Shared>,
    /// Its String_Id, when the SKU table knows it: step B checks it is still held, enabled.
    pub covering_sku: Option<Shared>,
    /// Why this action and plan, as a code and its values; outputs word it per locale (the
    /// `reason` column is the English wording).
    pub why: std::sync::Arc<Reason>,
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
    /// Licences the move needs (users to reassign, or the seat counts).
    pub quantity: i64,
    /// Seats of the plan in the customer's open subscriptions (trials left out).
    pub seats_owned: i64,
    /// The customer's users holding the plan already; `None` without license data.
    pub seats_used: Option<i64>,
    /// Licences still to buy: `quantity` less the owned seats not in use, never below 0.
    pub to_buy: i64,
    /// How the quantity was found, as a code and its values (see [`UserRow::why`]).
    pub why: Reason,
    /// What the line costs, from `--price-list` (every field empty without one, or without a
    /// price for the plan: never zero).
    #[serde(flatten)]
    pub cost: Cost,
}

/// A reason as a code (a key of the locale files' `[reasons]` table) and the values its text
/// needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Reason {
    /// e.g. `reassign-business`.
    pub code: ReasonCode,
    /// Placeholder → value, e.g. `license` → `Kaizala Pro`.
    pub args: BTreeMap<ReasonArg, String>,
}

impl Reason {
    /// A reason from a code and `(placeholder, value)` pairs.
    pub fn new<const N: usize>(code: ReasonCode, args: [(ReasonArg, String); N]) -> Reason {
        Reason {
            code,
            args: args.into_iter().collect(),
        }
    }
}

/// One change since the previous report (docs/rules.md §3.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    /// What changed.
    pub change: ChangeKind,
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// The retirement, where the change is about one.
    pub retirement_id: Option<String>,
    /// The subscription, where the change is about one.
    pub subscription_id: Option<String>,
    /// The plan (String_Id), for `seats-bought`.
    pub recommended_sku: Option<String>,
    /// The value before.
    pub before: String,
    /// The value now.
    pub after: String,
}

/// One point of the trend: where a customer stood with a retirement as of one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct HistoryRow {
    /// The report's as-of date.
    pub as_of: NaiveDate,
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// The retirement.
    pub retirement_id: String,
    /// Users still holding the retiring license (`None` without license data).
    pub users_left: Option<i64>,
    /// Licences still to buy.
    pub to_buy: i64,
    /// Its retiring subscriptions still open.
    pub open_subscriptions: i64,
}

/// What the report was compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviousInfo {
    /// Where the previous report came from.
    pub source: String,
    /// Its as-of date.
    pub as_of: Option<NaiveDate>,
    /// The version of skusunset that wrote it.
    pub version: String,
    /// Whether it was compared (an earlier as-of); else why not.
    pub compared: bool,
    /// What could not be compared, or why nothing was.
    pub note: Option<String>,
    /// The previous report's headline figures, for the Summary's deltas.
    pub headline: Option<Headline>,
}

/// Headline figures a report is compared by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Headline {
    /// Customers with a retiring or suspended subscription.
    pub customers_affected: i64,
    /// Users to reassign.
    pub users_to_reassign: i64,
    /// Licences to buy, all plans.
    pub seats_to_buy: i64,
    /// De-provisioning windows already past.
    pub windows_overdue: i64,
}

/// Where one customer stands with one retirement, and what to do next (docs/rules.md §3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressRow {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// The retirement.
    pub retirement_id: String,
    /// Licences still to buy (the purchases rows' `to_buy`).
    pub to_buy: i64,
    /// Users still holding the retiring license (blocked ones included); `None` without license
    /// data.
    pub users_left: Option<i64>,
    /// Of those, users whose sign-in is blocked (reclaimed by hand).
    pub users_blocked: Option<i64>,
    /// Its subscriptions of this retirement, together.
    pub subscription_state: SubscriptionsState,
    /// Earliest end date of the open ones.
    pub end_date: Option<NaiveDate>,
    /// Latest de-provisioning date of the suspended ones.
    pub deprovision_on: Option<NaiveDate>,
    /// What to do next.
    pub next_action: NextAction,
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
    /// Where the window stands.
    pub state: WindowState,
    /// How pressing the window is: `overdue` past it; in it, the urgency of the same days left
    /// (docs/rules.md §3.1); `none` without a suspension date.
    pub urgency: Urgency,
    /// Distinct users still holding a license of this offer.
    pub licenses_still_assigned: i64,
    /// The retirement the offer belongs to, if any.
    pub retirement_id: Option<String>,
}

/// A count under a name (an urgency, a state, an action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count<K> {
    /// What is counted, e.g. `overdue`.
    pub key: K,
    /// How many.
    pub count: i64,
}

impl<K: PartialEq + Copy> Count<K> {
    /// The count under `key` (0 when `counts` has none).
    pub fn of(counts: &[Count<K>], key: K) -> i64 {
        counts.iter().find(|c| c.key == key).map_or(0, |c| c.count)
    }
}

/// Seats to buy of one plan, over all customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanSeats {
    /// String_Id to buy.
    pub recommended_sku: String,
    /// Plan name.
    pub recommended_plan: String,
    /// Licences over all customers.
    pub quantity: i64,
}

/// Seats of open retiring subscriptions ending in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekSeats {
    /// ISO week, e.g. `2026-W48`.
    pub iso_week: String,
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Subscriptions ending that week.
    pub subscriptions: i64,
    /// Their seats (quantity).
    pub seats: i64,
}

/// Where one customer stands: one runbook each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerProgress {
    /// Tenant id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Primary domain, when known.
    pub customer_domain: Option<String>,
    /// Segment used for recommendations.
    pub segment: Segment,
    /// Earliest end date of its open retiring subscriptions.
    pub earliest_end_date: Option<NaiveDate>,
    /// Days from the as-of date to `earliest_end_date`.
    pub days_left: Option<i64>,
    /// The most urgent urgency of its retiring subscriptions.
    pub urgency: Urgency,
    /// Retiring subscriptions (any state).
    pub retiring_subscriptions: i64,
    /// Suspended subscriptions in `deprovisioning`.
    pub suspended_subscriptions: i64,
    /// Users to reassign.
    pub users_to_reassign: i64,
    /// Users whose retiring license is only removed.
    pub users_remove_only: i64,
    /// Blocked users to review.
    pub users_review_blocked: i64,
    /// Licences to buy over all its purchase lines.
    pub seats_to_buy: i64,
    /// Of `seats_to_buy`, those counted from subscription seat counts because no license export
    /// was attributed to the customer (every seat, used or not).
    pub seats_from_seat_counts: i64,
    /// Its retirements, earliest end date first.
    pub retirements: Vec<RetirementProgress>,
}

impl CustomerProgress {
    /// Whether some of its licences to buy are seat counts (no license export attributed).
    pub fn on_seat_counts(&self) -> bool {
        self.seats_from_seat_counts > 0
    }
}

impl Report {
    /// The distinct changes the `reassign` users among `users` go through, sorted.
    pub fn plan_changes_of<'r>(
        &'r self,
        users: impl IntoIterator<Item = &'r UserRow>,
    ) -> Vec<&'r PlanChange> {
        let moves: BTreeSet<(&str, &str, &str)> = (users.into_iter())
            .filter(|u| u.action == Action::Reassign)
            .filter_map(|u| {
                let sku = u.recommended_sku.as_deref()?;
                Some((&*u.retiring_license, &*u.retirement_id, sku))
            })
            .collect();
        let changes: BTreeSet<&PlanChange> = (moves.into_iter())
            .filter_map(|key| {
                let at = (self.plan_changes)
                    .binary_search_by(|m| {
                        let own = (m.retiring_license.as_str(), m.retirement_id.as_str());
                        (own.0, own.1, m.recommended_sku.as_str()).cmp(&key)
                    })
                    .ok()?;
                Some(&self.plan_changes[at].change)
            })
            .collect();
        changes.into_iter().collect()
    }
}

impl Summary {
    /// Licences to buy over all plans and customers.
    pub fn seats_total(&self) -> i64 {
        self.seats_to_buy.iter().map(|p| p.quantity).sum()
    }

    /// The names of the customers whose licences to buy include seat counts, in `customers`
    /// order (earliest deadline first).
    pub fn seat_count_customers(&self) -> Vec<&str> {
        (self.customers.iter())
            .filter(|c| c.on_seat_counts())
            .map(|c| c.customer_name.as_str())
            .collect()
    }
}

/// One customer's position on one retirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetirementProgress {
    /// The retirement.
    pub retirement_id: String,
    /// Earliest end date of its open subscriptions of this retirement.
    pub earliest_end_date: Option<NaiveDate>,
    /// The most urgent urgency of its subscriptions of this retirement (`none` without any).
    pub urgency: Urgency,
    /// Seats of its open subscriptions (expiring, auto-renew-on, auto-renew-unknown).
    pub open_seats: i64,
    /// Users holding the retiring license (empty without license data).
    pub assigned_seats: Option<i64>,
    /// `open_seats − assigned_seats`, at least 0 (empty without license data).
    pub unassigned_seats: Option<i64>,
    /// The retirement's other replacements for the customer's segment: those it does not buy.
    pub other_options: Vec<ReplacementInfo>,
    /// Its subscriptions of this retirement are suspended (none open): step C is done, and no
    /// replacement is bought for them.
    pub suspended_done: bool,
}

/// Headline figures over all customers (docs/rules.md §4, Summary sheet and runbook index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Customers with a retiring or suspended subscription.
    pub customers_affected: i64,
    /// Retiring subscriptions per urgency: overdue, due-30, due-90, later, none.
    pub subscriptions_by_urgency: Vec<Count<Urgency>>,
    /// Retiring subscriptions per state.
    pub subscriptions_by_state: Vec<Count<State>>,
    /// Seats to buy per plan, over all customers.
    pub seats_to_buy: Vec<PlanSeats>,
    /// Customers whose licences to buy are seat counts (no license export attributed).
    pub customers_on_seat_counts: i64,
    /// Licences to buy counted from seat counts, over all customers.
    pub seats_from_seat_counts: i64,
    /// Users per action: reassign, remove-only, review-blocked.
    pub users_by_action: Vec<Count<Action>>,
    /// De-provisioning windows closing within 30 days (in-window, 0..=30 days left).
    pub windows_closing_30: i64,
    /// De-provisioning windows already past.
    pub windows_overdue: i64,
    /// Open retiring subscriptions (urgency other than `none`) per ISO week of their end date,
    /// every week from the first to the last, empty weeks included.
    pub weekly_expiries: Vec<WeekSeats>,
    /// Customers with a retiring or suspended subscription, earliest end date first.
    pub customers: Vec<CustomerProgress>,
}
