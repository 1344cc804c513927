//! Timings inside a step, for profiling: under `SKUSUNSET_TIMINGS`, each lap of a long step (the
//! analysis' tables, the workbook's sheets) prints one plain line to standard error with the time
//! since the last lap and the memory resident now and at its peak so far, beside the step lines
//! the terminal prints. Silent otherwise.

use std::time::Instant;

/// Whether `SKUSUNSET_TIMINGS` asks for timing lines.
pub fn wanted() -> bool {
    std::env::var_os("SKUSUNSET_TIMINGS").is_some()
}

/// A field of `/proc/self/status` (`VmRSS`, `VmHWM`), as the kernel writes it ("1234 kB"); "?"
/// where there is none.
pub fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                (l.strip_prefix(field)?.strip_prefix(':')).map(|v| v.trim().to_string())
            })
        })
        .unwrap_or_else(|| "?".to_string())
}

/// The laps of one step.
pub struct Laps {
    step: &'static str,
    last: Option<Instant>,
}

impl Laps {
    /// Starts timing `step`'s laps (a no-op unless timings are wanted).
    pub fn start(step: &'static str) -> Laps {
        Laps {
            step,
            last: wanted().then(Instant::now),
        }
    }

    /// Ends the lap that did `what`.
    pub fn lap(&mut self, what: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "timing:   {} / {what}: {:.3} s, RSS {}, peak {}",
                self.step,
                last.elapsed().as_secs_f64(),
                memory("VmRSS"),
                memory("VmHWM")
            );
            self.last = Some(Instant::now());
        }
    }
}
