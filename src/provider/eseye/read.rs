//! Reading Eseye state: cursor pages (or the older numbered pages with a
//! total), and attributes one SIM at a time, for the adapter to fan out.

use reqwest::{Method, StatusCode};

use super::Eseye;
use super::wire::{AttributeList, ICCID, PAGE_SIZE, SimPage, WireAttribute, WireSim};
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;
use crate::provider::listing::{At, Next, Page};
use crate::provider::record::Source;

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
        aliases: Vec::new(),
    }
}

impl Eseye {
    /// One `GET /api/v2/sim` page: the published cursor form (follow
    /// `nextPageToken` until an answer omits it), or the older numbered
    /// form with a `total`. An answer with neither is the whole list.
    pub(super) async fn sim_page(&self, at: At) -> Result<Page<WireSim>, ProviderError> {
        let mut req = Request::new(Method::GET, "/api/v2/sim").listing();
        match &at {
            At::First => {}
            At::Cursor(token) => req = req.query("pageToken", token),
            At::Number(n) => req = req.query("page", n),
        }
        let req = req.query("pageSize", PAGE_SIZE);
        let resp = self.http.send(req).await?.into_success()?;
        let page: SimPage = resp.decode()?;
        let Some(sims) = page.sims else {
            return Err(resp.missing("sims", "the SIM list").into());
        };
        let sims = Source::of(&resp).typed("sims", sims, &ICCID)?;
        let next = match (page.next_page_token.filter(|t| !t.is_empty()), page.total) {
            (Some(token), _) => Next::Cursor(token),
            (None, Some(_)) => Next::Numbered { size: PAGE_SIZE },
            (None, None) => Next::End,
        };
        Ok(Page::of(resp, sims, next, page.total))
    }

    /// One SIM, `None` when Eseye does not hold it; an answer without
    /// the SIM's ICCID is an error naming it.
    pub(super) async fn sim(&self, iccid: &Iccid) -> Result<Option<WireSim>, ProviderError> {
        let req = Request::new(Method::GET, format!("/api/v2/sim/{iccid}"));
        let resp = self.http.send(req).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = resp.into_success()?;
        let record = resp.decode()?;
        Ok(Some(Source::of(&resp).one(record, "", &ICCID)?))
    }

    pub(super) async fn attributes(
        &self,
        iccid: &str,
    ) -> Result<Vec<WireAttribute>, ProviderError> {
        let req = Request::new(Method::GET, format!("/api/v2/sim/{iccid}/attribute"));
        let resp = self.http.send(req).await?;
        // Asked for a SIM the listing just showed: a 404 is taken as no
        // attributes (the text shows no answer for this call).
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        let list: AttributeList = resp.json()?;
        Ok(list.into_vec())
    }
}
