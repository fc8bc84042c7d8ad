//! Shared HTTP transport for provider clients: auth header, timeouts,
//! concurrency, pacing and retries.
//!
//! Every provider request goes through [`HttpClient::send`], so pacing and
//! retry behave the same everywhere. This module must never log or return
//! header values (they carry secrets) and never interpret response bodies:
//! that is the provider's job.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

use super::token::TokenCache;
use crate::secret::Secret;

const MAX_ATTEMPTS: u32 = 5;
const BASE_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{method} {path}: {source}")]
    Transport {
        method: Method,
        path: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{method} {path}: HTTP {status}: {body}")]
    Status {
        method: Method,
        path: String,
        status: u16,
        body: String,
    },
    #[error("{method} {path}: cannot decode response: {source}")]
    Decode {
        method: Method,
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot build HTTP client: {source}")]
    Build {
        #[source]
        source: reqwest::Error,
    },
    #[error("credential is not valid in an HTTP header")]
    BadCredential,
}

impl HttpError {
    /// The message with the provider's error body summarised by `extract`
    /// (which returns `None` for bodies that are not the provider's shape).
    pub fn describe(&self, extract: fn(&str) -> Option<String>) -> String {
        match self {
            HttpError::Status {
                method,
                path,
                status,
                body,
            } => match extract(body) {
                Some(text) => format!("{method} {path}: HTTP {status}: {text}"),
                None => self.to_string(),
            },
            other => other.to_string(),
        }
    }
}

/// One request, relative to the client's base URL.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<(&'static str, Vec<u8>)>,
    /// An `Authorization` value for this request only (tokens), replacing
    /// the client's own.
    pub authorization: Option<Secret>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            authorization: None,
        }
    }

    pub fn authorization(mut self, value: Secret) -> Self {
        self.authorization = Some(value);
        self
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form(mut self, fields: &[(&str, &str)]) -> Self {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.body = Some(("application/x-www-form-urlencoded", body.into_bytes()));
        self
    }

    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    pub fn json(self, body: &impl serde::Serialize) -> Self {
        self.json_as("application/json", body)
    }

    /// A JSON body sent under another media type (e.g. JSON Patch).
    pub fn json_as(mut self, content_type: &'static str, body: &impl serde::Serialize) -> Self {
        // Serialising plain data structures to JSON cannot fail.
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.body = Some((content_type, bytes));
        self
    }
}

#[derive(Debug)]
pub struct Response {
    pub method: Method,
    pub path: String,
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// The bearer token the request carried, if it came from a token cache.
    token: Option<Secret>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as `T`, or an error carrying the status and body for non-2xx.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, HttpError> {
        let ok = self.into_success()?;
        serde_json::from_slice(&ok.body).map_err(|source| HttpError::Decode {
            method: ok.method,
            path: ok.path,
            source,
        })
    }

    pub fn into_success(self) -> Result<Response, HttpError> {
        if self.status.is_success() {
            return Ok(self);
        }
        Err(HttpError::Status {
            body: self.text().chars().take(500).collect(),
            method: self.method,
            path: self.path,
            status: self.status.as_u16(),
        })
    }
}

/// Spaces requests to a rate and holds them back when the provider's
/// rate-limit headers say the budget is spent, so 429s are the exception.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    state: Mutex<PacerState>,
}

#[derive(Debug)]
struct PacerState {
    next_slot: Instant,
}

impl Pacer {
    fn new(rate_per_second: f64) -> Self {
        let interval = Duration::from_secs_f64(1.0 / rate_per_second.max(0.001));
        Pacer {
            interval,
            state: Mutex::new(PacerState {
                next_slot: Instant::now(),
            }),
        }
    }

    async fn wait_turn(&self) {
        let slot = {
            let mut state = self.state.lock().await;
            let slot = state.next_slot.max(Instant::now());
            state.next_slot = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    async fn hold_until(&self, until: Instant) {
        let mut state = self.state.lock().await;
        state.next_slot = state.next_slot.max(until);
    }

    /// Reads `x-ratelimit-remaining` / `x-ratelimit-reset` (seconds until the
    /// window resets, or an epoch timestamp) and spreads what is left.
    async fn observe(&self, headers: &HeaderMap) {
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

/// Transport settings of one provider.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub base_url: String,
    pub rate_limit: f64,
    pub concurrency: u32,
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    base: String,
    auth: Option<(HeaderName, HeaderValue)>,
    pacer: Pacer,
    permits: Semaphore,
    /// Bearer tokens, attached per request instead of `auth`.
    tokens: Option<Box<TokenCache>>,
}

impl HttpClient {
    /// `auth` is a header name and the full header value (e.g. `Bearer ...`).
    pub fn new(
        settings: &HttpSettings,
        auth: Option<(HeaderName, Secret)>,
    ) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("simfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| HttpError::Build { source })?;
        let auth = match auth {
            Some((name, secret)) => {
                let mut value =
                    HeaderValue::from_str(secret.expose()).map_err(|_| HttpError::BadCredential)?;
                value.set_sensitive(true);
                Some((name, value))
            }
            None => None,
        };
        Ok(HttpClient {
            client,
            base: settings.base_url.trim_end_matches('/').to_owned(),
            auth,
            pacer: Pacer::new(settings.rate_limit),
            permits: Semaphore::new(settings.concurrency.max(1) as usize),
            tokens: None,
        })
    }

    /// A client that authenticates with tokens from `tokens`, renewing them
    /// once on a 401.
    pub fn with_tokens(settings: &HttpSettings, tokens: TokenCache) -> Result<Self, HttpError> {
        let mut client = HttpClient::new(settings, None)?;
        client.tokens = Some(Box::new(tokens));
        Ok(client)
    }

    /// Sends `req`, retrying transport errors, 429 and 5xx with backoff and
    /// honouring `Retry-After`. Other statuses are returned to the caller.
    pub async fn send(&self, req: Request) -> Result<Response, HttpError> {
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let outcome = self.send_once(&req).await;
            if let (Ok((resp, _)), Some(tokens)) = (&outcome, &self.tokens)
                && resp.status == StatusCode::UNAUTHORIZED
                && !renewed
                && let Some(used) = &resp.token
            {
                tracing::debug!(path = %req.path, "401 with a cached token; renewing it once");
                tokens.invalidate(used).await;
                renewed = true;
                continue;
            }
            let retry_in = match &outcome {
                Ok((resp, headers)) if retryable(resp.status) => {
                    Some(retry_after(headers).unwrap_or_else(|| backoff(attempt)))
                }
                Err(HttpError::Transport { source, .. }) if !source.is_builder() => {
                    Some(backoff(attempt))
                }
                _ => None,
            };
            match retry_in {
                Some(wait) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(method = %req.method, path = %req.path, attempt, ?wait, "retrying");
                    self.pacer.hold_until(Instant::now() + wait).await;
                }
                _ => return outcome.map(|(resp, _)| resp),
            }
        }
    }

    async fn send_once(&self, req: &Request) -> Result<(Response, HeaderMap), HttpError> {
        // A closed semaphore is impossible: it is never closed.
        let _permit = self.permits.acquire().await;
        self.pacer.wait_turn().await;
        let mut builder = self
            .client
            .request(req.method.clone(), format!("{}{}", self.base, req.path))
            .header("accept", "application/json");
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        let token = match &self.tokens {
            Some(tokens) if req.authorization.is_none() => Some(tokens.bearer().await?),
            _ => None,
        };
        match (req.authorization.as_ref().or(token.as_ref()), &self.auth) {
            (Some(secret), _) => {
                let mut value =
                    HeaderValue::from_str(secret.expose()).map_err(|_| HttpError::BadCredential)?;
                value.set_sensitive(true);
                builder = builder.header(reqwest::header::AUTHORIZATION, value);
            }
            (None, Some((name, value))) => builder = builder.header(name, value),
            (None, None) => {}
        }
        if let Some((content_type, body)) = &req.body {
            builder = builder
                .header("content-type", *content_type)
                .body(body.clone());
        }
        let transport = |source| HttpError::Transport {
            method: req.method.clone(),
            path: req.path.clone(),
            source,
        };
        let resp = builder.send().await.map_err(transport)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        self.pacer.observe(&headers).await;
        let body = resp.bytes().await.map_err(transport)?.to_vec();
        tracing::trace!(method = %req.method, path = %req.path, status = status.as_u16(), "response");
        let response = Response {
            method: req.method.clone(),
            path: req.path.clone(),
            status,
            body,
            token,
        };
        Ok((response, headers))
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs = headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()?;
    Some(Duration::from_secs_f64(
        secs.clamp(0.0, MAX_RETRY_AFTER.as_secs_f64()),
    ))
}

/// Exponential backoff with a little jitter so parallel clients spread out.
fn backoff(attempt: u32) -> Duration {
    let exp = BASE_BACKOFF.saturating_mul(1 << attempt.min(8));
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() % 100);
    exp.min(MAX_BACKOFF) + Duration::from_millis(u64::from(jitter))
}
