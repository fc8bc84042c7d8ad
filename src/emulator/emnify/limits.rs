//! emnify's own limits beside the account window the shared traffic layer
//! holds (2,000 requests per client in 5 minutes, from `--rate-limit` and
//! `--rate-window`): the per-path limits of the text's table (requests a
//! second with a burst), the authentication lock after three failed
//! logins, and the one bulk update allowed at a time.
//!
//! Only bookkeeping: it says whether a request may pass, never answers.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A per-path limit: `rate` requests a second on average, at most
/// `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathLimit {
    pub name: &'static str,
    pub rate: f64,
    pub burst: f64,
}

/// `GET /api/v1/endpoint`: 10 a second, burst 5.
pub const LIST: PathLimit = PathLimit {
    name: "GET /api/v1/endpoint",
    rate: 10.0,
    burst: 5.0,
};
/// `GET /api/v1/endpoint/{id}`: 50 a second, burst 25.
pub const ONE: PathLimit = PathLimit {
    name: "GET /api/v1/endpoint/{id}",
    rate: 50.0,
    burst: 25.0,
};
/// `POST /api/v1/authenticate`: 100 in 5 minutes.
pub const AUTHENTICATE: PathLimit = PathLimit {
    name: "POST /api/v1/authenticate",
    rate: 100.0 / 300.0,
    burst: 100.0,
};

/// Failed logins in a row that lock authentication, and for how long.
const FAILURES_TO_LOCK: u32 = 3;
const LOCKED_FOR: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Tokens left and when they were counted, per path.
    buckets: BTreeMap<&'static str, (f64, Instant)>,
    failures: u32,
    locked_until: Option<Instant>,
    /// Whether a bulk update is under way.
    pub bulk_running: bool,
}

impl Limits {
    /// Takes one request from `limit`'s bucket; false when it is empty.
    pub fn admit(&mut self, limit: PathLimit) -> bool {
        let now = Instant::now();
        let (tokens, at) = self.buckets.entry(limit.name).or_insert((limit.burst, now));
        let refilled = *tokens + now.duration_since(*at).as_secs_f64() * limit.rate;
        *tokens = refilled.min(limit.burst);
        *at = now;
        if *tokens < 1.0 {
            return false;
        }
        *tokens -= 1.0;
        true
    }

    /// Whether logins are locked after repeated failures.
    pub fn login_locked(&self) -> bool {
        self.locked_until
            .is_some_and(|until| Instant::now() < until)
    }

    /// Counts a login; the third failure in a row locks logins.
    pub fn login(&mut self, succeeded: bool) {
        if succeeded {
            self.failures = 0;
            return;
        }
        self.failures += 1;
        if self.failures >= FAILURES_TO_LOCK {
            self.failures = 0;
            self.locked_until = Some(Instant::now() + LOCKED_FOR);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_admits_its_burst_then_refuses() {
        let mut limits = Limits::default();
        // A whole request refills in 3 s, far longer than 101 calls take.
        let admitted = (0..101).filter(|_| limits.admit(AUTHENTICATE)).count();
        assert_eq!(admitted, 100);
    }

    #[test]
    fn three_failed_logins_in_a_row_lock_and_a_success_resets_the_count() {
        let mut limits = Limits::default();
        limits.login(false);
        limits.login(false);
        limits.login(true);
        limits.login(false);
        assert!(!limits.login_locked());
        limits.login(false);
        limits.login(false);
        assert!(limits.login_locked());
    }
}
