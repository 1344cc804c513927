//! A deterministic partner book in the real export dialects, for the benchmark:
//! `subscriptions.csv` as PowerShell's `Export-Csv` writes `Get-PartnerCustomerSubscription`
//! (a `#TYPE` line, every cell quoted, en-US date-times, `1,000` quantities) with the customer
//! columns a partner's script adds; `licenses-long.csv` as a script over
//! `Get-MgUserLicenseDetail` writes it (one row per user and license, a customer id column) for
//! four customers in five; `licenses-wide.csv` as the admin center's "Export users" (`+`-joined
//! `Licenses`, no customer column: users are attributed by their domain) for the fifth.
//! In the ordinary profile about one customer in seven holds a retiring subscription, as in
//! most weeks; in the wave profile (a SKU nearly every older tenant holds retires) nearly every
//! customer does, and about 15 % of all license rows are retiring licenses to move.

use std::io::{BufWriter, Write};
use std::path::Path;

/// SplitMix64: small, fast and the same on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Offers that are not retiring: (display name, String_Id).
const OFFERS: [(&str, &str); 10] = [
    ("Office 365 E3", "ENTERPRISEPACK"),
    ("Microsoft 365 Business Standard", "O365_BUSINESS_PREMIUM"),
    ("Microsoft 365 Business Basic", "O365_BUSINESS_ESSENTIALS"),
    ("Microsoft 365 Business Premium", "SPB"),
    ("Microsoft 365 E3", "SPE_E3"),
    ("Office 365 E1", "STANDARDPACK"),
    ("Microsoft 365 E5", "SPE_E5"),
    ("Visio Plan 2", "VISIOCLIENT"),
    ("Microsoft Teams Phone Standard", "MCOEV"),
    ("Project Online Premium", "PROJECTPREMIUM"),
];

/// Retiring offers: (offer name as Partner Center writes it, String_Id or alias users hold).
const RETIRING: [(&str, &str); 3] = [
    ("Microsoft Kaizala Pro", "KAIZALA_STANDALONE"),
    ("Office 365 Enterprise E4", "ENTERPRISEWITHSCAL"),
    ("Skype for Business Online (Plan 1)", "MCOIMP"),
];

const FIRST: [&str; 12] = [
    "Adele", "Alex", "Diego", "Grady", "Isaiah", "Johanna", "Lee", "Lidia", "Lynne", "Megan",
    "Nestor", "Patti",
];
const LAST: [&str; 8] = [
    "Vance",
    "Wilber",
    "Siciliani",
    "Archie",
    "Langer",
    "Lauren",
    "Gu",
    "Holloway",
];

/// The shape of the book.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Profile {
    /// About one customer in seven with a retiring subscription; 60 % of its users hold it.
    Ordinary,
    /// A retirement wave: 97 % of customers with a retiring subscription (over the three
    /// retirements); 23 % of their users hold it, about 15 % of all license rows.
    Wave,
}

impl Profile {
    /// The name in folder names and tables.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Profile::Ordinary => "ordinary",
            Profile::Wave => "wave",
        }
    }

    /// Percent of customers with a retiring subscription, and of their users who hold it.
    fn shares(self) -> (u64, u64) {
        match self {
            Profile::Ordinary => (15, 60),
            Profile::Wave => (97, 23),
        }
    }
}

/// What was written.
pub(crate) struct Book {
    pub subscriptions: u64,
    pub license_rows: u64,
}

/// en-US date-time as PowerShell writes it.
fn us_date_time(r: &mut Random, year: u64) -> String {
    let (month, day) = (1 + r.below(12), 1 + r.below(28));
    let hour = 1 + r.below(12);
    let half = if r.chance(50) { "AM" } else { "PM" };
    format!(
        "{month}/{day}/{year} {hour}:{:02}:{:02} {half}",
        r.below(60),
        r.below(60)
    )
}

/// The product's offer id (one per offer, as in Partner Center).
fn offer_id(offer: &str) -> String {
    let hash = offer.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!(
        "{:08X}-0000-4000-8000-{:012X}",
        hash >> 32,
        hash & 0xFFFF_FFFF_FFFF
    )
}

fn quantity(r: &mut Random) -> String {
    match r.below(100) {
        0 => "1,000".to_string(),
        1..=9 => (100 + r.below(400)).to_string(),
        _ => (1 + r.below(60)).to_string(),
    }
}

/// Writes the three files for `customers` customers into `dir`.
// Over the house's 80 lines: the book written file by file, in the real dialects.
#[allow(clippy::too_many_lines)]
pub(crate) fn write_book(dir: &Path, customers: u64, profile: Profile) -> std::io::Result<Book> {
    let (retiring_customers, holders) = profile.shares();
    std::fs::create_dir_all(dir)?;
    let file = |name: &str| std::fs::File::create(dir.join(name)).map(BufWriter::new);
    let (mut subs, mut long, mut wide) = (
        file("subscriptions.csv")?,
        file("licenses-long.csv")?,
        file("licenses-wide.csv")?,
    );
    writeln!(
        subs,
        "#TYPE Microsoft.Store.PartnerCenter.PowerShell.Models.Subscriptions.PSSubscription"
    )?;
    writeln!(
        subs,
        "\"CustomerId\",\"CustomerName\",\"CustomerDomain\",\"Actions\",\"AutoRenewEnabled\",\
         \"BillingCycle\",\"BillingType\",\"CommitmentEndDate\",\"ContractType\",\"CreationDate\",\
         \"EffectiveStartDate\",\"EntitlementId\",\"FriendlyName\",\"HasPurchasableAddons\",\
         \"IsTrial\",\"OfferId\",\"OfferName\",\"ParentSubscriptionId\",\"PartnerId\",\
         \"Quantity\",\"SubscriptionId\",\"Status\",\"SuspensionReasons\",\"UnitType\""
    )?;
    writeln!(
        long,
        "CustomerTenantId,UserPrincipalName,DisplayName,SkuPartNumber"
    )?;
    writeln!(
        wide,
        "Display name,User principal name,Department,Usage location,Block credential,Licenses"
    )?;
    let mut r = Random(0x5EED_2026_1121);
    let mut book = Book {
        subscriptions: 0,
        license_rows: 0,
    };
    for c in 0..customers {
        let tenant = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            c,
            c % 0xffff,
            c % 0xfff,
            c % 0xfff,
            c
        );
        let name = format!("Customer {c:06} Ltd");
        let domain = format!("customer{c:06}.onmicrosoft.com");
        let retiring = r
            .chance(retiring_customers)
            .then(|| RETIRING[r.below(3) as usize]);
        let n_subs = 4 + r.below(13);
        for s in 0..n_subs {
            let (offer, status, renew) = if let (0, Some((offer, _))) = (s, retiring) {
                let status = match r.below(10) {
                    0 => "Suspended",
                    1 => "Expired",
                    _ => "Active",
                };
                (offer, status, if r.chance(90) { "False" } else { "True" })
            } else {
                let status = if r.chance(3) { "Suspended" } else { "Active" };
                (OFFERS[r.below(10) as usize].0, status, "True")
            };
            let end = if r.chance(2) {
                "9999-12-10T00:00:00Z".to_string()
            } else {
                let year = 2026 + r.below(3);
                us_date_time(&mut r, year)
            };
            let (created, start) = (us_date_time(&mut r, 2019), us_date_time(&mut r, 2020));
            writeln!(
                subs,
                "\"{tenant}\",\"{name}\",\"{domain}\",\"System.String[]\",\"{renew}\",\"Monthly\",\
                 \"License\",\"{end}\",\"Subscription\",\"{created}\",\"{start}\",\"\",\"\",\
                 \"False\",\"False\",\"{}\",\"{offer}\",\"\",\"\",\
                 \"{}\",\"{:08x}-{:04x}-4000-8000-{:012x}\",\"{status}\",\"System.String[]\",\
                 \"Licenses\"",
                offer_id(offer),
                quantity(&mut r),
                c,
                s,
                r.next() >> 16,
            )?;
            book.subscriptions += 1;
        }
        let users = if r.chance(2) {
            350 + r.below(400)
        } else {
            20 + r.below(110)
        };
        let wide_export = c % 5 == 4;
        for u in 0..users {
            let display = format!(
                "{} {}",
                FIRST[r.below(12) as usize],
                LAST[r.below(8) as usize]
            );
            let upn = format!("user{u:04}@{domain}");
            let mut skus: Vec<(&str, &str)> = vec![OFFERS[r.below(10) as usize]];
            if r.chance(30) {
                skus.push(OFFERS[r.below(10) as usize]);
            }
            if let Some((offer, sku)) = retiring.filter(|_| r.chance(holders)) {
                skus.push((offer, sku));
            }
            skus.dedup();
            let blocked = if r.chance(3) { "True" } else { "False" };
            if wide_export {
                let licenses: Vec<&str> = skus.iter().map(|(name, _)| *name).collect();
                writeln!(
                    wide,
                    "{display},{upn},Sales,US,{blocked},{}",
                    licenses.join("+")
                )?;
                book.license_rows += 1;
            } else {
                for (_, sku) in &skus {
                    writeln!(long, "{tenant},{upn},{display},{sku}")?;
                    book.license_rows += 1;
                }
            }
        }
    }
    subs.flush()?;
    long.flush()?;
    wide.flush()?;
    Ok(book)
}
