//! emnify writes: a SIM's status one SIM per `PATCH /api/v1/sim/{id}`,
//! then every endpoint change of the batch (name, tags, endpoint status,
//! profiles, IMEI lock) in one `PATCH /api/v2/endpoint/multi` of at most
//! 2,000 endpoints, one bulk call at a time. SIM calls go first, so an
//! Issued SIM is activated before its endpoint is enabled.
//!
//! Every call sets values, but only the single endpoint `PATCH` is sent
//! again when its answer is lost: a bulk call may still be running, and
//! whether a SIM accepts its own status again is not documented, so those
//! are settled by re-reading. A bulk call refused as invalid is sent line
//! by line, so one bad line fails only its SIM. `tags` carries the whole
//! desired set. simfleet never deletes a SIM or an endpoint: no call here
//! can.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Map, Value as Json, json};

use super::Emnify;
use super::read::Known;
use super::wire::{self, BULK_PATH, Id, SimStatus};
use crate::kind::emnify::{IMEI_LOCK, SERVICE_PROFILE, TARIFF_PROFILE};
use crate::model::{Change, Field, Iccid, SimWork, Status, Value};
use crate::provider::http::{HttpError, Request};
use crate::provider::{Client, SimFailure, SimOutcome};

/// What one SIM's changes send: the SIM statuses to set, in order, and
/// the fields of its endpoint's line in the bulk call.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub sim_steps: Vec<u64>,
    pub endpoint: Map<String, Json>,
}

/// The SIM statuses that take a SIM in `from` to `to`: an Issued or
/// Factory Test SIM is Activated before it is Suspended (the text allows
/// no other way there).
fn sim_steps(from: Option<u64>, to: u64) -> Vec<u64> {
    match (from, to) {
        (Some(now), want) if now == want => Vec::new(),
        (Some(wire::SIM_ISSUED | wire::SIM_FACTORY_TEST), wire::SIM_SUSPENDED) => {
            vec![wire::SIM_ACTIVATED, wire::SIM_SUSPENDED]
        }
        (_, want) => vec![want],
    }
}

/// A profile id as the bulk line writes it.
fn profile(name: &str, value: &Value) -> Result<Json, SimFailure> {
    match value {
        Value::Text(id) => match id.trim().parse::<u64>() {
            Ok(id) => Ok(json!(Id { id })),
            Err(_) => Err(SimFailure::inexpressible(format!(
                "{name} is an emnify profile id, a number, not `{}`",
                crate::text::inert(id)
            ))),
        },
        _ => Err(SimFailure::inexpressible(format!(
            "an emnify endpoint always has a {name}: declare one"
        ))),
    }
}

/// What `changes` send for a SIM read as `known`.
pub fn plan(changes: &[Change], known: &Known) -> Result<Plan, SimFailure> {
    let mut plan = Plan::default();
    let endpoint_status = |plan: &mut Plan, want: u64| {
        if known.endpoint_status != Some(want) {
            plan.endpoint
                .insert("status".into(), json!(Id { id: want }));
        }
    };
    for change in changes {
        match (change.field, &change.after) {
            (Field::Name, Value::Text(name)) => {
                plan.endpoint.insert("name".into(), json!(name));
            }
            // The text does not say an endpoint may lose its name.
            (Field::Name, _) => {
                return Err(SimFailure::inexpressible(
                    "an emnify endpoint keeps a name: declare one",
                ));
            }
            (Field::Tags, after) => {
                let tags: Vec<&str> = match after {
                    Value::Set(names) => names.iter().collect(),
                    _ => Vec::new(),
                };
                if let Some(bad) = tags.iter().find(|t| t.contains(',')) {
                    return Err(SimFailure::inexpressible(format!(
                        "emnify tags are one comma-separated string: the tag `{}` cannot hold a comma",
                        crate::text::inert(bad)
                    )));
                }
                plan.endpoint.insert("tags".into(), json!(tags.join(",")));
            }
            (Field::Status, Value::Status(Status::Active)) => {
                plan.sim_steps = sim_steps(known.sim_status, wire::SIM_ACTIVATED);
                endpoint_status(&mut plan, wire::ENDPOINT_ENABLED);
            }
            (Field::Status, Value::Status(Status::Suspended)) => {
                plan.sim_steps = sim_steps(known.sim_status, wire::SIM_SUSPENDED);
                endpoint_status(&mut plan, wire::ENDPOINT_ENABLED);
            }
            // The SIM stays as it is (and billed): only the endpoint stops.
            (Field::Status, Value::Status(Status::Inactive)) => {
                endpoint_status(&mut plan, wire::ENDPOINT_DISABLED);
            }
            (Field::Own(spec), value) if spec.name == SERVICE_PROFILE.name => {
                let id = profile("service profile", value)?;
                plan.endpoint.insert(spec.wire.into(), id);
            }
            (Field::Own(spec), value) if spec.name == TARIFF_PROFILE.name => {
                let id = profile("tariff profile", value)?;
                plan.endpoint.insert(spec.wire.into(), id);
            }
            (Field::Own(spec), value) if spec.name == IMEI_LOCK.name => {
                let lock = match value {
                    Value::Text(t) if t == "true" => true,
                    Value::Text(t) if t == "false" => false,
                    other => {
                        return Err(SimFailure::inexpressible(format!(
                            "emnify.imei_lock is `true` or `false`, not {other}"
                        )));
                    }
                };
                plan.endpoint.insert(spec.wire.into(), json!(lock));
            }
            (field, after) => {
                return Err(SimFailure::inexpressible(format!(
                    "emnify cannot set {} to {after}",
                    field.manifest_name()
                )));
            }
        }
    }
    Ok(plan)
}

impl Emnify {
    /// One batch (at most [`wire::BULK_LIMIT`] SIMs): SIM statuses one SIM
    /// per call, then the endpoints of the SIMs whose SIM calls succeeded
    /// in one bulk call. A SIM is not attempted only if none of its calls
    /// went out ([`Client::SENT_PER_SIM`]).
    pub(super) async fn apply_batch(&self, batch: &[SimWork]) -> Vec<SimOutcome> {
        let mut results: BTreeMap<&Iccid, Result<(), SimFailure>> = BTreeMap::new();
        let mut lines: Vec<(&SimWork, Map<String, Json>, bool)> = Vec::new();
        // SIM by SIM side by side: the HTTP layer caps what is in flight,
        // and each SIM's own steps stay in order.
        let prepared = join_all(batch.iter().map(|work| async move {
            let mut sim_set = false;
            let line = self.prepare(work, &mut sim_set).await;
            (work, line, sim_set)
        }));
        for (work, line, sim_set) in prepared.await {
            match line {
                Ok(Some(line)) => lines.push((work, line, sim_set)),
                Ok(None) => {
                    results.insert(&work.iccid, Ok(()));
                }
                Err(failure) if sim_set => {
                    results.insert(&work.iccid, Err(failure.partly_sent()));
                }
                Err(failure) => {
                    results.insert(&work.iccid, Err(failure));
                }
            }
        }
        let body: Vec<&Map<String, Json>> = lines.iter().map(|(_, line, _)| line).collect();
        let sent = self.bulk(&body).await;
        for ((work, _, sim_set), result) in lines.iter().zip(sent) {
            let result = match result {
                Err(failure) if *sim_set => Err(failure.partly_sent()),
                other => other,
            };
            results.insert(&work.iccid, result);
        }
        batch
            .iter()
            .map(|w| SimOutcome {
                iccid: w.iccid.clone(),
                result: results.remove(&w.iccid).unwrap_or(Ok(())),
                note: None,
            })
            .collect()
    }

    /// Sends the SIM's status calls, saying in `sim_set` whether one
    /// succeeded; its endpoint's bulk line, if any.
    async fn prepare(
        &self,
        work: &SimWork,
        sim_set: &mut bool,
    ) -> Result<Option<Map<String, Json>>, SimFailure> {
        let Some(known) = self.known(&work.iccid) else {
            return Err(SimFailure::inexpressible(
                "this run has not read the SIM's endpoint: plan again",
            ));
        };
        let plan = plan(&work.changes, &known)?;
        for status in plan.sim_steps {
            let body = SimStatus {
                status: Id { id: status },
            };
            // Not repeated when its answer is lost: whether emnify accepts
            // a SIM's own status again is not documented, so the adapter
            // re-reads instead.
            let req = Request::new(Method::PATCH, format!("/api/v1/sim/{}", known.sim)).json(&body);
            let sent = self.http.send(req).await.and_then(|r| r.into_success());
            sent.map_err(|e| Self::failure(&e))?;
            *sim_set = true;
            self.now_sim(&work.iccid, status);
        }
        if plan.endpoint.is_empty() {
            return Ok(None);
        }
        let mut line = plan.endpoint;
        line.insert("id".into(), json!(known.endpoint));
        Ok(Some(line))
    }

    /// One bulk call for `lines`, after any other this client is sending
    /// (the text asks for bulk calls one at a time); each line's result.
    /// The text does not say whether a refused bulk call applied part of
    /// it: refused as invalid (422), each line is sent on its own, so one
    /// bad line (an unknown profile) fails its SIM and no other.
    async fn bulk(&self, lines: &[&Map<String, Json>]) -> Vec<Result<(), SimFailure>> {
        if lines.is_empty() {
            return Vec::new();
        }
        let _one_at_a_time = self.bulk_call.lock().await;
        // Not repeated when its answer is lost: the call may still be
        // running, and a second one must not start before it ends; the
        // adapter re-reads the SIMs instead.
        let req = Request::new(Method::PATCH, BULK_PATH).json(&lines);
        let sent = self.http.send(req).await.and_then(|r| r.into_success());
        match sent {
            Ok(_) => lines.iter().map(|_| Ok(())).collect(),
            Err(HttpError::Status { status: 422, .. }) if lines.len() > 1 => {
                // One at a time: the text asks the single update to be
                // sent "sequentially".
                let mut results = Vec::with_capacity(lines.len());
                for line in lines {
                    results.push(self.one_endpoint(line).await);
                }
                results
            }
            Err(e) => {
                let failure = Self::failure(&e);
                lines.iter().map(|_| Err(failure.clone())).collect()
            }
        }
    }

    /// One line of a bulk call as `PATCH /api/v1/endpoint/{id}` (204).
    async fn one_endpoint(&self, line: &Map<String, Json>) -> Result<(), SimFailure> {
        let mut body = line.clone();
        let id = body.remove("id").unwrap_or(Json::Null);
        // Sets fields to values, answered at once: twice leaves what once
        // does.
        let req = Request::new(Method::PATCH, format!("/api/v1/endpoint/{id}"))
            .json(&body)
            .repeatable();
        let sent = self.http.send(req).await.and_then(|r| r.into_success());
        sent.map(drop).map_err(|e| Self::failure(&e))
    }
}
