//! One exchange with a provider (pace, send, observe rate headers, read the
//! body) and the one retry policy every call uses, token requests included.
//!
//! It must never log or return header values (they carry secrets) and never
//! interpret response bodies: that is the provider's job.

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use super::pacer::Pacer;
use super::request::{HttpError, Repeat, Request, Response};
use super::{HttpSettings, MAX_RETRY_AFTER};

const MAX_ATTEMPTS: u32 = 5;
const BASE_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A reqwest client bound to one provider's base URL and pacer.
#[derive(Debug)]
pub(super) struct Transport {
    client: reqwest::Client,
    base: String,
    pacer: Pacer,
}

/// What one attempt produced: the response and its headers, or an error.
pub(super) type Attempt = Result<(Response, HeaderMap), HttpError>;

impl Transport {
    pub(super) fn new(settings: &HttpSettings) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("simfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| HttpError::Build { source })?;
        Ok(Transport {
            client,
            base: settings.base_url.trim_end_matches('/').to_owned(),
            pacer: Pacer::new(settings.rate_limit),
        })
    }

    /// A path relative to the base URL, or an absolute URL as given (token
    /// endpoints may live elsewhere).
    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// One paced exchange with `authorization` attached (a sensitive value).
    pub(super) async fn exchange(
        &self,
        req: &Request,
        authorization: Option<(&reqwest::header::HeaderName, HeaderValue)>,
    ) -> Attempt {
        self.pacer.wait_turn().await;
        let mut builder = self
            .client
            .request(req.method.clone(), self.url(&req.path))
            .header("accept", "application/json");
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        if let Some((name, value)) = authorization {
            builder = builder.header(name, value);
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
            token: None,
        };
        Ok((response, headers))
    }

    /// Runs `attempt` until it gives an answer worth returning: transport
    /// errors, 429 and 5xx are retried with backoff, honouring Retry-After,
    /// and every other status goes back to the caller.
    pub(super) async fn retrying<F, Fut>(&self, req: &Request, mut attempt: F) -> Attempt
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Attempt>,
    {
        let mut n = 0;
        loop {
            n += 1;
            let outcome = attempt().await;
            match retry_wait(&outcome, n, req.repeat) {
                Some(wait) if n < MAX_ATTEMPTS => {
                    tracing::debug!(method = %req.method, path = %req.path, attempt = n, ?wait, "retrying");
                    self.pacer.hold_until(Instant::now() + wait).await;
                }
                _ => return outcome,
            }
        }
    }
}

/// How long to wait before trying `outcome`'s request again, if at all. A
/// [`Repeat::Once`] request is tried again only when it certainly did not
/// take effect: a 429 (refused unprocessed) or no connection at all.
fn retry_wait(outcome: &Attempt, attempt: u32, repeat: Repeat) -> Option<Duration> {
    if repeat == Repeat::Once {
        return match outcome {
            Ok((resp, headers)) if resp.status == StatusCode::TOO_MANY_REQUESTS => {
                Some(retry_after(headers).unwrap_or_else(|| backoff(attempt)))
            }
            Err(HttpError::Transport { source, .. }) if source.is_connect() => {
                Some(backoff(attempt))
            }
            _ => None,
        };
    }
    match outcome {
        Ok((resp, headers))
            if resp.status == StatusCode::TOO_MANY_REQUESTS || resp.status.is_server_error() =>
        {
            Some(retry_after(headers).unwrap_or_else(|| backoff(attempt)))
        }
        Err(HttpError::Transport { source, .. }) if !source.is_builder() => Some(backoff(attempt)),
        _ => None,
    }
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
