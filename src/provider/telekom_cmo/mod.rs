//! Deutsche Telekom T IoT Hub CMO v5 client (docs/providers.md,
//! "Deutsche Telekom T IoT Hub CMO").
//!
//! Identity is the ICCID; the product id (`BACKEND-<iccid>`) is carried in
//! `LiveSim::id`. Tokens come from the form-encoded client-credentials
//! endpoint and are renewed before expiry and once on a 401. Status changes
//! on async backends are followed on their monitor (or on the SIM, when a
//! 202 gives no monitor link we can read); BLOCKED and DEACTIVATED SIMs are
//! reported, never written.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use reqwest::Method;

use super::http::{Auth, HttpClient, Request};
use super::listing::{At, Page};
use super::{Client, ProviderError, SimOutcome};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::kind::Setting;
use crate::model::{Fields, Iccid, LiveSim, SimWork};

pub use read::{iccid_of, to_live};

pub struct TelekomCmo {
    http: HttpClient,
    tenant: String,
}

impl TelekomCmo {
    /// A tenant-relative API path.
    fn path(&self, rest: &str) -> String {
        format!("/{}{rest}", self.tenant)
    }
}

impl Client for TelekomCmo {
    const KIND: ProviderKind = ProviderKind::TelekomCmo;
    type Wire = wire::WireProduct;
    const PAGE: usize = wire::PAGE_SIZE;

    /// An asynchronous status change waits for its monitor between polls,
    /// holding no request slot.
    const WAITING_WRITES: usize = 8;

    fn auth(c: &Connection) -> Auth {
        let (id, secret) = (c.credential("client_id"), c.credential("client_secret"));
        Auth::Tokens(
            Request::new(Method::POST, c.setting(Setting::TokenUrl))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", id.expose()),
                    ("client_secret", secret.expose()),
                    ("scope", "openid"),
                ])
                // A second token request only yields a second token.
                .repeatable(),
        )
    }

    fn new(connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(TelekomCmo {
            http,
            tenant: connection.setting(Setting::Tenant).to_owned(),
        })
    }

    fn http(&self) -> &HttpClient {
        &self.http
    }

    fn error_text(body: &str) -> Option<String> {
        wire::error_text(body)
    }

    async fn page(&self, at: At) -> Result<Page<wire::WireProduct>, ProviderError> {
        self.product_page(at).await
    }

    fn is_sim(wire: &wire::WireProduct) -> bool {
        read::is_sim(wire)
    }

    async fn get(&self, iccid: &Iccid) -> Result<Option<wire::WireProduct>, ProviderError> {
        let found = self.find_products(std::slice::from_ref(iccid)).await?;
        Ok(found.into_iter().next())
    }

    /// `product/find` takes up to 100 ICCIDs a call: always the cheapest read.
    async fn find(
        &self,
        iccids: &[Iccid],
    ) -> Result<Option<Vec<wire::WireProduct>>, ProviderError> {
        self.find_products(iccids).await.map(Some)
    }

    fn to_live(&self, wire: &wire::WireProduct) -> LiveSim {
        to_live(wire)
    }

    async fn details(&self, sim: &LiveSim) -> Result<Fields, ProviderError> {
        let list = self.properties(&sim.id).await?;
        Ok(Self::attribute_field(
            list.into_iter().map(|p| (p.name, p.value)),
        ))
    }

    async fn write_one(&self, work: &SimWork) -> SimOutcome {
        self.apply_sim(work).await
    }
}
