//! Panics, which are bugs: the user sees one short message that says so (a backtrace only when
//! `RUST_BACKTRACE` asks for one), and a third-party reader that panics on a malformed file is
//! contained, so that file gets an ordinary error naming it.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// How many [`contain`] calls are running on this thread (their panics are not printed).
    static CONTAINED: Cell<usize> = const { Cell::new(0) };
}

/// Replaces the default panic message: one line saying it is a bug, and where.
pub fn install_hook() {
    let default = panic::take_hook();
    let backtrace = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    panic::set_hook(Box::new(move |info| {
        if CONTAINED.with(Cell::get) > 0 {
            return;
        }
        if backtrace {
            default(info);
            return;
        }
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: skusunset stopped on an internal error (a bug){location}: {}\nPlease report \
             it with the command you ran; set RUST_BACKTRACE=1 for details.",
            message(info.payload())
        );
    }));
}

fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(std::string::ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs `work`; a panic inside it becomes `Err` with the panic's message, printed nowhere.
pub fn contain<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    CONTAINED.with(|c| c.set(c.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    CONTAINED.with(|c| c.set(c.get() - 1));
    result.map_err(|payload| message(&*payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contained_panic_is_an_error_with_its_message() {
        assert_eq!(contain(|| 7), Ok(7));
        let err = contain(|| -> u8 { panic!("bad cell {}", 3) }).unwrap_err();
        assert_eq!(err, "bad cell 3");
    }
}
