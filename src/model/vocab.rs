//! The report's closed vocabularies as enums: subscription state, urgency, user action, segment,
//! de-provisioning window state, issue code and reason code. Each value has exactly one
//! spelling (its kebab-case `as_str`, also what serde writes and what polars expressions use),
//! and the rules that belong to a value live here once: which states are open, the 30/90-day
//! urgency thresholds.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines a vocabulary enum: variants with their one spelling, `ALL` in output order, `as_str`,
/// a case-insensitive `parse`, serde as the spelling and `Display`. A value is compared with a
/// value, never with its spelling.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order outputs list them.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The value's one spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses a spelling (surrounding spaces and letter case ignored).
            pub fn parse(text: &str) -> Option<$name> {
                let text = text.trim();
                $name::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(text))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    serde::de::Error::custom(format!(
                        "unknown {} `{text}`; use one of {}",
                        stringify!($name),
                        all.join(", ")
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// A subscription status as Partner Center writes it (§2.1). Any other text is kept as
    /// written, with an `unknown-status` warning, so the rows hold the status as text.
    Status {
        /// In use.
        Active = "active",
        /// Suspended by the partner: de-provisioned after the window (§3.3).
        Suspended = "suspended",
        /// Past its term.
        Expired = "expired",
        /// Disabled.
        Disabled = "disabled",
        /// Deleted.
        Deleted = "deleted",
        /// Being provisioned.
        Pending = "pending",
        /// No status (the NCE bulk-migration tool writes `None`).
        None = "none",
    }
}

impl Status {
    /// Whether the subscription has ended (expired, disabled or deleted).
    pub fn has_ended(self) -> bool {
        matches!(self, Status::Expired | Status::Disabled | Status::Deleted)
    }
}

vocabulary! {
    /// A value a reason's text needs: the `{placeholder}` it fills in the locale files'
    /// `[reasons]` (listed in the order of their spellings, which is the order `report.json`
    /// writes them).
    ReasonArg {
        /// The Microsoft 365 Business seat cap.
        Cap = "cap",
        /// The product that already covers the retiring one.
        Covering = "covering",
        /// Seats of the plan owned and not in use.
        Free = "free",
        /// The retiring license, by product name.
        License = "license",
        /// Seats of the plan the customer's open subscriptions hold.
        Owned = "owned",
        /// The plan to buy.
        Plan = "plan",
        /// Licences to buy.
        Quantity = "quantity",
        /// The retirement, by name.
        Retirement = "retirement",
        /// The customer's segment (a [`Segment`] spelling, worded by each locale).
        Segment = "segment",
        /// Retiring subscriptions counted.
        Subscriptions = "subscriptions",
        /// Licences still to buy.
        ToBuy = "to_buy",
        /// Users holding the plan already.
        Used = "used",
        /// Licensed users counted.
        Users = "users",
    }
}

impl ReasonArg {
    /// Whether the argument is a count (a number the catalogs write grouped and pick plural
    /// forms by).
    pub fn is_count(self) -> bool {
        matches!(
            self,
            ReasonArg::Cap
                | ReasonArg::Free
                | ReasonArg::Owned
                | ReasonArg::Quantity
                | ReasonArg::Subscriptions
                | ReasonArg::ToBuy
                | ReasonArg::Used
                | ReasonArg::Users
        )
    }
}

vocabulary! {
    /// Where a retiring subscription stands (§3.1).
    State {
        /// Active, pending or none, auto renew off: it ends on its end date.
        Expiring = "expiring",
        /// Auto renew still on: an anomaly, Microsoft should have turned it off.
        AutoRenewOn = "auto-renew-on",
        /// Auto renew unknown (empty in the export).
        AutoRenewUnknown = "auto-renew-unknown",
        /// Suspended: in its de-provisioning window.
        Suspended = "suspended",
        /// Expired, disabled or deleted.
        Ended = "ended",
    }
}

impl State {
    /// Whether the subscription still has to be migrated (the one definition of "open").
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Expiring | State::AutoRenewOn | State::AutoRenewUnknown
        )
    }

    /// The open states.
    pub fn open() -> impl Iterator<Item = State> {
        State::ALL.into_iter().filter(|s| s.is_open())
    }
}

vocabulary! {
    /// How soon an open retiring subscription ends, most urgent first.
    Urgency {
        /// The end date has passed.
        Overdue = "overdue",
        /// Ends within [`Urgency::DUE_30_DAYS`] days.
        Due30 = "due-30",
        /// Ends within [`Urgency::DUE_90_DAYS`] days.
        Due90 = "due-90",
        /// Ends later.
        Later = "later",
        /// Not open, or no end date.
        None = "none",
    }
}

impl Urgency {
    /// The last day left that is still `due-30`.
    pub const DUE_30_DAYS: i64 = 30;
    /// The last day left that is still `due-90`.
    pub const DUE_90_DAYS: i64 = 90;

    /// The urgency of a subscription with `days_left`, open or not.
    pub fn of(days_left: Option<i64>, open: bool) -> Urgency {
        match days_left {
            _ if !open => Urgency::None,
            None => Urgency::None,
            Some(d) if d < 0 => Urgency::Overdue,
            Some(d) if d <= Urgency::DUE_30_DAYS => Urgency::Due30,
            Some(d) if d <= Urgency::DUE_90_DAYS => Urgency::Due90,
            Some(_) => Urgency::Later,
        }
    }

    /// Whether it calls for action soon (overdue, due-30 or due-90).
    pub fn is_pressing(self) -> bool {
        matches!(self, Urgency::Overdue | Urgency::Due30 | Urgency::Due90)
    }
}

vocabulary! {
    /// What to do with one user's retiring license (§3.2).
    Action {
        /// Assign the recommended plan, then remove the retiring license.
        Reassign = "reassign",
        /// Another license already covers it: only remove the retiring one.
        RemoveOnly = "remove-only",
        /// Sign-in is blocked: reclaim the license instead.
        ReviewBlocked = "review-blocked",
    }
}

impl Action {
    /// Whether the step B script carries it out (a blocked user is reviewed by hand).
    pub fn is_scripted(self) -> bool {
        matches!(self, Action::Reassign | Action::RemoveOnly)
    }
}

vocabulary! {
    /// A customer segment, which picks the default replacement plan.
    Segment {
        /// A customer with an education SKU.
        Education = "education",
        /// At most 300 licensed users.
        Business = "business",
        /// More than 300 licensed users.
        Enterprise = "enterprise",
        /// Firstline workers (only by `--segment`).
        Frontline = "frontline",
    }
}

vocabulary! {
    /// Why a customer has its segment.
    SegmentBasis {
        /// `--segment` set it.
        Override = "override",
        /// A user holds an education SKU.
        Education = "education",
        /// At most 300 licensed users.
        Business = "business",
        /// More than 300 licensed users.
        Enterprise = "enterprise",
    }
}

vocabulary! {
    /// Where a suspended subscription's de-provisioning window stands (§3.3).
    WindowState {
        /// The window is still open.
        InWindow = "in-window",
        /// The window has closed.
        Overdue = "overdue",
        /// No suspension date, so no window.
        UnknownStart = "unknown-start",
    }
}

vocabulary! {
    /// What an input issue is about; stable codes for filters and scripts.
    IssueCode {
        /// How a file's slash dates were read (day-first or month-first), and why.
        DateOrder = "date-order",
        /// A file's slash dates were read month-first as a guess: nothing settled the order
        /// (`--strict` fails on it).
        DateOrderGuess = "date-order-guess",
        /// A date cell could not be read.
        InvalidDate = "invalid-date",
        /// A boolean cell could not be read.
        InvalidBoolean = "invalid-boolean",
        /// A quantity cell could not be read.
        InvalidQuantity = "invalid-quantity",
        /// Values beyond the last header.
        ExtraCells = "extra-cells",
        /// Empty cells beyond the last header (one warning per file).
        TrailingCells = "trailing-cells",
        /// A spreadsheet cell holding a failed formula.
        FormulaError = "formula-error",
        /// A byte of a UTF-8 file that is not UTF-8, read as `�`.
        InvalidEncoding = "invalid-encoding",
        /// The file ends without a line break after its last row: it may have been cut off.
        CutOffRow = "cut-off-row",
        /// A subscription's dates cannot all be right (suspended or ending before its start,
        /// de-provisioned already but still active).
        ImplausibleDates = "implausible-dates",
        /// An export dated long before `--as-of`, or exports of one run dated far apart.
        StaleExport = "stale-export",
        /// A required value is empty.
        MissingValue = "missing-value",
        /// A subscription id seen twice.
        DuplicateSubscription = "duplicate-subscription",
        /// The same file named twice (read once).
        DuplicateFile = "duplicate-file",
        /// A file in a folder that is not an export of the kind asked for (not read).
        SkippedFile = "skipped-file",
        /// A status outside the known ones.
        UnknownStatus = "unknown-status",
        /// A license row no customer could be found for.
        UnattributedUser = "unattributed-user",
        /// A license export whose user names are concealed (hashes).
        ConcealedNames = "concealed-names",
        /// A license value that resolves to no SKU.
        UnknownLicense = "unknown-license",
        /// A customer's licences to buy are its subscriptions' seat counts (no license export).
        SeatCounts = "seat-counts",
        /// An open retiring subscription without an end date (no deadline to plan for).
        NoEndDate = "no-end-date",
        /// A plan to buy has no price in `--price-list` for the market, currency and term.
        NoPrice = "no-price",
    }
}

vocabulary! {
    /// Why a user row or a purchase row says what it says: a key of the locale files'
    /// `[reasons]` table.
    ReasonCode {
        /// Sign-in blocked.
        ReviewBlocked = "review-blocked",
        /// Covered by another license.
        RemoveOnly = "remove-only",
        /// Reassign; segment from `--segment`.
        ReassignOverride = "reassign-override",
        /// Reassign; education segment.
        ReassignEducation = "reassign-education",
        /// Reassign; business segment.
        ReassignBusiness = "reassign-business",
        /// Reassign; enterprise segment.
        ReassignEnterprise = "reassign-enterprise",
        /// Purchase: users to reassign.
        PurchaseReassign = "purchase-reassign",
        /// Purchase: seat counts, no license data.
        PurchaseNoLicenseData = "purchase-no-license-data",
        /// Purchase: users to reassign, some seats of the plan already owned and free.
        PurchaseReassignOwned = "purchase-reassign-owned",
        /// Purchase: seat counts, seats of the plan already owned (their use not visible).
        PurchaseNoLicenseDataOwned = "purchase-no-license-data-owned",
    }
}

impl ReasonCode {
    /// Whether a purchase counts seats of subscriptions (no license data), not users.
    pub fn is_seat_count(self) -> bool {
        matches!(
            self,
            ReasonCode::PurchaseNoLicenseData | ReasonCode::PurchaseNoLicenseDataOwned
        )
    }

    /// The reassign reason for a segment basis.
    pub fn reassign(basis: SegmentBasis) -> ReasonCode {
        match basis {
            SegmentBasis::Override => ReasonCode::ReassignOverride,
            SegmentBasis::Education => ReasonCode::ReassignEducation,
            SegmentBasis::Business => ReasonCode::ReassignBusiness,
            SegmentBasis::Enterprise => ReasonCode::ReassignEnterprise,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_through_serde_and_parse() {
        for u in Urgency::ALL {
            let json = serde_json::to_string(&u).unwrap();
            assert_eq!(json, format!("\"{}\"", u.as_str()));
            assert_eq!(serde_json::from_str::<Urgency>(&json).unwrap(), u);
            assert_eq!(Urgency::parse(&u.as_str().to_uppercase()), Some(u));
        }
        assert_eq!(Urgency::Due30.as_str(), "due-30");
        assert_eq!(Segment::parse(" Business "), Some(Segment::Business));
        assert!(serde_json::from_str::<Segment>("\"retail\"").is_err());
    }

    #[test]
    fn urgency_boundaries_and_open_states() {
        let of = |d| Urgency::of(Some(d), true);
        assert_eq!(
            [of(-1), of(0), of(30), of(31), of(90), of(91)],
            [
                Urgency::Overdue,
                Urgency::Due30,
                Urgency::Due30,
                Urgency::Due90,
                Urgency::Due90,
                Urgency::Later
            ]
        );
        assert_eq!(Urgency::of(Some(5), false), Urgency::None);
        assert_eq!(Urgency::of(None, true), Urgency::None);
        assert_eq!(
            State::open().collect::<Vec<_>>(),
            [State::Expiring, State::AutoRenewOn, State::AutoRenewUnknown]
        );
    }
}

vocabulary! {
    /// Where a customer's subscriptions of one retirement stand, together (docs/rules.md §3.5).
    SubscriptionsState {
        /// At least one is still open (expiring, auto-renew on or unknown).
        Open = "open",
        /// None is open; at least one is suspended (step C done).
        Suspended = "suspended",
        /// All have ended.
        Ended = "ended",
        /// The exports hold none (only users hold the retiring license).
        None = "none",
    }
}

vocabulary! {
    /// What a customer has to do next for one retirement (docs/rules.md §3.5).
    NextAction {
        /// Step A: licences still to buy.
        Buy = "buy",
        /// Step B: users still hold the retiring license.
        Reassign = "reassign",
        /// Step C: no user left, a retiring subscription still open.
        Suspend = "suspend",
        /// Suspended, inside its de-provisioning window.
        Wait = "wait",
        /// Nothing left.
        Done = "done",
    }
}

vocabulary! {
    /// What changed since the previous report (docs/rules.md §3.6), in the order they are listed.
    ChangeKind {
        /// A retiring subscription open now that was not open and retiring before.
        NewExpiring = "new-expiring",
        /// Open and retiring before; now suspended, ended or absent.
        Resolved = "resolved",
        /// Moved to a more urgent bucket.
        UrgencyUp = "urgency-up",
        /// Fewer users hold the retiring license.
        UsersMigrated = "users-migrated",
        /// More users hold the retiring license.
        UsersAdded = "users-added",
        /// Less left to buy of a plan.
        SeatsBought = "seats-bought",
        /// A customer's monthly cost at the partner's price moved (both reports priced).
        CostChanged = "cost-changed",
        /// Suspended since.
        NewSuspension = "new-suspension",
        /// Its de-provisioning date passed since.
        WindowClosed = "window-closed",
        /// The customer is done with the retirement.
        CustomerDone = "customer-done",
    }
}
