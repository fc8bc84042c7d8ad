//! Reading Super SIM state: the Sim resource into the model, pages
//! followed by their `meta.next_page_url`, one SIM by its ICCID, and the
//! Fleet list that turns a `fleet_sid` into the Fleet's unique name.

use std::collections::HashMap;

use reqwest::Method;

use super::Supersim;
use super::wire::{self, FLEET_SID, ICCID, Meta, PAGE_SIZE, WireFleet, WireSim};
use crate::kind::supersim::FLEET;
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::{Request, Response};
use crate::provider::listing::{self, At, Next, Page};
use crate::provider::record::Source;

/// What `scheduled` says, as the SIM's condition.
pub const SCHEDULED: &str = "scheduled: a status or Fleet change is under way at the provider";

/// The status a Sim's `status` reads as, and the condition it puts the
/// SIM in. `new` (never activated) reads as inactive and is never set;
/// `ready` connects through its Fleet and turns active by itself, so it
/// reads as active; `scheduled` is a change under way.
pub fn status(status: Option<&str>) -> (Value, Option<Condition>) {
    match status {
        Some("active" | "ready") => (Value::Status(Status::Active), None),
        Some("inactive" | "new") => (Value::Status(Status::Inactive), None),
        Some("scheduled") => (Value::Null, Some(Condition::InProgress(SCHEDULED.into()))),
        other => (
            Value::Null,
            Some(Condition::Locked(format!(
                "unknown Super SIM status {:?}",
                crate::text::inert(other.unwrap_or(""))
            ))),
        ),
    }
}

/// Maps a Sim (docs/providers.md, "Twilio / KORE Super SIM"): its ICCID
/// (its SID where it has none) is its identity, its `unique_name` the
/// name; its Fleet is shown as `fleet_name` gives it for a SID (the unique
/// name where the Fleet has one).
pub fn to_live(sim: &WireSim, fleet_name: impl Fn(&str) -> String) -> LiveSim {
    let text = |v: Option<String>| v.filter(|t| !t.is_empty()).map_or(Value::Null, Value::Text);
    let (status, condition) = status(sim.status.as_deref());
    let fleet = sim.fleet_sid.as_deref().map(fleet_name);
    LiveSim {
        iccid: Iccid::from_live(sim.identity()),
        id: sim.sid.clone(),
        fields: Fields::from([
            (Field::Name, text(sim.unique_name.clone())),
            (Field::Status, status),
            (Field::Own(&FLEET), text(fleet)),
        ]),
        condition,
        aliases: Vec::new(),
    }
}

/// The Fleets of an account by SID, with their unique names.
#[derive(Debug, Default)]
pub struct FleetBook {
    pub names: HashMap<String, Option<String>>,
}

impl FleetBook {
    /// How a Fleet shows: its unique name, else its SID.
    pub fn shown(&self, sid: &str) -> String {
        match self.names.get(sid) {
            Some(Some(name)) if !name.is_empty() => name.clone(),
            _ => sid.to_owned(),
        }
    }

    /// Whether `fleet_sid` is the Fleet `wanted` names (SID or unique name).
    pub fn is(&self, fleet_sid: Option<&str>, wanted: &Value) -> bool {
        match (fleet_sid, wanted) {
            (None, Value::Null) => true,
            (Some(sid), Value::Text(want)) => sid == want || self.shown(sid) == *want,
            _ => false,
        }
    }
}

/// The records of a list answer under `key`, and where the rest is: a
/// `null` `next_page_url` is the end; a missing `meta` is a shape error.
fn records(
    resp: &Response,
    key: &str,
    base: &str,
) -> Result<(Vec<serde_json::Value>, Next), ProviderError> {
    let answer: serde_json::Value = resp.decode()?;
    let Some(items) = answer.get(key).and_then(serde_json::Value::as_array) else {
        return Err(resp.missing(key, "the list it was asked for").into());
    };
    let meta = answer
        .get("meta")
        .filter(|m| m.get("next_page_url").is_some())
        .ok_or_else(|| resp.missing("meta.next_page_url", "whether more pages follow"))?;
    let meta: Meta = serde_json::from_value(meta.clone())
        .map_err(|e| resp.shape(format!("`meta` cannot be read: {e}")))?;
    let next = match meta.next_page_url.filter(|u| !u.is_empty()) {
        None => Next::End,
        Some(url) => match wire::below_base(base, &url) {
            Some(rest) => Next::Cursor(rest),
            None => {
                let detail = format!(
                    "`meta.next_page_url` {} is not below the provider's `url`; it is not \
                     followed (the credentials would go there)",
                    crate::text::inert(&url)
                );
                return Err(resp.shape(detail).into());
            }
        },
    };
    Ok((items.clone(), next))
}

/// A list request for `path`, or the page a cursor (a path with its query,
/// below the base URL) points at. The cursor is asked exactly as the
/// answer gave it: its `PageToken` is opaque (text §4), so its query is
/// never parsed and written again, which could change its encoding.
fn list_request(path: &str, at: &At) -> Request {
    match at {
        At::Cursor(rest) => Request::new(Method::GET, rest.as_str()).listing(),
        At::First | At::Number(_) => Request::new(Method::GET, path)
            .listing()
            .query("PageSize", PAGE_SIZE),
    }
}

impl Supersim {
    /// One `GET /Sims` page.
    pub(super) async fn sim_page(&self, at: At) -> Result<Page<WireSim>, ProviderError> {
        let resp = self.http.send(list_request("/Sims", &at)).await?;
        let resp = resp.into_success()?;
        let (items, next) = records(&resp, "sims", &self.base)?;
        let sims: Vec<WireSim> = Source::of(&resp).typed("sims", items, &ICCID)?;
        self.learn_fleets(&sims).await?;
        Ok(Page::of(resp, sims, next, None))
    }

    /// SIM `iccid` (`GET /Sims?Iccid=`, zero or one SIM); `None` when the
    /// account does not hold it.
    pub(super) async fn sim(&self, iccid: &Iccid) -> Result<Option<WireSim>, ProviderError> {
        let req = Request::new(Method::GET, "/Sims").query("Iccid", iccid.as_str());
        let resp = self.http.send(req).await?.into_success()?;
        let (items, _) = records(&resp, "sims", &self.base)?;
        let sims: Vec<WireSim> = Source::of(&resp).typed("sims", items, &ICCID)?;
        self.learn_fleets(&sims).await?;
        Ok(sims.into_iter().find(|s| s.identity() == iccid.as_str()))
    }

    /// SIM `sid` as it is now (`GET /Sims/{Sid}`).
    pub(super) async fn sim_by_sid(&self, sid: &str) -> Result<WireSim, ProviderError> {
        // A SID is `HS` and hex digits; encoded all the same, so an odd one
        // stays one segment (`+` for a space cannot occur in it).
        let segment: String = form_urlencoded::byte_serialize(sid.as_bytes()).collect();
        let path = format!("/Sims/{segment}");
        let resp = self.http.send(Request::new(Method::GET, path)).await?;
        let resp = resp.into_success()?;
        let record = resp.decode()?;
        let sim: WireSim = Source::of(&resp).one(record, "", &ICCID)?;
        self.learn_fleets(std::slice::from_ref(&sim)).await?;
        Ok(sim)
    }

    /// How Fleet `sid` shows, as far as this run knows the Fleets.
    pub(super) fn fleet_name(&self, sid: &str) -> String {
        self.book().shown(sid)
    }

    /// Reads the account's Fleets once a run, when a SIM of `sims` is in a
    /// Fleet this run does not know yet.
    pub(super) async fn learn_fleets(&self, sims: &[WireSim]) -> Result<(), ProviderError> {
        let unknown = |book: &FleetBook| {
            sims.iter()
                .filter_map(|s| s.fleet_sid.as_deref())
                .any(|sid| !book.names.contains_key(sid))
        };
        if !unknown(&self.book()) {
            return Ok(());
        }
        let _one_at_a_time = self.fleet_read.lock().await;
        if self.fleets_read.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(());
        }
        let fleets = listing::all(
            |at| self.fleet_page(at),
            |fleet| fleet.sid.clone(),
            self.http.tally(),
            1,
        )
        .await?;
        let mut book = self.book();
        for fleet in fleets {
            book.names.insert(fleet.sid, fleet.unique_name);
        }
        self.fleets_read
            .store(true, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// One `GET /Fleets` page.
    async fn fleet_page(&self, at: At) -> Result<Page<WireFleet>, ProviderError> {
        let resp = self.http.send(list_request("/Fleets", &at)).await?;
        let resp = resp.into_success()?;
        let (items, next) = records(&resp, "fleets", &self.base)?;
        let fleets = Source::of(&resp).typed("fleets", items, &FLEET_SID)?;
        Ok(Page::of(resp, fleets, next, None))
    }
}
