//! The weekly cycle (issue 26): seats of the plan already owned are not bought again, and each
//! customer and retirement has a next action. Every expectation is computed by hand from the
//! rows in the test.

use crate::analysis::{SUB_HEADER, report_with, users_csv};
use skusunset::model::NextAction;

/// Step A done: seats of the replacement the customer already owns (open, paid) and does not
/// use are not bought again; trials and suspended subscriptions own nothing; without license
/// data the used seats cannot be seen, and the reason says so (issue 26).
#[test]
fn seats_already_owned_are_not_bought_again() {
    let subs = format!(
        "{SUB_HEADER}\
         C,c.com,k1,Kaizala Pro,3,Active,False,2026-12-31,\n\
         C,c.com,b1,Microsoft 365 Business Basic,2,Active,True,2027-11-30,\n\
         C,c.com,b2,Microsoft 365 Business Basic Trial,25,Active,False,2026-12-31,\n\
         C,c.com,b3,Microsoft 365 Business Basic,10,Suspended,False,2026-12-31,2026-11-01\n\
         N,n.com,k2,Kaizala Pro,8,Active,False,2026-12-31,\n\
         N,n.com,b4,Microsoft 365 Business Basic,5,Active,True,2027-11-30,\n"
    );
    let lics = users_csv(&[
        ("a@c.com", "False", "Microsoft Kaizala Pro"),
        ("b@c.com", "False", "Microsoft Kaizala Pro"),
        ("c@c.com", "False", "Microsoft Kaizala Pro"),
        ("d@c.com", "False", "Microsoft 365 Business Basic"),
    ]);
    let r = report_with(&subs, &[("c.csv", None, lics)], &[]);
    let rows: Vec<(&str, i64, i64, Option<i64>, i64)> = (r.purchases.iter())
        .map(|p| {
            (
                p.customer_name.as_str(),
                p.quantity,
                p.seats_owned,
                p.seats_used,
                p.to_buy,
            )
        })
        .collect();
    // C: 3 users to move; 2 paid seats owned (the trial and the suspended one own nothing), 1
    // in use by d, so 1 is free: buy 2. N: 8 seat counts, 5 owned, use unknown: buy 3.
    assert_eq!(rows, [("C", 3, 2, Some(1), 2), ("N", 8, 5, None, 3)]);
    let english = skusunset::export::Messages::english();
    assert_eq!(
        english.reason(&r.purchases[0].why),
        "3 user(s) to reassign to Microsoft 365 Business Basic; 1 free seat(s) of Microsoft 365 \
         Business Basic already owned (2 owned, 1 in use): buy 2"
    );
    let n = english.reason(&r.purchases[1].why);
    assert!(
        n.contains("5 seat(s) of Microsoft 365 Business Basic already owned (which are in use cannot be seen without license data): buy 3"),
        "{n}"
    );
    // Every "to buy" is what is left.
    assert_eq!(
        r.summary
            .seats_to_buy
            .iter()
            .map(|p| p.quantity)
            .sum::<i64>(),
        5
    );
}

/// Customer, to buy, users left, of them blocked, subscriptions' state, next action.
type ProgressLine<'a> = (&'a str, i64, Option<i64>, Option<i64>, &'a str, NextAction);

/// One customer per next action, as of 2026-11-21 (docs/rules.md §3.5).
#[test]
fn every_next_action_from_buy_to_done() {
    let subs = format!(
        "{SUB_HEADER}\
         Buy,buy.com,k1,Kaizala Pro,2,Active,False,2026-12-31,\n\
         Move,move.com,k2,Kaizala Pro,2,Active,False,2026-12-31,\n\
         Move,move.com,b2,Microsoft 365 Business Basic,5,Active,True,2027-11-30,\n\
         Suspend,suspend.com,k3,Kaizala Pro,2,Active,False,2026-12-31,\n\
         Wait,wait.com,k4,Kaizala Pro,2,Suspended,False,2026-12-31,2026-11-01\n\
         Done,done.com,k5,Kaizala Pro,2,Suspended,False,2026-06-30,2026-05-01\n\
         Ended,ended.com,k6,Kaizala Pro,2,Expired,False,2026-03-31,\n"
    );
    let lics = users_csv(&[
        ("a@buy.com", "False", "Microsoft Kaizala Pro"),
        ("b@move.com", "False", "Microsoft Kaizala Pro"),
        ("c@move.com", "True", "Microsoft Kaizala Pro"),
        ("d@suspend.com", "False", "Microsoft 365 Business Basic"),
        ("e@wait.com", "False", "Microsoft 365 Business Basic"),
        ("f@done.com", "False", "Microsoft 365 Business Basic"),
        ("g@ended.com", "False", "Microsoft 365 Business Basic"),
    ]);
    let r = report_with(&subs, &[("u.csv", None, lics)], &[]);
    let rows: Vec<ProgressLine> = (r.progress.iter())
        .map(|p| {
            (
                p.customer_name.as_str(),
                p.to_buy,
                p.users_left,
                p.users_blocked,
                p.subscription_state.as_str(),
                p.next_action,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // 1 user to move, nothing owned.
            ("Buy", 1, Some(1), Some(0), "open", NextAction::Buy),
            // Suspended on 2026-05-01: de-provisioned 2026-08-29, before the as-of.
            ("Done", 0, Some(0), Some(0), "suspended", NextAction::Done),
            ("Ended", 0, Some(0), Some(0), "ended", NextAction::Done),
            // 5 Business Basic seats owned: nothing to buy; 2 users (1 blocked) still to move.
            ("Move", 0, Some(2), Some(1), "open", NextAction::Reassign),
            // Nobody holds Kaizala any more, the subscription is still open.
            ("Suspend", 0, Some(0), Some(0), "open", NextAction::Suspend),
            // Suspended on 2026-11-01: de-provisioned 2027-03-01.
            ("Wait", 0, Some(0), Some(0), "suspended", NextAction::Wait),
        ]
    );
    let wait = r
        .progress
        .iter()
        .find(|p| p.customer_name == "Wait")
        .unwrap();
    assert_eq!(
        wait.deprovision_on.map(|d| d.to_string()).as_deref(),
        Some("2027-03-01")
    );
    let suspend = r
        .progress
        .iter()
        .find(|p| p.customer_name == "Suspend")
        .unwrap();
    assert_eq!(
        suspend.end_date.map(|d| d.to_string()).as_deref(),
        Some("2026-12-31")
    );
}
