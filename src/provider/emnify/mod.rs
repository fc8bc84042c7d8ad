//! emnify API client (docs/providers.md, "emnify").
//!
//! A SIM is the SIM of an endpoint: identity is the endpoint's
//! `sim.iccid_with_luhn` (its 19-digit `sim.iccid` an alias), and an
//! endpoint without a SIM is no SIM. Auth is a session: `POST
//! /api/v1/authenticate` trades the application token for a JWT, sent as
//! `Authorization: Bearer` and renewed by the HTTP layer before its `exp`
//! and on a 401. Endpoints are addressed by their id, looked up, never
//! declared. This client never deletes a SIM or an endpoint.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::Method;

use super::http::{Auth, Granted, HttpClient, HttpError, Request, Response, Session};
use super::listing::{At, Page};
use super::{Client, ProviderError, SimOutcome};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::model::{Iccid, LiveSim, SimWork};
use crate::secret::Secret;

pub use read::{Known, status, to_live};
pub use write::plan;

pub struct Emnify {
    http: HttpClient,
    /// What this run read of each SIM, by each of its ICCIDs.
    known: Mutex<HashMap<Iccid, Known>>,
    /// Whether this run listed the whole account to find an endpoint.
    listed: AtomicBool,
    /// Held while listing the account for an endpoint, so it happens once.
    id_lookup: tokio::sync::Mutex<()>,
    /// Held while a bulk call is in flight: the text asks for one at a time.
    bulk_call: tokio::sync::Mutex<()>,
}

/// Seconds until a JWT's `exp` claim; `None` when the token does not say
/// (the HTTP layer then assumes a short life and renews early).
pub fn lifetime(jwt: &str, now: u64) -> Option<u64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    Some(exp.saturating_sub(now))
}

/// The JWT of an `/authenticate` answer as the `Authorization` header;
/// an answer without one is a shape error.
fn session(resp: &Response) -> Result<Granted, HttpError> {
    let answer: serde_json::Value = resp.decode()?;
    let token = answer.get("auth_token").and_then(serde_json::Value::as_str);
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| resp.missing("auth_token", "the JWT it was asked for"))?;
    // A clock before 1970 only makes the token look longer-lived than it
    // is; the 401 renewal still holds.
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    let now = now.map_or(0, |d| d.as_secs());
    Ok(Granted {
        headers: vec![("authorization", Secret::new(format!("Bearer {token}")))],
        lifetime: lifetime(token, now),
    })
}

impl Client for Emnify {
    const KIND: ProviderKind = ProviderKind::Emnify;
    type Wire = wire::WireEndpoint;
    const BATCH: usize = wire::BULK_LIMIT;
    const PAGE: usize = wire::PAGE_SIZE;
    // A SIM's status calls are its own; `apply_batch` knows which went out.
    const SENT_PER_SIM: bool = true;

    fn auth(c: &Connection) -> Auth {
        let token = c.credential("application_token");
        let body = wire::AuthRequest {
            application_token: token.expose(),
        };
        Auth::Session(Session {
            // A second login only yields a second JWT.
            fetch: Request::new(Method::POST, "/api/v1/authenticate")
                .json(&body)
                .repeatable(),
            read: session,
        })
    }

    fn new(_connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Emnify {
            http,
            known: Mutex::default(),
            listed: AtomicBool::new(false),
            id_lookup: tokio::sync::Mutex::default(),
            bulk_call: tokio::sync::Mutex::default(),
        })
    }

    fn http(&self) -> &HttpClient {
        &self.http
    }

    fn error_text(body: &str) -> Option<String> {
        wire::error_text(body)
    }

    async fn page(&self, at: At) -> Result<Page<wire::WireEndpoint>, ProviderError> {
        self.endpoint_page(at).await
    }

    fn is_sim(endpoint: &wire::WireEndpoint) -> bool {
        endpoint.sim.is_some()
    }

    async fn get(&self, iccid: &Iccid) -> Result<Option<wire::WireEndpoint>, ProviderError> {
        self.endpoint(iccid).await
    }

    fn to_live(&self, endpoint: &wire::WireEndpoint) -> LiveSim {
        self.remember(endpoint);
        to_live(endpoint)
    }

    async fn write(&self, batch: &[SimWork]) -> Vec<SimOutcome> {
        self.apply_batch(batch).await
    }
}
