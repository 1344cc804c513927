//! The five report tables as typed rows (docs/rules.md §4 column order), shared by the CSV and xlsx
//! exporters: one description per table, so both formats always carry the same columns.

use super::locale::Reasons;
use crate::base::money::Money;
use crate::model::{ExpiringRow, Report, UserRow};
use chrono::NaiveDate;

/// One typed cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'a> {
    /// Text (never a formula).
    Text(&'a str),
    /// A whole number.
    Int(i64),
    /// A calendar date.
    Date(NaiveDate),
    /// true / false.
    Bool(bool),
    /// An amount of money (its currency is another column).
    Money(Money),
    /// No value.
    Empty,
}

impl<'a> Value<'a> {
    fn text(v: &'a str) -> Value<'a> {
        Value::Text(v)
    }

    fn opt_text(v: Option<&'a str>) -> Value<'a> {
        v.map_or(Value::Empty, Value::Text)
    }

    fn opt_int(v: Option<i64>) -> Value<'a> {
        v.map_or(Value::Empty, Value::Int)
    }

    fn opt_date(v: Option<NaiveDate>) -> Value<'a> {
        v.map_or(Value::Empty, Value::Date)
    }

    fn opt_bool(v: Option<bool>) -> Value<'a> {
        v.map_or(Value::Empty, Value::Bool)
    }

    fn opt_money(v: Option<Money>) -> Value<'a> {
        v.map_or(Value::Empty, Value::Money)
    }

    /// The CSV spelling: dates `YYYY-MM-DD`, booleans `true`/`false`, empty for no value.
    /// Text is borrowed; other values are spelled into `buffer` (reused from cell to cell).
    pub(super) fn csv<'b>(&'b self, buffer: &'b mut String) -> &'b str {
        use std::fmt::Write;
        buffer.clear();
        match self {
            Value::Text(s) => return s,
            Value::Int(n) => write!(buffer, "{n}"),
            Value::Date(d) => write!(buffer, "{}", d.format("%Y-%m-%d")),
            Value::Bool(b) => write!(buffer, "{b}"),
            Value::Money(m) => write!(buffer, "{m}"),
            Value::Empty => return "",
        }
        .expect("writing to a String cannot fail");
        buffer
    }
}

/// A column: its CSV name and its spreadsheet title.
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    /// The machine name (CSV header), e.g. `end_date`.
    pub key: &'static str,
    /// The human title (xlsx header), e.g. `End date`.
    pub title: &'static str,
}

const fn c(key: &'static str, title: &'static str) -> Column {
    Column { key, title }
}

/// One table of the report, ready to be written.
pub(super) struct Table<'a> {
    /// File stem / sheet id, e.g. `expiring`.
    pub name: &'static str,
    /// Sheet name, e.g. `Expiring`.
    pub sheet: &'static str,
    /// Columns in order.
    pub columns: std::borrow::Cow<'static, [Column]>,
    /// Rows, each as long as `columns`, produced lazily so a big table is never copied.
    pub rows: Rows<'a>,
}

/// A table's rows, one at a time.
pub(super) type Rows<'a> = Box<dyn ExactSizeIterator<Item = Vec<Value<'a>>> + Send + 'a>;

impl Table<'_> {
    /// Index of a column by key.
    pub(super) fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

const EXPIRING: &[Column] = &[
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("subscription_id", "Subscription ID"),
    c("offer_name", "Offer"),
    c("retirement_id", "Retirement"),
    c("quantity", "Quantity"),
    c("status", "Status"),
    c("auto_renew", "Auto renew"),
    c("end_date", "End date"),
    c("days_left", "Days left"),
    c("urgency", "Urgency"),
    c("state", "State"),
];

const USERS: &[Column] = &[
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("user_principal_name", "User principal name"),
    c("display_name", "Display name"),
    c("retiring_license", "Retiring license"),
    c("retirement_id", "Retirement"),
    c("action", "Action"),
    c("recommended_sku", "Recommended SKU"),
    c("recommended_plan", "Recommended plan"),
    c("reason", "Reason"),
];

const PURCHASES: &[Column] = &[
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("retirement_id", "Retirement"),
    c("recommended_sku", "Recommended SKU"),
    c("recommended_plan", "Recommended plan"),
    c("quantity", "Quantity"),
    c("seats_owned", "Seats owned"),
    c("seats_used", "Seats used"),
    c("to_buy", "To buy"),
    c("reason", "Reason"),
    c("product_id", "Product ID"),
    c("sku_id", "SKU ID"),
    c("term", "Term"),
    c("billing", "Billing"),
    c("currency", "Currency"),
    c("unit_price", "Unit price"),
    c("erp_price", "ERP price"),
    c("monthly_cost", "Monthly cost"),
    c("monthly_erp", "Monthly ERP"),
    c("monthly_saving", "Monthly saving"),
    c("monthly_saving_erp", "Monthly saving (ERP)"),
    c("price_match", "Price found by"),
];

const PROGRESS: &[Column] = &[
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("retirement_id", "Retirement"),
    c("to_buy", "To buy"),
    c("users_left", "Users left"),
    c("subscription_state", "Subscriptions"),
    c("end_date", "End date"),
    c("deprovision_on", "De-provisioned on"),
    c("next_action", "Next action"),
];

const CHANGES: &[Column] = &[
    c("change", "Change"),
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("retirement_id", "Retirement"),
    c("subscription_id", "Subscription ID"),
    c("user_principal_name", "User principal name"),
    c("recommended_sku", "Plan"),
    c("before", "Before"),
    c("after", "After"),
];

const HISTORY: &[Column] = &[
    c("as_of", "As of"),
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("retirement_id", "Retirement"),
    c("users_left", "Users left"),
    c("to_buy", "To buy"),
    c("open_subscriptions", "Open subscriptions"),
];

const DEPROVISIONING: &[Column] = &[
    c("customer_id", "Customer ID"),
    c("customer_name", "Customer"),
    c("subscription_id", "Subscription ID"),
    c("offer_name", "Offer"),
    c("status", "Status"),
    c("suspended_on", "Suspended on"),
    c("deprovision_on", "De-provisioned on"),
    c("days_left", "Days left"),
    c("state", "State"),
    c("licenses_still_assigned", "Licenses still assigned"),
];

const ISSUES: &[Column] = &[
    c("file", "File"),
    c("row", "Row"),
    c("column", "Column"),
    c("severity", "Severity"),
    c("code", "Code"),
    c("message", "Message"),
];

trait Boxed<'a> {
    fn boxed(self) -> Rows<'a>;
}

impl<'a, I: ExactSizeIterator<Item = Vec<Value<'a>>> + Send + 'a> Boxed<'a> for I {
    fn boxed(self) -> Rows<'a> {
        Box::new(self)
    }
}

/// The users table's name (its CSV file stem).
pub(super) const USERS_TABLE: &str = "users";

/// The users table of `rows` (all of the report's, or one customer's).
pub(super) fn users<'a>(
    rows: impl ExactSizeIterator<Item = &'a UserRow> + Send + 'a,
    reasons: &'a Reasons<'a>,
) -> Table<'a> {
    use Value as V;
    Table {
        name: USERS_TABLE,
        sheet: "Users",
        columns: USERS.into(),
        rows: rows
            .map(|u| {
                vec![
                    V::opt_text(u.customer_id.as_deref()),
                    V::text(&u.customer_name),
                    V::text(&u.user_principal_name),
                    V::opt_text(u.display_name.as_deref()),
                    V::text(&u.retiring_license),
                    V::text(&u.retirement_id),
                    V::text(u.action.as_str()),
                    V::opt_text(u.recommended_sku.as_deref()),
                    V::opt_text(u.recommended_plan.as_deref()),
                    V::text(reasons.of(&u.why)),
                ]
            })
            .boxed(),
    }
}

/// The order of the expiring table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExpiringOrder {
    /// As the report holds them: by customer, then subscription id (docs/rules.md §4).
    ByCustomer,
    /// What to do first: by urgency (overdue first), then end date (none last), then customer.
    ByUrgency,
}

/// The expiring rows in `order`.
fn expiring_rows(r: &Report, order: ExpiringOrder) -> Vec<&ExpiringRow> {
    let mut rows: Vec<&ExpiringRow> = r.expiring.iter().collect();
    if order == ExpiringOrder::ByUrgency {
        // Stable: rows of the same urgency and end date keep the customer order.
        rows.sort_by_key(|e| (e.urgency, e.end_date.is_none(), e.end_date));
    }
    rows
}

/// The progress table: per customer and retirement, what is left and the next action.
fn progress_table(r: &Report) -> Table<'_> {
    use Value as V;
    Table {
        name: "progress",
        sheet: "Progress",
        columns: PROGRESS.into(),
        rows: r
            .progress
            .iter()
            .map(|p| {
                vec![
                    V::opt_text(p.customer_id.as_deref()),
                    V::text(&p.customer_name),
                    V::text(&p.retirement_id),
                    V::Int(p.to_buy),
                    V::opt_int(p.users_left),
                    V::text(p.subscription_state.as_str()),
                    V::opt_date(p.end_date),
                    V::opt_date(p.deprovision_on),
                    V::text(p.next_action.as_str()),
                ]
            })
            .boxed(),
    }
}

/// The changes since the previous report (header only when nothing was compared).
fn changes_table(r: &Report) -> Table<'_> {
    use Value as V;
    Table {
        name: "changes",
        sheet: "Changes",
        columns: CHANGES.into(),
        rows: r
            .changes
            .iter()
            .map(|c| {
                vec![
                    V::text(c.change.as_str()),
                    V::opt_text(c.customer_id.as_deref()),
                    V::text(&c.customer_name),
                    V::opt_text(c.retirement_id.as_deref()),
                    V::opt_text(c.subscription_id.as_deref()),
                    V::Empty,
                    V::opt_text(c.recommended_sku.as_deref()),
                    V::text(&c.before),
                    V::text(&c.after),
                ]
            })
            .boxed(),
    }
}

/// The trend, report after report.
fn history_table(r: &Report) -> Table<'_> {
    use Value as V;
    Table {
        name: "history",
        sheet: "History",
        columns: HISTORY.into(),
        rows: r
            .history
            .iter()
            .map(|h| {
                vec![
                    V::Date(h.as_of),
                    V::opt_text(h.customer_id.as_deref()),
                    V::text(&h.customer_name),
                    V::text(&h.retirement_id),
                    V::opt_int(h.users_left),
                    V::Int(h.to_buy),
                    V::Int(h.open_subscriptions),
                ]
            })
            .boxed(),
    }
}

/// The eight tables in docs/rules.md §4 order: changes, progress, expiring, users, purchases,
/// deprovisioning, issues, history.
/// `reasons` words the `reason` columns; `order` orders the expiring table.
// Over the house's 80 lines: one table description after another.
#[allow(clippy::too_many_lines)]
pub(super) fn tables<'a>(
    r: &'a Report,
    reasons: &'a Reasons<'a>,
    order: ExpiringOrder,
) -> [Table<'a>; 8] {
    use Value as V;
    [
        changes_table(r),
        progress_table(r),
        Table {
            name: "expiring",
            sheet: "Expiring",
            columns: EXPIRING.into(),
            rows: expiring_rows(r, order)
                .into_iter()
                .map(|e| {
                    vec![
                        V::opt_text(e.customer_id.as_deref()),
                        V::text(&e.customer_name),
                        V::text(&e.subscription_id),
                        V::text(&e.offer_name),
                        V::text(&e.retirement_id),
                        V::opt_int(e.quantity),
                        V::text(&e.status),
                        V::opt_bool(e.auto_renew),
                        V::opt_date(e.end_date),
                        V::opt_int(e.days_left),
                        V::text(e.urgency.as_str()),
                        V::text(e.state.as_str()),
                    ]
                })
                .boxed(),
        },
        users(r.users.iter(), reasons),
        Table {
            name: "purchases",
            sheet: "Purchases",
            columns: PURCHASES.into(),
            rows: r
                .purchases
                .iter()
                .map(|p| {
                    vec![
                        V::opt_text(p.customer_id.as_deref()),
                        V::text(&p.customer_name),
                        V::text(&p.retirement_id),
                        V::text(&p.recommended_sku),
                        V::text(&p.recommended_plan),
                        V::Int(p.quantity),
                        V::Int(p.seats_owned),
                        V::opt_int(p.seats_used),
                        V::Int(p.to_buy),
                        V::text(reasons.of(&p.why)),
                        V::opt_text(p.cost.product_id.as_deref()),
                        V::opt_text(p.cost.sku_id.as_deref()),
                        V::opt_text(p.cost.term.as_deref()),
                        V::opt_text(p.cost.billing.as_deref()),
                        V::opt_text(p.cost.currency.as_deref()),
                        V::opt_money(p.cost.unit_price),
                        V::opt_money(p.cost.erp_price),
                        V::opt_money(p.cost.monthly_cost),
                        V::opt_money(p.cost.monthly_erp),
                        V::opt_money(p.cost.monthly_saving),
                        V::opt_money(p.cost.monthly_saving_erp),
                        V::opt_text(p.cost.price_match.as_deref()),
                    ]
                })
                .boxed(),
        },
        Table {
            name: "deprovisioning",
            sheet: "Deprovisioning",
            columns: DEPROVISIONING.into(),
            rows: r
                .deprovisioning
                .iter()
                .map(|d| {
                    vec![
                        V::opt_text(d.customer_id.as_deref()),
                        V::text(&d.customer_name),
                        V::text(&d.subscription_id),
                        V::text(&d.offer_name),
                        V::text(&d.status),
                        V::opt_date(d.suspended_on),
                        V::opt_date(d.deprovision_on),
                        V::opt_int(d.days_left),
                        V::text(d.state.as_str()),
                        V::Int(d.licenses_still_assigned),
                    ]
                })
                .boxed(),
        },
        Table {
            name: "issues",
            sheet: "Issues",
            columns: ISSUES.into(),
            rows: r
                .issues
                .iter()
                .map(|i| {
                    vec![
                        V::text(&i.file),
                        V::opt_int(i.row.map(|n| n as i64)),
                        V::opt_text(i.column.as_deref()),
                        V::text(i.severity.as_str()),
                        V::text(i.code.as_str()),
                        V::text(&i.message),
                    ]
                })
                .boxed(),
        },
        history_table(r),
    ]
}
