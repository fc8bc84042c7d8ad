//! The circuit breaker of one provider: after enough connection failures
//! in a row (refused, DNS, TLS, timeouts, connections reset or closed
//! before an answer) it opens, and from then on every request of that
//! provider, token requests included, fails at once without being sent,
//! for the rest of the run.
//!
//! A provider that is down would otherwise be retried request by request:
//! thousands of warnings and minutes of backoff before a plan or an apply
//! gives up. An HTTP answer, whatever its status, resets the count (error
//! statuses have their own handling: retries, Retry-After, the caller's
//! judgement), but only the answer to a request sent after the latest
//! failure was seen: one sent earlier says nothing about the provider
//! now. So once a provider stops answering, the requests that reach it
//! are the [`threshold`] failures and those already in flight when the
//! breaker opened, never more. It never closes again within a run: a run
//! is short, and the next one starts afresh. It counts and tells; it must
//! never sleep, send or interpret an answer.

use std::sync::{Arc, Mutex, PoisonError};

use super::place::Where;

/// The fewest connection failures in a row that open a breaker: as many
/// as one call's own attempts, so a lone call against a dead provider ends
/// as it would without a breaker.
pub const THRESHOLD: u32 = 5;

/// The connection failures in a row that open the breaker of a provider
/// with `concurrency` requests in flight: at least [`THRESHOLD`], and at
/// least a whole wave of requests in flight, so that a few connections
/// dropped together on a healthy provider do not stop a run.
pub fn threshold(concurrency: u32) -> u32 {
    THRESHOLD.max(concurrency)
}

/// Why a provider gets no more requests in this run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{at} cannot be reached ({failures} connection failures in a row, the last: {last}); \
     no more requests go to it in this run"
)]
pub struct Down {
    pub at: Where,
    pub failures: u32,
    /// The last failure: `METHOD URL: cause`.
    pub last: String,
}

#[derive(Debug)]
pub(super) struct Breaker {
    threshold: u32,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Requests sent so far; each request's number is its place here.
    sent: u64,
    /// Connection failures since the streak began.
    streak: u32,
    /// `sent` when the latest failure was seen: only an answer to a
    /// request numbered above it ends the streak.
    seen_at: u64,
    open: Option<Arc<Down>>,
}

impl Breaker {
    /// The breaker of a provider with `concurrency` requests in flight.
    pub(super) fn new(concurrency: u32) -> Self {
        Breaker {
            threshold: threshold(concurrency),
            state: Mutex::default(),
        }
    }

    /// Why the provider gets no more requests, once the breaker is open.
    pub(super) fn down(&self) -> Option<Arc<Down>> {
        self.lock().open.clone()
    }

    /// A request is about to be sent: its number, or why it must not be.
    pub(super) fn sending(&self) -> Result<u64, Arc<Down>> {
        let mut state = self.lock();
        if let Some(down) = &state.open {
            return Err(down.clone());
        }
        state.sent += 1;
        Ok(state.sent)
    }

    /// Request number `sent` got an answer (any status).
    pub(super) fn answered(&self, sent: u64) {
        let mut state = self.lock();
        if state.open.is_none() && sent > state.seen_at {
            state.streak = 0;
        }
    }

    /// A request got no answer: `last` is `METHOD URL: cause`. Opens the
    /// breaker at the threshold.
    pub(super) fn failed(&self, at: &Where, last: String) {
        let mut state = self.lock();
        if state.open.is_some() {
            return;
        }
        state.streak += 1;
        state.seen_at = state.sent;
        if state.streak < self.threshold {
            return;
        }
        let down = Down {
            at: at.clone(),
            failures: state.streak,
            last,
        };
        // The run reports it once per provider (the read's error, the
        // apply report); here only for whoever follows along with -v.
        tracing::info!("{down}");
        state.open = Some(Arc::new(down));
    }

    /// The state, even after a panic elsewhere: plain counters that no
    /// update leaves half-written.
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Where {
        Where {
            provider: "p".into(),
            origin: "m/providers.yaml:3:5".into(),
        }
    }

    #[test]
    fn opens_at_the_threshold_of_failures_in_a_row_and_stays_open() {
        let breaker = Breaker::new(1);
        for n in 1..THRESHOLD {
            let sent = breaker.sending().unwrap();
            breaker.failed(&at(), format!("GET u: refused {sent}"));
            assert!(breaker.down().is_none(), "open after {n}");
        }
        let sent = breaker.sending().unwrap();
        breaker.failed(&at(), "GET u: connection refused".into());
        let down = breaker.down().expect("open");
        assert_eq!(down.failures, THRESHOLD);
        assert_eq!(
            down.to_string(),
            "provider `p` at m/providers.yaml:3:5 cannot be reached (5 connection failures \
             in a row, the last: GET u: connection refused); no more requests go to it in \
             this run"
        );
        assert_eq!(breaker.sending(), Err(down.clone()));
        // An answer that was in flight does not close it again.
        breaker.answered(sent + 1);
        assert_eq!(breaker.down(), Some(down));
    }

    #[test]
    fn only_an_answer_to_a_request_sent_after_the_latest_failure_resets_the_count() {
        let breaker = Breaker::new(THRESHOLD);
        let early = breaker.sending().unwrap();
        for _ in 1..THRESHOLD {
            breaker.sending().unwrap();
            breaker.failed(&at(), "GET u: connection reset".into());
        }
        // Sent before the failures: says nothing about the provider now.
        breaker.answered(early);
        let later = breaker.sending().unwrap();
        breaker.answered(later);
        for _ in 1..THRESHOLD {
            breaker.failed(&at(), "GET u: connection reset".into());
        }
        assert!(breaker.down().is_none());
        breaker.answered(early);
        breaker.failed(&at(), "GET u: connection reset".into());
        assert!(breaker.down().is_some());
    }

    #[test]
    fn a_wave_of_requests_in_flight_must_fail_before_it_opens() {
        assert_eq!(threshold(1), THRESHOLD);
        assert_eq!(threshold(8), 8);
        let breaker = Breaker::new(8);
        for _ in 0..7 {
            breaker.failed(&at(), "GET u: connection reset".into());
        }
        assert!(breaker.down().is_none());
        breaker.failed(&at(), "GET u: connection reset".into());
        assert!(breaker.down().is_some());
    }

    /// A provider whose every connection is closed once the request was
    /// read; counts the requests that reached it.
    fn dead_provider() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let reached = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = reached.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let _ = stream.read(&mut [0u8; 4096]);
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        (url, reached)
    }

    #[tokio::test]
    async fn concurrent_calls_to_a_dead_provider_stop_once_it_opens() {
        use crate::config::{Connection, Limits};
        use crate::provider::http::{Auth, HttpClient, HttpError, HttpSettings, Request};
        use crate::secret::Secret;

        const CONCURRENCY: u32 = 8;
        let (url, reached) = dead_provider();
        let connection = Connection {
            provider: "p".into(),
            kind: crate::kind::ProviderKind::ALL[0],
            url,
            credentials: std::collections::BTreeMap::new(),
            settings: std::collections::BTreeMap::new(),
            limits: Limits::documented(1000.0, 1.0, CONCURRENCY),
            origin: "m/providers.yaml:3:5".into(),
        };
        let http = HttpClient::new(
            &HttpSettings::of(&connection),
            Auth::Header(Secret::new("key")),
            Arc::default(),
        )
        .unwrap();
        let calls =
            (0..100).map(|i| http.send(Request::new(reqwest::Method::GET, format!("/sims/{i}"))));
        let answers = futures_util::future::join_all(calls).await;
        // The calls that opened it, and those already in flight then.
        let sent = reached.load(std::sync::atomic::Ordering::SeqCst);
        let opened = threshold(CONCURRENCY) as usize;
        assert!(
            (opened..opened + CONCURRENCY as usize).contains(&sent),
            "{sent} requests reached the provider"
        );
        let unsent = answers
            .iter()
            .filter(|a| matches!(a, Err(HttpError::ProviderDown(_))))
            .count();
        assert!(unsent >= 100 - sent, "{unsent} calls failed unsent");
        assert!(answers.iter().all(Result::is_err));
        let down = http.down().expect("the breaker is open");
        assert!(
            down.last
                .ends_with(": connection closed before an answer came"),
            "{down}"
        );
    }
}
