//! Carrying out changes at Onomondo.
//!
//! Field updates go through `PATCH /sims/bulk`, at most 20 SIMs per call, with
//! per-SIM results read from the response lines (a lone SIM uses the single
//! `PATCH /sims/{id}`). Tag changes use `PUT`/`DELETE /sims/{id}/tags/{tag}`,
//! because a `tags` array in an update replaces the whole list and would undo
//! tags added by others since the plan was read; a 400 `tag_already_on_sim` or
//! `tag_not_on_sim` means the tag is already as desired, so re-runs converge.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value as Json, json};

use super::Onomondo;
use super::wire::{BULK_LIMIT, BulkResult, DataLimitBody, ErrorBody};
use crate::model::{Change, Field, Iccid, SimWork, Status, Value};
use crate::provider::SimOutcome;
use crate::provider::http::Request;

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

fn set_of(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Set(s) => s.clone(),
        _ => BTreeSet::new(),
    }
}

/// Tags to add and remove for one SIM.
pub fn tag_delta(changes: &[Change]) -> (Vec<String>, Vec<String>) {
    let Some(change) = changes.iter().find(|c| c.field == Field::Tags) else {
        return (Vec::new(), Vec::new());
    };
    let (before, after) = (set_of(&change.before), set_of(&change.after));
    (
        after.difference(&before).cloned().collect(),
        before.difference(&after).cloned().collect(),
    )
}

fn error_text(status: StatusCode, body: &str) -> String {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(e) => format!("HTTP {}: {}", status.as_u16(), e.error),
        Err(_) => format!(
            "HTTP {}: {}",
            status.as_u16(),
            body.chars().take(300).collect::<String>()
        ),
    }
}

impl Onomondo {
    pub(super) async fn apply_work(&self, work: &[SimWork]) -> Vec<SimOutcome> {
        let mut results: BTreeMap<&Iccid, Result<(), String>> =
            work.iter().map(|w| (&w.iccid, Ok(()))).collect();
        let updates: Vec<(&SimWork, Map<String, Json>)> = work
            .iter()
            .filter_map(|w| update_body(&w.changes).map(|b| (w, b)))
            .collect();
        let batches = join_all(
            updates
                .chunks(BULK_LIMIT)
                .map(|chunk| self.send_updates(chunk)),
        )
        .await;
        let tag_work = work
            .iter()
            .filter(|w| w.changes.iter().any(|c| c.field == Field::Tags));
        let tags =
            join_all(tag_work.map(|w| async move { (&w.iccid, self.send_tags(w).await) })).await;
        for (iccid, outcome) in batches.into_iter().flatten().chain(tags) {
            if let (Some(slot @ Ok(())), Err(e)) = (results.get_mut(iccid), outcome) {
                *slot = Err(e);
            }
        }
        results
            .into_iter()
            .map(|(iccid, result)| SimOutcome {
                iccid: iccid.clone(),
                result,
                note: None,
            })
            .collect()
    }

    async fn send_updates<'a>(
        &self,
        chunk: &[(&'a SimWork, Map<String, Json>)],
    ) -> Vec<(&'a Iccid, Result<(), String>)> {
        if let [(sim, body)] = chunk {
            let req = Request::new(Method::PATCH, format!("/sims/{}", sim.id)).json(body);
            let result = match self.http.send(req).await {
                Ok(resp) if resp.status.is_success() => Ok(()),
                Ok(resp) => Err(error_text(resp.status, &resp.text())),
                Err(e) => Err(e.to_string()),
            };
            return vec![(&sim.iccid, result)];
        }
        let sims: Vec<Json> = chunk
            .iter()
            .map(|(sim, body)| {
                let mut entry = body.clone();
                entry.insert("id".into(), Json::String(sim.id.clone()));
                Json::Object(entry)
            })
            .collect();
        let req = Request::new(Method::PATCH, "/sims/bulk").json(&json!({ "sims": sims }));
        let all = |msg: String| {
            chunk
                .iter()
                .map(|(s, _)| (&s.iccid, Err(msg.clone())))
                .collect()
        };
        let resp = match self.http.send(req).await {
            Ok(resp) if resp.status.is_success() => resp,
            Ok(resp) => return all(error_text(resp.status, &resp.text())),
            Err(e) => return all(e.to_string()),
        };
        let mut lines: BTreeMap<String, Result<(), String>> = BTreeMap::new();
        for line in resp.text().lines().filter(|l| !l.trim().is_empty()) {
            if let Ok(r) = serde_json::from_str::<BulkResult>(line) {
                let outcome = if r.success {
                    Ok(())
                } else {
                    let detail = r.error.map_or("failed".to_owned(), |e| match e {
                        Json::String(s) => s,
                        other => other.to_string(),
                    });
                    Err(format!("bulk update: {detail}"))
                };
                lines.insert(r.id, outcome);
            }
        }
        chunk
            .iter()
            .map(|(sim, _)| {
                let outcome = lines.remove(&sim.id).unwrap_or_else(|| {
                    Err("bulk update: no result for this SIM in the response".into())
                });
                (&sim.iccid, outcome)
            })
            .collect()
    }

    async fn send_tags(&self, sim: &SimWork) -> Result<(), String> {
        let (add, remove) = tag_delta(&sim.changes);
        let ids = self.tag_ids().await.map_err(|e| e.to_string())?;
        let calls = add
            .iter()
            .map(|t| (Method::PUT, t, "tag_already_on_sim"))
            .chain(remove.iter().map(|t| (Method::DELETE, t, "tag_not_on_sim")));
        for (method, tag, done_code) in calls {
            let Some(id) = ids.get(tag) else {
                return Err(format!("tag `{tag}` does not exist at Onomondo"));
            };
            let req = Request::new(method, format!("/sims/{}/tags/{id}", sim.id));
            let resp = self.http.send(req).await.map_err(|e| e.to_string())?;
            if resp.status.is_success() {
                continue;
            }
            let text = resp.text();
            let already = resp.status == StatusCode::BAD_REQUEST
                && serde_json::from_str::<ErrorBody>(&text).is_ok_and(|e| e.error == done_code);
            if !already {
                return Err(format!("tag `{tag}`: {}", error_text(resp.status, &text)));
            }
        }
        Ok(())
    }
}
