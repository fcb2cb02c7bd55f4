//! Savepoints: checkpoints taken on demand and kept apart from the rolling ones.
//!
//! SIGUSR1 asks for one: the coordinator announces a checkpoint at once (without waiting for the
//! interval) and, when it is complete, copies it into the savepoint directory
//! (`--savepoint-dir`, default `DIR/savepoints`), which garbage collection never touches. A
//! launcher forwards the signal to its process 0, where the coordinator runs.
//! `--savepoint-at-end` keeps the final checkpoint, taken after the whole input, the same way.
//! `--restore PATH/chk-N` starts a run from a savepoint as from any checkpoint.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the signal handler; taken by the coordinator (or the launcher, which forwards it).
static REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_signal: libc::c_int) {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Makes SIGUSR1 ask for a savepoint, from now on in this process.
pub(crate) fn listen_for_requests() {
    let handler: extern "C" fn(libc::c_int) = on_signal;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGUSR1, handler as libc::sighandler_t);
    }
}

/// Whether a savepoint was asked for since the last call.
pub(crate) fn take_request() -> bool {
    REQUESTED.swap(false, Ordering::SeqCst)
}

/// Passes a savepoint request on to process `pid` (a launcher's process 0).
pub(crate) fn forward_request(pid: u32) {
    // SAFETY: kill(2) with a pid of our own child and a signal number has no memory effects.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGUSR1);
    }
}
