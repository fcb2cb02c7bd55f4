//! Turning thread panics into clear job failures, so that no process of a group hangs.
//!
//! Timely's network threads (`timely:send-N`, `timely:recv-N`) panic when a peer process dies; a
//! worker thread (`timely:work-N`) panics when user code does. The hook installed here reports
//! the first kind with one line and exits the process, and records the second kind in the job's
//! [`Failure`] slot so that the other workers stop. Every other panic goes to the previous hook.

use std::cell::RefCell;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

use crate::error::{Failure, RillError};
use crate::progress::say;

/// This process's index and the host list, once it is part of a cluster.
static CLUSTER: OnceLock<(usize, Vec<String>)> = OnceLock::new();

thread_local! {
    /// The failure slot of the job the current worker thread runs.
    static WORKER_FAILURE: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Installs the panic hook; later calls do nothing.
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !handle(info) {
                previous(info);
            }
        }));
    });
}

/// Remembers this process's place in the cluster, to name peers in lost-connection messages.
pub(crate) fn watch_cluster(process: usize, hosts: Vec<String>) {
    // A process joins at most one cluster; a second call would carry the same information.
    let _ = CLUSTER.set((process, hosts));
}

/// Makes panics on the current (worker) thread fail the job through `failure`.
pub(crate) fn report_worker_panics_to(failure: &Failure) {
    WORKER_FAILURE.with(|slot| *slot.borrow_mut() = Some(failure.clone()));
}

/// Handles panics of timely's threads in a Rill job; returns false for any other panic.
fn handle(info: &PanicHookInfo<'_>) -> bool {
    let thread = std::thread::current();
    let Some(role) = thread.name().and_then(|name| name.strip_prefix("timely:")) else {
        return false;
    };
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    if let Some(worker) = role.strip_prefix("work-") {
        let Some(failure) = WORKER_FAILURE.with(|slot| slot.borrow().clone()) else {
            return false;
        };
        let location = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        failure.fail(RillError::new(format!(
            "worker {worker} panicked{location}: {message}"
        )));
        return true;
    }
    let peer = role
        .strip_prefix("send-")
        .or_else(|| role.strip_prefix("recv-"));
    let (Some(peer), Some((process, hosts))) = (peer, CLUSTER.get()) else {
        return false;
    };
    let address = peer
        .parse::<usize>()
        .ok()
        .and_then(|p| hosts.get(p))
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    let cause = message
        .strip_prefix("timely communication error: ")
        .unwrap_or(message);
    // Both network threads of a peer, and those of other peers, may panic at once: the first
    // one reports and exits, the others wait for the exit.
    static REPORTED: AtomicBool = AtomicBool::new(false);
    if REPORTED.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    say(&format!(
        "process {process} lost its connection to process {peer}{address}: {cause}; stopping"
    ));
    std::process::exit(1);
}
