//! Onomondo REST API client (provider-docs/onomondo.txt).
//!
//! Identity is the ICCID; Onomondo's 9-digit SIM id is looked up from the list
//! and carried in `LiveSim::id`. Auth is the bare API key in `Authorization`.

mod read;
pub mod wire;
mod write;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::header::AUTHORIZATION;

use super::http::{HttpClient, HttpSettings};
use super::pick::read_chosen;
use super::{BoxFuture, Inventory, Provider, ProviderError, ReadScope, SimOutcome, UsageRecord};
use crate::manifest::ProviderConfig;
use crate::model::{Iccid, LiveSim, Phase, SimWork};
use crate::secret::Secret;

pub use read::to_live;
pub use write::{tag_delta, update_body};

pub struct Onomondo {
    http: HttpClient,
    /// Tag name → id, read once per run.
    tags: Mutex<Option<BTreeMap<String, String>>>,
}

impl Onomondo {
    pub fn new(
        config: &ProviderConfig,
        base_url: &str,
        token: Secret,
    ) -> Result<Self, ProviderError> {
        let settings = HttpSettings {
            base_url: base_url.to_owned(),
            rate_limit: config.rate_limit,
            concurrency: config.concurrency,
            timeout: Duration::from_secs(60),
        };
        let http = HttpClient::new(&settings, Some((AUTHORIZATION, token)))?;
        Ok(Onomondo {
            http,
            tags: Mutex::new(None),
        })
    }
}

impl Provider for Onomondo {
    fn read_inventory<'a>(
        &'a self,
        _scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Inventory, ProviderError>> {
        Box::pin(async move {
            let (sims, tags) = tokio::join!(self.list_sims(), self.tag_ids());
            let sims = sims?.iter().map(to_live).collect();
            Ok(Inventory {
                sims,
                vocabulary: Self::vocabulary(&tags?),
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
                || self.list_sims(),
                |i| self.get_sim(i),
                |s: &wire::WireSim| s.iccid.as_str(),
            )
            .await?;
            Ok(sims.iter().map(to_live).collect())
        })
    }

    fn apply<'a>(&'a self, _phase: Phase, work: &'a [SimWork]) -> BoxFuture<'a, Vec<SimOutcome>> {
        Box::pin(self.apply_work(work))
    }

    /// Onomondo reports data usage on the SIM itself.
    fn usage<'a>(
        &'a self,
        iccids: &'a [Iccid],
    ) -> BoxFuture<'a, Result<Vec<UsageRecord>, ProviderError>> {
        Box::pin(async move {
            let sims = if iccids.is_empty() {
                self.list_sims().await?
            } else {
                let mut out = Vec::new();
                for (iccid, sim) in iccids
                    .iter()
                    .zip(join_all(iccids.iter().map(|i| self.get_sim(i))).await)
                {
                    match sim? {
                        Some(s) => out.push(s),
                        None => {
                            return Err(ProviderError::NotFound {
                                iccid: iccid.clone(),
                            });
                        }
                    }
                }
                out
            };
            Ok(sims
                .into_iter()
                .map(|s| UsageRecord {
                    iccid: Iccid::from_live(s.iccid),
                    data_bytes: s.usage,
                    sms_sent: None,
                    sms_received: None,
                    calls_sent: None,
                    calls_received: None,
                })
                .collect())
        })
    }
}
