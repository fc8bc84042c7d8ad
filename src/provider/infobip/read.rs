//! Reading Infobip state: numbered pages fetched concurrently ahead until a
//! short page arrives (the API gives no total), and conversion to the model.

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::Infobip;
use super::wire::{PAGE_LIMIT, WireSim, WireUsage};
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;

/// Maps an Infobip status (docs/providers.md). States the API cannot set or leave
/// come with a `Locked` condition: reported, never "fixed".
fn status(raw: Option<&str>) -> (Value, Option<Condition>) {
    let locked = |why: String| Some(Condition::Locked(why));
    match raw {
        Some("Active") => (Value::Status(Status::Active), None),
        Some("Suspended") => (Value::Status(Status::Suspended), None),
        Some("Activation Ready") => (Value::Status(Status::Inactive), None),
        Some("Imported") => (
            Value::Status(Status::Inactive),
            locked("Infobip status Imported: status changes start at Activation Ready".into()),
        ),
        Some("Deactivated") => (
            Value::Status(Status::Inactive),
            locked("Infobip status Deactivated: the API cannot change it".into()),
        ),
        other => (
            Value::Null,
            locked(format!("unknown Infobip status {:?}", other.unwrap_or(""))),
        ),
    }
}

pub fn to_live(sim: &WireSim) -> LiveSim {
    let (status, condition) = status(sim.status.as_deref());
    let name = match sim.name.as_deref() {
        None | Some("") => Value::Null,
        Some(n) => Value::Text(n.to_owned()),
    };
    LiveSim {
        iccid: Iccid::from_live(&sim.iccid),
        id: sim.iccid.clone(),
        fields: Fields::from([(Field::Status, status), (Field::Name, name)]),
        condition,
    }
}

/// Full pages read per page requested ahead (see `paged`).
const PAGES_PER_AHEAD: usize = 50;

impl Infobip {
    async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        page: usize,
    ) -> Result<(Vec<T>, Option<String>), ProviderError> {
        let req = Request::new(Method::GET, path)
            .query("page", page)
            .query("limit", PAGE_LIMIT)
            .listing();
        let mut body: serde_json::Value = self.http.send(req).await?.json()?;
        let items = body.get_mut(key).map(serde_json::Value::take);
        match items {
            Some(list) => {
                let first = list.get(0).map(serde_json::Value::to_string);
                let items = serde_json::from_value(list).map_err(|e| ProviderError::Protocol {
                    endpoint: format!("GET {path}"),
                    detail: e.to_string(),
                })?;
                Ok((items, first))
            }
            None => Err(ProviderError::Protocol {
                endpoint: format!("GET {path}"),
                detail: format!("page {page} has no `{key}` list"),
            }),
        }
    }

    /// Every item of a paged list, consumed in order; the first short page
    /// is the last. Pages are requested ahead of the one read, one more for
    /// every [`PAGES_PER_AHEAD`] read up to `ahead`: Infobip gives no total,
    /// so each page in flight may prove to be past the end, and this keeps
    /// those wasted requests under 2% of the pages the listing needs.
    pub(super) async fn paged<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, ProviderError> {
        let mut pending = FuturesOrdered::new();
        pending.push_back(self.page::<T>(path, key, 1));
        let mut next = 2;
        self.http.tally().expect(1);
        let mut out = Vec::new();
        // Pages open with distinct items; one that opens like an earlier
        // one means the server ignores `page` and would never end.
        let mut openings = std::collections::HashSet::new();
        while let Some(page) = pending.next().await {
            let (items, first) = page?;
            if let Some(first) = first
                && !openings.insert(first)
            {
                return Err(ProviderError::Protocol {
                    endpoint: format!("GET {path}"),
                    detail: format!(
                        "page {} repeats an earlier page: the listing would never end",
                        openings.len() + 1
                    ),
                });
            }
            let short = items.len() < PAGE_LIMIT;
            out.extend(items);
            // Infobip gives no total: only a short page ends the listing.
            if out.len() > crate::provider::MAX_LISTED {
                return Err(crate::provider::endless(&format!("GET {path}")));
            }
            if short {
                // Pages beyond it are past the end; drop them unread.
                self.http.tally().forget(pending.len());
                break;
            }
            let width = (1 + openings.len() / PAGES_PER_AHEAD).min(self.ahead.max(1));
            while pending.len() < width {
                self.http.tally().expect(1);
                pending.push_back(self.page::<T>(path, key, next));
                next += 1;
            }
        }
        Ok(out)
    }

    pub(super) async fn sim_usage(&self, iccid: &Iccid) -> Result<WireUsage, ProviderError> {
        let resp = self
            .http
            .send(Request::new(
                Method::GET,
                format!("/iot/2/sims/{iccid}/usage"),
            ))
            .await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Err(ProviderError::NotFound {
                iccid: iccid.clone(),
            });
        }
        Ok(resp.json()?)
    }
}
