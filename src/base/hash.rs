//! The hash map of per-row lookups.

/// A hash map for per-row lookups over millions of rows (foldhash: several times faster than the
/// default SipHash on short strings; randomly seeded per process, so crafted keys cannot collide).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
