//! Auth sessions for the providers that log in first: a request whose
//! answer grants the headers every later request carries, for a time.
//! OAuth2 client-credentials tokens (Eseye, Telekom CMO) are one such
//! session (`Authorization: Bearer ...`, `expires_in`); a provider whose
//! login answers other headers (two at once, a lifetime it does not say)
//! reads its answer itself ([`Session`]). Either way the grant is cached,
//! renewed before it expires and renewed once when the provider answers
//! 401 anyway (clock skew, early revocation).
//!
//! Session requests go through the provider's one transport (same pacing,
//! same retry policy) but not through its concurrency slots: the client
//! asks for a grant once a request holds its slot, so a queued request
//! never leaves with a grant that expired while it waited, and a fetch
//! never waits behind the requests that need it. Grants are secrets: they
//! live only in [`Secret`]s and in sensitive header values, never in logs.
//! This module knows no provider: what a login answer means is the
//! provider's reader.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::grant::Grant;

use super::request::{HttpError, Request, Response};
use super::transport::Transport;
use crate::secret::Secret;

/// A login: the request that opens a session, and how its (successful)
/// answer becomes the headers later requests carry.
#[derive(Debug)]
pub struct Session {
    /// The complete login request, credentials included.
    pub fetch: Request,
    /// Reads a success answer into a grant; an answer without what it
    /// needs is a shape error (`Response::missing`), never an empty grant.
    pub read: fn(&Response) -> Result<Granted, HttpError>,
}

/// What a login grants: headers (by lower-case name) and how long they
/// hold, in seconds (`None`: not said, a short life is assumed).
#[derive(Debug)]
pub struct Granted {
    pub headers: Vec<(&'static str, Secret)>,
    pub lifetime: Option<u64>,
}

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

/// An OAuth2 token answer as a grant: `Authorization: Bearer <token>`.
pub(super) fn oauth(resp: &Response) -> Result<Granted, HttpError> {
    let answer: TokenAnswer = resp.decode()?;
    match answer.access_token.filter(|t| !t.is_empty()) {
        Some(token) => Ok(Granted {
            headers: vec![("authorization", Secret::new(format!("Bearer {token}")))],
            lifetime: answer.expires_in,
        }),
        None => Err(resp.missing("access_token", "the token it was asked for")),
    }
}

const ASSUMED_LIFETIME: u64 = 60;

/// Refresh this long before expiry: a fifth of the lifetime, at most 30 s, so a
/// request never leaves with a grant about to die in flight.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 5).min(Duration::from_secs(30))
}

/// A session, cached.
pub(super) struct SessionCache {
    login: Session,
    current: Mutex<Option<(Arc<Grant>, Instant)>>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCache")
    }
}

/// A secret as a sensitive header value.
pub(super) fn header_value(secret: &Secret) -> Result<HeaderValue, HttpError> {
    let mut value = HeaderValue::from_str(secret.expose()).map_err(|_| HttpError::BadCredential)?;
    value.set_sensitive(true);
    Ok(value)
}

/// A login's grant as requests carry it: sensitive header values, and
/// every secret to blank out of what a server echoes.
fn grant_of(granted: Granted) -> Result<Grant, HttpError> {
    {
        let mut headers = Vec::with_capacity(granted.headers.len());
        let mut secrets = Vec::new();
        for (name, value) in granted.headers {
            let name = HeaderName::from_static(name);
            headers.push((name, header_value(&value)?));
            if let Some((_, bare)) = value.expose().split_once(' ') {
                secrets.push(Secret::new(bare));
            }
            secrets.push(value);
        }
        Ok(Grant { headers, secrets })
    }
}

impl SessionCache {
    pub(super) fn new(login: Session) -> Self {
        SessionCache {
            login,
            current: Mutex::new(None),
        }
    }

    /// Whether the login goes to the API's own base URL (a path), not to
    /// an endpoint of its own (`token_url`): which setting a refusal names.
    pub(super) fn under_base(&self) -> bool {
        !self.login.fetch.path.contains("://")
    }

    /// The cached grant, or a fresh one. Concurrent callers wait for one
    /// fetch instead of each fetching.
    pub(super) async fn grant(&self, transport: &Transport) -> Result<Arc<Grant>, HttpError> {
        let mut current = self.current.lock().await;
        if let Some((grant, refresh_at)) = current.as_ref()
            && Instant::now() < *refresh_at
        {
            return Ok(grant.clone());
        }
        let (grant, lifetime) = self.fetch(transport).await?;
        *current = Some((grant.clone(), refresh_at(lifetime)));
        tracing::debug!(lifetime_s = lifetime, "opened a new auth session");
        Ok(grant)
    }

    /// A new grant and its lifetime in seconds. A refusal comes back as
    /// [`HttpError::TokenStatus`] for the client to judge; an answer
    /// without what the session needs is a shape error, never an empty
    /// grant.
    async fn fetch(&self, transport: &Transport) -> Result<(Arc<Grant>, u64), HttpError> {
        let fetch = &self.login.fetch;
        let auth = match &fetch.authorization {
            Some(secret) => vec![(AUTHORIZATION, header_value(secret)?)],
            None => Vec::new(),
        };
        let (resp, _) = transport
            .retrying(fetch, || transport.exchange(fetch, &auth))
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
        // Not a lost answer of the request the grant is for: that one was
        // never sent (`TokenUnreadable` is not an unknown outcome).
        let unreadable = |e: HttpError| HttpError::TokenUnreadable(Box::new(e));
        let granted = (self.login.read)(&resp).map_err(unreadable)?;
        let lifetime = granted.lifetime.unwrap_or(ASSUMED_LIFETIME).max(1);
        Ok((Arc::new(grant_of(granted)?), lifetime))
    }

    /// A new grant, cached as any other; returns its lifetime in seconds
    /// (`doctor` asks the endpoint even when a cached grant is fresh).
    pub(super) async fn fresh(&self, transport: &Transport) -> Result<u64, HttpError> {
        let mut current = self.current.lock().await;
        let (grant, lifetime) = self.fetch(transport).await?;
        *current = Some((grant, refresh_at(lifetime)));
        Ok(lifetime)
    }

    /// Forgets `grant` if it is still the cached one (after a 401).
    pub(super) async fn invalidate(&self, grant: &Arc<Grant>) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|(g, _)| Arc::ptr_eq(g, grant)) {
            *current = None;
        }
    }
}

/// When a grant of `lifetime` seconds, fetched now, is renewed.
fn refresh_at(lifetime: u64) -> Instant {
    let life = Duration::from_secs(lifetime);
    Instant::now() + life - margin(life)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_margin_scales_with_lifetime() {
        assert_eq!(margin(Duration::from_secs(300)), Duration::from_secs(30));
        assert_eq!(margin(Duration::from_secs(2)), Duration::from_millis(400));
    }

    #[test]
    fn a_grant_blanks_every_header_value_and_its_bare_credential() {
        let grant = grant_of(Granted {
            headers: vec![
                ("authorization", Secret::new("Bearer tok-123")),
                ("x-api-key", Secret::new("key-456")),
            ],
            lifetime: None,
        })
        .unwrap();
        let names: Vec<&str> = grant.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["authorization", "x-api-key"]);
        assert!(grant.headers.iter().all(|(_, v)| v.is_sensitive()));
        let blanked = crate::secret::redact("saw tok-123 and key-456", &grant.secrets);
        assert_eq!(blanked, "saw *** and ***");
    }
}
