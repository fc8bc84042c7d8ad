//! Soracom writes, one SIM at a time (no bulk call): a status action, the
//! tags (name and attributes) as one upsert of what changed or was added
//! plus one deletion per removed tag, and an action per setting (group,
//! speed class, IMEI lock).
//!
//! A status action is sent once: the text does not say whether an action
//! towards the status a SIM is in is accepted, so one whose answer is lost
//! is settled by re-reading the SIM (`apply/settle.rs`), never resent
//! blindly. The other calls set a value and are safe to send again
//! (`repeatable`): an upsert writes the same tags, a group, speed class or
//! IMEI lock the same value, and deleting a tag already gone (404) is done.
//! Attributes go from the planned `before`, read in this same run, to the
//! desired map. simfleet never calls `terminate` or `enable_termination`:
//! no path here leads there.

use reqwest::{Method, StatusCode};

use super::Soracom;
use super::wire::{SetGroup, SetImeiLock, SpeedClass, TagUpdate, path_segment};
use crate::kind::soracom::{GROUP, IMEI_LOCK, SPEED_CLASS};
use std::sync::OnceLock;

use crate::model::{Attributes, Change, Field, MapDelta, SimWork, Status, Value, map_delta};
use crate::provider::http::Request;
use crate::provider::{Client, SimFailure, SimOutcome};

/// The action that puts a SIM in `status`.
pub fn status_action(status: &Value) -> Result<&'static str, SimFailure> {
    match status {
        Value::Status(Status::Active) => Ok("activate"),
        Value::Status(Status::Inactive) => Ok("deactivate"),
        Value::Status(Status::Suspended) => Ok("suspend"),
        other => Err(SimFailure::inexpressible(format!(
            "Soracom cannot set the status {other}"
        ))),
    }
}

/// The tags to upsert and to delete for `changes` (name and attributes),
/// each attribute from its planned `before`. A tag `name` among the
/// attributes would be the SIM's name: refused, never written.
pub fn tag_writes<'a>(
    changes: &[&'a Change],
) -> Result<(Vec<TagUpdate<'a>>, Vec<&'a str>), SimFailure> {
    let (mut upserts, mut removed) = (Vec::new(), Vec::new());
    for change in changes {
        match change.field {
            Field::Name => {
                // No name is the tag's empty value, as a SIM without one reads.
                let value = match &change.after {
                    Value::Text(name) => name.as_str(),
                    _ => "",
                };
                upserts.push(TagUpdate {
                    tag_name: "name",
                    tag_value: value,
                });
            }
            Field::Attributes => {
                if let Value::Map(want) = &change.after
                    && want.get("name").is_some()
                {
                    return Err(SimFailure::inexpressible(
                        "the tag `name` is the SIM's name: declare it as `name`, not among \
                         `attributes`",
                    ));
                }
                let delta = delta(change);
                upserts.extend(delta.changed.into_iter().chain(delta.added).map(
                    |(tag_name, tag_value)| TagUpdate {
                        tag_name,
                        tag_value,
                    },
                ));
                removed.extend(delta.removed.into_iter().filter(|k| *k != "name"));
            }
            _ => {}
        }
    }
    Ok((upserts, removed))
}

/// The attribute delta of `change`, borrowing from it: no attributes
/// (`null`) is the empty map.
fn delta<'a>(change: &'a Change) -> MapDelta<'a> {
    static NONE: OnceLock<Attributes> = OnceLock::new();
    let none = NONE.get_or_init(Attributes::default);
    let map = |value: &'a Value| match value {
        Value::Map(map) => map,
        _ => none,
    };
    map_delta(map(&change.before), map(&change.after))
}

impl Soracom {
    /// One SIM's changes of one phase, in order; the first failure ends them.
    pub(super) async fn apply_sim(&self, work: &SimWork) -> SimOutcome {
        SimOutcome {
            iccid: work.iccid.clone(),
            result: self.apply_changes(work).await,
            note: None,
        }
    }

    async fn apply_changes(&self, work: &SimWork) -> Result<(), SimFailure> {
        let base = format!("/sims/{}", path_segment(&work.id));
        let tagging: Vec<&Change> = work
            .changes
            .iter()
            .filter(|c| matches!(c.field, Field::Name | Field::Attributes))
            .collect();
        let (upserts, removed) = tag_writes(&tagging)?;
        for change in &work.changes {
            let (action, body) = match change.field {
                Field::Status => (status_action(&change.after)?, None),
                Field::Own(spec) => self.setting(spec.name, &change.after).await?,
                Field::Name | Field::Attributes => continue,
                other => {
                    return Err(SimFailure::inexpressible(format!(
                        "Soracom cannot set {}",
                        other.manifest_name()
                    )));
                }
            };
            let mut req = Request::new(Method::POST, format!("{base}/{action}"));
            if matches!(change.field, Field::Own(_)) {
                // A group, speed class or IMEI lock: the same value again.
                req = req.repeatable();
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            self.checked(req).await?;
        }
        if !upserts.is_empty() {
            let req = Request::new(Method::PUT, format!("{base}/tags"))
                .json(&upserts)
                .repeatable();
            self.checked(req).await?;
        }
        for tag in removed {
            let path = format!("{base}/tags/{}", path_segment(tag));
            // A tag already gone (a repeat after a lost answer) is done.
            let req = Request::new(Method::DELETE, path).repeatable();
            match self.http.send(req).await {
                Ok(resp) if resp.status == StatusCode::NOT_FOUND => {}
                answer => {
                    answer
                        .and_then(|r| r.into_success())
                        .map_err(|e| Self::failure(&e))?;
                }
            }
        }
        Ok(())
    }

    /// The action and body that set one of Soracom's own fields.
    async fn setting(
        &self,
        field: &str,
        value: &Value,
    ) -> Result<(&'static str, Option<serde_json::Value>), SimFailure> {
        let body = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| SimFailure::inexpressible(format!("cannot write the request: {e}")))
        };
        Ok(match (field, value) {
            (f, Value::Null) if f == GROUP.name => ("unset_group", None),
            (f, Value::Text(name)) if f == GROUP.name => {
                let id = self.group_id(name).await?;
                let set = serde_json::to_value(SetGroup { group_id: &id });
                ("set_group", Some(body(set)?))
            }
            (f, Value::Text(class)) if f == SPEED_CLASS.name => {
                let set = serde_json::to_value(SpeedClass { speed_class: class });
                ("update_speed_class", Some(body(set)?))
            }
            (f, Value::Null) if f == IMEI_LOCK.name => ("unset_imei_lock", None),
            (f, Value::Text(imei)) if f == IMEI_LOCK.name => {
                let set = serde_json::to_value(SetImeiLock { imei });
                ("set_imei_lock", Some(body(set)?))
            }
            (f, Value::Null) if f == SPEED_CLASS.name => {
                return Err(SimFailure::inexpressible(
                    "a Soracom SIM always has a speed class: declare one",
                ));
            }
            (f, other) => {
                return Err(SimFailure::inexpressible(format!(
                    "Soracom cannot set {f} to {other}"
                )));
            }
        })
    }

    /// The id of the group named `name`: looked up by its tag `name`
    /// (once a run per name), or `name` itself where it is the id of a
    /// group without a name.
    async fn group_id(&self, name: &str) -> Result<String, SimFailure> {
        let known = self
            .groups
            .lock()
            .map(|b| b.named(name))
            .unwrap_or_default();
        let found = if known.is_empty() {
            let groups = self
                .groups_named(Some(name))
                .await
                .map_err(|e| SimFailure::NoAnswer {
                    detail: e.to_string(),
                })?;
            let named = groups.iter().filter(|g| g.name().as_deref() == Some(name));
            named.map(|g| g.group_id.clone()).collect()
        } else {
            known
        };
        match found.as_slice() {
            [id] => Ok(id.clone()),
            [] if self.book().ids.contains_key(name) => Ok(name.to_owned()),
            [] => Err(SimFailure::inexpressible(format!(
                "no SIM group is named `{}` at Soracom (a group's name is its tag `name`)",
                crate::text::inert(name)
            ))),
            several => Err(SimFailure::inexpressible(format!(
                "{} SIM groups are named `{}` at Soracom: name one group so",
                several.len(),
                crate::text::inert(name)
            ))),
        }
    }

    async fn checked(&self, req: Request) -> Result<(), SimFailure> {
        match self.http.send(req).await.and_then(|r| r.into_success()) {
            Ok(_) => Ok(()),
            Err(e) => Err(Self::failure(&e)),
        }
    }
}
