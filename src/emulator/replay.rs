//! Answers recorded by `simfleet doctor --record DIR`, served back (`simfleet
//! emulator --replay DIR`), and paths that answer 404 (`--not-found`): a
//! developer reproduces what a real account sent, or an API without a
//! resource, against the real client.
//!
//! A recorded answer is served to a request with the same method and target
//! (path and query, relative to the provider's base URL) under the
//! recording's provider mount, before the provider's own handler and
//! without an auth check. Nothing here changes the emulated state.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use crate::recording::{Exchange, Recording};

/// What the emulator serves instead of its handlers.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// (mount, method, target) → the recorded answer.
    answers: BTreeMap<(String, String, String), Exchange>,
    /// Full paths (mount included) that answer 404.
    not_found: Vec<String>,
}

impl Overrides {
    /// Serves `recordings` and answers 404 on `not_found`. Recordings of
    /// requests that got no answer, or of absolute targets (token
    /// endpoints elsewhere), are left out.
    pub fn new(recordings: Vec<Recording>, not_found: Vec<String>) -> Overrides {
        let answers = recordings
            .into_iter()
            .filter(|r| r.exchange.status.is_some() && r.exchange.target.starts_with('/'))
            .map(|r| {
                let key = (
                    r.kind.mount().to_owned(),
                    r.exchange.method.clone(),
                    r.exchange.target.clone(),
                );
                (key, r.exchange)
            })
            .collect();
        Overrides { answers, not_found }
    }

    /// Whether `path` (mount included) is one that answers 404.
    pub fn missing(&self, path: &str) -> bool {
        self.not_found
            .iter()
            .any(|p| p.trim_end_matches('/') == path)
    }

    /// The recorded answer to `method` `target` under `mount`, if any.
    pub fn answer(&self, mount: &str, method: &str, target: &str) -> Option<Response> {
        let exchange =
            self.answers
                .get(&(mount.to_owned(), method.to_owned(), target.to_owned()))?;
        let mut resp = Response::new(Body::from(exchange.body.clone()));
        *resp.status_mut() = exchange
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        for (name, value) in &exchange.headers {
            // Framing headers belong to this answer, not the recorded one.
            if ["content-length", "transfer-encoding", "connection", "date"]
                .contains(&name.as_str())
            {
                continue;
            }
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                resp.headers_mut().insert(name, value);
            }
        }
        Some(resp)
    }
}
