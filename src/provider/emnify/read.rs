//! Reading emnify state: an endpoint and its SIM into the model, the
//! endpoint list in numbered pages that stop at `X-Total-Pages`, and one
//! endpoint by the id this run saw it under.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{MutexGuard, PoisonError};

use reqwest::{Method, StatusCode};

use super::Emnify;
use super::wire::{self, ICCID, PAGE_SIZE, WireEndpoint};
use crate::kind::emnify::{IMEI_LOCK, SERVICE_PROFILE, TARIFF_PROFILE};
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Names, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::{Request, Response};
use crate::provider::listing::{self, At, Next, Page};
use crate::provider::record::Source;

/// What a write needs of a SIM beyond its endpoint id: its SIM's id and
/// the SIM and endpoint statuses this run read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub endpoint: u64,
    pub sim: u64,
    pub sim_status: Option<u64>,
    pub endpoint_status: Option<u64>,
}

/// The status an endpoint and its SIM read as, and the condition they put
/// the SIM in. A Deleted SIM (or endpoint) is locked; Factory Test is on
/// its way to Activated. A Disabled endpoint reads as inactive whatever
/// its SIM is, so that disabling is what `inactive` asks; an Issued SIM
/// reads as inactive and is never set back.
pub fn status(sim: Option<u64>, endpoint: Option<u64>) -> (Value, Option<Condition>) {
    let locked = |why: String| (Value::Null, Some(Condition::Locked(why)));
    match (sim, endpoint) {
        (Some(wire::SIM_DELETED), _) => {
            locked("Deleted: emnify accepts no change to it, and simfleet never deletes".into())
        }
        (_, Some(wire::ENDPOINT_DELETED)) => locked("the endpoint is Deleted".into()),
        (Some(wire::SIM_FACTORY_TEST), _) => (
            Value::Null,
            Some(Condition::InProgress(
                "Factory Test, on its way to Activated".into(),
            )),
        ),
        (Some(wire::SIM_ISSUED), Some(wire::ENDPOINT_ENABLED | wire::ENDPOINT_DISABLED))
        | (Some(wire::SIM_ACTIVATED | wire::SIM_SUSPENDED), Some(wire::ENDPOINT_DISABLED)) => {
            (Value::Status(Status::Inactive), None)
        }
        (Some(wire::SIM_SUSPENDED), Some(wire::ENDPOINT_ENABLED)) => {
            (Value::Status(Status::Suspended), None)
        }
        (Some(wire::SIM_ACTIVATED), Some(wire::ENDPOINT_ENABLED)) => {
            (Value::Status(Status::Active), None)
        }
        (sim, endpoint) => locked(format!(
            "unknown emnify status: SIM {}, endpoint {}",
            sim.map_or("none".into(), |s| s.to_string()),
            endpoint.map_or("none".into(), |s| s.to_string()),
        )),
    }
}

/// The SIM's ICCIDs: the 20-digit form first (its own), the 19-digit form
/// as the alias a manifest may name it by.
fn iccids(e: &WireEndpoint) -> Vec<Iccid> {
    let Some(sim) = &e.sim else {
        return Vec::new();
    };
    let forms = [&sim.iccid_with_luhn, &sim.iccid];
    let mut all: Vec<Iccid> = forms
        .into_iter()
        .filter_map(|f| f.as_deref().filter(|i| !i.is_empty()))
        .map(Iccid::from_live)
        .collect();
    all.dedup();
    all
}

/// Maps an endpoint with a SIM (docs/providers.md, "emnify").
pub fn to_live(e: &WireEndpoint) -> LiveSim {
    let text = |v: Option<String>| v.filter(|t| !t.is_empty()).map_or(Value::Null, Value::Text);
    let id =
        |r: &Option<wire::Reference>| text(r.as_ref().and_then(|r| r.id).map(|n| n.to_string()));
    let sim_status = e
        .sim
        .as_ref()
        .and_then(|s| s.status.as_ref())
        .and_then(|s| s.id);
    let (status, condition) = status(sim_status, e.status.as_ref().and_then(|s| s.id));
    let tags: Names = wire::tag_names(e.tags.as_deref()).into_iter().collect();
    let fields = Fields::from([
        (Field::Name, text(e.name.clone())),
        (Field::Status, status),
        (Field::Tags, Value::Set(tags)),
        (Field::Own(&SERVICE_PROFILE), id(&e.service_profile)),
        (Field::Own(&TARIFF_PROFILE), id(&e.tariff_profile)),
        (
            Field::Own(&IMEI_LOCK),
            text(e.imei_lock.map(|b| b.to_string())),
        ),
    ]);
    let mut all = iccids(e).into_iter();
    LiveSim {
        // `Source::one` refused an endpoint with a `sim` but no ICCID, and
        // endpoints without a SIM are dropped before they are mapped.
        iccid: all
            .next()
            .unwrap_or_else(|| Iccid::from_live(e.id.to_string())),
        id: e.id.to_string(),
        fields,
        condition,
        aliases: all.collect(),
    }
}

/// A paging header as a number; absent or not a number is a shape error,
/// never an end.
fn number(resp: &Response, header: &str) -> Result<usize, ProviderError> {
    let value = resp.header(header).map(str::trim);
    value.and_then(|v| v.parse().ok()).ok_or_else(|| {
        resp.missing(header, "the paging of the endpoint list")
            .into()
    })
}

/// Where the rest of a listing is: nothing past `X-Total-Pages` (a page
/// past the end repeats the last one), else numbered pages of the size
/// the answer reports, as many as its `X-Total-Count` needs.
fn next(resp: &Response, page: usize) -> Result<(Next, Option<usize>), ProviderError> {
    let pages = number(resp, wire::TOTAL_PAGES)?;
    if page >= pages {
        return Ok((Next::End, None));
    }
    let size = number(resp, wire::PER_PAGE)?.clamp(1, PAGE_SIZE);
    let total = number(resp, wire::TOTAL_COUNT)?;
    if total.div_ceil(size) != pages {
        let detail = format!(
            "the answer gives {pages} pages, but {total} endpoints in pages of {size} are {}",
            total.div_ceil(size)
        );
        return Err(resp.shape(detail).into());
    }
    Ok((Next::Numbered { size }, Some(total)))
}

/// The endpoints of a list answer: a bare array. Those with a `sim` must
/// name its ICCID; those without are kept, to be dropped as no SIM.
fn endpoints(resp: &Response) -> Result<Vec<WireEndpoint>, ProviderError> {
    let items = match resp.decode()? {
        serde_json::Value::Array(items) => items,
        other => {
            let keys: Vec<String> = other
                .as_object()
                .into_iter()
                .flat_map(|map| map.keys().take(12))
                .map(|k| format!("`{}`", crate::text::inert(k)))
                .collect();
            let holds = if keys.is_empty() {
                "no keys".to_owned()
            } else {
                format!("keys {}", keys.join(", "))
            };
            let detail = format!(
                "the answer is not the bare array of endpoints the API gives; it has {holds}"
            );
            return Err(resp.shape(detail).into());
        }
    };
    let source = Source::of(resp);
    let read = |(i, item): (usize, serde_json::Value)| {
        let place = format!("[{i}]");
        if item.get("sim").is_none_or(serde_json::Value::is_null) {
            serde_json::from_value(item)
                .map_err(|e| resp.shape(format!("`{place}` cannot be read: {e}")))
        } else {
            source.one(item, &place, &ICCID)
        }
    };
    let all = items.into_iter().enumerate().map(read);
    Ok(all.collect::<Result<Vec<_>, _>>()?)
}

impl Emnify {
    /// One `GET /api/v1/endpoint` page.
    pub(super) async fn endpoint_page(&self, at: At) -> Result<Page<WireEndpoint>, ProviderError> {
        let page = match at {
            At::Number(n) => n,
            At::First | At::Cursor(_) => 1,
        };
        let req = Request::new(Method::GET, "/api/v1/endpoint")
            .listing()
            .query("page", page)
            .query("per_page", PAGE_SIZE);
        let resp = self.http.send(req).await?.into_success()?;
        let items = endpoints(&resp)?;
        let (next, total) = next(&resp, page)?;
        Ok(Page::of(resp, items, next, total))
    }

    /// The endpoint of SIM `iccid`, by the endpoint id this run has seen it
    /// under (the whole account is listed once to find it otherwise);
    /// `None` when emnify does not hold it.
    pub(super) async fn endpoint(
        &self,
        iccid: &Iccid,
    ) -> Result<Option<WireEndpoint>, ProviderError> {
        let Some(known) = self.endpoint_of(iccid).await? else {
            return Ok(None);
        };
        let path = format!("/api/v1/endpoint/{}", known.endpoint);
        let resp = self.http.send(Request::new(Method::GET, path)).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = resp.into_success()?;
        let record = resp.decode()?;
        let endpoint: WireEndpoint = Source::of(&resp).one(record, "", &ICCID)?;
        Ok(Some(endpoint))
    }

    async fn endpoint_of(&self, iccid: &Iccid) -> Result<Option<Known>, ProviderError> {
        if let Some(known) = self.known(iccid) {
            return Ok(Some(known));
        }
        let _one_at_a_time = self.id_lookup.lock().await;
        if !self.listed.load(Ordering::Acquire) {
            let all = listing::all(
                |at| self.endpoint_page(at),
                |e| e.id.to_string(),
                self.http.tally(),
                1,
            )
            .await?;
            all.iter().for_each(|e| self.remember(e));
            self.listed.store(true, Ordering::Release);
        }
        Ok(self.known(iccid))
    }

    /// What this run read of each SIM; a panic elsewhere that poisoned the
    /// lock left valid entries.
    fn book(&self) -> MutexGuard<'_, HashMap<Iccid, Known>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn known(&self, iccid: &Iccid) -> Option<Known> {
        self.book().get(iccid).copied()
    }

    /// Records the SIM status a write left SIM `iccid` in.
    pub(super) fn now_sim(&self, iccid: &Iccid, status: u64) {
        if let Some(known) = self.book().get_mut(iccid) {
            known.sim_status = Some(status);
        }
    }

    /// Keeps the ids and statuses of the endpoint's SIM, under each ICCID.
    pub(super) fn remember(&self, e: &WireEndpoint) {
        let Some(sim) = &e.sim else {
            return;
        };
        let known = Known {
            endpoint: e.id,
            sim: sim.id,
            sim_status: sim.status.as_ref().and_then(|s| s.id),
            endpoint_status: e.status.as_ref().and_then(|s| s.id),
        };
        let mut book = self.book();
        for iccid in iccids(e) {
            book.insert(iccid, known);
        }
    }
}
