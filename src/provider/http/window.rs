//! One sliding rate-limit window of a provider's pacer: which requests it
//! counts, how many it lets leave in any span of its length, and when the
//! next one may.
//!
//! A provider's limiter holds its account window (`rate_limit x
//! rate_window`, every request) and each window its kind declares for some
//! requests (`Capabilities::rate_windows`). This module only counts: it
//! must never sleep or lock (the limiter holds it under its own lock) and
//! never read a provider's headers.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use crate::kind::RateWindow;

#[derive(Debug)]
pub(super) struct Window {
    /// The requests it counts; `None` for the account window (all).
    scope: Option<RateWindow>,
    /// Requests allowed in any span of `length`.
    capacity: usize,
    length: Duration,
    /// When each request of the last `length` left.
    sent: VecDeque<Instant>,
}

impl Window {
    /// The account window: `rate` a second over `seconds`, at least one
    /// request whatever the settings say.
    pub(super) fn account(rate: f64, seconds: f64) -> Window {
        Window::new(None, (rate * seconds).floor() as usize, seconds)
    }

    /// A window a kind declares for some of its requests.
    pub(super) fn declared(window: RateWindow) -> Window {
        Window::new(Some(window), window.requests as usize, window.seconds)
    }

    fn new(scope: Option<RateWindow>, capacity: usize, seconds: f64) -> Window {
        let capacity = capacity.max(1);
        // A margin of 2% (at most 1 s) absorbs latency jitter between when
        // a request leaves and when the provider counts it.
        let length = Duration::from_secs_f64(seconds.max(0.0));
        let length = length + (length / 50).min(Duration::from_secs(1));
        Window {
            scope,
            capacity,
            length,
            sent: VecDeque::with_capacity(capacity.min(4096)),
        }
    }

    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(super) fn length(&self) -> Duration {
        self.length
    }

    /// Lowers the budget to what the provider says it allows.
    pub(super) fn lower_to(&mut self, limit: usize) {
        self.capacity = self.capacity.min(limit.max(1));
    }

    /// Whether a request with `method` to `path` (relative to the base
    /// URL, query and all) counts in this window.
    pub(super) fn covers(&self, method: &str, path: &str) -> bool {
        let Some(scope) = &self.scope else {
            return true;
        };
        scope.method.is_none_or(|m| m.eq_ignore_ascii_case(method))
            && scope.path.is_none_or(|p| path_matches(p, path))
    }

    /// When the next request may leave as far as this window goes, or
    /// `None` for now; forgets requests that left its span.
    pub(super) fn free_at(&mut self, now: Instant) -> Option<Instant> {
        while self.sent.front().is_some_and(|t| *t + self.length <= now) {
            self.sent.pop_front();
        }
        // A budget lowered by the provider may leave more in the span than
        // it now allows: the next leaves once all but `capacity - 1` left.
        (self.sent.len() >= self.capacity)
            .then(|| self.sent[self.sent.len() - self.capacity] + self.length)
    }

    /// Counts a request leaving at `now`.
    pub(super) fn take(&mut self, now: Instant) {
        self.sent.push_back(now);
    }

    /// The requests it counts, for a message (`GET /api/v1/endpoint`).
    pub(super) fn scope(&self) -> String {
        match &self.scope {
            None => "every request".into(),
            Some(s) => format!(
                "{} {}",
                s.method.unwrap_or("every method to"),
                s.path.unwrap_or("every path")
            ),
        }
    }
}

/// Whether `path` (query and fragment left out) is `pattern`, segment for
/// segment, `*` standing for any one segment; a trailing `/` is ignored on
/// both.
fn path_matches(pattern: &str, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut want = pattern.trim_end_matches('/').split('/');
    let mut have = path.trim_end_matches('/').split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some("*"), Some(segment)) if !segment.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(method: Option<&'static str>, path: &'static str, requests: u32) -> Window {
        Window::declared(RateWindow {
            method,
            path: Some(path),
            requests,
            seconds: 1.0,
        })
    }

    #[test]
    fn a_path_window_counts_its_own_path_only() {
        let list = window(Some("GET"), "/api/v1/endpoint", 5);
        assert!(list.covers("GET", "/api/v1/endpoint?page=2&per_page=1000"));
        assert!(list.covers("GET", "/api/v1/endpoint/"));
        assert!(!list.covers("GET", "/api/v1/endpoint/17"));
        assert!(!list.covers("PATCH", "/api/v1/endpoint"));
        let one = window(None, "/api/v1/endpoint/*", 25);
        assert!(one.covers("GET", "/api/v1/endpoint/17"));
        assert!(one.covers("PATCH", "/api/v1/endpoint/17"));
        assert!(!one.covers("GET", "/api/v1/endpoint"));
        assert!(!one.covers("GET", "/api/v1/endpoint/17/connectivity"));
        assert!(Window::account(10.0, 1.0).covers("POST", "https://idp.example/token"));
    }

    #[test]
    fn a_full_window_frees_its_oldest_place_after_its_length() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        // 2 in any second, plus the 2% margin: 1.02 s.
        let mut w = window(None, "/x", 2);
        assert_eq!(w.free_at(at(0)), None);
        w.take(at(0));
        w.take(at(300));
        assert_eq!(w.free_at(at(500)), Some(at(1_020)));
        assert_eq!(w.free_at(at(1_020)), None);
        w.take(at(1_020));
        assert_eq!(w.free_at(at(1_100)), Some(at(1_320)));
    }
}
