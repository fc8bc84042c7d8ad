//! CMO writes: status as a JSON Patch on `{id}-simCard`, followed on its
//! monitor when the backend answers 202; custom properties as a JSON Patch
//! query computed against a fresh read, so re-runs converge.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::time::Instant;

use super::wire::{JSON_PATCH, JSON_PATCH_QUERY, Monitor, PatchOp};
use super::{TelekomCmo, describe};
use crate::model::{Change, Field, SimWork, Status, Value};
use crate::provider::SimOutcome;
use crate::provider::http::Request;

/// First wait before polling a monitor; doubled after each poll up to the cap.
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(5);

fn wire_status(value: &Value) -> Result<&'static str, String> {
    match value {
        Value::Status(Status::Active) => Ok("ACTIVE"),
        Value::Status(Status::Suspended) => Ok("SUSPENDED"),
        Value::Status(Status::Inactive) => Ok("INACTIVE"),
        other => Err(format!("CMO cannot set status {other}")),
    }
}

impl TelekomCmo {
    pub(super) async fn apply_sim(&self, work: &SimWork) -> SimOutcome {
        let mut notes = Vec::new();
        let mut result = Ok(());
        for change in &work.changes {
            let step = match change.field {
                Field::Status => self.set_status(&work.id, change).await,
                Field::Attributes => self.set_properties(&work.id, change).await.map(|()| None),
                other => Err(format!("CMO cannot set {}", other.manifest_name())),
            };
            match step {
                Ok(note) => notes.extend(note),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        SimOutcome {
            iccid: work.iccid.clone(),
            result,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }

    /// Sets the status; says how it completed.
    async fn set_status(&self, product: &str, change: &Change) -> Result<Option<String>, String> {
        let ops = [PatchOp {
            op: "replace",
            path: "/status".into(),
            value: Some(json!(wire_status(&change.after)?)),
        }];
        let req = Request::new(
            Method::PATCH,
            self.path(&format!("/product/{product}-simCard")),
        )
        .json_as(JSON_PATCH, &ops);
        let resp = self.http.send(req).await.map_err(|e| describe(&e))?;
        if resp.status == StatusCode::ACCEPTED {
            let monitor: Monitor = resp.json().map_err(|e| describe(&e))?;
            return self.follow(&monitor.id).await.map(Some);
        }
        resp.into_success().map_err(|e| describe(&e))?;
        Ok(Some("completed synchronously".into()))
    }

    /// Polls a monitor with doubling waits until it settles or time runs out.
    async fn follow(&self, id: &str) -> Result<String, String> {
        let deadline = Instant::now() + self.monitor_timeout;
        let mut wait = FIRST_POLL;
        let mut polls = 0;
        loop {
            if Instant::now() + wait > deadline {
                return Err(format!(
                    "monitor {id} still InProgress after {}s; the change may still complete",
                    self.monitor_timeout.as_secs()
                ));
            }
            tokio::time::sleep(wait).await;
            polls += 1;
            let req = Request::new(Method::GET, self.path(&format!("/monitor/{id}")));
            let monitor: Monitor = self
                .http
                .send(req)
                .await
                .and_then(|r| r.json())
                .map_err(|e| describe(&e))?;
            match monitor.state.as_str() {
                "Completed" => return Ok(format!("completed after monitor {id} ({polls} polls)")),
                "InError" => {
                    let detail = monitor
                        .error
                        .as_ref()
                        .and_then(|e| e.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
                        .or_else(|| monitor.error.as_ref().map(|e| e.to_string()))
                        .unwrap_or_else(|| "no detail given".into());
                    return Err(format!("monitor {id} ended InError: {detail}"));
                }
                _ => wait = (wait * 2).min(MAX_POLL),
            }
        }
    }

    /// Makes the simCard's custom properties exactly the desired map.
    async fn set_properties(&self, product: &str, change: &Change) -> Result<(), String> {
        let empty = Default::default();
        let want = match &change.after {
            Value::Map(m) => m,
            _ => &empty,
        };
        let have = self.properties(product).await.map_err(|e| e.to_string())?;
        let mut ops = Vec::new();
        for p in &have {
            match want.get(&p.name) {
                None => ops.push(PatchOp {
                    op: "remove",
                    path: format!("/customProperty?name={}", p.name),
                    value: None,
                }),
                Some(v) if *v != p.value => ops.push(PatchOp {
                    op: "replace",
                    path: format!("/customProperty?name={}/value", p.name),
                    value: Some(json!(v)),
                }),
                Some(_) => {}
            }
        }
        for (name, value) in want {
            if !have.iter().any(|p| &p.name == name) {
                ops.push(PatchOp {
                    op: "add",
                    path: "customProperty".into(),
                    value: Some(json!({"name": name, "value": value})),
                });
            }
        }
        if ops.is_empty() {
            return Ok(());
        }
        let req = Request::new(
            Method::PATCH,
            self.path(&format!("/product/{product}-simCard")),
        )
        .json_as(JSON_PATCH_QUERY, &ops);
        let resp = self.http.send(req).await.map_err(|e| describe(&e))?;
        resp.into_success().map(drop).map_err(|e| describe(&e))
    }
}
