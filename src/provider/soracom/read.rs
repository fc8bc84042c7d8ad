//! Reading Soracom state: the Sim object into the model, bare-array pages
//! whose next key is in a header, one SIM by its `simId`, and the group
//! list that turns a `groupId` into the group's name.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{MutexGuard, PoisonError};

use reqwest::{Method, StatusCode};

use super::Soracom;
use super::wire::{self, ICCID, NEXT_KEY, PAGE_SIZE, WireGroup, WireSim};
use crate::kind::soracom::{GROUP, IMEI_LOCK, SPEED_CLASS};
use crate::model::{Attributes, Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::{HttpError, Request, Response};
use crate::provider::listing::{self, At, Next, Page};
use crate::provider::record::Source;

/// The status a Sim's `status` reads as, and the condition it puts the
/// SIM in. `ready` (never used) reads as `active`: it goes active by
/// itself on its device's first connection, and the API moves it to any
/// of the three, so a manifest that wants it `inactive` or `suspended`
/// must plan that action. `standby` reads as `inactive`: the text states
/// no API move out of it, only the device's. simfleet sets neither.
/// `terminated` is locked: nothing changes it, and simfleet never
/// terminates.
pub fn status(status: Option<&str>) -> (Value, Option<Condition>) {
    let status_of = |s| (Value::Status(s), None);
    match status {
        Some("active" | "ready") => status_of(Status::Active),
        Some("suspended") => status_of(Status::Suspended),
        Some("inactive" | "standby") => status_of(Status::Inactive),
        Some("terminated") => (
            Value::Null,
            Some(Condition::Locked(
                "terminated: Soracom accepts no change to it, and simfleet never terminates".into(),
            )),
        ),
        other => (
            Value::Null,
            Some(Condition::Locked(format!(
                "unknown Soracom status {:?}",
                crate::text::inert(other.unwrap_or(""))
            ))),
        ),
    }
}

/// The SIM's identities, sorted: each profile's `iccid` (its key where it
/// gives none). The first is the SIM's own, the rest its aliases. A SIM
/// without profiles goes by its `simId` (`wire::ICCID`): no manifest can
/// name it by an ICCID, so it shows as unmanaged, under its id.
fn iccids(sim: &WireSim) -> Vec<Iccid> {
    let mut all: Vec<Iccid> = sim
        .profiles
        .iter()
        .flatten()
        .map(|(key, profile)| {
            let inner = profile.as_ref().and_then(|p| p.iccid.as_deref());
            Iccid::from_live(inner.filter(|i| !i.is_empty()).unwrap_or(key))
        })
        .filter(|iccid| !iccid.as_str().is_empty())
        .collect();
    if all.is_empty() {
        all.push(Iccid::from_live(sim.sim_id.clone()));
    }
    all.sort();
    all.dedup();
    all
}

/// Maps a Sim (docs/providers.md, "Soracom"): the tag `name` is the name
/// (`""` none), the other tags the attributes; `group` is the group's name
/// as `group_name` gives it for an id.
pub fn to_live(sim: &WireSim, group_name: impl Fn(&str) -> String) -> LiveSim {
    let tags: Vec<(String, String)> = sim
        .tags
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.text()))
        .collect();
    let name = tags
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty());
    let attributes: Attributes = tags.iter().filter(|(k, _)| k != "name").cloned().collect();
    let text = |v: Option<String>| v.filter(|t| !t.is_empty()).map_or(Value::Null, Value::Text);
    let (status, condition) = status(sim.status.as_deref());
    let group = sim.group_id.as_deref().map(group_name);
    let imei = sim.imei_lock.as_ref().and_then(|l| l.imei.clone());
    let fields = Fields::from([
        (Field::Name, text(name)),
        (Field::Status, status),
        (Field::Attributes, Value::Map(attributes)),
        (Field::Own(&GROUP), text(group)),
        (Field::Own(&SPEED_CLASS), text(sim.speed_class.clone())),
        (Field::Own(&IMEI_LOCK), text(imei)),
    ]);
    let mut all = iccids(sim).into_iter();
    LiveSim {
        // `iccids` is never empty; the `simId` again keeps that local.
        iccid: all
            .next()
            .unwrap_or_else(|| Iccid::from_live(sim.sim_id.clone())),
        id: sim.sim_id.clone(),
        fields,
        condition,
        aliases: all.collect(),
    }
}

/// Where the rest of a listing is: the key in `x-soracom-next-key`, else
/// in `link: <...>; rel=next`; neither is the end.
fn next(resp: &Response) -> Next {
    let header = resp
        .header(NEXT_KEY)
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let key = header
        .map(str::to_owned)
        .or_else(|| resp.header("link").and_then(wire::next_from_link));
    key.map_or(Next::End, Next::Cursor)
}

/// The records of a list answer: a bare array, as the text gives it. Any
/// other answer is a shape error naming what it holds, never an empty list.
fn records(resp: &Response, what: &str) -> Result<Vec<serde_json::Value>, ProviderError> {
    let holds = match resp.decode()? {
        serde_json::Value::Array(items) => return Ok(items),
        serde_json::Value::Object(map) if map.is_empty() => "an empty object".to_owned(),
        serde_json::Value::Object(map) => {
            let keys: Vec<String> = map
                .keys()
                .take(12)
                .map(|k| format!("`{}`", crate::text::inert(k)))
                .collect();
            format!("keys {}", keys.join(", "))
        }
        _ => "no list".to_owned(),
    };
    let detail =
        format!("the answer is not the bare array of {what} the API gives; it has {holds}");
    Err(resp.shape(detail).into())
}

/// A list request: `path` with `limit`, from the page `at` says.
fn list_request(path: &str, at: &At) -> Request {
    let req = Request::new(Method::GET, path).query("limit", PAGE_SIZE);
    match at {
        At::Cursor(key) => req.query("last_evaluated_key", key),
        At::First | At::Number(_) => req,
    }
}

/// A `GET /sims` 404 as the page it stands for. The text lists 404 "No
/// such SIM found." for the list, most likely an account without SIMs:
/// on the first page and in Soracom's error shape it is an empty list.
/// After a cursor it would cut the inventory short, so it is an error,
/// as is any other body (something that is not the API: a wrong `url`).
fn not_found(resp: Response, first: bool) -> Result<Page<WireSim>, ProviderError> {
    if !wire::is_error_body(&resp.body) {
        return Err(HttpError::NoSuchList {
            url: resp.url,
            at: resp.at,
        }
        .into());
    }
    if first {
        return Ok(Page::of(resp, Vec::new(), Next::End, None));
    }
    // The API's own 404 after a cursor: said as it came. `into_success`
    // of a 404 is always its error.
    match resp.into_success() {
        Err(e) => Err(e.into()),
        Ok(resp) => Err(HttpError::NoSuchList {
            url: resp.url,
            at: resp.at,
        }
        .into()),
    }
}

impl Soracom {
    /// One `GET /sims` page.
    pub(super) async fn sim_page(&self, at: At) -> Result<Page<WireSim>, ProviderError> {
        // Not a `listing()`: the HTTP layer would take every 404 for a
        // wrong `url`, and this list's 404 may mean no SIMs (`not_found`).
        let resp = self.http.send(list_request("/sims", &at)).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return not_found(resp, matches!(at, At::First));
        }
        let resp = resp.into_success()?;
        let sims: Vec<WireSim> = Source::of(&resp).typed("", records(&resp, "SIMs")?, &ICCID)?;
        self.learn_groups(&sims).await?;
        let next = next(&resp);
        Ok(Page::of(resp, sims, next, None))
    }

    /// SIM `iccid`, by the `simId` this run has seen it under (the whole
    /// account is listed once to find it otherwise); `None` when Soracom
    /// does not hold it.
    pub(super) async fn sim(&self, iccid: &Iccid) -> Result<Option<WireSim>, ProviderError> {
        let Some(id) = self.sim_id(iccid).await? else {
            return Ok(None);
        };
        let path = format!("/sims/{}", wire::path_segment(&id));
        let resp = self.http.send(Request::new(Method::GET, path)).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = resp.into_success()?;
        let record = resp.decode()?;
        let sim: WireSim = Source::of(&resp).one(record, "", &ICCID)?;
        self.learn_groups(std::slice::from_ref(&sim)).await?;
        Ok(Some(sim))
    }

    /// The `simId` of `iccid`, from this run's reads, else from one full
    /// listing (once a run: a SIM not in it is not at Soracom).
    async fn sim_id(&self, iccid: &Iccid) -> Result<Option<String>, ProviderError> {
        if let Some(id) = self.known_id(iccid) {
            return Ok(Some(id));
        }
        let _one_at_a_time = self.id_lookup.lock().await;
        if !self.listed.load(Ordering::Acquire) {
            let all = listing::all(
                |at| self.sim_page(at),
                |sim| sim.sim_id.clone(),
                self.http.tally(),
                1,
            )
            .await?;
            all.iter().for_each(|sim| self.remember(sim));
            self.listed.store(true, Ordering::Release);
        }
        Ok(self.known_id(iccid))
    }

    /// The `simId`s this run has read; a panic elsewhere that poisoned
    /// the lock left valid entries.
    fn ids(&self) -> MutexGuard<'_, HashMap<Iccid, String>> {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The groups this run has read, as [`Soracom::ids`] is.
    pub(super) fn book(&self) -> MutexGuard<'_, GroupBook> {
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn known_id(&self, iccid: &Iccid) -> Option<String> {
        self.ids().get(iccid).cloned()
    }

    /// Keeps the `simId` of each of the SIM's ICCIDs.
    pub(super) fn remember(&self, sim: &WireSim) {
        let mut ids = self.ids();
        for iccid in iccids(sim) {
            ids.insert(iccid, sim.sim_id.clone());
        }
    }

    /// The name of group `id` as far as this run knows it; the id itself
    /// for a group without a name (or one not listed).
    pub(super) fn group_name(&self, id: &str) -> String {
        let name = self.book().names.get(id).cloned();
        name.unwrap_or_else(|| id.to_owned())
    }

    /// Reads the account's groups once a run, when a SIM of `sims` is in
    /// a group this run does not know yet.
    async fn learn_groups(&self, sims: &[WireSim]) -> Result<(), ProviderError> {
        let unknown = |book: &GroupBook| {
            !book.listed
                && sims
                    .iter()
                    .filter_map(|s| s.group_id.as_deref())
                    .any(|g| !book.ids.contains_key(g))
        };
        if !unknown(&self.book()) {
            return Ok(());
        }
        let _one_at_a_time = self.group_read.lock().await;
        if self.book().listed {
            return Ok(());
        }
        let all = self.groups_named(None).await?;
        let mut book = self.book();
        book.learn(&all);
        book.listed = true;
        Ok(())
    }

    /// The groups named `name` (its tag `name`, exactly), or every group.
    pub(super) async fn groups_named(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<WireGroup>, ProviderError> {
        let fetch = |at: At| async move {
            let mut req = list_request("/groups", &at).listing();
            if let Some(name) = name {
                req = req
                    .query("tag_name", "name")
                    .query("tag_value", name)
                    .query("tag_value_match_mode", "exact");
            }
            let resp = self.http.send(req).await?.into_success()?;
            let groups = records(&resp, "groups")?
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    serde_json::from_value(g)
                        .map_err(|e| resp.shape(format!("`[{i}]` cannot be read: {e}")))
                })
                .collect::<Result<Vec<WireGroup>, _>>()?;
            let next = next(&resp);
            Ok(Page::of(resp, groups, next, None))
        };
        let groups = listing::all(fetch, |g| g.group_id.clone(), self.http.tally(), 1).await?;
        self.book().learn(&groups);
        Ok(groups)
    }
}

/// The groups this run has read: id to name.
#[derive(Debug, Default)]
pub(super) struct GroupBook {
    /// Every group read, by id; `None` for one without a name.
    pub(super) ids: HashMap<String, Option<String>>,
    /// Named groups, by id.
    pub(super) names: HashMap<String, String>,
    /// Whether the whole list was read.
    pub(super) listed: bool,
}

impl GroupBook {
    pub(super) fn learn(&mut self, groups: &[WireGroup]) {
        for group in groups {
            let name = group.name();
            if let Some(name) = &name {
                self.names.insert(group.group_id.clone(), name.clone());
            }
            self.ids.insert(group.group_id.clone(), name);
        }
    }

    /// The ids of the groups named `name` that this run read.
    pub(super) fn named(&self, name: &str) -> Vec<String> {
        let named = self.names.iter().filter(|(_, n)| *n == name);
        named.map(|(id, _)| id.clone()).collect()
    }
}
