//! Names on disk that rooms far apart must agree on.

/// The folder inside `--out` that holds a skusunset report's generations: the output folder
/// writes it, and ingest leaves out a folder that has it (a report is never read as input).
pub const STORE: &str = ".skusunset";
