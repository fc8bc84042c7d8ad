//! The rate limiter of one provider, shared by all its concurrent calls,
//! token requests included.
//!
//! It allows at most `rate_limit x rate_window` requests in any sliding
//! window of `rate_window` seconds, so an unused budget is spent at once,
//! and it believes the provider's `x-ratelimit-*` headers over its own
//! count when they say less is left. It must never sleep while holding its
//! lock. Concurrent requests reach the provider in any order, so an answer
//! is read as an upper bound: requests still in flight may not be counted
//! in it yet, and of two answers in one window the lower bound holds.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// Waits longer than this are logged at the default verbosity.
const TELL_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub(super) struct Limiter {
    provider: String,
    window: Duration,
    max_wait: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Requests allowed in any window: the configured budget, lowered to
    /// the provider's `x-ratelimit-limit` when that is smaller.
    capacity: usize,
    /// When each request of the last window left.
    sent: VecDeque<Instant>,
    /// Requests sent so far; a request's ticket is its number.
    issued: u64,
    /// Tickets sent and not answered yet.
    pending: BTreeSet<u64>,
    /// Nothing leaves before this (a 429's Retry-After).
    hold: Option<Instant>,
    /// What the provider last said is left of its budget.
    server: Option<Budget>,
    /// The end of the last long wait the user was told about.
    told: Option<Instant>,
}

/// The provider's own count: requests up to ticket `last` may leave before
/// `until`, and no more.
#[derive(Debug, Clone, Copy)]
struct Budget {
    last: u64,
    until: Instant,
}

impl Limiter {
    pub(super) fn new(provider: &str, rate: f64, window: f64, max_wait: Duration) -> Self {
        // At least one request per window, whatever the settings say.
        let capacity = ((rate * window).floor() as usize).max(1);
        // A margin of 2% (at most 1 s) absorbs latency jitter between when
        // a request leaves and when the provider counts it.
        let window = Duration::from_secs_f64(window);
        let window = window + (window / 50).min(Duration::from_secs(1));
        Limiter {
            provider: provider.to_owned(),
            window,
            max_wait,
            state: Mutex::new(State {
                capacity,
                sent: VecDeque::with_capacity(capacity.min(4096)),
                issued: 0,
                pending: BTreeSet::new(),
                hold: None,
                server: None,
                told: None,
            }),
        }
    }

    /// Waits until a request may leave and returns its ticket, to be given
    /// back with the answer's headers to [`Limiter::observe`].
    pub(super) async fn admit(&self) -> u64 {
        loop {
            let ready = {
                let Ok(mut state) = self.state.lock() else {
                    return 0;
                };
                let now = Instant::now();
                match state.ready_at(now, self.window) {
                    Some(at) if at > now + TELL_AFTER && state.told.is_none_or(|t| at > t) => {
                        state.told = Some(at);
                        tracing::warn!(
                            "provider `{}`: its rate budget is spent; waiting {:.0} s",
                            self.provider,
                            (at - now).as_secs_f64()
                        );
                        at
                    }
                    None => {
                        state.sent.push_back(now);
                        state.issued += 1;
                        let ticket = state.issued;
                        state.pending.insert(ticket);
                        return ticket;
                    }
                    Some(at) => at,
                }
            };
            tokio::time::sleep_until(ready).await;
        }
    }

    /// Holds every request back until `until` (a 429's Retry-After).
    pub(super) fn hold_until(&self, until: Instant) {
        if let Ok(mut state) = self.state.lock() {
            state.hold = Some(state.hold.map_or(until, |h| h.max(until)));
        }
    }

    /// Takes in the answer to request `ticket`: `x-ratelimit-limit`,
    /// `-remaining` and `-reset` (delta-seconds or an epoch timestamp);
    /// `None` when no answer came.
    pub(super) fn observe(&self, ticket: u64, headers: Option<&HeaderMap>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let earlier = state.pending.range(..ticket).count() as u64;
        state.pending.remove(&ticket);
        let Some(headers) = headers else {
            return;
        };
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let (Some(remaining), Some(reset)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset"))
        else {
            return;
        };
        let reset = until_reset(reset);
        // The limit is per the provider's window, which the headers do not
        // give; a reset at least as far off as our window shows it is no
        // shorter, and then no window of ours may hold more than the limit.
        if let Some(limit) = number("x-ratelimit-limit")
            && reset >= self.window
        {
            state.capacity = state.capacity.min((limit as usize).max(1));
        }
        // Requests sent after this one, and those sent before it still
        // unanswered, may not be counted in `remaining` yet.
        let fresh = Budget {
            last: (ticket + remaining as u64).saturating_sub(earlier),
            until: Instant::now() + reset.min(self.max_wait),
        };
        state.server = Some(match state.server {
            // The same window (its reset within a second): the lower bound.
            Some(old) if fresh.until <= old.until + Duration::from_secs(1) => Budget {
                last: old.last.min(fresh.last),
                until: old.until.max(fresh.until),
            },
            _ => fresh,
        });
    }

    /// A Retry-After cut to the longest the provider may make us wait
    /// (`max_wait`), and said when it is long enough for a user to wonder.
    pub(super) fn capped(&self, wait: Duration) -> Duration {
        let capped = wait.min(self.max_wait);
        if capped > TELL_AFTER {
            let cut = if capped < wait {
                format!(
                    " (asked for {:.0} s; `max_wait` cuts it)",
                    wait.as_secs_f64()
                )
            } else {
                String::new()
            };
            tracing::warn!(
                "provider `{}` asks to wait: retrying in {:.0} s{cut}",
                self.provider,
                capped.as_secs_f64()
            );
        }
        capped
    }
}

impl State {
    /// When the next request may leave, or `None` for now.
    fn ready_at(&mut self, now: Instant, window: Duration) -> Option<Instant> {
        let mut ready = self.hold.filter(|h| *h > now);
        while self.sent.front().is_some_and(|t| *t + window <= now) {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.capacity {
            let freed = self.sent[self.sent.len() - self.capacity] + window;
            ready = Some(ready.map_or(freed, |r| r.max(freed)));
        }
        match self.server {
            Some(b) if b.until <= now => self.server = None,
            Some(b) if self.issued >= b.last => {
                ready = Some(ready.map_or(b.until, |r| r.max(b.until)));
            }
            _ => {}
        }
        ready
    }
}

/// Seconds until a rate-limit window resets, from a header that gives them
/// either as a delta or as a Unix timestamp (anything past 2001). A whole
/// second of a timestamp is read as its end: a server that rounds the
/// reset down would otherwise see requests up to a second early.
fn until_reset(reset: f64) -> Duration {
    if reset > 1e9 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let end = if reset.fract() == 0.0 {
            reset + 1.0
        } else {
            reset
        };
        Duration::from_secs_f64((end - now).max(0.0))
    } else {
        Duration::from_secs_f64(reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(limit: u64, remaining: u64, reset: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from(limit));
        h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("x-ratelimit-reset", HeaderValue::from(reset));
        h
    }

    #[tokio::test(start_paused = true)]
    async fn an_unused_budget_is_spent_at_once_then_the_window_slides() {
        let limiter = Limiter::new("p", 10.0, 60.0, Duration::from_secs(120));
        let start = Instant::now();
        for _ in 0..600 {
            limiter.admit().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.admit().await;
        assert!(start.elapsed() >= Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_server_budget_holds_requests_until_its_reset() {
        let limiter = Limiter::new("p", 10.0, 60.0, Duration::from_secs(120));
        let start = Instant::now();
        let first = limiter.admit().await;
        limiter.admit().await;
        // The answer to the first says two were left: the second request
        // may have taken one, so one more may leave, then none.
        limiter.observe(first, Some(&headers(600, 2, 30)));
        limiter.admit().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.admit().await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_still_in_flight_count_against_an_answer() {
        let limiter = Limiter::new("p", 10.0, 60.0, Duration::from_secs(120));
        let start = Instant::now();
        let first = limiter.admit().await;
        let second = limiter.admit().await;
        // The second overtook the first at the provider: its answer does
        // not count the first yet, which is still in flight.
        limiter.observe(second, Some(&headers(600, 2, 30)));
        limiter.admit().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.observe(first, Some(&headers(600, 1, 30)));
        limiter.admit().await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn of_two_answers_in_one_window_the_lower_bound_holds() {
        let limiter = Limiter::new("p", 10.0, 60.0, Duration::from_secs(120));
        let start = Instant::now();
        let first = limiter.admit().await;
        let second = limiter.admit().await;
        limiter.observe(first, Some(&headers(600, 0, 30)));
        limiter.observe(second, Some(&headers(600, 100, 30)));
        limiter.admit().await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }

    #[test]
    fn reset_is_read_as_delta_or_epoch() {
        assert_eq!(until_reset(30.0), Duration::from_secs(30));
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let delta = until_reset(epoch + 45.0);
        assert!(delta > Duration::from_secs(44) && delta <= Duration::from_secs(45));
        // A whole-second timestamp is read as the end of that second.
        let whole = until_reset(epoch.floor() + 45.0);
        assert!(whole > Duration::from_secs(45) && whole <= Duration::from_secs(46));
    }
}
