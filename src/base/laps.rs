//! Timings inside a step, for profiling: under `SKUSUNSET_TIMINGS`, each lap of a long step (the
//! analysis' tables, the workbook's sheets) prints one plain line to standard error with the time
//! since the last lap, the CPU time all threads used in it, and the memory resident now and at
//! its peak so far, beside the step lines the terminal prints. Silent otherwise.

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

/// The CPU time the process has used so far, on every thread, in seconds (0 where the system
/// does not say): beside a step's wall time it shows how much of the machine the step used.
pub fn cpu_seconds() -> f64 {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is a valid timespec the call writes into.
        if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut t) } == 0 {
            return t.tv_sec as f64 + t.tv_nsec as f64 / 1e9;
        }
    }
    0.0
}

/// The laps of one step.
pub struct Laps {
    step: &'static str,
    /// When the last lap ended, and the CPU time used by then.
    last: Option<(Instant, f64)>,
}

impl Laps {
    /// Starts timing `step`'s laps (a no-op unless timings are wanted).
    pub fn start(step: &'static str) -> Laps {
        Laps {
            step,
            last: wanted().then(|| (Instant::now(), cpu_seconds())),
        }
    }

    /// Ends the lap that did `what`.
    pub fn lap(&mut self, what: &str) {
        if let Some((last, cpu)) = self.last {
            let now = cpu_seconds();
            eprintln!(
                "timing:   {} / {what}: {:.3} s, cpu {:.3} s, RSS {}, peak {}",
                self.step,
                last.elapsed().as_secs_f64(),
                now - cpu,
                memory("VmRSS"),
                memory("VmHWM")
            );
            self.last = Some((Instant::now(), now));
        }
    }
}
