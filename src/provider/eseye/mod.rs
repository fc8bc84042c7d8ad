//! Eseye Infinity SIM API v2 client (docs/providers.md, "Eseye Infinity").
//!
//! Auth is OAuth2 client credentials at Eseye's identity provider
//! (`token_url`, with `scope`), cached and renewed by the HTTP layer. Attributes cost a request per SIM and are read
//! only for SIMs whose manifests manage them. SIMs under admin or system
//! suspension are reported as locked and never written to.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use base64::Engine as _;
use reqwest::Method;

use super::http::{Auth, HttpClient, Request};
use super::listing::{At, Page};
use super::{Client, ProviderError, SimOutcome};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::kind::Setting;
use crate::model::{Fields, Iccid, LiveSim, SimWork};
use crate::secret::Secret;

pub use read::to_live;

pub struct Eseye {
    http: HttpClient,
    /// Attribute key → id per SIM, from the detail reads of this run: a
    /// write that changes or removes attributes needs the ids, and the plan
    /// it carries out was made from that same read.
    attribute_ids: Mutex<HashMap<String, BTreeMap<String, String>>>,
}

impl Client for Eseye {
    const KIND: ProviderKind = ProviderKind::Eseye;
    type Wire = wire::WireSim;
    const PAGE: usize = wire::PAGE_SIZE;

    fn auth(c: &Connection) -> Auth {
        let pair = format!(
            "{}:{}",
            c.credential("client_id").expose(),
            c.credential("client_secret").expose()
        );
        let basic = base64::engine::general_purpose::STANDARD.encode(pair);
        Auth::Tokens(
            // A second token request only yields a second token.
            Request::new(Method::POST, c.setting(Setting::TokenUrl))
                .authorization(Secret::new(format!("Basic {basic}")))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", c.setting(Setting::Scope)),
                ])
                .repeatable(),
        )
    }

    fn new(_connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Eseye {
            http,
            attribute_ids: Mutex::default(),
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
        to_live(wire)
    }

    async fn details(&self, sim: &LiveSim) -> Result<Fields, ProviderError> {
        let list = self.attributes(sim.iccid.as_str()).await?;
        let ids = list.iter().map(|a| (a.key.clone(), a.id())).collect();
        if let Ok(mut cache) = self.attribute_ids.lock() {
            cache.insert(sim.iccid.as_str().to_owned(), ids);
        }
        Ok(Self::attribute_field(
            list.into_iter().map(|a| (a.key, a.value)),
        ))
    }

    async fn write_one(&self, work: &SimWork) -> SimOutcome {
        self.apply_sim(work).await
    }
}
