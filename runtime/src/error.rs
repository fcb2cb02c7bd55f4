//! Errors a job reports, and the slot through which any worker can fail the whole job.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Everything that can make a Rill job fail. The message is meant for a user: it names the file,
/// host or operator involved and says what went wrong.
///
/// `Debug` prints just the message, so `fn main() -> Result<(), RillError>` reports
/// `Error: <message>`.
#[derive(Clone, PartialEq, Eq)]
pub struct RillError {
    message: String,
}

impl RillError {
    /// Creates an error from a message that a user can act on.
    pub fn new(message: impl Into<String>) -> Self {
        RillError {
            message: message.into(),
        }
    }

    /// Prefixes the message with where the error happened, e.g. an operator name.
    pub fn context(self, context: impl fmt::Display) -> Self {
        RillError {
            message: format!("{context}: {}", self.message),
        }
    }

    /// The message, without any prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for RillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RillError {}

impl From<std::io::Error> for RillError {
    fn from(error: std::io::Error) -> Self {
        RillError::new(error.to_string())
    }
}

/// Shorthand for results whose error is a [`RillError`].
pub type Result<T, E = RillError> = std::result::Result<T, E>;

/// The first error any worker of this process hit. Workers poll [`Failure::is_set`] between steps
/// and stop when it is set, so one failing operator stops the process instead of hanging its peers.
#[derive(Clone, Default)]
pub struct Failure {
    inner: Arc<FailureInner>,
}

#[derive(Default)]
struct FailureInner {
    set: AtomicBool,
    first: Mutex<Option<RillError>>,
}

impl Failure {
    /// Records `error` unless an earlier error was recorded already (the first cause wins).
    pub fn fail(&self, error: RillError) {
        let message = error.to_string();
        let first = {
            let mut first = self.inner.first.lock().unwrap_or_else(|p| p.into_inner());
            let is_first = first.is_none();
            if is_first {
                *first = Some(error);
            }
            is_first
        };
        self.inner.set.store(true, Ordering::SeqCst);
        // Logged without the lock held: logging can panic (stderr closed), and the panic hook
        // reports into this same slot.
        if first {
            tracing::error!("{message}");
        }
    }

    /// Whether any worker has failed.
    pub fn is_set(&self) -> bool {
        self.inner.set.load(Ordering::Relaxed)
    }

    /// The first recorded error, if any.
    pub fn take(&self) -> Option<RillError> {
        self.inner
            .first
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}
