//! Reading Onomondo state: cursor pagination, tags, and conversion to the model.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};

use super::Onomondo;
use super::wire::{PAGE_LIMIT, SimPage, WireSim, WireTag};
use crate::model::{DataLimit, Field, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;

/// Converts a wire SIM into the normalised model.
pub fn to_live(sim: &WireSim) -> LiveSim {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let status = if sim.activated {
        Status::Active
    } else {
        Status::Inactive
    };
    let limit = match &sim.data_limit {
        Some(d) => match (d.total, &d.kind) {
            (Some(total), Some(kind)) => Value::DataLimit(DataLimit {
                total,
                kind: kind.clone(),
                alert_threshold: d.alert_threshold,
            }),
            _ => Value::Null,
        },
        None => Value::Null,
    };
    let fields = BTreeMap::from([
        (Field::Name, text(&sim.label)),
        (Field::Status, Value::Status(status)),
        (
            Field::Tags,
            Value::Set(sim.tags.iter().map(|t| t.name.clone()).collect()),
        ),
        (Field::NetworkWhitelist, text(&sim.network_whitelist)),
        (Field::ImeiLock, text(&sim.imei_lock)),
        (Field::Connector, text(&sim.connector)),
        (Field::DataLimit, limit),
    ]);
    LiveSim {
        iccid: Iccid::from_live(&sim.iccid),
        id: sim.id.clone(),
        fields,
        condition: None,
    }
}

impl Onomondo {
    /// All SIMs, following `next_page` cursors.
    pub(super) async fn list_sims(&self) -> Result<Vec<WireSim>, ProviderError> {
        let mut sims = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut req = Request::new(Method::GET, "/sims").query("limit", PAGE_LIMIT);
            if let Some(c) = &cursor {
                req = req.query("next_page", c);
            }
            let page: SimPage = self.http.send(req).await?.json()?;
            sims.extend(page.sims);
            match page.pagination {
                Some(p) if p.has_more => match p.next_page {
                    Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
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
    pub(super) async fn get_sim(&self, iccid: &Iccid) -> Result<Option<WireSim>, ProviderError> {
        let resp = self
            .http
            .send(Request::new(Method::GET, format!("/sims/{iccid}")))
            .await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(resp.json()?))
    }

    /// Tag name → id, fetched once per run.
    pub(super) async fn tag_ids(&self) -> Result<BTreeMap<String, String>, ProviderError> {
        if let Some(tags) = self.tags.lock().map_or(None, |t| t.clone()) {
            return Ok(tags);
        }
        let list: Vec<WireTag> = self
            .http
            .send(Request::new(Method::GET, "/tags"))
            .await?
            .json()?;
        let tags: BTreeMap<String, String> = list.into_iter().map(|t| (t.name, t.id)).collect();
        if let Ok(mut cache) = self.tags.lock() {
            *cache = Some(tags.clone());
        }
        Ok(tags)
    }
}
