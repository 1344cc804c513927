//! The hash map and set of per-row lookups.

/// A hash map for per-row lookups over millions of rows (foldhash: several times faster than the
/// default SipHash on short strings; randomly seeded per process, so crafted keys cannot collide).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set with [`FastMap`]'s hasher.
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
