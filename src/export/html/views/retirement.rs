//! One retirement of a runbook: what to buy, the seats line, the options, what moving users lose,
//! the users (at most [`USER_LIMIT`]) and the subscriptions to suspend, worded in the page's
//! language.

use super::purchase::PurchaseView;
use super::{Pages, USER_LIMIT};
use crate::model::rows_of;
use crate::model::{
    Action, CustomerKey, ExpiringRow, PlanChange, RetirementProgress, State, UserRow,
};
use minijinja::HtmlEscape;
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
pub(super) struct RetirementView {
    name: String,
    earliest: Option<String>,
    urgency: &'static str,
    urgency_label: String,
    purchases: Vec<PurchaseView>,
    /// Open seats against users holding the license, worded (with or without license data).
    seats_text: String,
    /// The auto-renew-on warning, worded, when a subscription still renews.
    auto_renew_on: Option<String>,
    options: Vec<OptionView>,
    /// Nothing is bought because the subscriptions are suspended already (step C done).
    suspended_done: bool,
    /// What reassigned users lose, where the new plan lacks service plans of the old one.
    changes: Vec<PlanChange>,
    /// The users table's rows (at most [`USER_LIMIT`] users) as HTML; empty when no user
    /// moves.
    user_rows: minijinja::Value,
    /// How many users there are and what they need, worded, when not all are listed.
    users_more: Option<String>,
    suspend: Vec<SuspendView>,
    ended: Vec<EndedView>,
}

#[derive(Serialize)]
struct OptionView {
    name: String,
    sku: String,
}

#[derive(Serialize)]
struct SuspendView {
    subscription_id: String,
    offer: String,
    quantity: Option<i64>,
    end_date: Option<String>,
    urgency: &'static str,
    urgency_label: String,
    state_label: String,
    deprovision_today: Option<String>,
    deprovision_end: Option<String>,
}

#[derive(Serialize)]
struct EndedView {
    subscription_id: String,
    offer: String,
    end_date: Option<String>,
}

impl Pages<'_> {
    // Over the house's 80 lines: one view built field by field; each field is a line or two.
    #[allow(clippy::too_many_lines)]
    pub(super) fn retirement(&self, r: &RetirementProgress, key: &CustomerKey) -> RetirementView {
        let id = r.retirement_id.as_str();
        let info = self.report.retirements.iter().find(|i| i.id == id);
        let purchases: Vec<PurchaseView> = rows_of(&self.purchases, key)
            .iter()
            .filter(|p| p.retirement_id == id)
            .map(|p| PurchaseView::of(p, &self.m))
            .collect();
        let options = (r.other_options.iter())
            .map(|o| OptionView {
                name: o.name.clone(),
                sku: o.sku.clone(),
            })
            .collect();
        let users: Vec<&UserRow> = rows_of(&self.users, key)
            .iter()
            .copied()
            .filter(|u| *u.retirement_id == *id)
            .collect();
        let subscriptions: Vec<&&ExpiringRow> = rows_of(&self.expiring, key)
            .iter()
            .filter(|e| e.retirement_id == id)
            .collect();
        RetirementView {
            name: info.map_or_else(|| id.to_string(), |i| i.name_in(self.m.lang()).to_string()),
            earliest: self.date(r.earliest_end_date),
            urgency: r.urgency.as_str(),
            urgency_label: self.urgency_label(r.urgency),
            purchases,
            seats_text: self.seats_text(r),
            auto_renew_on: self.auto_renew_on(&subscriptions),
            options,
            suspended_done: r.suspended_done,
            changes: (self.report.plan_changes_of(users.iter().copied()))
                .into_iter()
                .filter(|c| !c.known || !c.lost_plans.is_empty())
                .cloned()
                .collect(),
            users_more: (users.len() > USER_LIMIT).then(|| self.users_more(&users)),
            user_rows: self.user_rows(&users),
            suspend: subscriptions
                .iter()
                .filter(|e| e.deprovision_if_suspended_today.is_some())
                .map(|e| SuspendView {
                    subscription_id: e.subscription_id.clone(),
                    offer: e.offer_name.clone(),
                    quantity: e.quantity,
                    end_date: self.date(e.end_date),
                    urgency: e.urgency.as_str(),
                    urgency_label: self.urgency_label(e.urgency),
                    state_label: self.m.label("states", e.state.as_str()),
                    deprovision_today: self.date(e.deprovision_if_suspended_today),
                    // Suspending on an end date already past is no longer possible.
                    deprovision_end: if e.days_left.is_some_and(|d| d < 0) {
                        Some(self.m.text("end_date_passed"))
                    } else {
                        self.date(e.deprovision_if_suspended_on_end_date)
                    },
                })
                .collect(),
            ended: subscriptions
                .iter()
                .filter(|e| e.state == State::Ended)
                .map(|e| EndedView {
                    subscription_id: e.subscription_id.clone(),
                    offer: e.offer_name.clone(),
                    end_date: self.date(e.end_date),
                })
                .collect(),
        }
    }

    /// The seats line of a retirement: open seats against the users holding the license.
    fn seats_text(&self, r: &RetirementProgress) -> String {
        match (r.assigned_seats, r.unassigned_seats) {
            (Some(assigned), _) if r.open_seats == 0 && assigned > 0 => {
                self.m.fill("seats_line_closed", &[("assigned", &assigned)])
            }
            (Some(assigned), Some(unassigned)) => self.m.fill(
                "seats_line",
                &[
                    ("open", &r.open_seats),
                    ("assigned", &assigned),
                    ("unassigned", &unassigned),
                ],
            ),
            _ => self.m.text("seats_line_no_data"),
        }
    }

    /// The rows of a retirement's users table, at most [`USER_LIMIT`], written here rather than
    /// by the template: a wave's runbooks list hundreds of thousands of users, and a row cost
    /// minijinja a lookup per value. Each row is what the template's loop wrote (its markup is
    /// noted in `runbook.html`), each value escaped by minijinja's own [`HtmlEscape`].
    fn user_rows(&self, users: &[&UserRow]) -> minijinja::Value {
        let escaped = |text: &str| {
            let mut html = String::new();
            push_escaped(&mut html, text);
            html
        };
        let done = escaped(&self.m.text("done"));
        // Per action, the row's head up to its license cell and its action cell.
        let heads: Vec<(Action, String, String)> = (Action::ALL.iter())
            .map(|a| {
                let head = format!(
                    "\n<tr class=\"{}\"><td><input class=\"tick\" type=\"checkbox\" \
                     aria-label=\"{done}\"></td>\n  <td><code>",
                    escaped(a.as_str())
                );
                let label = escaped(&self.m.label("actions", a.as_str()));
                (
                    *a,
                    head,
                    format!("</td>\n  <td class=\"action\">{label}</td><td>"),
                )
            })
            .collect();
        let listed = &users[..users.len().min(USER_LIMIT)];
        let mut html = String::with_capacity(listed.len() * 512);
        for u in listed {
            let (_, head, action) = (heads.iter())
                .find(|(a, _, _)| *a == u.action)
                .expect("`Action::ALL` lists every action");
            html.push_str(head);
            push_escaped(&mut html, &u.user_principal_name);
            html.push_str("</code></td><td>");
            push_escaped(&mut html, u.display_name.as_deref().unwrap_or_default());
            html.push_str("</td><td>");
            push_escaped(&mut html, &u.retiring_license);
            html.push_str(action);
            if let Some(plan) = u.recommended_plan.as_deref().filter(|p| !p.is_empty()) {
                html.push_str("<strong>");
                push_escaped(&mut html, plan);
                html.push_str("</strong>");
            }
            html.push_str("</td><td>");
            push_escaped(&mut html, self.reasons.of(&u.why));
            html.push_str("</td></tr>\n");
        }
        minijinja::Value::from_safe_string(html)
    }

    /// The note over a user list cut at [`USER_LIMIT`]: how many users, and what they need.
    fn users_more(&self, users: &[&UserRow]) -> String {
        let actions: Vec<String> = Action::ALL
            .iter()
            .map(|a| (a, users.iter().filter(|u| u.action == *a).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(a, n)| {
                let n = self.m.number(n as i64);
                format!("{n} × {}", self.m.label("actions", a.as_str()))
            })
            .collect();
        self.m.fill(
            "users_more",
            &[
                ("shown", &USER_LIMIT),
                ("total", &users.len()),
                ("actions", &actions.join(", ")),
            ],
        )
    }

    /// The warning for retiring subscriptions whose auto renew is still on.
    fn auto_renew_on(&self, subscriptions: &[&&ExpiringRow]) -> Option<String> {
        let ids: Vec<&str> = subscriptions
            .iter()
            .filter(|e| e.state == State::AutoRenewOn)
            .map(|e| e.subscription_id.as_str())
            .collect();
        (!ids.is_empty()).then(|| {
            self.m
                .fill("auto_renew_on", &[("subscriptions", &ids.join(", "))])
        })
    }
}

/// Appends `text` to `html` escaped as minijinja escapes a value ([`HtmlEscape`]); most values
/// have nothing to escape and are copied as they are.
fn push_escaped(html: &mut String, text: &str) {
    if (text.bytes()).any(|b| matches!(b, b'<' | b'>' | b'&' | b'"' | b'\'' | b'/')) {
        // Writing to a `String` does not fail.
        let _ = write!(html, "{}", HtmlEscape(text));
    } else {
        html.push_str(text);
    }
}
