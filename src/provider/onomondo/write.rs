//! Carrying out changes at Onomondo.
//!
//! The adapter hands over batches of at most 20 SIMs. Field updates go
//! through one `PATCH /sims/bulk` per batch, with per-SIM results read from
//! the response lines (a lone SIM uses the single `PATCH /sims/{id}`). Tag changes use `PUT`/`DELETE /sims/{id}/tags/{tag}`,
//! because a `tags` array in an update replaces the whole list and would undo
//! tags added by others since the plan was read; a 400 `tag_already_on_sim` or
//! `tag_not_on_sim` means the tag is already as desired, so re-runs converge.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value as Json, json};

use super::Onomondo;
#[cfg(doc)]
use super::wire::BULK_LIMIT;
use super::wire::{BulkResult, DataLimitBody};
use crate::model::{Change, Field, Iccid, SimWork, Status, Value, set_delta};
use crate::provider::http::Request;
use crate::provider::{Client, SimFailure, SimOutcome};

/// The update object for one SIM, without `id`; `None` when only tags change.
pub fn update_body(changes: &[Change]) -> Option<Map<String, Json>> {
    let mut body = Map::new();
    let text = |v: &Value| match v {
        Value::Text(t) => Json::String(t.clone()),
        _ => Json::Null,
    };
    for change in changes {
        let (key, value) = match change.field {
            Field::Name => ("label", text(&change.after)),
            Field::Status => (
                "activated",
                Json::Bool(change.after == Value::Status(Status::Active)),
            ),
            Field::NetworkWhitelist => ("network_whitelist", text(&change.after)),
            Field::ImeiLock => ("imei_lock", text(&change.after)),
            Field::Connector => ("connector", text(&change.after)),
            Field::DataLimit => {
                let limit = match &change.after {
                    Value::DataLimit(d) => json!(DataLimitBody {
                        total: d.total,
                        kind: d.kind.clone(),
                        alert_threshold: d.alert_threshold,
                    }),
                    _ => Json::Null,
                };
                ("data_limit", limit)
            }
            // Tags travel separately; other fields are refused by validation.
            _ => continue,
        };
        body.insert(key.to_owned(), value);
    }
    (!body.is_empty()).then_some(body)
}

impl Onomondo {
    /// One batch (at most [`BULK_LIMIT`] SIMs): field updates in one bulk
    /// call (a lone SIM uses the single PATCH), then each SIM's tag calls.
    pub(super) async fn apply_work(&self, work: &[SimWork]) -> Vec<SimOutcome> {
        let updates: Vec<(&SimWork, Map<String, Json>)> = work
            .iter()
            .filter_map(|w| update_body(&w.changes).map(|b| (w, b)))
            .collect();
        let mut results: BTreeMap<&Iccid, Result<(), SimFailure>> =
            self.send_updates(&updates).await.into_iter().collect();
        let tag_work = work
            .iter()
            .filter(|w| w.changes.iter().any(|c| c.field == Field::Tags));
        let tags =
            join_all(tag_work.map(|w| async move { (&w.iccid, self.send_tags(w).await) })).await;
        for (iccid, outcome) in tags {
            let slot = results.entry(iccid).or_insert(Ok(()));
            if let (Ok(()), Err(e)) = (&slot, outcome) {
                *slot = Err(e);
            }
        }
        work.iter()
            .map(|w| SimOutcome {
                iccid: w.iccid.clone(),
                result: results.remove(&w.iccid).unwrap_or(Ok(())),
                note: None,
            })
            .collect()
    }

    async fn send_updates<'a>(
        &self,
        chunk: &[(&'a SimWork, Map<String, Json>)],
    ) -> Vec<(&'a Iccid, Result<(), SimFailure>)> {
        if chunk.is_empty() {
            return Vec::new();
        }
        if let [(sim, body)] = chunk {
            // Sets fields to values: twice leaves what once does.
            let req = Request::new(Method::PATCH, format!("/sims/{}", sim.id))
                .json(body)
                .repeatable();
            let result = self.http.send(req).await.and_then(|r| r.into_success());
            return vec![(&sim.iccid, result.map(drop).map_err(|e| Self::failure(&e)))];
        }
        let sims: Vec<Json> = chunk
            .iter()
            .map(|(sim, body)| {
                let mut entry = body.clone();
                entry.insert("id".into(), Json::String(sim.id.clone()));
                Json::Object(entry)
            })
            .collect();
        // Sets fields to values: twice leaves what once does.
        let req = Request::new(Method::PATCH, "/sims/bulk")
            .json(&json!({ "sims": sims }))
            .repeatable();
        let resp = match self.http.send(req).await.and_then(|r| r.into_success()) {
            Ok(resp) => resp,
            Err(e) => {
                let failure = Self::failure(&e);
                return chunk
                    .iter()
                    .map(|(s, _)| (&s.iccid, Err(failure.clone())))
                    .collect();
            }
        };
        let mut lines: BTreeMap<String, Result<(), SimFailure>> = BTreeMap::new();
        for line in resp.text().lines().filter(|l| !l.trim().is_empty()) {
            if let Ok(r) = serde_json::from_str::<BulkResult>(line) {
                let outcome = if r.success {
                    Ok(())
                } else {
                    let detail = r.error.map_or("failed".to_owned(), |e| match e {
                        Json::String(s) => s,
                        other => other.to_string(),
                    });
                    Err(SimFailure::Bulk { detail })
                };
                lines.insert(r.id, outcome);
            }
        }
        chunk
            .iter()
            .map(|(sim, _)| {
                let outcome = lines.remove(&sim.id).unwrap_or_else(|| {
                    Err(SimFailure::Bulk {
                        detail: "no result for this SIM in the response".into(),
                    })
                });
                (&sim.iccid, outcome)
            })
            .collect()
    }

    async fn send_tags(&self, sim: &SimWork) -> Result<(), SimFailure> {
        let Some(change) = sim.changes.iter().find(|c| c.field == Field::Tags) else {
            return Ok(());
        };
        let delta = set_delta(&change.before, &change.after);
        let ids = self.tag_ids().await.map_err(|e| SimFailure::NoAnswer {
            detail: e.to_string(),
        })?;
        let calls = delta
            .added
            .iter()
            .map(|t| (Method::PUT, t, "tag_already_on_sim"))
            .chain(
                delta
                    .removed
                    .iter()
                    .map(|t| (Method::DELETE, t, "tag_not_on_sim")),
            );
        for (method, tag, done_code) in calls {
            let Some(id) = ids.get(*tag) else {
                return Err(SimFailure::inexpressible(format!(
                    "tag `{tag}` does not exist at Onomondo"
                )));
            };
            // Repeatable: a repeat answers `done_code` (400), counted as done.
            let req = Request::new(method, format!("/sims/{}/tags/{id}", sim.id)).repeatable();
            let resp = self.http.send(req).await.map_err(|e| Self::failure(&e))?;
            let already = resp.status == StatusCode::BAD_REQUEST
                && Self::error_text(&resp.text()).is_some_and(|code| code == done_code);
            if !already {
                resp.into_success().map_err(|e| Self::failure(&e))?;
            }
        }
        Ok(())
    }
}
