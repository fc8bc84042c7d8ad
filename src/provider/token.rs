//! OAuth2 client-credentials tokens shared by the providers that use them
//! (Eseye, Telekom CMO): cached, refreshed before they expire, and renewed
//! once when the provider answers 401 anyway (clock skew, early revocation).
//!
//! The HTTP layer asks for the token only once a request holds its
//! concurrency slot and pacing turn, so a queued request never leaves with a
//! token that expired while it waited. A user must never see an
//! expired-token failure. Tokens are secrets: they
//! live only in [`Secret`]s and in sensitive header values, never in logs.

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::http::{HttpError, Request};
use crate::secret::Secret;

/// A token endpoint's answer.
#[derive(Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
    /// Seconds; absent means "assume a short life".
    #[serde(default)]
    pub expires_in: Option<u64>,
}

const ASSUMED_LIFETIME: u64 = 60;

/// Refresh this long before expiry: a fifth of the lifetime, at most 30 s, so a
/// request never leaves with a token about to die in flight.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 5).min(Duration::from_secs(30))
}

/// A client-credentials token, cached. Token requests go out on their own
/// plain HTTP client, outside the provider's queue, so fetching a token
/// never waits behind the requests that need it.
pub struct TokenCache {
    client: reqwest::Client,
    url: String,
    fetch: Request,
    current: Mutex<Option<(Secret, Instant)>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache")
    }
}

const FETCH_ATTEMPTS: u32 = 3;

impl TokenCache {
    /// `fetch` is the complete token request, credentials included; a
    /// relative path is resolved against `base_url`.
    pub fn new(base_url: &str, timeout: Duration, fetch: Request) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("simfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| HttpError::Build { source })?;
        let url = if fetch.path.starts_with("http://") || fetch.path.starts_with("https://") {
            fetch.path.clone()
        } else {
            format!("{}{}", base_url.trim_end_matches('/'), fetch.path)
        };
        Ok(TokenCache {
            client,
            url,
            fetch,
            current: Mutex::new(None),
        })
    }

    /// The cached `Bearer` value, or a fresh one. Concurrent callers wait
    /// for one fetch instead of each fetching.
    pub async fn bearer(&self) -> Result<Secret, HttpError> {
        let mut current = self.current.lock().await;
        if let Some((token, refresh_at)) = current.as_ref()
            && Instant::now() < *refresh_at
        {
            return Ok(token.clone());
        }
        let answer = self.fetch_token().await?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(ASSUMED_LIFETIME).max(1));
        let token = Secret::new(format!("Bearer {}", answer.access_token));
        *current = Some((token.clone(), Instant::now() + lifetime - margin(lifetime)));
        tracing::debug!(
            lifetime_s = lifetime.as_secs(),
            "fetched a new access token"
        );
        Ok(token)
    }

    /// One token request, retried on transport errors and 5xx.
    async fn fetch_token(&self) -> Result<TokenAnswer, HttpError> {
        let method = self.fetch.method.clone();
        let path = self.fetch.path.clone();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut builder = self
                .client
                .request(method.clone(), &self.url)
                .header("accept", "application/json");
            if let Some(value) = &self.fetch.authorization {
                let mut header = reqwest::header::HeaderValue::from_str(value.expose())
                    .map_err(|_| HttpError::BadCredential)?;
                header.set_sensitive(true);
                builder = builder.header(reqwest::header::AUTHORIZATION, header);
            }
            if let Some((content_type, body)) = &self.fetch.body {
                builder = builder
                    .header("content-type", *content_type)
                    .body(body.clone());
            }
            let retry = match builder.send().await {
                Ok(resp) if resp.status().is_server_error() && attempt < FETCH_ATTEMPTS => true,
                Ok(resp) => {
                    let status = resp.status();
                    let body = resp.bytes().await.map_err(|source| HttpError::Transport {
                        method: method.clone(),
                        path: path.clone(),
                        source,
                    })?;
                    if !status.is_success() {
                        return Err(HttpError::Status {
                            method,
                            path,
                            status: status.as_u16(),
                            body: String::from_utf8_lossy(&body).chars().take(500).collect(),
                        });
                    }
                    return serde_json::from_slice(&body).map_err(|source| HttpError::Decode {
                        method,
                        path,
                        source,
                    });
                }
                Err(_) if attempt < FETCH_ATTEMPTS => true,
                Err(source) => {
                    return Err(HttpError::Transport {
                        method,
                        path,
                        source,
                    });
                }
            };
            if retry {
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
        }
    }

    /// Forgets `token` if it is still the cached one (after a 401).
    pub async fn invalidate(&self, token: &Secret) {
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
