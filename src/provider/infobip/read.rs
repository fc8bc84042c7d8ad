//! Reading Infobip state: numbered pages without a total (the shared
//! lister reads ahead until a short page), and conversion to the model.

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::Infobip;
use super::wire::{PAGE_LIMIT, WireSim, WireUsage};
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;
use crate::provider::listing::{At, Next, Page};

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
        aliases: Vec::new(),
    }
}

impl Infobip {
    /// One numbered page of a list (`key` holds its items). Infobip gives
    /// no total: the shared lister ends at the first short page.
    pub(super) async fn numbered<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        at: At,
    ) -> Result<Page<T>, ProviderError> {
        let page = match at {
            At::Number(n) => n,
            At::First | At::Cursor(_) => 1,
        };
        let req = Request::new(Method::GET, path)
            .query("page", page)
            .query("limit", PAGE_LIMIT)
            .listing();
        let resp = self.http.send(req).await?.into_success()?;
        let mut body: serde_json::Value = resp.decode()?;
        let Some(list) = body.get_mut(key).map(serde_json::Value::take) else {
            return Err(resp.missing(key, "the list").into());
        };
        // The answer echoes the `limit` it used: a server that serves fewer
        // than asked says so, and only a page shorter than that ends it.
        let size = body
            .get("limit")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n >= 1)
            .map_or(PAGE_LIMIT, |n| n.min(PAGE_LIMIT));
        let items = serde_json::from_value(list)
            .map_err(|e| resp.shape(format!("the `{key}` list cannot be read: {e}")))?;
        Ok(Page::of(resp, items, Next::Numbered { size }, None))
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
