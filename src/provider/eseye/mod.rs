//! Eseye Infinity SIM API v2 client (provider-docs/eseye-sim-api.txt).
//!
//! Auth is OAuth2 client credentials at `<url>/oauth/token`, cached and
//! renewed by [`TokenCache`]. Attributes cost a request per SIM and are read
//! only for SIMs whose manifests manage them. SIMs under admin or system
//! suspension are reported as locked and never written to.

mod read;
pub mod wire;
mod write;

use std::time::Duration;

use base64::Engine as _;
use futures_util::future::join_all;
use reqwest::Method;

use super::http::{HttpClient, HttpError, HttpSettings, Request, Response};
use super::pick::read_chosen;
use super::token::TokenCache;
use super::{BoxFuture, Inventory, Provider, ProviderError, ReadScope, SimOutcome};
use crate::manifest::ProviderConfig;
use crate::model::{Iccid, LiveSim, Phase, SimWork};
use crate::secret::Secret;

pub use read::to_live;

pub struct Eseye {
    http: HttpClient,
}

fn describe(err: &HttpError) -> String {
    err.describe(wire::error_text)
}

impl Eseye {
    pub fn new(
        config: &ProviderConfig,
        base_url: &str,
        client_id: &Secret,
        client_secret: &Secret,
    ) -> Result<Self, ProviderError> {
        let settings = HttpSettings {
            base_url: base_url.to_owned(),
            rate_limit: config.rate_limit,
            concurrency: config.concurrency,
            timeout: Duration::from_secs(60),
        };
        let pair = format!("{}:{}", client_id.expose(), client_secret.expose());
        let basic = base64::engine::general_purpose::STANDARD.encode(pair);
        let token_request = Request::new(Method::POST, "/oauth/token")
            .authorization(Secret::new(format!("Basic {basic}")))
            .form(&[("grant_type", "client_credentials")]);
        let tokens = TokenCache::new(base_url, settings.timeout, token_request)?;
        Ok(Eseye {
            http: HttpClient::with_tokens(&settings, tokens)?,
        })
    }

    async fn send(&self, req: Request) -> Result<Response, HttpError> {
        self.http.send(req).await
    }
}

impl Provider for Eseye {
    fn read_inventory<'a>(
        &'a self,
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Inventory, ProviderError>> {
        Box::pin(async move {
            let sims = self.list_sims().await?;
            Ok(Inventory {
                sims: self.with_details(&sims, scope).await?,
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
            let sims = read_chosen(
                iccids,
                || self.list_sims(),
                |i| self.get_sim(i),
                |s: &wire::WireSim| s.iccid.as_str(),
            )
            .await?;
            self.with_details(&sims, scope).await
        })
    }

    fn apply<'a>(&'a self, _phase: Phase, work: &'a [SimWork]) -> BoxFuture<'a, Vec<SimOutcome>> {
        Box::pin(async move { join_all(work.iter().map(|w| self.apply_sim(w))).await })
    }
}
