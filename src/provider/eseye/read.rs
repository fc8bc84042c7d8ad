//! Reading Eseye state: the first page gives the total, the rest are fetched
//! concurrently; attributes one SIM at a time, for the adapter to fan out.

use reqwest::Method;

use super::Eseye;
use super::wire::{AttributeList, PAGE_SIZE, SimPage, WireAttribute, WireSim};
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;

fn yes(flag: &Option<String>) -> bool {
    flag.as_deref() == Some("yes")
}

/// Maps an Eseye SIM (docs/providers.md). Admin and system suspensions are locked;
/// `pendingProvision` is in progress toward active.
pub fn to_live(sim: &WireSim) -> LiveSim {
    let (status, condition) = if yes(&sim.admin_suspend) || yes(&sim.system_suspend) {
        let by = if yes(&sim.admin_suspend) {
            "admin"
        } else {
            "system"
        };
        (
            Value::Status(Status::Suspended),
            Some(Condition::Locked(format!(
                "suspended by Eseye ({by}Suspend); the customer cannot lift it"
            ))),
        )
    } else if yes(&sim.customer_suspend) {
        (Value::Status(Status::Suspended), None)
    } else {
        match sim.status.as_deref() {
            Some("active") => (Value::Status(Status::Active), None),
            Some("available") => (Value::Status(Status::Inactive), None),
            Some("pendingProvision") => (
                Value::Status(Status::Active),
                Some(Condition::InProgress(
                    "pendingProvision, becoming active".into(),
                )),
            ),
            other => (
                Value::Null,
                Some(Condition::Locked(format!(
                    "unknown Eseye status {:?}",
                    other.unwrap_or("")
                ))),
            ),
        }
    };
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let fields = Fields::from([
        (Field::Status, status),
        (Field::Package, text(&sim.package_id)),
        (Field::Portfolio, text(&sim.portfolio_id)),
    ]);
    let id = match &sim.sim_id {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => sim.iccid.clone(),
    };
    LiveSim {
        iccid: Iccid::from_live(&sim.iccid),
        id,
        fields,
        condition,
    }
}

impl Eseye {
    pub(super) async fn page(&self, page: usize) -> Result<SimPage, ProviderError> {
        let req = Request::new(Method::GET, "/api/v2/sim")
            .query("page", page)
            .query("pageSize", PAGE_SIZE)
            .listing();
        Ok(self.http.send(req).await?.json()?)
    }

    pub(super) async fn attributes(
        &self,
        iccid: &str,
    ) -> Result<Vec<WireAttribute>, ProviderError> {
        let req = Request::new(Method::GET, format!("/api/v2/sim/{iccid}/attribute"));
        let list: AttributeList = self.http.send(req).await?.json()?;
        Ok(list.into_vec())
    }
}
