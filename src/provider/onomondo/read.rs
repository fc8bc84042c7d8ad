//! Reading Onomondo state: cursor pagination, tags, and conversion to the model.

use std::collections::BTreeMap;

use reqwest::Method;

use super::Onomondo;
use super::wire::{WireSim, WireTag};
use crate::model::{DataLimit, Field, Fields, Iccid, Interner, LiveSim, Names, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;

/// Converts a wire SIM into the normalised model; tag names come from
/// `names`, so a fleet's SIMs share one copy of each.
pub fn to_live(sim: &WireSim, names: &mut Interner) -> LiveSim {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let status = if sim.activated {
        Status::Active
    } else {
        Status::Inactive
    };
    let limit = match &sim.data_limit {
        Some(d) => match (d.total, &d.kind) {
            (Some(total), Some(kind)) => Value::DataLimit(Box::new(DataLimit {
                total,
                kind: kind.clone(),
                alert_threshold: d.alert_threshold,
            })),
            _ => Value::Null,
        },
        None => Value::Null,
    };
    let fields = Fields::from([
        (Field::Name, text(&sim.label)),
        (Field::Status, Value::Status(status)),
        (
            Field::Tags,
            Value::Set(Names::from_shared(
                sim.tags.iter().map(|t| names.intern(&t.name)).collect(),
            )),
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
    /// Tag name → id, fetched once per run.
    pub(super) async fn tag_ids(&self) -> Result<BTreeMap<String, String>, ProviderError> {
        Ok(self
            .tags()
            .await?
            .into_iter()
            .map(|t| (t.name, t.id))
            .collect())
    }

    /// The account's tags (`GET /tags`), fetched once per run.
    pub(super) async fn tags(&self) -> Result<Vec<WireTag>, ProviderError> {
        if let Some(tags) = self.tags.lock().map_or(None, |t| t.clone()) {
            return Ok(tags);
        }
        let list: Vec<WireTag> = self
            .http
            .send(Request::new(Method::GET, "/tags").listing())
            .await?
            .json()?;
        if let Ok(mut cache) = self.tags.lock() {
            *cache = Some(list.clone());
        }
        Ok(list)
    }
}
