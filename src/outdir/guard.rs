//! One writer per `--out`, and Ctrl-C / SIGTERM / SIGHUP that never leave half a report.
//!
//! The lock is an advisory lock (`flock`) on the `--out` folder itself, held for the whole write:
//! nothing is created in a folder before skusunset knows it may write there, and the lock goes
//! away with the process, however it ends. A signal during the analysis ends the run at once
//! (nothing was written); during staging the writer stops at the next file, removes its staging
//! folder and exits 130; the switch itself is never cut in half.

use super::OutDirError;
use anyhow::Result;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static PHASE: Mutex<Phase> = Mutex::new(Phase::Idle);

/// Where the writer is, as the signal handler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing staged: a signal ends the process.
    Idle,
    /// A staging folder exists: the writer removes it and returns [`OutDirError::Interrupted`].
    Staging,
    /// The new report is live; only clean-up is left.
    Switched,
}

/// The exit status of a run ended by a signal.
pub const INTERRUPTED_EXIT: u8 = 130;

/// Installs the handler for Ctrl-C, SIGTERM and SIGHUP (once per process).
pub fn install_signal_handler() {
    // An error means a handler exists already (tests call `run` more than once).
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        let phase = *PHASE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match phase {
            Phase::Staging => {} // the writer cleans up and exits 130
            Phase::Idle => {
                eprintln!("interrupted: nothing was written");
                std::process::exit(INTERRUPTED_EXIT.into());
            }
            Phase::Switched => {
                eprintln!("interrupted: the new report is complete; leftovers go on the next run");
                std::process::exit(INTERRUPTED_EXIT.into());
            }
        }
    });
}

/// Fails with [`OutDirError::Interrupted`] once a signal arrived.
pub fn check_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(OutDirError::Interrupted.into());
    }
    Ok(())
}

/// Marks the start of staging; the returned guard marks its end.
pub fn begin_staging() -> Result<Staging> {
    let mut phase = PHASE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    check_interrupted()?;
    *phase = Phase::Staging;
    Ok(Staging)
}

/// While alive, a signal leaves the clean-up to the writer.
pub struct Staging;

impl Staging {
    /// Runs the switch with the phase held, so a signal can neither cut it in half nor follow a
    /// switch that it should have prevented.
    pub fn switch<T>(self, switch: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut phase = PHASE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        check_interrupted()?;
        let done = switch()?;
        *phase = Phase::Switched;
        Ok(done)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut phase = PHASE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *phase == Phase::Staging {
            *phase = Phase::Idle;
        }
    }
}

/// The write lock on `out`, held until dropped.
pub struct WriteLock(#[allow(dead_code)] std::fs::File);

/// Takes the write lock on `out` or fails at once when another run holds it.
pub fn lock(out: &Path) -> Result<WriteLock> {
    #[cfg(unix)]
    let file = std::fs::File::open(out)?;
    #[cfg(not(unix))]
    let file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .open(out.join(".skusunset.lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(WriteLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(OutDirError::Busy {
            dir: out.to_path_buf(),
        }
        .into()),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}
