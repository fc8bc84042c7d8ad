//! Infobip IoT SIM management client (provider-docs/infobip-iot.txt).
//!
//! Identity is the ICCID, which is also Infobip's key. Reads use `/iot/2`,
//! writes `/iot/1` (DESIGN.md 7). Live states the API cannot set
//! (`Deactivated`, `Imported`) are reported as locked and never written.

mod read;
pub mod wire;
mod write;

use std::time::Duration;

use base64::Engine as _;
use futures_util::future::join_all;
use reqwest::header::AUTHORIZATION;

use super::http::{HttpClient, HttpError, HttpSettings};
use super::pick::read_chosen;
use super::{BoxFuture, Inventory, Provider, ProviderError, ReadScope, SimOutcome, UsageRecord};
use crate::manifest::ProviderConfig;
use crate::model::{Iccid, LiveSim, Phase, SimWork};
use crate::secret::Secret;

pub use read::to_live;

/// The two documented ways to authenticate.
pub enum Auth {
    Basic { username: Secret, password: Secret },
    ApiKey(Secret),
}

impl Auth {
    fn header(&self) -> Secret {
        match self {
            Auth::Basic { username, password } => {
                let pair = format!("{}:{}", username.expose(), password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                Secret::new(format!("Basic {encoded}"))
            }
            Auth::ApiKey(key) => Secret::new(format!("App {}", key.expose())),
        }
    }
}

pub struct Infobip {
    http: HttpClient,
    /// Pages requested ahead of the one being read.
    ahead: usize,
}

impl Infobip {
    pub fn new(
        config: &ProviderConfig,
        base_url: &str,
        auth: &Auth,
    ) -> Result<Self, ProviderError> {
        let settings = HttpSettings {
            base_url: base_url.to_owned(),
            rate_limit: config.rate_limit,
            concurrency: config.concurrency,
            timeout: Duration::from_secs(60),
        };
        let http = HttpClient::new(&settings, Some((AUTHORIZATION, auth.header())))?;
        Ok(Infobip {
            http,
            ahead: config.concurrency.clamp(1, 8) as usize,
        })
    }
}

/// The provider's error text for a failed call, for per-SIM reports.
fn describe(err: &HttpError) -> String {
    err.describe(wire::error_text)
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

impl Provider for Infobip {
    fn read_inventory<'a>(
        &'a self,
        _scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Inventory, ProviderError>> {
        Box::pin(async move {
            let sims: Vec<wire::WireSim> = self.paged("/iot/2/sims", "sims").await?;
            Ok(Inventory {
                sims: sims.iter().map(to_live).collect(),
                vocabulary: Default::default(),
            })
        })
    }

    fn read_sims<'a>(
        &'a self,
        iccids: &'a [Iccid],
        _scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Vec<LiveSim>, ProviderError>> {
        Box::pin(async move {
            let sims = read_chosen(
                iccids,
                || self.paged("/iot/2/sims", "sims"),
                |i| self.get_sim(i),
                |s: &wire::WireSim| s.iccid.as_str(),
            )
            .await?;
            Ok(sims.iter().map(to_live).collect())
        })
    }

    fn apply<'a>(&'a self, _phase: Phase, work: &'a [SimWork]) -> BoxFuture<'a, Vec<SimOutcome>> {
        Box::pin(async move { join_all(work.iter().map(|w| self.apply_sim(w))).await })
    }

    fn usage<'a>(
        &'a self,
        iccids: &'a [Iccid],
    ) -> BoxFuture<'a, Result<Vec<UsageRecord>, ProviderError>> {
        Box::pin(async move {
            let raw: Vec<wire::WireUsage> = if iccids.is_empty() {
                self.paged("/iot/2/sims/usage/monthly", "usage").await?
            } else {
                let found = join_all(iccids.iter().map(|i| self.sim_usage(i))).await;
                found.into_iter().collect::<Result<_, _>>()?
            };
            Ok(raw.into_iter().map(record).collect())
        })
    }

    fn send_sms<'a>(
        &'a self,
        iccid: &'a Iccid,
        text: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.sms(iccid, text))
    }

    fn diagnose<'a>(&'a self, iccid: &'a Iccid) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(self.diagnostic(iccid))
    }
}
