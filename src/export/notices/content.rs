//! What a customer's notice says, worded in its language from the Report alone (docs/rules.md
//! §4, notices): what retires and when it expires, which users move to which plan and why, what
//! they will notice, what the partner does and by when (steps A, B, C; the de-provisioning date
//! after which data is deleted), what the customer is asked, and, with a price list, the monthly
//! cost before and after at estimated retail. Every sentence is a message of the locale file;
//! this module only picks the facts and fills the placeholders.

use super::Signature;
use crate::base::money::Money;
use crate::export::locale::Messages;
use crate::export::numbers::MessageArg;
use crate::model::{
    Action, CustomerProgress, DeprovisioningRow, ExpiringRow, PurchaseRow, Report, UserRow,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Users named in a notice before "and N more".
pub(super) const LISTED_USERS: usize = 200;

/// One customer's rows.
pub(super) struct Rows<'r> {
    pub(super) progress: &'r CustomerProgress,
    pub(super) expiring: &'r [&'r ExpiringRow],
    pub(super) users: &'r [&'r UserRow],
    pub(super) purchases: &'r [&'r PurchaseRow],
    pub(super) deprovisioning: &'r [&'r DeprovisioningRow],
}

/// A titled block of a notice: its sentences, and the names listed under them.
#[derive(Serialize, Debug, Default)]
pub(super) struct Section {
    pub(super) title: String,
    pub(super) lines: Vec<String>,
    /// Items listed under the lines (the users to tell).
    pub(super) items: Vec<String>,
    /// A note under the items (how many more, that prices are estimates).
    pub(super) note: Option<String>,
}

/// A notice, worded: what both templates render.
#[derive(Serialize, Debug)]
pub(super) struct Notice {
    pub(super) lang: String,
    pub(super) subject: String,
    pub(super) greeting: String,
    pub(super) intro: String,
    pub(super) sections: Vec<Section>,
    pub(super) closing: String,
    /// The signature's lines (a placeholder to fill in without `--notice-from`).
    pub(super) signature: Vec<String>,
}

/// Words a customer's notice.
pub(super) struct Words<'a> {
    pub(super) m: &'a Messages,
    pub(super) report: &'a Report,
    pub(super) signature: Option<&'a Signature>,
}

impl Words<'_> {
    fn date(&self, d: Option<chrono::NaiveDate>) -> Option<String> {
        d.map(|d| self.m.date(d))
    }

    /// A retirement by its catalog name.
    fn retirement(&self, id: &str) -> String {
        (self.report.retirements.iter())
            .find(|r| r.id == id)
            .map_or_else(|| id.to_string(), |r| r.name_in(self.m.lang()).to_string())
    }

    /// The customer's notice.
    pub(super) fn notice(&self, rows: &Rows) -> Notice {
        let m = self.m;
        let customer = rows.progress.customer_name.as_str();
        let retirements: Vec<String> = (rows.progress.retirements.iter())
            .map(|r| self.retirement(&r.retirement_id))
            .collect();
        let mut sections = vec![self.retiring(rows), self.moves(rows), self.steps(rows)];
        sections.push(self.asks(rows));
        sections.extend(self.costs(rows));
        Notice {
            lang: m.text("lang"),
            subject: m.fill(
                "notice_subject",
                &[
                    ("customer", &customer),
                    ("products", &retirements.join(", ")),
                ],
            ),
            greeting: m.fill("notice_greeting", &[("customer", &customer)]),
            intro: m.text("notice_intro"),
            sections: sections
                .into_iter()
                .filter(|s| !s.lines.is_empty())
                .collect(),
            closing: m.text("notice_closing"),
            signature: self.signature(),
        }
    }

    /// What retires: each open retiring subscription and the day it expires; the suspended
    /// ones and the day their data is deleted.
    fn retiring(&self, rows: &Rows) -> Section {
        let m = self.m;
        let mut lines: Vec<String> = (rows.expiring.iter())
            .filter(|e| e.state.is_open())
            .map(|e| {
                let args: [(&str, &dyn MessageArg); 2] =
                    [("offer", &e.offer_name), ("n", &e.quantity.unwrap_or(0))];
                match self.date(e.end_date) {
                    Some(date) => m.fill("notice_expires", &[args[0], args[1], ("date", &date)]),
                    None => m.fill("notice_expires_no_date", &args),
                }
            })
            .collect();
        lines.extend(rows.deprovisioning.iter().filter_map(|d| {
            let deleted = self.date(d.deprovision_on)?;
            let suspended = self.date(d.suspended_on).unwrap_or_default();
            Some(m.fill(
                "notice_deleted",
                &[
                    ("offer", &d.offer_name),
                    ("suspended", &suspended),
                    ("date", &deleted),
                ],
            ))
        }));
        Section {
            title: m.text("notice_h_retiring"),
            lines,
            ..Section::default()
        }
    }

    /// What changes for the users: per retirement and plan, how many move and why; who keeps a
    /// plan that covers it; who is blocked; what the new plans lack.
    fn moves(&self, rows: &Rows) -> Section {
        let m = self.m;
        let segment = m.label("segment_words", rows.progress.segment.as_str());
        let mut groups: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut others: BTreeMap<(&str, Action), usize> = BTreeMap::new();
        for u in rows.users {
            match (u.action, u.recommended_plan.as_deref()) {
                (Action::Reassign, Some(plan)) => {
                    *groups.entry((&*u.retirement_id, plan)).or_default() += 1;
                }
                (action, _) => {
                    *others.entry((&*u.retirement_id, action)).or_default() += 1;
                }
            }
        }
        let mut lines: Vec<String> = (groups.iter())
            .map(|((retirement, plan), n)| {
                m.fill(
                    "notice_move",
                    &[
                        ("n", n),
                        ("retirement", &self.retirement(retirement)),
                        ("plan", plan),
                        ("segment", &segment),
                    ],
                )
            })
            .collect();
        for ((retirement, action), n) in &others {
            let key = match action {
                Action::RemoveOnly => "notice_remove_only",
                Action::ReviewBlocked => "notice_blocked",
                Action::Reassign => "notice_no_plan",
            };
            let retirement = self.retirement(retirement);
            lines.push(m.fill(key, &[("n", n), ("retirement", &retirement)]));
        }
        let moving = rows
            .users
            .iter()
            .copied()
            .filter(|u| u.action == Action::Reassign);
        for change in self.report.plan_changes_of(moving) {
            let (from, to) = (&change.from, &change.to);
            if !change.lost_plans.is_empty() {
                let plans = change.lost_plans.join(", ");
                let args: [(&str, &dyn MessageArg); 3] =
                    [("from", from), ("to", to), ("plans", &plans)];
                lines.push(m.fill("notice_lost", &args));
            }
            if change.loses_mailbox {
                lines.push(m.fill("notice_loses_mailbox", &[("from", from), ("to", to)]));
            }
            if change.loses_desktop_apps {
                lines.push(m.fill("notice_loses_desktop_apps", &[("from", from), ("to", to)]));
            }
        }
        Section {
            title: m.text("notice_h_moves"),
            lines,
            ..Section::default()
        }
    }

    /// What the partner does and by when: A, B and C per retirement, by its earliest end date
    /// (as soon as approved, when no open subscription has one).
    fn steps(&self, rows: &Rows) -> Section {
        let m = self.m;
        let mut lines = Vec::new();
        for r in &rows.progress.retirements {
            // A retirement whose subscriptions are all suspended may still have users to move
            // (A and B, as soon as approved); step C is for open subscriptions only.
            let open = |e: &&&ExpiringRow| e.retirement_id == r.retirement_id && e.state.is_open();
            let has_open = rows.expiring.iter().any(|e| open(&e));
            let by = self.date(r.earliest_end_date.filter(|_| has_open));
            let soon = if by.is_some() { "" } else { "_soon" };
            let key = |step: &str| format!("notice_step_{step}{soon}");
            let by = by.unwrap_or_default();
            for p in rows
                .purchases
                .iter()
                .filter(|p| p.retirement_id == r.retirement_id)
            {
                if p.to_buy > 0 {
                    let args: [(&str, &dyn MessageArg); 3] = [
                        ("n", &p.to_buy),
                        ("plan", &p.recommended_plan),
                        ("date", &by),
                    ];
                    lines.push(m.fill(&key("a"), &args));
                }
            }
            let moving = (rows.users.iter())
                .filter(|u| *u.retirement_id == *r.retirement_id && u.action == Action::Reassign)
                .count();
            if moving > 0 {
                lines.push(m.fill(&key("b"), &[("n", &moving), ("date", &by)]));
            }
            if !has_open {
                continue;
            }
            let deleted = (rows.expiring.iter().filter(open))
                .filter_map(|e| e.deprovision_if_suspended_on_end_date)
                .min();
            let deleted = self.date(deleted).unwrap_or_default();
            lines.push(m.fill(
                &key("c"),
                &[
                    ("retirement", &self.retirement(&r.retirement_id)),
                    ("date", &by),
                    ("days", &self.report.run.deprovision_days),
                    ("deleted", &deleted),
                ],
            ));
        }
        Section {
            title: m.text("notice_h_steps"),
            lines,
            ..Section::default()
        }
    }

    /// What the customer is asked: approve the licenses, tell the users who move.
    fn asks(&self, rows: &Rows) -> Section {
        let m = self.m;
        let mut lines: Vec<String> = (rows.purchases.iter())
            .filter(|p| p.to_buy > 0)
            .map(|p| {
                m.fill(
                    "notice_ask_approve",
                    &[("n", &p.to_buy), ("plan", &p.recommended_plan)],
                )
            })
            .collect();
        let mut moving: Vec<&UserRow> = (rows.users.iter().copied())
            .filter(|u| u.action == Action::Reassign)
            .collect();
        let mut seen = std::collections::HashSet::new();
        moving.retain(|u| seen.insert(u.user_principal_name.to_lowercase()));
        let mut section = Section {
            title: m.text("notice_h_ask"),
            ..Section::default()
        };
        if !moving.is_empty() {
            if self.report.run.redacted_users {
                lines.push(m.fill("notice_ask_tell_count", &[("n", &moving.len())]));
            } else {
                lines.push(m.fill("notice_ask_tell", &[("n", &moving.len())]));
                section.items = (moving.iter().take(LISTED_USERS))
                    .map(
                        |u| match u.display_name.as_deref().filter(|d| !d.is_empty()) {
                            Some(name) => format!("{name} <{}>", u.user_principal_name),
                            None => u.user_principal_name.clone(),
                        },
                    )
                    .collect();
                section.note = (moving.len() > LISTED_USERS).then(|| {
                    m.fill(
                        "notice_users_more",
                        &[("n", &(moving.len() - LISTED_USERS))],
                    )
                });
            }
        }
        section.lines = lines;
        section
    }

    /// What it costs, when a price list gave estimated retail prices: per plan after, and what
    /// the retiring subscriptions cost before.
    fn costs(&self, rows: &Rows) -> Option<Section> {
        let m = self.m;
        let amount = |money: Money, currency: Option<&String>| {
            format!("{money} {}", currency.map_or("", String::as_str))
        };
        let mut lines: Vec<String> = (rows.purchases.iter())
            .filter_map(|p| {
                let erp = p.cost.monthly_erp?;
                Some(m.fill(
                    "notice_cost_after",
                    &[
                        ("n", &p.to_buy),
                        ("plan", &p.recommended_plan),
                        ("amount", &amount(erp, p.cost.currency.as_ref())),
                    ],
                ))
            })
            .collect();
        let before = rows
            .purchases
            .iter()
            .filter_map(|p| Some((p.cost.monthly_saving_erp?, p.cost.currency.as_ref())));
        let mut sum: Option<(Money, Option<&String>)> = None;
        for (money, currency) in before {
            let total = sum.map_or(Money::ZERO, |(t, _)| t).plus(money);
            sum = Some((total, currency));
        }
        if let Some((total, currency)) = sum {
            lines.push(m.fill(
                "notice_cost_before",
                &[("amount", &amount(total, currency))],
            ));
        }
        (!lines.is_empty()).then(|| Section {
            title: m.text("notice_h_costs"),
            lines,
            note: Some(m.text("notice_cost_note")),
            ..Section::default()
        })
    }

    /// The signature's lines, or the placeholder to fill in.
    fn signature(&self) -> Vec<String> {
        match self.signature {
            Some(s) => [&s.name, &s.company, &s.email, &s.phone]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            None => vec![self.m.text("notice_signature_placeholder")],
        }
    }
}
