//! Onomondo REST API client (docs/providers.md, "Onomondo").
//!
//! Identity is the ICCID; Onomondo's 9-digit SIM id is looked up from the list
//! and carried in `LiveSim::id`. Auth is the bare API key in `Authorization`.
//! The data limit is a detail (`Capabilities::detail_fields`): only the
//! single SIM's answer carries it, so it is read for the SIMs that manage it.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::sync::Mutex;

use super::http::{Auth, HttpClient};
use super::listing::{self, At, Page};
use super::{Client, ProviderError, SimOutcome, UsageRecord, Wanted};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::kind::onomondo::DATA_LIMIT;
use crate::model::{Field, Fields, Iccid, LiveSim, SimWork, Vocabulary};

pub use read::{TagBook, data_limit, to_live};
pub use write::update_body;

pub struct Onomondo {
    http: HttpClient,
    /// The tags this run has seen on SIMs and, once read, in the tag list.
    tags: Mutex<TagBook>,
    /// Held while deciding on and reading the tag list, so concurrent
    /// batches read it at most once.
    tag_read: tokio::sync::Mutex<()>,
}

impl Onomondo {
    /// The tag book; a panic elsewhere that poisoned it left valid tags.
    fn book(&self) -> std::sync::MutexGuard<'_, TagBook> {
        self.tags
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Completes the tag book from the account's tag list, once a run, if
    /// one of `names` is on no SIM seen so far.
    async fn learn_tags<'a>(
        &self,
        mut names: impl Iterator<Item = &'a str>,
    ) -> Result<(), ProviderError> {
        let _one_at_a_time = self.tag_read.lock().await;
        let missing = {
            let book = self.book();
            !book.listed && names.any(|n| !book.contains(n))
        };
        if missing {
            let list = self.tag_list().await?;
            self.book().complete(&list);
        }
        Ok(())
    }
}

impl Client for Onomondo {
    const KIND: ProviderKind = ProviderKind::Onomondo;
    type Wire = wire::WireSim;
    const BATCH: usize = wire::BULK_LIMIT;
    const PAGE: usize = wire::PAGE_LIMIT;
    const AUXILIARY: Option<&'static str> = Some("tags");

    fn auth(connection: &Connection) -> Auth {
        Auth::Header(connection.credential("token"))
    }

    fn new(_connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Onomondo {
            http,
            tags: Mutex::default(),
            tag_read: tokio::sync::Mutex::default(),
        })
    }

    fn http(&self) -> &HttpClient {
        &self.http
    }

    fn error_text(body: &str) -> Option<String> {
        serde_json::from_str::<wire::ErrorBody>(body)
            .ok()
            .map(|e| e.error)
    }

    async fn page(&self, at: At) -> Result<Page<wire::WireSim>, ProviderError> {
        self.sim_page(at).await
    }

    /// One SIM by ICCID, its data limit included; `None` when Onomondo
    /// answers 404.
    async fn get(&self, iccid: &Iccid) -> Result<Option<wire::WireSim>, ProviderError> {
        let found: Option<wire::WireSim> = self.http.get_found(format!("/sims/{iccid}")).await?;
        Ok(found.map(|sim| wire::WireSim {
            single: true,
            ..sim
        }))
    }

    fn to_live(&self, wire: &wire::WireSim) -> LiveSim {
        to_live(wire, &mut self.book())
    }

    /// The data limit, from `GET /sims/{id}`; none is sent when the SIM
    /// was itself read by that GET in this read (its limit is already in).
    async fn details(&self, sim: &LiveSim) -> Result<Fields, ProviderError> {
        if sim.fields.contains_key(&Field::Own(&DATA_LIMIT)) {
            // The adapter counted a request for it.
            self.http.tally().forget(1);
            return Ok(Fields::new());
        }
        let Some(one) = self.get(&sim.iccid).await? else {
            return Err(ProviderError::NotFound {
                iccid: sim.iccid.clone(),
            });
        };
        Ok(data_limit(one.data_limit.as_ref()))
    }

    /// The tags the SIMs show, completed from the tag list only when a
    /// declared tag is on none of them.
    async fn vocabulary(&self, wanted: &Wanted) -> Result<Vocabulary, ProviderError> {
        self.learn_tags(wanted.of(Field::Tags)).await?;
        let mut known = Vocabulary::new();
        known.enumerate(Field::Tags);
        for (name, can_write) in self.book().all() {
            known.insert(Field::Tags, name, can_write);
        }
        Ok(known)
    }

    async fn auxiliary(&self) -> Result<String, ProviderError> {
        let list = self.tag_list().await?;
        let n = list.len();
        self.book().complete(&list);
        Ok(format!("{n} tag{}", if n == 1 { "" } else { "s" }))
    }

    async fn write(&self, batch: &[SimWork]) -> Vec<SimOutcome> {
        self.apply_work(batch).await
    }

    /// Onomondo reports data usage on the SIM itself.
    async fn usage(&self, iccids: &[Iccid]) -> Result<Vec<UsageRecord>, ProviderError> {
        let sims = if iccids.is_empty() {
            listing::all(
                |at| self.sim_page(at),
                |s: &wire::WireSim| s.iccid.clone(),
                self.http.tally(),
                1,
            )
            .await?
        } else {
            let mut out = Vec::new();
            for iccid in iccids {
                let sim = self.get(iccid).await?;
                out.push(sim.ok_or_else(|| ProviderError::NotFound {
                    iccid: iccid.clone(),
                })?);
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
    }
}
