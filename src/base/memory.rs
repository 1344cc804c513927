//! A run that cannot fit in memory stops with a message naming what it was doing and the input
//! that drove it, instead of the bare "memory allocation of N bytes failed" abort: the global
//! allocator (mimalloc, wrapped) reports a failed allocation with the current phase, which the
//! progress steps set, and ends the process with [`OUT_OF_MEMORY_EXIT`].

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// The exit status of a run that ran out of memory.
pub const OUT_OF_MEMORY_EXIT: i32 = 3;

/// The current phase, as a leaked string (a few per run): pointer and length.
static PHASE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static PHASE_LEN: AtomicUsize = AtomicUsize::new(0);

/// Names what the run does now (`reading contoso-users.csv`, `analysing`), for the message if
/// memory runs out.
pub fn set_phase(phase: &str) {
    let leaked: &'static mut str = Box::leak(phase.to_string().into_boxed_str());
    // Length first, then the pointer: a reader that sees the new pointer sees its length.
    PHASE_LEN.store(leaked.len(), Ordering::Relaxed);
    PHASE.store(leaked.as_mut_ptr(), Ordering::Release);
}

/// Writes the message and ends the process, allocating nothing.
fn out_of_memory(size: usize) -> ! {
    let ptr = PHASE.load(Ordering::Acquire);
    let phase = if ptr.is_null() {
        "starting"
    } else {
        // SAFETY: `ptr` and the length were stored together from a leaked, never-freed `str`.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                ptr,
                PHASE_LEN.load(Ordering::Relaxed),
            ))
        }
    };
    // Written part by part, the size's digits on the stack: nothing is formatted on the heap.
    let mib = size >> 20;
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = mib;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let parts: [&[u8]; 5] = [
        b"error: skusunset ran out of memory while ",
        phase.as_bytes(),
        b" (an allocation of ",
        &digits[at..],
        b" MiB failed); the inputs are too large for this machine's memory: split the license \
          exports by customer and run each part, or run on a machine with more memory\n",
    ];
    for part in parts {
        write_stderr(part);
    }
    exit(OUT_OF_MEMORY_EXIT)
}

#[cfg(unix)]
fn write_stderr(bytes: &[u8]) {
    // SAFETY: writing a valid buffer to fd 2; a short or failed write only loses the message.
    unsafe {
        libc::write(2, bytes.as_ptr().cast(), bytes.len());
    }
}

#[cfg(not(unix))]
fn write_stderr(bytes: &[u8]) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(bytes);
}

#[cfg(unix)]
fn exit(code: i32) -> ! {
    // SAFETY: `_exit` ends the process at once, running no handler that could allocate.
    unsafe { libc::_exit(code) }
}

#[cfg(not(unix))]
fn exit(code: i32) -> ! {
    std::process::exit(code)
}

/// mimalloc, with a failed allocation reported as above.
pub struct Allocator;

// SAFETY: every call is passed to mimalloc unchanged; a null result ends the process instead of
// returning.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if ptr.is_null() {
            out_of_memory(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) };
        if ptr.is_null() {
            out_of_memory(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if ptr.is_null() {
            out_of_memory(new_size);
        }
        ptr
    }
}
