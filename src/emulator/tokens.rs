//! Access tokens issued by the emulated token endpoints (Eseye, CMO,
//! Soracom): random enough to be unguessable in tests, expiring after the
//! provider's configured lifetime. Kept outside the persisted world: a
//! restarted sandbox forgets its tokens, as a real provider's clients
//! would expect.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::kind::ProviderKind;

#[derive(Debug, Default)]
pub struct Tokens {
    issued: Mutex<BTreeMap<String, (ProviderKind, Instant)>>,
    counter: Mutex<u64>,
}

impl Tokens {
    /// A new token for `provider`, valid for `lifetime`.
    pub fn issue(&self, provider: ProviderKind, lifetime: Duration) -> String {
        let n = self.counter.lock().map_or(0, |mut c| {
            *c += 1;
            *c
        });
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let token = format!("{provider}-{n:x}-{nanos:x}");
        if let Ok(mut issued) = self.issued.lock() {
            let now = Instant::now();
            issued.retain(|_, (_, expiry)| *expiry > now);
            issued.insert(token.clone(), (provider, now + lifetime));
        }
        token
    }

    /// Whether `authorization` is `Bearer <token>` with a live token of `provider`.
    pub fn accepts(&self, provider: ProviderKind, authorization: &str) -> bool {
        authorization
            .strip_prefix("Bearer ")
            .is_some_and(|token| self.live(provider, token))
    }

    /// Whether `token` is a live token of `provider`.
    pub fn live(&self, provider: ProviderKind, token: &str) -> bool {
        self.issued.lock().is_ok_and(|issued| {
            issued
                .get(token.trim())
                .is_some_and(|(p, expiry)| *p == provider && Instant::now() < *expiry)
        })
    }
}
