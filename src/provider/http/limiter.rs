//! The rate limiter of one provider, shared by all its concurrent calls,
//! token requests included.
//!
//! It allows at most `rate_limit x rate_window` requests in any sliding
//! window of `rate_window` seconds, so an unused budget is spent at once,
//! and it believes the provider's `x-ratelimit-*` headers over its own
//! count when they say less is left. The windows a kind declares for some
//! of its requests (a path's own limit) are held on top: a request leaves
//! once every window that counts it has room, and takes a place in each;
//! a request no such window counts never waits for one. It must never
//! sleep while holding its lock. Concurrent requests reach the provider in
//! any order, so an answer is read as an upper bound: requests still in
//! flight may not be counted in it yet, and of two answers in one window
//! the lower bound holds. Which headers, how their reset counts and whose
//! budget they speak for (the account's, or the path's declared window) is
//! the kind's row (`Capabilities::rate_headers`), never a name here.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use super::window::Window;
use crate::kind::{RateHeaders, RateWindow, Reset};

/// Waits longer than this are logged at the default verbosity.
const TELL_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub(super) struct Limiter {
    provider: String,
    headers: RateHeaders,
    max_wait: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The account window first (its budget lowered to the provider's
    /// limit header when that is smaller), then the declared ones.
    windows: Vec<Window>,
    /// The provider's own count, one per window it may speak for (the
    /// same indices as `windows`): the account's alone unless its headers
    /// count per path.
    budgets: Vec<Bucket>,
    /// Nothing leaves before this (a 429's Retry-After).
    hold: Option<Instant>,
    /// The end of the last long wait the user was told about.
    told: Option<Instant>,
}

/// Requests counted against one budget of the provider's.
#[derive(Debug, Default)]
struct Bucket {
    /// Requests sent so far; a request's ticket is its number here.
    issued: u64,
    /// Tickets sent and not answered yet.
    pending: BTreeSet<u64>,
    /// What the provider last said is left of this budget.
    server: Option<Budget>,
}

/// One request's place: the budget it counts against and its number there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ticket {
    bucket: usize,
    number: u64,
}

/// The provider's own count: requests up to ticket `last` may leave before
/// `until`, and no more.
#[derive(Debug, Clone, Copy)]
struct Budget {
    last: u64,
    until: Instant,
}

impl Limiter {
    /// The pacer of `provider`: `rate` a second over `window` seconds for
    /// the account, and the `declared` windows of its kind on top.
    pub(super) fn new(
        provider: &str,
        (rate, window): (f64, f64),
        declared: &[RateWindow],
        headers: RateHeaders,
        max_wait: Duration,
    ) -> Self {
        let account = Window::account(rate, window);
        let windows: Vec<Window> = std::iter::once(account)
            .chain(declared.iter().copied().map(Window::declared))
            .collect();
        let budgets = windows.iter().map(|_| Bucket::default()).collect();
        Limiter {
            provider: provider.to_owned(),
            headers,
            max_wait,
            state: Mutex::new(State {
                windows,
                budgets,
                hold: None,
                told: None,
            }),
        }
    }

    /// Waits until a request with `method` to `path` may leave and returns
    /// its ticket, to be given back with the answer's headers to
    /// [`Limiter::observe`].
    pub(super) async fn admit(&self, method: &str, path: &str) -> Ticket {
        let per_path = self.headers.per_path;
        loop {
            let ready = {
                let Ok(mut state) = self.state.lock() else {
                    return Ticket {
                        bucket: 0,
                        number: 0,
                    };
                };
                let now = Instant::now();
                match state.ready_at(now, method, path, per_path) {
                    Some((at, by))
                        if at > now + TELL_AFTER && state.told.is_none_or(|t| at > t) =>
                    {
                        state.told = Some(at);
                        let budget = by
                            .and_then(|i| state.windows.get(i))
                            .map_or(String::new(), |w| format!(" for {}", w.scope()));
                        tracing::warn!(
                            "provider `{}`: its rate budget{budget} is spent; waiting {:.0} s",
                            self.provider,
                            (at - now).as_secs_f64()
                        );
                        at
                    }
                    None => return state.take(now, method, path, per_path),
                    Some((at, _)) => at,
                }
            };
            tokio::time::sleep_until(ready).await;
        }
    }

    /// How long a request with `method` to `path` would wait now; zero
    /// when it may leave at once. Takes no place in any window.
    pub(super) fn ready_in(&self, method: &str, path: &str) -> Duration {
        let Ok(mut state) = self.state.lock() else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        state
            .ready_at(now, method, path, self.headers.per_path)
            .map_or(Duration::ZERO, |(at, _)| at - now)
    }

    /// Holds every request back until `until` (a 429's Retry-After).
    pub(super) fn hold_until(&self, until: Instant) {
        if let Ok(mut state) = self.state.lock() {
            state.hold = Some(state.hold.map_or(until, |h| h.max(until)));
        }
    }

    /// Takes in the answer to request `ticket`: the kind's limit,
    /// remaining and reset headers (`Capabilities::rate_headers`), for the
    /// budget the ticket counts against; `None` when no answer came.
    pub(super) fn observe(&self, ticket: Ticket, headers: Option<&HeaderMap>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let State {
            windows, budgets, ..
        } = &mut *state;
        let Some(bucket) = budgets.get_mut(ticket.bucket) else {
            return;
        };
        let earlier = bucket.pending.range(..ticket.number).count() as u64;
        bucket.pending.remove(&ticket.number);
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
        let names = self.headers;
        let (Some(remaining), Some(reset)) = (number(names.remaining), number(names.reset)) else {
            return;
        };
        let reset = until_reset(reset, names.reset_is);
        // The limit is per the provider's window, which the headers do not
        // give; a reset at least as far off as our window shows it is no
        // shorter, and then no window of ours may hold more than the limit.
        if let Some(limit) = number(names.limit)
            && let Some(window) = windows.get_mut(ticket.bucket)
            && reset >= window.length()
        {
            window.lower_to(limit as usize);
        }
        // Requests sent after this one, and those sent before it still
        // unanswered, may not be counted in `remaining` yet.
        let fresh = Budget {
            last: (ticket.number + remaining as u64).saturating_sub(earlier),
            until: Instant::now() + reset.min(self.max_wait),
        };
        bucket.server = Some(match bucket.server {
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
    /// When the next request with `method` to `path` may leave, and which
    /// declared window holds it longest (`None`: the account's budget, the
    /// provider's count or a Retry-After); `None` for now. Every window
    /// that counts the request must have room.
    fn ready_at(
        &mut self,
        now: Instant,
        method: &str,
        path: &str,
        per_path: bool,
    ) -> Option<(Instant, Option<usize>)> {
        let mut ready = self.hold.filter(|h| *h > now).map(|h| (h, None));
        for (i, window) in self.windows.iter_mut().enumerate() {
            if window.covers(method, path)
                && let Some(freed) = window.free_at(now)
            {
                later(&mut ready, freed, (i > 0).then_some(i));
            }
        }
        let i = self.bucket(method, path, per_path);
        let bucket = &mut self.budgets[i];
        match bucket.server {
            Some(b) if b.until <= now => bucket.server = None,
            Some(b) if bucket.issued >= b.last => later(&mut ready, b.until, None),
            _ => {}
        }
        ready
    }

    /// The budget a request counts against at the provider: the account's,
    /// or, where the provider counts per path, its path's declared window
    /// (the account's when none is declared for it).
    fn bucket(&self, method: &str, path: &str, per_path: bool) -> usize {
        if !per_path {
            return 0;
        }
        let declared = self.windows.iter().enumerate().skip(1);
        let covering = declared.filter(|(_, w)| w.covers(method, path));
        covering.map(|(i, _)| i).next().unwrap_or(0)
    }

    /// Sends a request now: a place in every window that counts it, and
    /// its ticket.
    fn take(&mut self, now: Instant, method: &str, path: &str, per_path: bool) -> Ticket {
        for window in &mut self.windows {
            if window.covers(method, path) {
                window.take(now);
            }
        }
        let i = self.bucket(method, path, per_path);
        let bucket = &mut self.budgets[i];
        bucket.issued += 1;
        bucket.pending.insert(bucket.issued);
        Ticket {
            bucket: i,
            number: bucket.issued,
        }
    }
}

/// Keeps the later of `ready` and `at` (held by window `by`).
fn later(ready: &mut Option<(Instant, Option<usize>)>, at: Instant, by: Option<usize>) {
    if ready.is_none_or(|(r, _)| at > r) {
        *ready = Some((at, by));
    }
}

/// Seconds until a rate-limit window resets, from a header that gives them
/// as a delta, or (where the kind says it may) as a Unix timestamp
/// (anything past 2001). A whole second of a timestamp is read as its
/// end: a server that rounds the reset down would otherwise see requests
/// up to a second early.
fn until_reset(reset: f64, is: Reset) -> Duration {
    if is == Reset::SecondsOrEpoch && reset > 1e9 {
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

    /// A limiter with only an account window of `rate` a second over
    /// `window` seconds, reading `x-ratelimit-*`, waiting at most 120 s.
    fn account(rate: f64, window: f64) -> Limiter {
        Limiter::new(
            "p",
            (rate, window),
            &[],
            RateHeaders::X_RATELIMIT,
            Duration::from_secs(120),
        )
    }

    fn headers(limit: u64, remaining: u64, reset: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from(limit));
        h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("x-ratelimit-reset", HeaderValue::from(reset));
        h
    }

    #[tokio::test(start_paused = true)]
    async fn an_unused_budget_is_spent_at_once_then_the_window_slides() {
        let limiter = account(10.0, 60.0);
        let start = Instant::now();
        for _ in 0..600 {
            limiter.admit("GET", "/sims").await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.admit("GET", "/sims").await;
        assert!(start.elapsed() >= Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_server_budget_holds_requests_until_its_reset() {
        let limiter = account(10.0, 60.0);
        let start = Instant::now();
        let first = limiter.admit("GET", "/sims").await;
        limiter.admit("GET", "/sims").await;
        // The answer to the first says two were left: the second request
        // may have taken one, so one more may leave, then none.
        limiter.observe(first, Some(&headers(600, 2, 30)));
        limiter.admit("GET", "/sims").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.admit("GET", "/sims").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_still_in_flight_count_against_an_answer() {
        let limiter = account(10.0, 60.0);
        let start = Instant::now();
        let first = limiter.admit("GET", "/sims").await;
        let second = limiter.admit("GET", "/sims").await;
        // The second overtook the first at the provider: its answer does
        // not count the first yet, which is still in flight.
        limiter.observe(second, Some(&headers(600, 2, 30)));
        limiter.admit("GET", "/sims").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.observe(first, Some(&headers(600, 1, 30)));
        limiter.admit("GET", "/sims").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn of_two_answers_in_one_window_the_lower_bound_holds() {
        let limiter = account(10.0, 60.0);
        let start = Instant::now();
        let first = limiter.admit("GET", "/sims").await;
        let second = limiter.admit("GET", "/sims").await;
        limiter.observe(first, Some(&headers(600, 0, 30)));
        limiter.observe(second, Some(&headers(600, 100, 30)));
        limiter.admit("GET", "/sims").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }

    /// The list's own window: 2 requests in any second.
    const LIST: RateWindow = RateWindow {
        method: Some("GET"),
        path: Some("/list"),
        requests: 2,
        seconds: 1.0,
    };

    #[test]
    fn a_request_waits_for_every_window_that_counts_it_and_for_no_other() {
        // The account: 3 requests in any 10 s; the list: 2 in any second.
        let limiter = Limiter::new(
            "p",
            (0.3, 10.0),
            &[LIST],
            RateHeaders::X_RATELIMIT,
            Duration::from_secs(120),
        );
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut state = limiter.state.lock().unwrap();
        state.take(at(0), "GET", "/list?page=1", false);
        state.take(at(0), "GET", "/list?page=2", false);
        // The list window is full until 1.02 s (1 s and its 2% margin);
        // the account holds one more, for any other request.
        assert_eq!(
            state.ready_at(at(100), "GET", "/list?page=3", false),
            Some((at(1_020), Some(1)))
        );
        assert_eq!(state.ready_at(at(100), "GET", "/list/7", false), None);
        assert_eq!(state.ready_at(at(100), "PATCH", "/list", false), None);
        state.take(at(100), "GET", "/list/7", false);
        // The account is full now, until 10.2 s: the list is free again
        // at 1.02 s, but it waits for the later of its two windows.
        assert_eq!(
            state.ready_at(at(1_500), "GET", "/list?page=3", false),
            Some((at(10_200), None))
        );
        assert_eq!(
            state.ready_at(at(1_500), "GET", "/list/8", false),
            Some((at(10_200), None))
        );
        assert_eq!(
            state.ready_at(at(10_200), "GET", "/list?page=3", false),
            None
        );
    }

    #[test]
    fn the_provider_s_limit_lowers_the_account_window_only() {
        let limiter = Limiter::new(
            "p",
            (10.0, 1.0),
            &[LIST],
            RateHeaders::X_RATELIMIT,
            Duration::from_secs(120),
        );
        let ticket = {
            let mut state = limiter.state.lock().unwrap();
            state.take(Instant::now(), "GET", "/other", false)
        };
        // A limit of 1 for a window at least as long as ours.
        limiter.observe(ticket, Some(&headers(1, 5, 2)));
        let state = limiter.state.lock().unwrap();
        let capacities: Vec<usize> = state.windows.iter().map(|w| w.capacity()).collect();
        assert_eq!(capacities, [1, 2]);
    }

    #[test]
    fn reset_is_read_as_delta_or_epoch() {
        assert_eq!(
            until_reset(30.0, Reset::SecondsOrEpoch),
            Duration::from_secs(30)
        );
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let delta = until_reset(epoch + 45.0, Reset::SecondsOrEpoch);
        assert!(delta > Duration::from_secs(44) && delta <= Duration::from_secs(45));
        // A whole-second timestamp is read as the end of that second.
        let whole = until_reset(epoch.floor() + 45.0, Reset::SecondsOrEpoch);
        assert!(whole > Duration::from_secs(45) && whole <= Duration::from_secs(46));
        // A kind whose reset counts seconds only takes a large one as such.
        let long = until_reset(2e9, Reset::Seconds);
        assert_eq!(long, Duration::from_secs(2_000_000_000));
    }

    /// Headers of another name, counting per path, the reset in seconds.
    const PER_PATH: RateHeaders = RateHeaders {
        limit: "x-p-limit",
        remaining: "x-p-remaining",
        reset: "x-p-refresh",
        reset_is: Reset::Seconds,
        per_path: true,
    };

    fn per_path(remaining: u64, reset: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-p-limit", HeaderValue::from(600u64));
        h.insert("x-p-remaining", HeaderValue::from(remaining));
        h.insert("x-p-refresh", HeaderValue::from(reset));
        h
    }

    const ONE: RateWindow = RateWindow {
        method: Some("GET"),
        path: Some("/things/*"),
        requests: 1000,
        seconds: 60.0,
    };

    #[tokio::test(start_paused = true)]
    async fn per_path_headers_of_the_kind_s_names_pace_their_path_alone() {
        let limiter = Limiter::new(
            "p",
            (100.0, 60.0),
            &[LIST, ONE],
            PER_PATH,
            Duration::from_secs(120),
        );
        let start = Instant::now();
        let first = limiter.admit("GET", "/things/1").await;
        // The path's budget is spent: none of its requests leaves before
        // the refresh, whatever SIM it names.
        limiter.observe(first, Some(&per_path(0, 30)));
        assert!(limiter.ready_in("GET", "/things/2") >= Duration::from_secs(29));
        // Other paths, and the other path's declared window, are free.
        assert_eq!(limiter.ready_in("GET", "/list"), Duration::ZERO);
        assert_eq!(limiter.ready_in("POST", "/other"), Duration::ZERO);
        // The account's headers by the default names mean nothing here.
        let other = limiter.admit("GET", "/list").await;
        limiter.observe(other, Some(&headers(600, 0, 30)));
        assert_eq!(limiter.ready_in("GET", "/list"), Duration::ZERO);
        limiter.admit("GET", "/things/3").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }
}
