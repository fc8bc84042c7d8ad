//! One exchange with a provider (ask the breaker, wait for the limiter,
//! send, observe rate headers, read a bounded body) and the one retry
//! policy every call uses, token requests included.
//!
//! It must never log or return header values (they carry secrets) and never
//! interpret response bodies: that is the provider's job.

use std::future::Future;
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;

use std::sync::Arc;

use super::HttpSettings;
use super::breaker::Breaker;
use super::limiter::{Limiter, Ticket};
use super::recorder::Recorder;
use super::request::{HttpError, Repeat, Request, Response, Where};
use crate::secret::Secret;

/// Attempts of one call, the first included.
const MAX_ATTEMPTS: u32 = 5;
/// A provider that let a request time out is likely down: one more try.
const MAX_TIMEOUT_ATTEMPTS: u32 = 2;
const BASE_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// The first wait after a 429 without `Retry-After`, and the longest.
const REFUSAL_BACKOFF: Duration = Duration::from_secs(5);
const MAX_REFUSAL_BACKOFF: Duration = Duration::from_secs(60);
/// Retrying one call stops once this much time has gone by (or twice the
/// provider's `max_wait`, if that is longer).
const RETRY_TIME: Duration = Duration::from_secs(300);

/// A reqwest client bound to one provider's base URL and limiter.
#[derive(Debug)]
pub(super) struct Transport {
    client: reqwest::Client,
    base: String,
    limiter: Limiter,
    /// Stops every request once the provider stopped answering.
    breaker: Breaker,
    max_body: u64,
    retry_time: Duration,
    /// Which provider, for messages.
    at: Where,
    /// Keeps each exchange (`doctor`), redacted with `secrets`.
    recorder: Option<Arc<Recorder>>,
    secrets: Vec<Secret>,
}

/// What one attempt produced: the response and its headers, or an error.
pub(super) type Attempt = Result<(Response, HeaderMap), HttpError>;

impl Transport {
    pub(super) fn new(settings: &HttpSettings) -> Result<Self, HttpError> {
        let limits = &settings.limits;
        let timeout = Duration::from_secs_f64(limits.timeout);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("simfleet/", env!("CARGO_PKG_VERSION")))
            // A redirect could take the credentials (or a token request's
            // body) to another host: never followed, reported instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| HttpError::Build { source })?;
        let max_wait = Duration::from_secs_f64(limits.max_wait);
        Ok(Transport {
            client,
            base: settings.base_url.trim_end_matches('/').to_owned(),
            breaker: Breaker::new(limits.concurrency),
            limiter: Limiter::new(
                &settings.at.provider,
                (limits.rate_limit, limits.rate_window),
                &settings.windows,
                settings.rate_headers,
                max_wait,
            ),
            max_body: limits.max_response_bytes,
            retry_time: RETRY_TIME.max(max_wait * 2),
            at: settings.at.clone(),
            recorder: settings.recorder.clone(),
            secrets: settings.redact.clone(),
        })
    }

    /// A path relative to the base URL, or an absolute URL as given (token
    /// endpoints may live elsewhere).
    pub(super) fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub(super) fn at(&self) -> &Where {
        &self.at
    }

    pub(super) fn recorder(&self) -> Option<&Recorder> {
        self.recorder.as_deref()
    }

    /// How long `req` would now wait for the provider's rate windows.
    pub(super) fn ready_in(&self, req: &Request) -> Duration {
        self.limiter.ready_in(req.method.as_str(), &req.path)
    }

    /// Why the provider gets no more requests in this run, once its
    /// breaker opened.
    pub(super) fn down(&self) -> Option<Arc<super::breaker::Down>> {
        self.breaker.down()
    }

    /// The full URL of `req`, query included, as messages show it.
    pub(super) fn full_url(&self, req: &Request) -> String {
        let url = self.url(&req.path);
        if req.query.is_empty() {
            return url;
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&req.query)
            .finish();
        format!("{url}?{query}")
    }

    /// One exchange, admitted by the limiter, with the auth headers
    /// `authorization` attached (sensitive values).
    pub(super) async fn exchange(
        &self,
        req: &Request,
        authorization: &[(HeaderName, HeaderValue)],
    ) -> Attempt {
        let attempt = self.attempt(req, authorization).await;
        if let Err(HttpError::ProviderDown(_)) = &attempt {
            // Never sent: nothing to record.
            return attempt;
        }
        if let Some(recorder) = &self.recorder {
            let answer = match &attempt {
                Ok((resp, headers)) => Ok((resp.status.as_u16(), headers, resp.body.as_slice())),
                Err(e) => Err(e.to_string()),
            };
            let sent: Vec<&str> = authorization
                .iter()
                .filter_map(|(_, v)| v.to_str().ok())
                .collect();
            recorder.keep(req, self.full_url(req), answer, &self.secrets, &sent);
        }
        attempt
    }

    /// One attempt, unless the provider's breaker is open, told to the
    /// breaker: an answer or a connection failure.
    async fn attempt(&self, req: &Request, authorization: &[(HeaderName, HeaderValue)]) -> Attempt {
        // Asked before and after the limiter's wait: a request queued
        // there while the breaker opened is not sent either.
        if let Some(down) = self.breaker.down() {
            return Err(HttpError::ProviderDown(down));
        }
        let ticket = self.limiter.admit(req.method.as_str(), &req.path).await;
        let sent = match self.breaker.sending() {
            Ok(sent) => sent,
            Err(down) => {
                self.limiter.observe(ticket, None);
                return Err(HttpError::ProviderDown(down));
            }
        };
        self.send(req, authorization, (ticket, sent)).await
    }

    /// Sends `req` as the limiter's and the breaker's `tickets` and reads
    /// its bounded answer. The breaker hears whether an answer came: a
    /// status line is one, even when its body is lost afterwards (the
    /// provider is there); no status line is a connection failure.
    async fn send(
        &self,
        req: &Request,
        authorization: &[(HeaderName, HeaderValue)],
        (ticket, sent): (Ticket, u64),
    ) -> Attempt {
        let mut builder = self
            .client
            .request(req.method.clone(), self.url(&req.path))
            .header("accept", "application/json");
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        for (name, value) in authorization {
            builder = builder.header(name, value.clone());
        }
        if let Some((content_type, body)) = &req.body {
            builder = builder
                .header("content-type", *content_type)
                .body(body.clone());
        }
        let failed = |source: reqwest::Error| self.failed(req, source);
        let mut resp = match builder.send().await {
            Ok(resp) => resp,
            Err(e) => {
                self.limiter.observe(ticket, None);
                let e = failed(e);
                if e.is_connection_failure() {
                    self.breaker.failed(&self.at, words(&e));
                }
                return Err(e);
            }
        };
        self.breaker.answered(sent);
        let status = resp.status();
        let headers = resp.headers().clone();
        self.limiter.observe(ticket, Some(&headers));
        let too_large = || HttpError::TooLarge {
            method: req.method.clone(),
            url: self.url(&req.path),
            limit: self.max_body,
            at: self.at.clone(),
        };
        if resp.content_length().is_some_and(|n| n > self.max_body) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(failed)? {
            if (body.len() + chunk.len()) as u64 > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        tracing::trace!(method = %req.method, path = %req.path, status = status.as_u16(), "response");
        let response = Response {
            method: req.method.clone(),
            path: req.path.clone(),
            url: self.full_url(req),
            status,
            headers: headers.clone(),
            body,
            at: self.at.clone(),
            grant: None,
        };
        Ok((response, headers))
    }

    /// A reqwest failure as the error a user can act on: its cause in
    /// words, with the URL and the provider.
    fn failed(&self, req: &Request, source: reqwest::Error) -> HttpError {
        if source.is_timeout() {
            return HttpError::TimedOut {
                method: req.method.clone(),
                url: self.url(&req.path),
                at: self.at.clone(),
            };
        }
        HttpError::Transport {
            call: format!("{} {}", req.method, self.url(&req.path)),
            at: self.at.clone(),
            cause: super::cause::named(&source),
            source,
        }
    }

    /// Runs `attempt` until it gives an answer worth returning: what the
    /// request's [`Repeat`] allows is retried with backoff, honouring
    /// Retry-After, within a count and a time budget; every other status
    /// goes back to the caller. Once the provider's breaker is open nothing
    /// more is tried: a call that was tried before ends with that try's
    /// failure, one never tried with [`HttpError::ProviderDown`].
    pub(super) async fn retrying<F, Fut>(&self, req: &Request, mut attempt: F) -> Attempt
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Attempt>,
    {
        let started = Instant::now();
        let mut n = 0;
        let mut earlier: Option<Attempt> = None;
        loop {
            n += 1;
            let outcome = attempt().await;
            if let Err(HttpError::ProviderDown(_)) = &outcome {
                return match earlier {
                    Some(tried) => self.given_up(req, tried, n - 1),
                    None => outcome,
                };
            }
            let limit = match &outcome {
                Err(HttpError::TimedOut { .. }) => MAX_TIMEOUT_ATTEMPTS,
                _ => MAX_ATTEMPTS,
            };
            // A 429 or a Retry-After speaks for the whole account: every
            // request waits. Other failures are this request's own.
            let refused =
                matches!(&outcome, Ok((resp, _)) if resp.status == StatusCode::TOO_MANY_REQUESTS);
            let (wait, everyone) = match retry_wait(&outcome, n, req.repeat) {
                Some(Wait::Asked(wait)) => (self.limiter.capped(wait), true),
                Some(Wait::Backoff(wait)) => (wait, refused),
                None => return outcome,
            };
            if n >= limit
                || started.elapsed() + wait > self.retry_time
                || self.breaker.down().is_some()
            {
                return self.given_up(req, outcome, n);
            }
            match &outcome {
                Err(e) => tracing::warn!("{e}; trying again ({} of {limit})", n + 1),
                Ok(_) => {
                    tracing::debug!(method = %req.method, path = %req.path, attempt = n, ?wait, "retrying")
                }
            }
            if everyone {
                self.limiter.hold_until(Instant::now() + wait);
            } else {
                tokio::time::sleep(wait).await;
            }
            earlier = Some(outcome);
        }
    }

    /// The last of `attempts` tries of a call that is not tried again; a
    /// connection never made says so, with its cause.
    fn given_up(&self, req: &Request, last: Attempt, attempts: u32) -> Attempt {
        match last {
            Err(HttpError::Transport { source, cause, .. }) if source.is_connect() => {
                Err(HttpError::Unreachable {
                    url: self.url(&req.path),
                    attempts,
                    at: self.at.clone(),
                    cause,
                    source,
                })
            }
            other => other,
        }
    }
}

/// A connection failure as the breaker tells it: `METHOD URL: cause`
/// (the provider is named once, by the breaker).
fn words(e: &HttpError) -> String {
    match e {
        HttpError::Transport { call, cause, .. } => format!("{call}: {cause}"),
        HttpError::TimedOut { method, url, .. } => format!("{method} {url}: timed out"),
        other => other.to_string(),
    }
}

/// Why and how long to wait before trying again.
enum Wait {
    /// The provider said how long (Retry-After).
    Asked(Duration),
    Backoff(Duration),
}

/// How long to wait before trying `outcome`'s request again, if at all. A
/// [`Repeat::Once`] request is tried again only when it certainly did not
/// take effect: a 429 (refused unprocessed) or no connection at all.
fn retry_wait(outcome: &Attempt, attempt: u32, repeat: Repeat) -> Option<Wait> {
    let asked_or_backoff = |headers: &HeaderMap| match retry_after(headers) {
        Some(wait) => Wait::Asked(wait),
        None => Wait::Backoff(backoff(attempt)),
    };
    match outcome {
        Ok((resp, headers)) if resp.status == StatusCode::TOO_MANY_REQUESTS => {
            Some(match retry_after(headers) {
                Some(wait) => Wait::Asked(wait),
                None => Wait::Backoff(refusal_backoff(attempt)),
            })
        }
        Err(HttpError::Transport { source, .. }) if source.is_connect() => {
            Some(Wait::Backoff(backoff(attempt)))
        }
        _ if repeat == Repeat::Once => None,
        Ok((resp, headers)) if resp.status.is_server_error() => Some(asked_or_backoff(headers)),
        Err(HttpError::Transport { source, .. }) if !source.is_builder() => {
            Some(Wait::Backoff(backoff(attempt)))
        }
        Err(HttpError::TimedOut { .. }) => Some(Wait::Backoff(backoff(attempt))),
        _ => None,
    }
}

/// Retry-After as delta-seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// Exponential backoff with full jitter: uniformly anywhere between zero
/// and the exponential step, so clients that failed together spread out.
fn backoff(attempt: u32) -> Duration {
    let step = BASE_BACKOFF
        .saturating_mul(1 << attempt.min(8))
        .min(MAX_BACKOFF);
    // Each RandomState is freshly keyed from the OS: a random draw without
    // a dependency.
    let draw = std::collections::hash_map::RandomState::new().hash_one(attempt);
    step.mul_f64((draw % 10_000) as f64 / 10_000.0)
}

/// The wait after a 429 without Retry-After: providers that document
/// none ask for up to a minute (Soracom's text), so the steps are 5, 10,
/// 20 and 40 s, at least half of each (jitter in the other half): four
/// retries span 37.5 to 75 s, where [`backoff`] gives up within seconds.
/// A rate header's later reset, which the limiter holds, still wins.
fn refusal_backoff(attempt: u32) -> Duration {
    let step = REFUSAL_BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(8))
        .min(MAX_REFUSAL_BACKOFF);
    let draw = std::collections::hash_map::RandomState::new().hash_one(attempt);
    step / 2 + (step / 2).mul_f64((draw % 10_000) as f64 / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        assert_eq!(
            retry_after(&with_retry_after("3")),
            Some(Duration::from_secs(3))
        );
        let later = SystemTime::now() + Duration::from_secs(90);
        let date = httpdate::fmt_http_date(later);
        let wait = retry_after(&with_retry_after(&date)).unwrap();
        assert!(wait > Duration::from_secs(85) && wait <= Duration::from_secs(90));
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        assert_eq!(retry_after(&with_retry_after(&past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&with_retry_after("soon")), None);
    }

    #[test]
    fn a_429_that_says_no_wait_waits_at_least_half_of_5_10_20_40_s() {
        let secs = Duration::from_secs;
        for (attempt, step) in [
            (1, secs(5)),
            (2, secs(10)),
            (3, secs(20)),
            (4, secs(40)),
            (9, secs(60)),
        ] {
            for _ in 0..200 {
                let wait = refusal_backoff(attempt);
                assert!(wait >= step / 2 && wait <= step, "{attempt}: {wait:?}");
            }
        }
    }

    #[test]
    fn backoff_is_drawn_from_zero_to_its_documented_step() {
        // docs/architecture.md, "Limits: pacing, retries, sizes and time":
        // uniform between zero and 0.2 s x 2^attempt, at most 10 s.
        let ms = |n| Duration::from_millis(n);
        for (attempt, step) in [
            (0, ms(200)),
            (1, ms(400)),
            (3, ms(1_600)),
            (5, ms(6_400)),
            (6, ms(10_000)),
            (9, ms(10_000)),
            (30, ms(10_000)),
        ] {
            let draws: Vec<Duration> = (0..400).map(|_| backoff(attempt)).collect();
            let (low, high) = (draws.iter().min().unwrap(), draws.iter().max().unwrap());
            assert!(*high <= step, "attempt {attempt}: {high:?} past {step:?}");
            // Full jitter spans the whole step: 400 uniform draws all
            // outside its first (or last) tenth have a chance of 0.9^400,
            // about 5e-19, so a smaller cap or base, or no jitter, fails.
            assert!(
                *low < step / 10,
                "attempt {attempt}: none below {:?}",
                step / 10
            );
            assert!(
                *high > step * 9 / 10,
                "attempt {attempt}: none above {:?}",
                step * 9 / 10
            );
        }
    }
}
