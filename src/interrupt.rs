//! A request to stop writing: raised once by Ctrl-C or SIGTERM at the
//! command edge, read by apply before every write it has not sent yet.
//!
//! Writes already sent are never abandoned by this flag: their answers are
//! awaited (bounded by the command's grace period) so the report can say
//! what landed. Nothing here installs a signal handler; the command does.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Asks every apply in this process to send nothing more.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Whether a stop was asked for: a write not sent yet must not be sent.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
