//! Infobip IoT SIM management client (docs/providers.md, "Infobip IoT").
//!
//! Identity is the ICCID, which is also Infobip's key. Reads use `/iot/2`,
//! writes `/iot/1`. Live states the API cannot set (`Deactivated`,
//! `Imported`) are reported as locked and never written.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use base64::Engine as _;

use super::http::{Auth, HttpClient};
use super::listing::{self, At, Page};
use super::{Client, ProviderError, SimOutcome, UsageRecord};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::model::{Iccid, LiveSim, SimWork};

pub use read::to_live;

pub struct Infobip {
    http: HttpClient,
    /// Pages requested ahead of the one being read.
    ahead: usize,
}

fn record(u: wire::WireUsage) -> UsageRecord {
    UsageRecord {
        iccid: Iccid::from_live(u.iccid),
        data_bytes: u.used_data_bytes,
        sms_sent: u.sent_sms_count,
        sms_received: u.received_sms_count,
        calls_sent: u.sent_calls_count,
        calls_received: u.received_calls_count,
    }
}

impl Client for Infobip {
    const KIND: ProviderKind = ProviderKind::Infobip;
    type Wire = wire::WireSim;
    const PAGE: usize = wire::PAGE_LIMIT;

    /// `Basic base64(username:password)` when both are given, else `App <api_key>`.
    fn auth(c: &Connection) -> Auth {
        let header = match (c.credentials.get("username"), c.credentials.get("password")) {
            (Some(user), Some(password)) => {
                let pair = format!("{}:{}", user.expose(), password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                format!("Basic {encoded}")
            }
            _ => format!("App {}", c.credential("api_key").expose()),
        };
        Auth::Header(crate::secret::Secret::new(header))
    }

    fn new(connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Infobip {
            http,
            ahead: connection.limits.concurrency.clamp(1, 8) as usize,
        })
    }

    fn http(&self) -> &HttpClient {
        &self.http
    }

    fn error_text(body: &str) -> Option<String> {
        wire::error_text(body)
    }

    async fn page(&self, at: At) -> Result<Page<wire::WireSim>, ProviderError> {
        self.numbered("/iot/2/sims", "sims", at).await
    }

    async fn get(&self, iccid: &Iccid) -> Result<Option<wire::WireSim>, ProviderError> {
        Ok(self.http.get_found(format!("/iot/2/sims/{iccid}")).await?)
    }

    fn to_live(&self, wire: &wire::WireSim) -> LiveSim {
        to_live(wire)
    }

    async fn write_one(&self, work: &SimWork) -> SimOutcome {
        self.apply_sim(work).await
    }

    async fn usage(&self, iccids: &[Iccid]) -> Result<Vec<UsageRecord>, ProviderError> {
        let raw: Vec<wire::WireUsage> = if iccids.is_empty() {
            listing::all(
                |at| self.numbered("/iot/2/sims/usage/monthly", "usage", at),
                |u: &wire::WireUsage| u.iccid.clone(),
                self.http.tally(),
                self.ahead,
            )
            .await?
        } else {
            let mut out = Vec::new();
            for iccid in iccids {
                out.push(self.sim_usage(iccid).await?);
            }
            out
        };
        Ok(raw.into_iter().map(record).collect())
    }

    async fn send_sms(&self, iccid: &Iccid, text: &str) -> Result<(), ProviderError> {
        self.sms(iccid, text).await
    }

    async fn diagnose(&self, iccid: &Iccid) -> Result<String, ProviderError> {
        self.diagnostic(iccid).await
    }
}
