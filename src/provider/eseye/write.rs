//! Eseye writes. Status moves map onto `status` or `customerSuspend`
//! depending on where the SIM comes from; package and portfolio go in one
//! PATCH; attributes go from the planned `before` (read in this same run:
//! apply plans from a fresh read, a saved plan is re-read and refused when
//! changed, a resend is re-planned from a re-read) to the desired map, so a
//! re-run after an interruption converges instead of duplicating keys. The
//! ids a change or removal needs come from that read; only without them is
//! the SIM read again.

use std::collections::BTreeMap;

use reqwest::Method;

use super::Eseye;
use super::wire::{AttributeValue, NewAttribute, NewAttributes, SimPatch};
use crate::model::{Change, Field, SimWork, Status, Value, map_delta};
use crate::provider::http::Request;
use crate::provider::{Client, SimFailure, SimOutcome};

/// The PATCH body for one status move.
pub(super) fn status_patch(before: &Value, after: &Value) -> Result<SimPatch<'static>, SimFailure> {
    let patch = |status, customer_suspend| SimPatch {
        status,
        customer_suspend,
        ..SimPatch::default()
    };
    match (before, after) {
        (Value::Status(Status::Suspended), Value::Status(Status::Active)) => {
            Ok(patch(None, Some("no")))
        }
        (_, Value::Status(Status::Active)) => Ok(patch(Some("active"), None)),
        (Value::Status(Status::Active), Value::Status(Status::Suspended)) => {
            Ok(patch(None, Some("yes")))
        }
        (Value::Status(Status::Active), Value::Status(Status::Inactive)) => {
            Ok(patch(Some("available"), None))
        }
        (b, a) => Err(SimFailure::inexpressible(format!(
            "Eseye cannot move a SIM from {b} to {a}"
        ))),
    }
}

fn text(field: Field, value: &Value) -> Result<&str, SimFailure> {
    match value {
        Value::Text(t) => Ok(t),
        _ => Err(SimFailure::inexpressible(format!(
            "Eseye SIMs always have a {}",
            field.manifest_name()
        ))),
    }
}

impl Eseye {
    async fn patch(&self, iccid: &str, body: &SimPatch<'_>) -> Result<(), SimFailure> {
        // Not repeatable: once a suspension landed, a repeat is refused
        // (409 SIM_SUSPENDED), so a lost answer is settled by a re-read.
        let req = Request::new(Method::PATCH, format!("/api/v2/sim/{iccid}")).json(body);
        self.checked(req).await
    }

    async fn checked(&self, req: Request) -> Result<(), SimFailure> {
        match self.http.send(req).await.and_then(|r| r.into_success()) {
            Ok(_) => Ok(()),
            Err(e) => Err(Self::failure(&e)),
        }
    }

    /// One SIM's changes of one phase, in order; the first failure ends them.
    pub(super) async fn apply_sim(&self, work: &SimWork) -> SimOutcome {
        SimOutcome {
            iccid: work.iccid.clone(),
            result: self.apply_changes(work).await,
            note: None,
        }
    }

    async fn apply_changes(&self, work: &SimWork) -> Result<(), SimFailure> {
        let iccid = work.iccid.as_str();
        let mut config = SimPatch::default();
        let mut attributes = None;
        for change in &work.changes {
            match change.field {
                Field::Status => {
                    self.patch(iccid, &status_patch(&change.before, &change.after)?)
                        .await?
                }
                Field::Package => config.package_id = Some(text(change.field, &change.after)?),
                Field::Portfolio => config.portfolio_id = Some(text(change.field, &change.after)?),
                Field::Attributes => attributes = Some(change),
                other => {
                    return Err(SimFailure::inexpressible(format!(
                        "Eseye cannot set {}",
                        other.manifest_name()
                    )));
                }
            }
        }
        if config.package_id.is_some() || config.portfolio_id.is_some() {
            self.patch(iccid, &config).await?;
        }
        if let Some(change) = attributes {
            self.reconcile_attributes(iccid, change).await?;
        }
        Ok(())
    }

    /// Makes the SIM's attributes exactly the desired map.
    async fn reconcile_attributes(&self, iccid: &str, change: &Change) -> Result<(), SimFailure> {
        let (before, want) = (change.before.attributes(), change.after.attributes());
        let planned = map_delta(&before, &want);
        let needed = planned.removed.iter().copied();
        let needed: Vec<&str> = needed
            .chain(planned.changed.iter().map(|(k, _)| *k))
            .collect();
        let (values, ids) = match self.known_ids(iccid, &needed) {
            Some(ids) => (before, ids),
            None => {
                let have = self
                    .attributes(iccid)
                    .await
                    .map_err(|e| SimFailure::NoAnswer {
                        detail: e.to_string(),
                    })?;
                let values = have.iter().map(|a| (&a.key, &a.value)).collect();
                let ids = have.iter().map(|a| (a.key.clone(), a.id())).collect();
                (values, ids)
            }
        };
        let delta = map_delta(&values, &want);
        let base = format!("/api/v2/sim/{iccid}/attribute");
        let path = |key: &str| format!("{base}/{}", ids.get(key).map_or("", String::as_str));
        for key in &delta.removed {
            // Not repeatable: a repeat after the first landed answers 404,
            // which would read as a failure; a lost answer is settled by a
            // re-read instead.
            self.checked(Request::new(Method::DELETE, path(key)))
                .await?;
        }
        for (key, value) in &delta.changed {
            let req = Request::new(Method::PATCH, path(key))
                .json(&AttributeValue { value })
                .repeatable();
            self.checked(req).await?;
        }
        if !delta.added.is_empty() {
            let new: Vec<NewAttribute> = delta
                .added
                .iter()
                .map(|(key, value)| NewAttribute { key, value })
                .collect();
            // Not repeatable: it creates attributes.
            let req = Request::new(Method::POST, base).json(&NewAttributes { attributes: new });
            self.checked(req).await?;
        }
        Ok(())
    }

    /// The ids of `keys` from this run's detail read of the SIM; `None`
    /// when one is missing (the SIM must then be read).
    fn known_ids(&self, iccid: &str, keys: &[&str]) -> Option<BTreeMap<String, String>> {
        if keys.is_empty() {
            return Some(BTreeMap::new());
        }
        let cache = self.attribute_ids.lock().ok()?;
        let ids = cache.get(iccid)?;
        keys.iter()
            .all(|k| ids.contains_key(*k))
            .then(|| ids.clone())
    }
}
