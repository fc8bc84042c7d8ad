//! The reads: `GET /Sims` (filters `Status`, `Fleet`, `Iccid`) and
//! `GET /Fleets` (filter `NetworkAccessProfile`), paged by `PageSize`
//! (1 to 1000, 50 by default) and an opaque `PageToken` that only the
//! answer's `meta` URLs carry; `Page` is client state, echoed. One
//! resource by its SID or unique name: `GET /Sims/{Sid}`,
//! `GET /Fleets/{Sid}`.
//!
//! Unknown parameters are refused (400, 20001), so a client's misspelt
//! filter shows instead of listing everything.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use super::render::{self, Place};
use super::state::STATUSES;
use super::{App, coded, not_found, with_state};
use crate::emulator::request::{Params, param};

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 1000;
const PAGING: [&str; 3] = ["PageSize", "Page", "PageToken"];

/// Masks the offset in a page token: clients must follow the URLs, never
/// compute tokens (the text's 21481).
const TOKEN_MASK: u64 = 0x5e5e_0000_7a11_0000;

fn token_of(offset: usize) -> String {
    format!("PA{:x}", (offset as u64) ^ TOKEN_MASK)
}

fn offset_of(token: &str) -> Option<usize> {
    let n = u64::from_str_radix(token.strip_prefix("PA")?, 16).ok()?;
    usize::try_from(n ^ TOKEN_MASK).ok()
}

/// A list request's paging and filters, read before the account is.
struct Request {
    size: usize,
    page: u64,
    offset: usize,
    filters: Vec<(&'static str, String)>,
}

fn read(params: &[(String, String)], filters: &[&'static str]) -> Result<Request, Response> {
    let bad = |message: String| coded(StatusCode::BAD_REQUEST, 20001, &message);
    let known = |k: &str| PAGING.contains(&k) || filters.contains(&k);
    if let Some((key, _)) = params.iter().find(|(k, _)| !known(k)) {
        let all = [filters, &PAGING[..]].concat();
        return Err(bad(format!(
            "unknown parameter {key}; parameters are case-sensitive: {}",
            all.join(", ")
        )));
    }
    let size = match param(params, "PageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return Err(bad(format!("PageSize must be 1 to {MAX_PAGE_SIZE}"))),
        },
    };
    let page = match param(params, "Page").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(bad("Page must be a whole number, 0 or more".into())),
    };
    let offset = match param(params, "PageToken") {
        None => 0,
        Some(token) => offset_of(token)
            .ok_or_else(|| coded(StatusCode::BAD_REQUEST, 21481, "Invalid PageToken"))?,
    };
    let filters = filters
        .iter()
        .filter_map(|&key| Some((key, param(params, key)?.to_owned())))
        .collect();
    Ok(Request {
        size,
        page,
        offset,
        filters,
    })
}

impl Request {
    fn filter(&self, key: &str) -> Option<&str> {
        let found = self.filters.iter().find(|(k, _)| *k == key);
        found.map(|(_, v)| v.as_str())
    }

    /// The page of `matching` this request asks for: `{<key>: [...],
    /// meta}`, each item rendered by `render`, the list at `<base><path>`.
    fn answer<'a, T: 'a>(
        &self,
        (base, path, key): (&str, &str, &str),
        mut matching: impl Iterator<Item = &'a T>,
        render: impl Fn(&T) -> Json,
    ) -> Response {
        let page = matching.by_ref().skip(self.offset).take(self.size);
        let items: Vec<Json> = page.map(render).collect();
        let more = matching.next().is_some();
        let previous = (self.offset > 0).then(|| {
            let at = self.offset.saturating_sub(self.size);
            (at > 0).then(|| token_of(at))
        });
        let place = Place {
            list: format!("{base}{path}"),
            filters: &self.filters,
            page: self.page,
            size: self.size,
            token: (self.offset > 0).then(|| token_of(self.offset)),
            next: more.then(|| token_of(self.offset + self.size)),
            previous,
        };
        axum::Json(json!({ key: items, "meta": place.meta(key) })).into_response()
    }
}

pub async fn sims(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let request = read(&params, &["Status", "Fleet", "Iccid"]).and_then(|request| {
        match request.filter("Status") {
            Some(status) if !STATUSES.contains(&status) => {
                let message = format!("Status must be one of {}", STATUSES.join(", "));
                Err(coded(StatusCode::BAD_REQUEST, 20001, &message))
            }
            _ => Ok(request),
        }
    });
    // Credentials first: a request is judged only once it may be.
    with_state(&app, &headers, |state, _, base| {
        let request = match request {
            Ok(request) => request,
            Err(refused) => return refused,
        };
        // A Fleet filter naming no Fleet matches no SIM.
        let fleet = request
            .filter("Fleet")
            .map(|key| state.find_fleet(key).map(|f| f.sid.clone()));
        let (status, iccid) = (request.filter("Status"), request.filter("Iccid"));
        let account = &state.account_sid;
        let matching = state.sims.iter().filter(|sim| {
            status.is_none_or(|s| sim.status == s)
                && iccid.is_none_or(|i| sim.iccid.as_deref() == Some(i))
                && fleet
                    .as_ref()
                    .is_none_or(|f| f.is_some() && sim.fleet_sid == *f)
        });
        let render = |sim: &_| render::sim(sim, account, base);
        request.answer((base, "/Sims", "sims"), matching, render)
    })
}

pub async fn sim(State(app): State<App>, headers: HeaderMap, Path(sid): Path<String>) -> Response {
    with_state(&app, &headers, |state, _, base| {
        match state.find_sim(&sid) {
            Some(i) => {
                axum::Json(render::sim(&state.sims[i], &state.account_sid, base)).into_response()
            }
            None => not_found(&format!("/Sims/{sid}")),
        }
    })
}

pub async fn fleets(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let request = read(&params, &["NetworkAccessProfile"]);
    with_state(&app, &headers, |state, _, base| {
        let request = match request {
            Ok(request) => request,
            Err(refused) => return refused,
        };
        // Network Access Profiles are not emulated: only their SIDs match.
        let profile = request.filter("NetworkAccessProfile");
        let account = &state.account_sid;
        let matching = (state.fleets.iter())
            .filter(|f| profile.is_none_or(|p| f.network_access_profile_sid == p));
        let render = |fleet: &_| render::fleet(fleet, account, base);
        request.answer((base, "/Fleets", "fleets"), matching, render)
    })
}

pub async fn fleet(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sid): Path<String>,
) -> Response {
    with_state(&app, &headers, |state, _, base| {
        match state.find_fleet(&sid) {
            Some(f) => axum::Json(render::fleet(f, &state.account_sid, base)).into_response(),
            None => not_found(&format!("/Fleets/{sid}")),
        }
    })
}
