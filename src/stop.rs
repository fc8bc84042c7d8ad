//! A request to stop, as an explicit handle: made at the command edge,
//! where Ctrl-C and SIGTERM are hooked, and handed to what reads and what
//! applies. A read it cuts short is dropped whole (nothing was written);
//! apply sends nothing it has not sent yet and awaits the calls in flight,
//! so its report can say what landed.
//!
//! There is no process-wide flag: each run holds its own handle, so two
//! runs in one process (tests) never stop each other. Nothing here
//! installs a signal handler; the command does.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A cheap, clonable request to stop; every clone sees the same request.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    raised: AtomicBool,
    notify: Notify,
}

/// A read cut short by a [`Stop`]: nothing it would have returned exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped before the read finished")]
pub struct Stopped;

impl Stop {
    /// A handle nobody raised yet.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks everything holding a clone to send nothing more. Raising
    /// twice is raising once.
    pub fn raise(&self) {
        self.inner.raised.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether a stop was asked for: a write not sent yet must not be sent.
    pub fn is_raised(&self) -> bool {
        self.inner.raised.load(Ordering::SeqCst)
    }

    /// Completes once the stop is raised (at once if it already was).
    pub async fn raised(&self) {
        let notified = self.inner.notify.notified();
        let mut notified = std::pin::pin!(notified);
        // Registered before the flag is read: a raise in between still
        // wakes this waiter, and `notify_waiters` keeps no permit for later.
        notified.as_mut().enable();
        if self.is_raised() {
            return;
        }
        notified.await;
    }

    /// Runs `read` unless the stop is raised first; then `read` is
    /// dropped unfinished. Only for reads: dropping a write could lose
    /// what it did.
    pub async fn unless_raised<F: Future>(&self, read: F) -> Result<F::Output, Stopped> {
        tokio::select! {
            // A stop raised before the read began wins over a read that
            // would finish on its first poll.
            biased;
            () = self.raised() => Err(Stopped),
            out = read => Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_raised_stop_wakes_every_clone_and_cuts_reads_short() {
        let stop = Stop::new();
        let clone = stop.clone();
        let waiter = tokio::spawn(async move { clone.raised().await });
        assert!(!stop.is_raised());
        assert_eq!(stop.unless_raised(async { 7 }).await, Ok(7));
        stop.raise();
        waiter.await.unwrap();
        assert!(stop.clone().is_raised());
        // Raised before: the read is never polled.
        let polled = std::sync::atomic::AtomicBool::new(false);
        let read = async { polled.store(true, Ordering::SeqCst) };
        assert_eq!(stop.unless_raised(read).await, Err(Stopped));
        assert!(!polled.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_stop_raised_during_a_read_ends_it() {
        let stop = Stop::new();
        let raise = stop.clone();
        let read = async {
            raise.raise();
            std::future::pending::<()>().await
        };
        assert_eq!(stop.unless_raised(read).await, Err(Stopped));
        // Separate handles are separate requests.
        assert!(!Stop::new().is_raised());
    }
}
