//! The ground floor: what every room may use and which knows no room above it — typed errors,
//! the hash map of per-row lookups, text made safe to show, helpers between Rust values and
//! polars columns, and the panic hook.

pub mod error; // typed errors that stop a run
pub mod frame; // helpers between Rust values and polars columns
pub mod hash; // FastMap
pub mod laps; // SKUSUNSET_TIMINGS inside a step (the analysis' tables)
pub mod layout; // names on disk several rooms share (the report store)
pub mod memory; // the global allocator: out of memory named with the phase, not an abort
pub mod money; // amounts of money, exact to a millionth
pub mod panic; // a short message for bugs; a panicking reader contained
pub mod text; // escape (terminal), bounded (long values)
