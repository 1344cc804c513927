//! Progress on stderr while a run reads, analyses and writes: one line per input file and per
//! phase, a spinner with the elapsed time while it runs, the time it took when it ends. Shown
//! only when stderr is a terminal and `--quiet` is not given; otherwise nothing is drawn, so
//! pipes, logs and tests see no progress output.
//!
//! With `SKUSUNSET_TIMINGS` set in the environment, each finished step also prints one plain line
//! to stderr: its wall time and the process's peak resident size so far (Linux), for profiling.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The progress of one run.
pub struct Progress {
    shown: bool,
    current: Mutex<Option<ProgressBar>>,
    timed: Mutex<Option<(String, Instant, f64)>>,
    timings: bool,
}

impl Progress {
    /// Progress that draws when stderr is a terminal, unless `quiet`.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            shown: !quiet && std::io::stderr().is_terminal(),
            current: Mutex::new(None),
            timed: Mutex::new(None),
            timings: crate::base::laps::wanted(),
        }
    }

    /// Progress that never draws.
    pub fn hidden() -> Progress {
        Progress {
            shown: false,
            current: Mutex::new(None),
            timed: Mutex::new(None),
            timings: false,
        }
    }

    /// Ends the current step (its line stays, with the time it took) and starts `message`.
    pub fn step(&self, message: impl Into<String>) {
        let message = crate::base::text::escape(&message.into()).into_owned();
        crate::base::memory::set_phase(&message);
        self.time(Some(&message));
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bar) = current.take() {
            done(&bar);
        }
        if !self.shown {
            return;
        }
        let running = ProgressStyle::with_template("{spinner} {msg} {elapsed:.dim}")
            .expect("a valid template");
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(running)
            .with_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        *current = Some(bar);
    }

    /// Ends the current step.
    pub fn finish(&self) {
        self.time(None);
        if let Some(bar) = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            done(&bar);
        }
    }
}

impl Progress {
    /// Under `SKUSUNSET_TIMINGS`: prints the step that ends and starts timing `next`.
    fn time(&self, next: Option<&str>) {
        if !self.timings {
            return;
        }
        let mut timed = self
            .timed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cpu = crate::base::laps::cpu_seconds();
        if let Some((message, started, cpu_then)) = timed.take() {
            eprintln!(
                "timing: {message}: {:.2} s, cpu {:.2} s, peak RSS {}",
                started.elapsed().as_secs_f64(),
                cpu - cpu_then,
                crate::base::laps::memory("VmHWM")
            );
        }
        *timed = next.map(|m| (m.to_string(), Instant::now(), cpu));
    }
}

/// The process's peak resident set size as `/proc/self/status` gives it (`?` elsewhere).
/// Leaves a finished step's line: a check mark, the message and the time it took.
fn done(bar: &ProgressBar) {
    bar.set_style(
        ProgressStyle::with_template("✓ {msg} {elapsed:.dim}").expect("a valid template"),
    );
    bar.finish();
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
