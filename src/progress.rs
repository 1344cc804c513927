//! Progress on stderr while a run reads, analyses and writes: one line per input file and per
//! phase, a spinner with the elapsed time while it runs, the time it took when it ends. Shown
//! only when stderr is a terminal and `--quiet` is not given; otherwise nothing is drawn, so
//! pipes, logs and tests see no progress output.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// The progress of one run.
pub struct Progress {
    shown: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Progress {
    /// Progress that draws when stderr is a terminal, unless `quiet`.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            shown: !quiet && std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }

    /// Progress that never draws.
    pub fn hidden() -> Progress {
        Progress {
            shown: false,
            current: Mutex::new(None),
        }
    }

    /// Ends the current step (its line stays, with the time it took) and starts `message`.
    pub fn step(&self, message: impl Into<String>) {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
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
            .with_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        *current = Some(bar);
    }

    /// Ends the current step.
    pub fn finish(&self) {
        if let Some(bar) = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            done(&bar);
        }
    }
}

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
