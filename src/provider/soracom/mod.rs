//! Soracom API client (docs/providers.md, "Soracom").
//!
//! Auth is a session: `POST /auth` trades the AuthKey for an API key and a
//! token, sent as `X-Soracom-API-Key` and `X-Soracom-Token` on every call
//! and renewed by the HTTP layer. A SIM is addressed by its `simId`, which
//! is looked up, never declared; its ICCIDs are its profiles' keys, the
//! first its own and the others aliases a manifest may name it by (a SIM
//! without profiles goes by its `simId`, and shows as unmanaged). Group
//! names are the groups' `name` tags, read when a SIM or a manifest needs
//! them. This client never terminates a SIM: no call here can.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use reqwest::Method;

use super::http::{Auth, Granted, HttpClient, HttpError, Request, Response, Session};
use super::listing::{At, Page};
use super::{Client, ProviderError, SimOutcome};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::model::{Iccid, LiveSim, SimWork};
use crate::secret::Secret;

pub use read::{status, to_live};
pub use write::{status_action, tag_writes};

/// How long a session lasts when `/auth` is not told otherwise (the
/// text's default `tokenTimeoutSeconds`): the answer does not say.
const SESSION_SECONDS: u64 = 86_400;

pub struct Soracom {
    http: HttpClient,
    /// ICCID to `simId` of every SIM this run has read.
    ids: Mutex<HashMap<Iccid, String>>,
    /// Whether this run listed the whole account to find a `simId`.
    listed: AtomicBool,
    /// Held while listing the account for a `simId`, so it happens once.
    id_lookup: tokio::sync::Mutex<()>,
    /// The groups this run has read.
    groups: Mutex<read::GroupBook>,
    /// Held while reading the group list, so it is read once.
    group_read: tokio::sync::Mutex<()>,
}

/// The API key and token of an `/auth` answer as the two headers every
/// call carries; an answer without either is a shape error.
fn session(resp: &Response) -> Result<Granted, HttpError> {
    let answer: serde_json::Value = resp.decode()?;
    let text = |key: &str| {
        let value = answer.get(key).and_then(serde_json::Value::as_str);
        value
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| resp.missing(key, "the session it was asked for"))
    };
    Ok(Granted {
        headers: vec![
            ("x-soracom-api-key", text("apiKey")?),
            ("x-soracom-token", text("token")?),
        ],
        lifetime: Some(SESSION_SECONDS),
    })
}

impl Client for Soracom {
    const KIND: ProviderKind = ProviderKind::Soracom;
    type Wire = wire::WireSim;
    const PAGE: usize = wire::PAGE_SIZE;

    fn auth(c: &Connection) -> Auth {
        let (id, key) = (c.credential("auth_key_id"), c.credential("auth_key"));
        let body = wire::AuthRequest {
            auth_key_id: id.expose(),
            auth_key: key.expose(),
        };
        Auth::Session(Session {
            // A second login only yields a second session.
            fetch: Request::new(Method::POST, "/auth").json(&body).repeatable(),
            read: session,
        })
    }

    fn new(_connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Soracom {
            http,
            ids: Mutex::default(),
            listed: AtomicBool::new(false),
            id_lookup: tokio::sync::Mutex::default(),
            groups: Mutex::default(),
            group_read: tokio::sync::Mutex::default(),
        })
    }

    fn http(&self) -> &HttpClient {
        &self.http
    }

    fn error_text(body: &str) -> Option<String> {
        wire::error_text(body)
    }

    async fn page(&self, at: At) -> Result<Page<wire::WireSim>, ProviderError> {
        self.sim_page(at).await
    }

    async fn get(&self, iccid: &Iccid) -> Result<Option<wire::WireSim>, ProviderError> {
        self.sim(iccid).await
    }

    fn to_live(&self, wire: &wire::WireSim) -> LiveSim {
        self.remember(wire);
        to_live(wire, |id| self.group_name(id))
    }

    async fn write_one(&self, work: &SimWork) -> SimOutcome {
        self.apply_sim(work).await
    }
}
