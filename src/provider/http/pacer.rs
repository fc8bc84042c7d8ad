//! Request pacing: spaces requests to the provider's rate and holds them
//! back when its rate-limit headers say the budget is spent, so 429s are
//! the exception. Shared by every call of one provider, tokens included.

use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::MAX_RETRY_AFTER;

/// Spaces requests to a rate and holds them back when the provider's
/// rate-limit headers say the budget is spent, so 429s are the exception.
#[derive(Debug)]
pub(super) struct Pacer {
    interval: Duration,
    state: Mutex<PacerState>,
}

#[derive(Debug)]
pub(super) struct PacerState {
    next_slot: Instant,
}

impl Pacer {
    pub(super) fn new(rate_per_second: f64) -> Self {
        let interval = Duration::from_secs_f64(1.0 / rate_per_second.max(0.001));
        Pacer {
            interval,
            state: Mutex::new(PacerState {
                next_slot: Instant::now(),
            }),
        }
    }

    pub(super) async fn wait_turn(&self) {
        let slot = {
            let mut state = self.state.lock().await;
            let slot = state.next_slot.max(Instant::now());
            state.next_slot = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    pub(super) async fn hold_until(&self, until: Instant) {
        let mut state = self.state.lock().await;
        state.next_slot = state.next_slot.max(until);
    }

    /// Reads `x-ratelimit-remaining` / `x-ratelimit-reset` (seconds until the
    /// window resets, or an epoch timestamp) and spreads what is left.
    pub(super) async fn observe(&self, headers: &HeaderMap) {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
        };
        let (Some(remaining), Some(reset)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset"))
        else {
            return;
        };
        let reset = if reset > 1e9 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            (reset - now).max(0.0)
        } else {
            reset
        };
        let reset = Duration::from_secs_f64(reset.min(MAX_RETRY_AFTER.as_secs_f64()));
        if remaining < 1.0 {
            self.hold_until(Instant::now() + reset).await;
        } else if reset > self.interval.mul_f64(remaining) {
            let spread = reset.div_f64(remaining);
            let mut state = self.state.lock().await;
            state.next_slot = state.next_slot.max(Instant::now() + spread);
        }
    }
}
