//! Request accounting, rate limits and fault injection for the emulator.
//!
//! Every provider route passes through [`track`]: it records the request
//! (counts per route and a bounded log for tests), applies the configured
//! latency and faults, and enforces the provider's rate-limit window (one
//! per account, or one per route where the provider counts so) with the
//! provider's headers. Handlers never see any of this.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::App;
use super::api::RateStyle;
use super::faults::{self, Dice, FaultKind};
use crate::kind::ProviderKind;

const LOG_CAPACITY: usize = 200_000;
/// Larger request bodies are refused (the providers' own are far smaller).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub provider: String,
    pub method: String,
    pub route: String,
    pub path: String,
    pub content_type: Option<String>,
    /// The request body (first 4 KiB), so tests can check what clients
    /// send; never recorded for token endpoints, whose bodies carry secrets.
    pub body: Option<String>,
    /// The answer's status; 0 when the connection was closed unanswered
    /// (`--down-after`).
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct Traffic {
    counts: Mutex<BTreeMap<String, BTreeMap<String, u64>>>,
    log: Mutex<Vec<LoggedRequest>>,
    /// Requests per path, for faults: counting per path bounds how often one
    /// request can fail in a row, whatever the client's concurrency.
    per_path: Mutex<BTreeMap<String, u64>>,
    /// Requests per provider, for `down_after`.
    served: Mutex<BTreeMap<String, u64>>,
    window: Mutex<BTreeMap<String, (Instant, u64)>>,
    dice: Dice,
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub total: u64,
    pub providers: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Traffic {
    pub fn stats(&self) -> Stats {
        // A poisoned lock still holds the counts: read them, never zeros.
        let providers = self
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let total = providers.values().flat_map(|m| m.values()).sum();
        Stats { total, providers }
    }

    pub fn log(&self) -> Vec<LoggedRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Counts one more request to `provider`; returns how many it had.
    fn served(&self, provider: &str) -> u64 {
        self.served.lock().map_or(0, |mut m| {
            let n = m.entry(provider.to_owned()).or_default();
            *n += 1;
            *n
        })
    }

    /// Takes one request from fixed window `window` (a provider's, or one
    /// of its routes'); `Err(seconds to reset)` when spent. The reset is
    /// rounded up, as a provider that wants no early retries would.
    fn admit(&self, window: &str, limit: u64, length: Duration) -> Result<(u64, u64), u64> {
        let Ok(mut windows) = self.window.lock() else {
            return Ok((limit, length.as_secs()));
        };
        let now = Instant::now();
        let (start, used) = windows.entry(window.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= length {
            *start = now;
            *used = 0;
        }
        let left = length.saturating_sub(now.duration_since(*start));
        let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        if *used >= limit {
            return Err(reset.max(1));
        }
        *used += 1;
        Ok((limit - *used, reset))
    }
}

fn provider_of(route: &str) -> (&str, &str) {
    let trimmed = route.trim_start_matches('/');
    match trimmed.split_once('/') {
        Some((provider, rest)) => (provider, &route[provider.len() + 1..][..rest.len() + 1]),
        None => (trimmed, "/"),
    }
}

pub async fn track(
    State((app, kind)): State<(App, ProviderKind)>,
    matched: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    let (provider, route) = provider_of(matched.as_str());
    let (provider, route) = (provider.to_owned(), route.to_owned());
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    // Inside the provider's nested router the URI is relative to its
    // mount: the target as a client built it against its base URL.
    let relative = req
        .uri()
        .path_and_query()
        .map_or(path.clone(), |p| p.as_str().to_owned());
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let settings = app.settings_of(kind);
    let api = super::registry::api(kind);
    let rate = api.as_ref().map_or(RateStyle::X_RATELIMIT, |a| a.rate);
    let echo = settings.faults.echo_credentials.then(|| match &api {
        Some(api) => (api.presented)(req.headers()),
        None => super::api::header(req.headers(), "authorization").to_owned(),
    });
    let secret_body = route.contains("token")
        || api
            .as_ref()
            .is_some_and(|a| a.credential_routes.contains(&route.as_str()));
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return super::provider_error(kind, StatusCode::PAYLOAD_TOO_LARGE, "body too large");
    };
    let logged_body = (!secret_body && !bytes.is_empty())
        .then(|| String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned());
    let req = Request::from_parts(parts, axum::body::Body::from(bytes.clone()));
    let n = app.traffic.per_path.lock().map_or(0, |mut m| {
        let n = m.entry(format!("{provider} {method} {path}")).or_default();
        *n += 1;
        *n
    });
    let echo = echo.map(|header| format!("{header} {}", String::from_utf8_lossy(&bytes)));
    let down_after = settings.faults.down_after;
    let down = down_after > 0 && app.traffic.served(&provider) > down_after;
    if !settings.faults.latency.is_zero() {
        tokio::time::sleep(settings.faults.latency).await;
    }
    // The window this request counts in: the account's, or its route's
    // where the provider limits each API path on its own.
    let window = if rate.per_route {
        format!("{provider} {method} {route}")
    } else {
        provider.clone()
    };
    let admitted = if down {
        // Down: no handler runs and no rate window counts it.
        Err(None)
    } else {
        app.traffic
            .admit(&window, settings.rate_limit, settings.rate_window)
            .map_err(Some)
    };
    let response = match admitted {
        Err(None) => faults::hung_up(),
        Err(Some(reset)) => {
            let mut resp =
                super::provider_error(kind, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from(reset));
            rate_headers(&mut resp, &rate, settings.rate_limit, 0, reset);
            resp
        }
        Ok(_) if settings.faults.fail_every > 0 && n % settings.faults.fail_every == 0 => {
            let status = StatusCode::from_u16(settings.faults.fail_status)
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut resp = super::provider_error(kind, status, "injected_fault");
            if status == StatusCode::TOO_MANY_REQUESTS {
                resp.headers_mut()
                    .insert("retry-after", HeaderValue::from(1u64));
            }
            resp
        }
        Ok((remaining, reset)) => {
            let fault = app.traffic.dice.draw(&settings.faults, &method);
            let replayed = app.overrides.answer(kind.mount(), &method, &relative);
            let mut resp = match (fault, replayed) {
                _ if app.overrides.missing(&format!("/{}{path}", kind.mount())) => {
                    super::provider_error(kind, StatusCode::NOT_FOUND, "not_found")
                }
                (Some(f), _) if f.commits() => {
                    drop(next.run(req).await);
                    injected(kind, f)
                }
                (Some(f), _) => injected(kind, f),
                (None, Some(recorded)) => recorded,
                (None, None) => next.run(req).await,
            };
            rate_headers(&mut resp, &rate, settings.rate_limit, remaining, reset);
            resp
        }
    };
    let response = match echo {
        Some(sent) if response.status() == StatusCode::UNAUTHORIZED => super::provider_error(
            kind,
            StatusCode::UNAUTHORIZED,
            &format!("credentials rejected: {sent}"),
        ),
        _ => response,
    };
    let key = format!("{method} {route}");
    if let Ok(mut counts) = app.traffic.counts.lock() {
        *counts
            .entry(provider.clone())
            .or_default()
            .entry(key)
            .or_default() += 1;
    }
    if let Ok(mut log) = app.traffic.log.lock()
        && log.len() < LOG_CAPACITY
    {
        // 0: no answer at all (the provider is down).
        let status = if down { 0 } else { response.status().as_u16() };
        log.push(LoggedRequest {
            provider,
            method,
            route,
            path,
            content_type,
            body: logged_body,
            status,
        });
    }
    response
}

fn injected(kind: ProviderKind, fault: FaultKind) -> Response {
    let status = match fault {
        FaultKind::Drop | FaultKind::CommitThenDrop => return faults::dropped(),
        FaultKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        FaultKind::Internal | FaultKind::CommitThen500 => StatusCode::INTERNAL_SERVER_ERROR,
        FaultKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut resp = super::provider_error(kind, status, "injected_fault");
    if fault == FaultKind::TooMany {
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from(1u64));
    }
    resp
}

/// The provider's rate-limit headers; `reset` is seconds to the window's
/// end, sent as an epoch timestamp where the provider publishes it so.
fn rate_headers(resp: &mut Response, rate: &RateStyle, limit: u64, remaining: u64, reset: u64) {
    if rate.limit.is_empty() {
        return;
    }
    let reset = if rate.reset_epoch {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // Rounded up, as a provider that wants no early retries would.
        (now + reset as f64).ceil() as u64
    } else {
        reset
    };
    let headers = resp.headers_mut();
    headers.insert(rate.limit, HeaderValue::from(limit));
    headers.insert(rate.remaining, HeaderValue::from(remaining));
    headers.insert(rate.reset, HeaderValue::from(reset));
}

#[cfg(test)]
mod tests {
    use super::provider_of;

    #[test]
    fn routes_split_into_provider_and_path() {
        assert_eq!(
            provider_of("/onomondo/sims/{sim_id}"),
            ("onomondo", "/sims/{sim_id}")
        );
        assert_eq!(provider_of("/onomondo/tags"), ("onomondo", "/tags"));
    }
}
