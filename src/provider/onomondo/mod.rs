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
use super::{BoxFuture, Inventory, Provider, ProviderError, ReadScope, SimOutcome, UsageRecord};
use crate::manifest::ProviderConfig;
use crate::model::{Iccid, LiveSim, Phase, SimWork};
use crate::secret::Secret;

pub use read::to_live;
pub use write::{tag_delta, update_body};

/// Above this many SIMs a read-back lists everything instead of one GET each.
const SINGLE_READ_MAX: usize = 50;

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
            if iccids.len() > SINGLE_READ_MAX {
                let all = self.list_sims().await?;
                let wanted: std::collections::BTreeSet<&str> =
                    iccids.iter().map(Iccid::as_str).collect();
                return Ok(all
                    .iter()
                    .filter(|s| wanted.contains(s.iccid.as_str()))
                    .map(to_live)
                    .collect());
            }
            let found = join_all(iccids.iter().map(|i| self.get_sim(i))).await;
            let mut out = Vec::new();
            for sim in found {
                out.extend(sim?.as_ref().map(to_live));
            }
            Ok(out)
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
