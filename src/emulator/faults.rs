//! Injected misbehaviour: what a flaky network and a provider under load do
//! to a client, so tests can prove simfleet survives it.
//!
//! Faults by rate hit every path of a provider (token endpoints included),
//! chosen by a seeded generator so a run can be repeated. The kinds that
//! commit the write before failing the answer are the ones a client must
//! never resend blindly. Nothing here may change state except by running
//! the real handler.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;

/// One way a request can go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 with Retry-After: 1; nothing done.
    TooMany,
    /// 500; nothing done.
    Internal,
    /// 503; nothing done.
    Unavailable,
    /// The connection drops before the request is handled.
    Drop,
    /// The request is carried out, then answered 500.
    CommitThen500,
    /// The request is carried out, then the connection drops.
    CommitThenDrop,
}

impl FaultKind {
    pub const ALL: [FaultKind; 6] = [
        FaultKind::TooMany,
        FaultKind::Internal,
        FaultKind::Unavailable,
        FaultKind::Drop,
        FaultKind::CommitThen500,
        FaultKind::CommitThenDrop,
    ];

    pub fn parse(name: &str) -> Option<FaultKind> {
        Some(match name {
            "429" => FaultKind::TooMany,
            "500" => FaultKind::Internal,
            "503" => FaultKind::Unavailable,
            "drop" => FaultKind::Drop,
            "commit-500" => FaultKind::CommitThen500,
            "commit-drop" => FaultKind::CommitThenDrop,
            _ => return None,
        })
    }

    /// Whether the real handler runs before the fault shows.
    pub fn commits(self) -> bool {
        matches!(self, FaultKind::CommitThen500 | FaultKind::CommitThenDrop)
    }
}

/// Injected misbehaviour for one provider.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub latency: Duration,
    /// Every Nth request to the same path fails with `fail_status` (0: never).
    /// Deterministic, so tests can count on it.
    pub fail_every: u64,
    pub fail_status: u16,
    /// Share of all requests (0 to 1) that meet one of `kinds`.
    pub rate: f64,
    pub kinds: Vec<FaultKind>,
    /// Only requests whose method is in this list (empty: all).
    pub methods: Vec<String>,
    /// A 401 echoes the credentials it was sent (Authorization header and
    /// body), as careless servers do: clients must not print them.
    pub echo_credentials: bool,
    /// After this many requests (token requests included) the provider is
    /// down: every further request has its connection closed unanswered
    /// and unhandled (0: never).
    pub down_after: u64,
}

/// A small seeded generator (xorshift64*): repeatable, no dependency.
#[derive(Debug)]
pub struct Dice(Mutex<u64>);

impl Default for Dice {
    fn default() -> Self {
        Dice::new(0x5eed)
    }
}

impl Dice {
    pub fn new(seed: u64) -> Self {
        Dice(Mutex::new(seed.max(1)))
    }

    /// A number in [0, 1).
    fn roll(&self) -> f64 {
        let Ok(mut s) = self.0.lock() else { return 1.0 };
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        let n = s.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (n >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault this request meets, if any.
    pub fn draw(&self, faults: &Faults, method: &str) -> Option<FaultKind> {
        if faults.rate <= 0.0 || faults.kinds.is_empty() {
            return None;
        }
        if !faults.methods.is_empty() && !faults.methods.iter().any(|m| m == method) {
            return None;
        }
        if self.roll() >= faults.rate {
            return None;
        }
        let pick = (self.roll() * faults.kinds.len() as f64) as usize;
        faults.kinds.get(pick.min(faults.kinds.len() - 1)).copied()
    }
}

/// A provider that is down: the request's connection is closed before
/// any answer, like a server that died. Carried as a response extension
/// from the middleware to the accept loop (`server`), which closes the
/// connection instead of answering; as an error it ends that connection.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("injected: the provider is down")]
pub struct HangUp;

/// The response that makes the accept loop hang up without answering.
pub fn hung_up() -> Response {
    let mut resp = Response::new(Body::empty());
    resp.extensions_mut().insert(HangUp);
    resp
}

/// A 200 whose body fails mid-stream: the client sees the connection drop.
pub fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected connection drop"))
    });
    let mut resp = Response::new(Body::from_stream(failing));
    *resp.status_mut() = StatusCode::OK;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_honoured_and_repeatable() {
        let faults = Faults {
            rate: 0.1,
            kinds: FaultKind::ALL.to_vec(),
            ..Faults::default()
        };
        let count = |seed| {
            let dice = Dice::new(seed);
            (0..10_000)
                .filter(|_| dice.draw(&faults, "GET").is_some())
                .count()
        };
        let hits = count(7);
        assert!((800..1200).contains(&hits), "{hits}");
        assert_eq!(hits, count(7));
    }
}
