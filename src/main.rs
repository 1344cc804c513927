//! The `skusunset` binary: parse arguments, run, map the outcome to an exit status
//! (0 success, 1 `--strict` with error issues, 2 any error, 3 out of memory, 130 interrupted
//! by a signal).

use clap::Parser;
use std::process::ExitCode;

// glibc's allocator spent about a third of a large run in `malloc_consolidate`, page clearing
// and free-list upkeep between polars' big buffers and many small strings; mimalloc reuses pages.
// Wrapped: running out of memory names the phase instead of aborting.
#[global_allocator]
static ALLOCATOR: skusunset::base::memory::Allocator = skusunset::base::memory::Allocator;

fn main() -> ExitCode {
    skusunset::base::panic::install_hook();
    let cli = skusunset::cli::Cli::parse();
    match skusunset::run(cli) {
        Ok(skusunset::Outcome::Success) => ExitCode::SUCCESS,
        Ok(skusunset::Outcome::StrictFailure) => ExitCode::from(1),
        Err(err) if skusunset::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if skusunset::is_interrupted(&err) => {
            eprintln!("{err:#}");
            ExitCode::from(skusunset::outdir::guard::INTERRUPTED_EXIT)
        }
        Err(err) => {
            // Bounded: an error can quote an input line, and a line can be megabytes.
            let message = skusunset::base::text::bounded(&format!("{err:#}"), 4_000).into_owned();
            eprintln!("error: {}", skusunset::base::text::escape_lines(&message));
            ExitCode::from(2)
        }
    }
}
