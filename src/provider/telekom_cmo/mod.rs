//! Deutsche Telekom T IoT Hub CMO v5 client (provider-docs/telekom-cmo.txt).
//!
//! Identity is the ICCID; the product id (`BACKEND-<iccid>`) is carried in
//! `LiveSim::id`. Tokens come from the form-encoded client-credentials
//! endpoint and are renewed before expiry and once on a 401. Status changes
//! on async backends are followed on their monitor; BLOCKED and DEACTIVATED
//! SIMs are reported, never written.

mod read;
pub mod wire;
mod write;

use std::time::Duration;

use futures_util::future::join_all;
use reqwest::Method;

use super::http::{HttpClient, HttpError, HttpSettings, Request};
use super::token::TokenCache;
use super::{BoxFuture, Inventory, Provider, ProviderError, ReadScope, SimOutcome};
use crate::manifest::ProviderConfig;
use crate::model::{Iccid, LiveSim, Phase, SimWork};
use crate::secret::Secret;

pub use read::{iccid_of, to_live};

/// How long one monitor is followed before the SIM is reported as failed.
const MONITOR_TIMEOUT: Duration = Duration::from_secs(600);

pub struct TelekomCmo {
    http: HttpClient,
    tenant: String,
    monitor_timeout: Duration,
}

fn describe(err: &HttpError) -> String {
    err.describe(wire::error_text)
}

impl TelekomCmo {
    pub fn new(
        config: &ProviderConfig,
        base_url: &str,
        tenant: &str,
        token_url: &str,
        client_id: &Secret,
        client_secret: &Secret,
    ) -> Result<Self, ProviderError> {
        let settings = HttpSettings {
            base_url: base_url.to_owned(),
            rate_limit: config.rate_limit,
            concurrency: config.concurrency,
            timeout: Duration::from_secs(60),
        };
        let fetch = Request::new(Method::POST, token_url).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id.expose()),
            ("client_secret", client_secret.expose()),
            ("scope", "openid"),
        ]);
        let tokens = TokenCache::new(base_url, settings.timeout, fetch)?;
        Ok(TelekomCmo {
            http: HttpClient::with_tokens(&settings, tokens)?,
            tenant: tenant.to_owned(),
            monitor_timeout: MONITOR_TIMEOUT,
        })
    }

    /// A tenant-relative API path.
    fn path(&self, rest: &str) -> String {
        format!("/{}{rest}", self.tenant)
    }
}

impl Provider for TelekomCmo {
    fn read_inventory<'a>(
        &'a self,
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Inventory, ProviderError>> {
        Box::pin(async move {
            let products = self.list().await?;
            Ok(Inventory {
                sims: self.with_details(&products, scope).await?,
                vocabulary: Default::default(),
            })
        })
    }

    fn read_sims<'a>(
        &'a self,
        iccids: &'a [Iccid],
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Vec<LiveSim>, ProviderError>> {
        Box::pin(async move {
            let products = self.find(iccids).await?;
            self.with_details(&products, scope).await
        })
    }

    fn apply<'a>(&'a self, _phase: Phase, work: &'a [SimWork]) -> BoxFuture<'a, Vec<SimOutcome>> {
        Box::pin(async move { join_all(work.iter().map(|w| self.apply_sim(w))).await })
    }
}
