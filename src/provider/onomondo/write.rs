//! Carrying out changes at Onomondo.
//!
//! The adapter hands over batches of at most 20 SIMs. Every changed field,
//! tags included, goes in one object per SIM of one `PATCH /sims/bulk` per
//! batch, with per-SIM results read from the response lines (a lone SIM
//! uses the single `PATCH /sims/{id}`). `tags` replaces a SIM's whole list,
//! so it carries the full desired list of tag ids; that list comes from the
//! live list read in the same run (apply always plans from a fresh read,
//! and a saved plan is refused when a planned SIM changed since), so tags
//! added by others before the read are kept. No per-tag calls are sent.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Map, Value as Json, json};

#[cfg(doc)]
use super::wire::BULK_LIMIT;
use super::wire::BulkResult;
use super::{Onomondo, TagBook};
use crate::model::{Change, Field, FieldSpec, Iccid, Scalar, Shape, SimWork, Status, Value};
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
            // Its own fields go under their wire names, each in its shape.
            Field::Own(spec) => (spec.wire, own(spec, &change.before, &change.after)),
            // Tags need the account's ids (`tag_list`); other fields are
            // refused by validation.
            _ => continue,
        };
        body.insert(key.to_owned(), value);
    }
    (!body.is_empty()).then_some(body)
}

/// An own field's value as the SIM object holds it: text as text, empty
/// as `null`, a record with the parts it gives. An optional part it leaves
/// out is sent as `null` only to clear what the live record (`before`)
/// holds; otherwise it is not sent: the data limit's `alert_threshold`
/// needs the Pro package to be updated at all (text, "Update specific
/// SIM"), so an account without it must not be sent one it does not use.
fn own(spec: &FieldSpec, before: &Value, after: &Value) -> Json {
    match (spec.shape, after) {
        (Shape::Record(parts), Value::Record(record)) => {
            let held = |key: &str| match before {
                Value::Record(live) => *live.get(key) != Scalar::Null,
                _ => false,
            };
            let object = record
                .ordered(parts)
                .filter(|(key, part)| **part != Scalar::Null || held(key))
                .map(|(key, part)| {
                    let part = match part {
                        Scalar::Null => Json::Null,
                        Scalar::Count(n) => json!(n),
                        Scalar::Text(t) => Json::String(t.clone()),
                    };
                    (key.to_owned(), part)
                })
                .collect();
            Json::Object(object)
        }
        (_, Value::Text(t)) => Json::String(t.clone()),
        _ => Json::Null,
    }
}

/// The full desired tag list of a tags change of SIM `sim_id`, as the
/// account's tag ids; the tags without a name that SIM carries stay (no
/// manifest can name them, so none asks to remove them).
pub fn tag_ids(change: &Change, sim_id: &str, book: &TagBook) -> Result<Json, SimFailure> {
    let kept = book.unnamed(sim_id).iter().cloned().map(Json::String);
    let Value::Set(names) = &change.after else {
        return Ok(Json::Array(kept.collect()));
    };
    let mut list: Vec<Json> = kept.collect();
    for name in names.iter() {
        let Some(id) = book.id(name) else {
            return Err(SimFailure::inexpressible(format!(
                "tag `{name}` does not exist at Onomondo"
            )));
        };
        list.push(Json::String(id.to_owned()));
    }
    Ok(Json::Array(list))
}

/// The tag names the tag changes of `work` ask for.
fn tag_names(work: &[SimWork]) -> impl Iterator<Item = &str> {
    let tags = work.iter().flat_map(|w| &w.changes);
    tags.filter_map(|c| match (&c.field, &c.after) {
        (Field::Tags, Value::Set(names)) => Some(names.iter()),
        _ => None,
    })
    .flatten()
}

impl Onomondo {
    /// One batch (at most [`BULK_LIMIT`] SIMs): every change of every SIM
    /// in one bulk call (a lone SIM uses the single PATCH).
    pub(super) async fn apply_work(&self, work: &[SimWork]) -> Vec<SimOutcome> {
        // The ids come from the SIMs this run read (the plan's read, or a
        // saved plan's re-read); the tag list only for names on none of them.
        if let Err(e) = self.learn_tags(tag_names(work)).await {
            let failure = SimFailure::NoAnswer {
                detail: e.to_string(),
            };
            return work
                .iter()
                .map(|w| SimOutcome {
                    iccid: w.iccid.clone(),
                    result: Err(failure.clone()),
                    note: None,
                })
                .collect();
        }
        let mut results: BTreeMap<&Iccid, Result<(), SimFailure>> = BTreeMap::new();
        let mut updates: Vec<(&SimWork, Map<String, Json>)> = Vec::new();
        for w in work {
            // `None`: no field but tags changes; the tags are added below.
            let mut body = update_body(&w.changes).unwrap_or_default();
            if let Some(change) = w.changes.iter().find(|c| c.field == Field::Tags) {
                match tag_ids(change, &w.id, &self.book()) {
                    Ok(list) => {
                        body.insert("tags".into(), list);
                    }
                    Err(failure) => {
                        results.insert(&w.iccid, Err(failure));
                        continue;
                    }
                }
            }
            if !body.is_empty() {
                updates.push((w, body));
            }
        }
        results.extend(self.send_updates(&updates).await);
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
        // One line per SIM; a SIM without a readable line was sent in a call
        // that succeeded, so its outcome is unknown (re-read), not failed.
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
                    Err(SimFailure::Bulk {
                        detail: crate::text::inert(&detail).into_owned(),
                    })
                };
                lines.insert(r.id, outcome);
            }
        }
        chunk
            .iter()
            .map(|(sim, _)| {
                let outcome = lines.remove(&sim.id).unwrap_or_else(|| {
                    Err(SimFailure::Unknown {
                        call: "PATCH /sims/bulk".into(),
                        detail: "no result line for this SIM in the answer".into(),
                    })
                });
                (&sim.iccid, outcome)
            })
            .collect()
    }
}
