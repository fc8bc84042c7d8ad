//! Twilio / KORE Super SIM client (docs/providers.md, "Twilio / KORE
//! Super SIM").
//!
//! Identity is the ICCID; the Sim's SID (`HS...`) is carried in
//! `LiveSim::id`, read, never declared, and is the identity of a Sim
//! whose `iccid` is `null` (listed, unmanaged). The credential set decides
//! the scheme: Twilio's `account_sid` + `auth_token` as Basic, or KORE's
//! `client_id` + `client_secret` traded at `token_url` for a bearer token.
//! Listings follow `meta.next_page_url` as given, only below the
//! configured `url`. Status and Fleet changes answer `scheduled` (or 200
//! with the Sim): unless the answer shows them done, they are followed on
//! the SIM until it leaves `scheduled`, never sent twice.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, PoisonError};

use base64::Engine;
use reqwest::Method;

use super::http::{Auth, HttpClient, Request};
use super::listing::{At, Page};
use super::{Client, ProviderError, SimOutcome, Wanted};
use crate::config::Connection;
use crate::kind::supersim::FLEET;
use crate::kind::{ProviderKind, Setting};
use crate::model::{Field, Iccid, LiveSim, SimWork, Vocabulary};
use crate::secret::Secret;

pub use read::{FleetBook, status, to_live};
pub use write::form;

pub struct Supersim {
    http: HttpClient,
    /// The configured `url`: next-page links are followed only below it.
    base: String,
    /// The Fleets this run has read.
    fleets: Mutex<FleetBook>,
    /// Whether this run read the Fleet list.
    fleets_read: AtomicBool,
    /// Held while reading the Fleet list, so it is read once.
    fleet_read: tokio::sync::Mutex<()>,
}

impl Supersim {
    /// The Fleets this run has read; a panic elsewhere that poisoned the
    /// lock left valid entries.
    fn book(&self) -> MutexGuard<'_, FleetBook> {
        self.fleets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Client for Supersim {
    const KIND: ProviderKind = ProviderKind::Supersim;
    type Wire = wire::WireSim;
    const PAGE: usize = wire::PAGE_SIZE;

    /// A scheduled change waits for the SIM between polls, holding no
    /// request slot.
    const WAITING_WRITES: usize = 8;

    fn auth(c: &Connection) -> Auth {
        if c.credentials.contains_key("client_id") {
            let (id, secret) = (c.credential("client_id"), c.credential("client_secret"));
            return Auth::Tokens(
                Request::new(Method::POST, c.setting(Setting::TokenUrl))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", id.expose()),
                        ("client_secret", secret.expose()),
                    ])
                    // A second token request only yields a second token.
                    .repeatable(),
            );
        }
        let pair = format!(
            "{}:{}",
            c.credential("account_sid").expose(),
            c.credential("auth_token").expose()
        );
        let basic = base64::engine::general_purpose::STANDARD.encode(pair);
        Auth::Header(Secret::new(format!("Basic {basic}")))
    }

    fn new(connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Supersim {
            http,
            base: connection.url.trim_end_matches('/').to_owned(),
            fleets: Mutex::default(),
            fleets_read: AtomicBool::new(false),
            fleet_read: tokio::sync::Mutex::default(),
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

    /// Each Fleet this run read goes by its SID as well as its unique
    /// name: a manifest naming it by SID plans no change against a SIM
    /// shown by the name.
    async fn vocabulary(&self, _: &Wanted) -> Result<Vocabulary, ProviderError> {
        let mut vocabulary = Vocabulary::new();
        for (sid, name) in &self.book().names {
            if let Some(name) = name.as_deref().filter(|n| !n.is_empty()) {
                vocabulary.spelling(Field::Own(&FLEET), sid.clone(), name);
            }
        }
        Ok(vocabulary)
    }

    fn to_live(&self, wire: &wire::WireSim) -> LiveSim {
        to_live(wire, |sid| self.fleet_name(sid))
    }

    async fn write_one(&self, work: &SimWork) -> SimOutcome {
        self.apply_sim(work).await
    }
}
