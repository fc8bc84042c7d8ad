//! CMO writes: status as a JSON Patch on `{id}-simCard`, followed on its
//! monitor when the backend answers 202 (on the SIM itself when the 202
//! has no monitor link we can read: `provider/follow.rs`); custom properties as one JSON
//! Patch query from the planned `before` to the desired map. `before` was
//! read in this same run (apply plans from a fresh read, a saved plan is
//! re-read and refused when changed, a resend is re-planned from a
//! re-read), so re-runs converge without reading each SIM again.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::TelekomCmo;
use super::wire::{JSON_PATCH, JSON_PATCH_QUERY, Monitor, PatchOp, monitor_id};
use crate::model::{Attributes, Change, Field, Iccid, SimWork, Status, Value, map_delta};
use crate::provider::follow::{self, Followed, Polling, Step};
use crate::provider::http::Request;
use crate::provider::{Client, SimFailure, SimOutcome};

pub(super) fn wire_status(value: &Value) -> Result<&'static str, SimFailure> {
    match value {
        Value::Status(Status::Active) => Ok("ACTIVE"),
        Value::Status(Status::Suspended) => Ok("SUSPENDED"),
        Value::Status(Status::Inactive) => Ok("INACTIVE"),
        other => Err(SimFailure::inexpressible(format!(
            "CMO cannot set status {other}"
        ))),
    }
}

/// The JSON Patch query that turns the custom properties `have` into
/// `want`: replaces first, then removes, then adds; empty when equal.
/// Only `add` is published; replace and remove follow TMF630
/// JSON-Patch-Query, which filters an array by a member's field:
/// `/customProperty/value?customProperty.name=N`.
pub(super) fn property_ops(have: &Attributes, want: &Attributes) -> Vec<PatchOp> {
    let delta = map_delta(have, want);
    let removes = delta.removed.iter().map(|name| PatchOp {
        op: "remove",
        path: format!("/customProperty?customProperty.name={}", encoded(name)),
        value: None,
    });
    let replaces = delta.changed.iter().map(|(name, value)| PatchOp {
        op: "replace",
        path: format!(
            "/customProperty/value?customProperty.name={}",
            encoded(name)
        ),
        value: Some(json!(value)),
    });
    let adds = delta.added.iter().map(|(name, value)| PatchOp {
        op: "add",
        path: "customProperty".into(),
        value: Some(json!({"name": name, "value": value})),
    });
    replaces.chain(removes).chain(adds).collect()
}

/// `text` percent-encoded for a query value: everything but RFC 3986's
/// unreserved characters, so a name with `&`, `=` or `/` stays one value.
fn encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl TelekomCmo {
    pub(super) async fn apply_sim(&self, work: &SimWork) -> SimOutcome {
        let mut notes = Vec::new();
        let mut result = Ok(());
        for change in &work.changes {
            let step = match change.field {
                Field::Status => self.set_status(work, change).await,
                Field::Attributes => self.set_properties(&work.id, change).await.map(|()| None),
                other => Err(SimFailure::inexpressible(format!(
                    "CMO cannot set {}",
                    other.manifest_name()
                ))),
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
    async fn set_status(
        &self,
        work: &SimWork,
        change: &Change,
    ) -> Result<Option<String>, SimFailure> {
        let ops = [PatchOp {
            op: "replace",
            path: "/status".into(),
            value: Some(json!(wire_status(&change.after)?)),
        }];
        // Not repeatable: on asynchronous backends it starts a monitor, and
        // a second one would be a second status change.
        let req = Request::new(
            Method::PATCH,
            self.path(&format!("/product/{}-simCard", work.id)),
        )
        .json_as(JSON_PATCH, &ops);
        let resp = self.http.send(req).await.map_err(|e| Self::failure(&e))?;
        if resp.status == StatusCode::ACCEPTED {
            // Started: followed on its monitor, or, without a link we can
            // read, on the SIM itself; never failed and never sent again.
            return match monitor_id(resp.header("location"), &resp.text()) {
                Some(id) => self.follow(&id).await.map(Some),
                None => self
                    .follow_sim(&work.iccid, change, &resp.url)
                    .await
                    .map(Some),
            };
        }
        resp.into_success().map_err(|e| Self::failure(&e))?;
        Ok(Some("completed synchronously".into()))
    }

    /// A 202 without a monitor link: the SIM is re-read until it shows
    /// the status, within the same bound as a monitor.
    async fn follow_sim(
        &self,
        iccid: &Iccid,
        change: &Change,
        url: &str,
    ) -> Result<String, SimFailure> {
        let call = format!("PATCH {url} (HTTP 202 without a monitor link)");
        follow::until_shown(self, iccid, Field::Status, &change.after, call).await
    }

    /// Polls a monitor with doubling waits until it settles or time runs
    /// out (the bound every followed change has).
    async fn follow(&self, id: &str) -> Result<String, SimFailure> {
        let policy = Polling::STANDARD;
        match follow::poll(policy, || self.monitor_state(id)).await {
            Followed::Done { polls, .. } => {
                Ok(format!("completed after monitor {id} ({polls} polls)"))
            }
            Followed::Stopped(failure) => Err(failure),
            Followed::Expired { .. } => Err(SimFailure::MonitorTimeout {
                id: id.to_owned(),
                seconds: policy.limit.as_secs(),
            }),
        }
    }

    /// One poll of monitor `id`.
    async fn monitor_state(&self, id: &str) -> Step<()> {
        let req = Request::new(Method::GET, self.path(&format!("/monitor/{}", encoded(id))));
        // The change was started: a monitor that cannot be read leaves it
        // unknown (a re-read settles it), never failed.
        let lost = |detail: String| {
            Step::Stop(SimFailure::Unknown {
                call: format!("GET monitor {id}"),
                detail,
            })
        };
        let resp = match self.http.send(req).await.and_then(|r| r.into_success()) {
            Ok(resp) => resp,
            Err(e) => return lost(Self::failure(&e).to_string()),
        };
        let monitor: Monitor = match resp.decode() {
            Ok(monitor) => monitor,
            Err(e) => return lost(e.to_string()),
        };
        let Some(state) = monitor.state.as_deref() else {
            return lost(resp.missing("state", "how the change stands").to_string());
        };
        match Stands::of(state) {
            Stands::Pending => Step::Pending(crate::text::inert(state).into_owned()),
            Stands::Done => Step::Done(()),
            Stands::Failed => Step::Stop(SimFailure::MonitorFailed {
                id: id.to_owned(),
                detail: monitor.failure(),
            }),
            Stands::Unknown => lost(format!(
                "the monitor's state `{}` is none simfleet knows",
                crate::text::inert(state)
            )),
        }
    }

    /// Makes the simCard's custom properties exactly the desired map in one
    /// JSON Patch query.
    async fn set_properties(&self, product: &str, change: &Change) -> Result<(), SimFailure> {
        let ops = property_ops(&change.before.attributes(), &change.after.attributes());
        if ops.is_empty() {
            return Ok(());
        }
        // Not repeatable: `add` ops append to the property list, so twice
        // would add twice.
        let req = Request::new(
            Method::PATCH,
            self.path(&format!("/product/{product}-simCard")),
        )
        .json_as(JSON_PATCH_QUERY, &ops);
        let resp = self.http.send(req).await.map_err(|e| Self::failure(&e))?;
        resp.into_success().map(drop).map_err(|e| Self::failure(&e))
    }
}

/// How a monitor's `state` stands. The text shows only `InProgress`;
/// `Completed` and `InError` are the TMF630 monitor's other states.
/// Spelling is not trusted, and a state none of these is not waited on
/// for ten minutes: the change is left unknown and the SIM re-read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Stands {
    Pending,
    Done,
    Failed,
    Unknown,
}

impl Stands {
    pub(super) fn of(state: &str) -> Stands {
        let is = |words: &[&str]| words.iter().any(|w| state.eq_ignore_ascii_case(w));
        if is(&["InProgress", "Pending", "Acknowledged"]) {
            Stands::Pending
        } else if is(&["Completed", "Complete", "Succeeded"]) {
            Stands::Done
        } else if is(&["InError", "Failed", "Error"]) {
            Stands::Failed
        } else {
            Stands::Unknown
        }
    }
}
