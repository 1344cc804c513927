//! Header aliases of the exports: which headers may hold which canonical field.
//!
//! Headers match case-insensitively, ignoring spaces, underscores, hyphens and a BOM. When
//! several headers of one file match one field, the alias listed first wins: a distributor's
//! export (CloudBlue, Ingram) that carries Microsoft's value beside its own names it
//! `Microsoft Status`, `Microsoft Licenses`, …, and those are listed first.

use crate::read::headers::{FieldSpec, field};

/// The customer columns shared by subscription and license exports.
pub const CUSTOMER_ID: FieldSpec = field(
    "customer_id",
    &[
        "CustomerId",
        "CustomerTenantId",
        "Customer tenant ID",
        "Microsoft ID",
        "TenantId",
    ],
);
/// See [`CUSTOMER_ID`].
pub const CUSTOMER_NAME: FieldSpec = field(
    "customer_name",
    &[
        "CustomerName",
        "Customer name",
        "Company name",
        "Customer",
        "Company",
    ],
);
/// See [`CUSTOMER_ID`].
pub const CUSTOMER_DOMAIN: FieldSpec = field(
    "customer_domain",
    &[
        "CustomerDomainName",
        "DomainName",
        "Primary domain name",
        "Domain",
        "Customer domain",
    ],
);

/// Subscription export fields (docs/rules.md §2.1).
pub const SUBSCRIPTION_FIELDS: &[FieldSpec] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_DOMAIN,
    field(
        "subscription_id",
        &[
            "Microsoft Subscription ID",
            "SyndicationPartnerSubscriptionNumber",
            "SubscriptionId",
            "Id",
            "Subscription ID",
            "LegacySubscriptionId",
        ],
    ),
    field(
        "offer_id",
        &["OfferId", "Offer ID", "DurableOfferId", "ProductId"],
    ),
    field(
        "offer_name",
        &[
            "OfferName",
            "Offer name",
            "Subscription",
            "LegacyProductName",
            "ProductName",
            "SkuName",
            "Product",
        ],
    ),
    field(
        "friendly_name",
        &[
            "FriendlyName",
            "Friendly name",
            "SubscriptionName",
            "LegacySubscriptionName",
            "Nickname",
        ],
    ),
    field(
        "quantity",
        &[
            "Microsoft Licenses",
            "Quantity",
            "Quantity of licenses",
            "Licenses",
            "Seats",
            "CurrentSeatCount",
            "SeatCount",
        ],
    ),
    field(
        "status",
        &[
            "Microsoft Status",
            "Microsoft Subscription status",
            "Status",
            "Subscription status",
        ],
    ),
    field(
        "auto_renew",
        &[
            "Microsoft Auto Renew",
            "AutoRenewEnabled",
            "AutoRenew",
            "Auto renew",
            "Auto-renew",
            "Renews automatically",
            "Auto-renewal status",
        ],
    ),
    field(
        "end_date",
        &[
            "Microsoft Commitment End Date",
            "CommitmentEndDate",
            "commitmentEndDateTime",
            "ExpirationDate",
            "Expiration date",
            "End date",
            "Expires on",
            "SubscriptionEndDate",
            "Term end date",
            "Subscription Commitment End Date",
        ],
    ),
    field(
        "start_date",
        &[
            "EffectiveStartDate",
            "Start date",
            "SubscriptionStartDate",
            "CreationDate",
        ],
    ),
    field(
        "suspended_on",
        &[
            "SuspendedOn",
            "Suspended on",
            "Suspension date",
            "SuspensionDate",
            "Status changed on",
        ],
    ),
    field(
        "billing_cycle",
        &[
            "BillingCycle",
            "Billing frequency",
            "CurrentBillingPlan",
            "BillingCycleType",
        ],
    ),
    field("term", &["TermDuration", "Term", "CurrentTerm"]),
];

/// License export fields (docs/rules.md §2.2), both shapes.
pub const LICENSE_FIELDS: &[FieldSpec] = &[
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_DOMAIN,
    field(
        "user_principal_name",
        &[
            "User principal name",
            "UserPrincipalName",
            "UPN",
            "User Principal Name",
            // MSOnline-era scripts: `UserName` (display name), `LicenseName`, `UserEmail` (UPN).
            "UserEmail",
        ],
    ),
    field("display_name", &["Display name", "DisplayName", "UserName"]),
    field(
        "licenses",
        &["Licenses", "Assigned Products", "AssignedProducts"],
    ),
    field(
        "license",
        &[
            "SkuPartNumber",
            "SkuId",
            "License",
            "LicenseName",
            "Product",
            "AccountSkuId",
        ],
    ),
    field("department", &["Department"]),
    field("title", &["Title", "JobTitle"]),
    field("usage_location", &["Usage location", "UsageLocation"]),
    // The admin center's user export: the language the user reads (`de-DE`), for the notices.
    field(
        "preferred_language",
        &["Preferred language", "PreferredLanguage"],
    ),
    field(
        "block_credential",
        &["Block credential", "BlockCredential", "AccountDisabled"],
    ),
    // The Microsoft 365 usage reports say when their data was taken.
    field(
        "report_refresh_date",
        &["Report Refresh Date", "ReportRefreshDate"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::headers::ColumnMap;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn matching_ignores_case_spaces_underscores_hyphens_and_bom() {
        let map = ColumnMap::new(
            &headers(&[
                "\u{feff}customer_NAME",
                "Subscription ID",
                "auto-renew",
                "END DATE",
            ]),
            SUBSCRIPTION_FIELDS,
        );
        assert_eq!(map.get("customer_name"), Some(0));
        assert_eq!(map.get("subscription_id"), Some(1));
        assert_eq!(map.get("auto_renew"), Some(2));
        assert_eq!(map.get("end_date"), Some(3));
        assert_eq!(map.get("quantity"), None);
    }

    #[test]
    fn excel_leftovers_in_headers_still_match() {
        let map = ColumnMap::new(
            &headers(&[
                "\u{feff}\"UserName\"",
                "License\nName",
                "User Email.",
                "Account\r\nDisabled",
            ]),
            LICENSE_FIELDS,
        );
        assert_eq!(map.get("display_name"), Some(0));
        assert_eq!(map.get("license"), Some(1));
        assert_eq!(map.get("user_principal_name"), Some(2));
        assert_eq!(map.get("block_credential"), Some(3));
    }

    #[test]
    fn the_alias_listed_first_wins() {
        let map = ColumnMap::new(
            &headers(&[
                "SeatCount",
                "CreationDate",
                "CurrentSeatCount",
                "EffectiveStartDate",
            ]),
            SUBSCRIPTION_FIELDS,
        );
        assert_eq!(map.get("quantity"), Some(2));
        assert_eq!(map.get("start_date"), Some(3));
    }
}
