//! Reference data: what the products are and which of them retire — the SKU table (Microsoft's
//! product list), the retirement catalog, name normalisation, and the resolver that looks a
//! license or offer value up in both.

pub mod catalog; // the retirement catalog (TOML)
pub mod names; // lookup keys and part numbers
pub mod prices; // the partner's price list and offer matrix
pub mod resolve; // license/offer → SKU and retirement; the `+` split of a license cell
pub mod skus; // the SKU table
