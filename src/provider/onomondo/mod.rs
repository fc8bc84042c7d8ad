//! Onomondo REST API client (docs/providers.md, "Onomondo").
//!
//! Identity is the ICCID; Onomondo's 9-digit SIM id is looked up from the list
//! and carried in `LiveSim::id`. Auth is the bare API key in `Authorization`.

mod read;
pub mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::sync::Mutex;

use reqwest::Method;

use super::http::{Auth, HttpClient, Request};
use super::{Client, ProviderError, SimOutcome, UsageRecord};
use crate::config::Connection;
use crate::model::{Field, Iccid, Interner, LiveSim, SimWork, Vocabulary};

pub use read::to_live;
pub use write::update_body;

pub struct Onomondo {
    http: HttpClient,
    /// The account's tags, read once per run.
    tags: Mutex<Option<Vec<wire::WireTag>>>,
    /// One copy of each tag name across the live SIMs of a run.
    names: Mutex<Interner>,
}

impl Client for Onomondo {
    type Wire = wire::WireSim;
    const BATCH: usize = wire::BULK_LIMIT;
    const PAGE: usize = wire::PAGE_LIMIT;

    fn auth(connection: &Connection) -> Auth {
        Auth::Header(connection.credential("token"))
    }

    fn new(_connection: &Connection, http: HttpClient) -> Result<Self, ProviderError> {
        Ok(Onomondo {
            http,
            tags: Mutex::new(None),
            names: Mutex::default(),
        })
    }

    fn error_text(body: &str) -> Option<String> {
        serde_json::from_str::<wire::ErrorBody>(body)
            .ok()
            .map(|e| e.error)
    }

    /// All SIMs, following `next_page` cursors.
    async fn list(&self) -> Result<Vec<wire::WireSim>, ProviderError> {
        let mut sims = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            // Cursor pages: the total is unknown until the last one.
            self.http.tally().expect(1);
            let mut req = Request::new(Method::GET, "/sims")
                .query("limit", wire::PAGE_LIMIT)
                .listing();
            if let Some(c) = &cursor {
                req = req.query("next_page", c);
            }
            let page: wire::SimPage = self.http.send(req).await?.json()?;
            sims.extend(page.sims);
            if sims.len() > crate::provider::MAX_LISTED {
                return Err(crate::provider::endless("GET /sims"));
            }
            match page.pagination {
                Some(p) if p.has_more => match p.next_page {
                    // A cursor seen before would loop forever.
                    Some(next) if seen.insert(next.clone()) => cursor = Some(next),
                    _ => {
                        return Err(ProviderError::Protocol {
                            endpoint: "GET /sims".into(),
                            detail: "has_more is true but next_page is missing or repeats".into(),
                        });
                    }
                },
                _ => return Ok(sims),
            }
        }
    }

    /// One SIM by ICCID; `None` when Onomondo answers 404.
    async fn get(&self, iccid: &Iccid) -> Result<Option<wire::WireSim>, ProviderError> {
        Ok(self.http.get_found(format!("/sims/{iccid}")).await?)
    }

    fn to_live(&self, wire: &wire::WireSim) -> LiveSim {
        match self.names.lock() {
            Ok(mut names) => to_live(wire, &mut names),
            // A panic elsewhere left it poisoned: the names are still valid.
            Err(poisoned) => to_live(wire, &mut poisoned.into_inner()),
        }
    }

    async fn vocabulary(&self) -> Result<Vocabulary, ProviderError> {
        let mut known = Vocabulary::new();
        known.enumerate(Field::Tags);
        for tag in self.tags().await? {
            known.insert(Field::Tags, tag.name, tag.can_write);
        }
        Ok(known)
    }

    async fn write(&self, batch: &[SimWork]) -> Vec<SimOutcome> {
        self.apply_work(batch).await
    }

    /// Onomondo reports data usage on the SIM itself.
    async fn usage(&self, iccids: &[Iccid]) -> Result<Vec<UsageRecord>, ProviderError> {
        let sims = if iccids.is_empty() {
            self.list().await?
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
