//! OAuth2 client-credentials tokens for the providers that use them (Eseye,
//! Telekom CMO): cached, refreshed before they expire, and renewed once when
//! the provider answers 401 anyway (clock skew, early revocation).
//!
//! Token requests go through the provider's one transport (same pacing, same
//! retry policy) but not through its concurrency slots: the client asks for
//! a token once a request holds its slot, so a queued request never leaves
//! with a token that expired while it waited, and a fetch never waits behind
//! the requests that need it. Tokens are secrets: they live only in
//! [`Secret`]s and in sensitive header values, never in logs.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::request::{HttpError, Request};
use super::transport::Transport;
use crate::secret::Secret;

/// A token endpoint's answer (RFC 6749 section 5.1). Read tolerantly:
/// `expires_in` as a number or a numeric string; other keys are ignored.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    /// Seconds; absent means "assume a short life".
    #[serde(default, deserialize_with = "seconds")]
    expires_in: Option<u64>,
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(f64),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        Some(Raw::Number(n)) if n.is_finite() && n >= 0.0 => Some(n as u64),
        Some(Raw::Text(t)) => t.trim().parse().ok(),
        _ => None,
    })
}

const ASSUMED_LIFETIME: u64 = 60;

/// Refresh this long before expiry: a fifth of the lifetime, at most 30 s, so a
/// request never leaves with a token about to die in flight.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 5).min(Duration::from_secs(30))
}

/// A client-credentials token, cached.
pub(super) struct TokenCache {
    /// The complete token request, credentials included.
    fetch: Request,
    current: Mutex<Option<(Secret, Instant)>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache")
    }
}

/// A secret as a sensitive header value.
pub(super) fn header_value(secret: &Secret) -> Result<HeaderValue, HttpError> {
    let mut value = HeaderValue::from_str(secret.expose()).map_err(|_| HttpError::BadCredential)?;
    value.set_sensitive(true);
    Ok(value)
}

impl TokenCache {
    pub(super) fn new(fetch: Request) -> Self {
        TokenCache {
            fetch,
            current: Mutex::new(None),
        }
    }

    /// The cached `Bearer` value, or a fresh one. Concurrent callers wait
    /// for one fetch instead of each fetching.
    pub(super) async fn bearer(&self, transport: &Transport) -> Result<Secret, HttpError> {
        let mut current = self.current.lock().await;
        if let Some((token, refresh_at)) = current.as_ref()
            && Instant::now() < *refresh_at
        {
            return Ok(token.clone());
        }
        let (token, expires_in) = self.fetch_token(transport).await?;
        let lifetime = Duration::from_secs(expires_in.unwrap_or(ASSUMED_LIFETIME).max(1));
        let token = Secret::new(format!("Bearer {token}"));
        *current = Some((token.clone(), Instant::now() + lifetime - margin(lifetime)));
        tracing::debug!(
            lifetime_s = lifetime.as_secs(),
            "fetched a new access token"
        );
        Ok(token)
    }

    /// A new token and its lifetime in seconds. A refusal comes back as
    /// [`HttpError::TokenStatus`] for the client to judge; an answer
    /// without a token is a shape error, never an empty token.
    pub(super) async fn fetch_token(
        &self,
        transport: &Transport,
    ) -> Result<(String, Option<u64>), HttpError> {
        let auth = match &self.fetch.authorization {
            Some(secret) => Some(header_value(secret)?),
            None => None,
        };
        let (resp, _) = transport
            .retrying(&self.fetch, || {
                let auth = auth.clone().map(|v| (&AUTHORIZATION, v));
                transport.exchange(&self.fetch, auth)
            })
            .await?;
        if !resp.status.is_success() {
            // Whole: the client blanks out secrets before it cuts the body.
            return Err(HttpError::TokenStatus {
                method: resp.method.clone(),
                url: resp.url.clone(),
                status: resp.status.as_u16(),
                body: resp.text(),
            });
        }
        // Not a lost answer of the request the token is for: that one was
        // never sent (`TokenUnreadable` is not an unknown outcome).
        let unreadable = |e: HttpError| HttpError::TokenUnreadable(Box::new(e));
        let answer: TokenAnswer = resp.decode().map_err(unreadable)?;
        match answer.access_token.filter(|t| !t.is_empty()) {
            Some(token) => Ok((token, answer.expires_in)),
            None => Err(unreadable(
                resp.missing("access_token", "the token it was asked for"),
            )),
        }
    }

    /// A new token, cached as any other; returns its lifetime in seconds
    /// (`doctor` asks the endpoint even when a cached token is fresh).
    pub(super) async fn fresh(&self, transport: &Transport) -> Result<u64, HttpError> {
        let mut current = self.current.lock().await;
        let (token, expires_in) = self.fetch_token(transport).await?;
        let lifetime = expires_in.unwrap_or(ASSUMED_LIFETIME).max(1);
        let life = Duration::from_secs(lifetime);
        *current = Some((
            Secret::new(format!("Bearer {token}")),
            Instant::now() + life - margin(life),
        ));
        Ok(lifetime)
    }

    /// Forgets `token` if it is still the cached one (after a 401).
    pub(super) async fn invalidate(&self, token: &Secret) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|(t, _)| t == token) {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_margin_scales_with_lifetime() {
        assert_eq!(margin(Duration::from_secs(300)), Duration::from_secs(30));
        assert_eq!(margin(Duration::from_secs(2)), Duration::from_millis(400));
    }
}
