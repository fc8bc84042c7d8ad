//! Counters of a provider's work in flight, shared by its concurrent calls
//! and read by whatever shows progress (a bar on a terminal, a line every
//! few seconds in CI).
//!
//! Counting must stay cheap and lock-free: it sits on every request. It
//! must not decide anything; nothing may branch on these numbers but the
//! progress display.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Tally {
    /// Provider requests answered (token requests excluded).
    requests: AtomicU64,
    /// Read requests announced before they are sent, where the total is
    /// known (pages from a reported total, one GET per SIM, detail reads).
    expected: AtomicU64,
    /// SIMs whose changes of one phase are done, and those that failed.
    written: AtomicU64,
    failed: AtomicU64,
}

/// A consistent-enough copy of a [`Tally`] for display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: u64,
    /// At least `requests`: a request nobody announced still counts.
    pub expected: u64,
    pub written: u64,
    pub failed: u64,
}

impl Tally {
    pub fn answered(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// `n` more read requests will be sent.
    pub fn expect(&self, n: usize) {
        self.expected.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// `n` announced requests will not be sent after all.
    pub fn forget(&self, n: usize) {
        let n = n as u64;
        let _ = self
            .expected
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |e| {
                Some(e.saturating_sub(n))
            });
    }

    /// One batch of SIM-phase changes came back.
    pub fn wrote(&self, ok: usize, failed: usize) {
        self.written.fetch_add(ok as u64, Ordering::Relaxed);
        self.failed.fetch_add(failed as u64, Ordering::Relaxed);
    }

    pub fn counts(&self) -> Counts {
        let requests = self.requests.load(Ordering::Relaxed);
        Counts {
            requests,
            expected: self.expected.load(Ordering::Relaxed).max(requests),
            written: self.written.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unannounced_requests_raise_the_expected_total() {
        let t = Tally::default();
        t.expect(2);
        (0..3).for_each(|_| t.answered());
        assert_eq!(t.counts().expected, 3);
        t.forget(10);
        assert_eq!(t.counts().expected, 3, "never below what was answered");
        t.wrote(19, 1);
        assert_eq!((t.counts().written, t.counts().failed), (19, 1));
    }
}
