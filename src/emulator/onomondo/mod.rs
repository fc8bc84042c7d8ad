//! Onomondo API as its text and the published clients show it
//! (docs/providers.md): bare-key or Bearer auth, cursor pagination with
//! `limit` 1..1000, get by SIM id or ICCID (the only read that shows the
//! data limit), find, PATCH, bulk PATCH (20 at most; the alert threshold
//! only on a Pro account), tag PUT/DELETE with 400s, the tag search real clients read
//! (`/tags/search/tags`, offset paging, at most 100 a page) and the text's
//! bare `/tags`, and `{"error":"code"}` bodies.

// Helpers return a ready error `Response` for early exit from handlers; it is
// built once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use serde_json::{Map, Value as Json, json};

use super::App;
use super::api::{Api, RateStyle, with_state};
use super::request::{Params, json_object, param};
use crate::kind::ProviderKind;

mod state;
pub use state::{DataLimit, OnomondoState, Sim, Tag};

const MAX_LIMIT: usize = 1000;
const BULK_LIMIT: usize = 20;

/// The emulated Onomondo API.
pub struct Onomondo;

impl Api for Onomondo {
    const KIND: ProviderKind = ProviderKind::Onomondo;
    const UNAUTHORISED: &'static str = "unauthorized";
    const RATE: RateStyle = RateStyle {
        reset_epoch: true,
        ..RateStyle::X_RATELIMIT
    };
    type State = OnomondoState;

    fn state(world: &mut super::WorldState) -> &mut OnomondoState {
        &mut world.onomondo
    }

    fn router() -> Router<App> {
        router()
    }

    fn error(status: StatusCode, code: &str) -> Response {
        error(status, code)
    }

    /// The bare key (as clients send it) or `Bearer <key>`.
    fn authorised(_app: &App, state: &OnomondoState, given: &str) -> bool {
        let given = given.strip_prefix("Bearer ").unwrap_or(given);
        !state.api_key.is_empty() && given == state.api_key
    }

    fn generate(state: &mut OnomondoState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut OnomondoState) -> Result<(), String> {
        state.resolve_tag_names()
    }
}

fn router() -> Router<App> {
    Router::new()
        .route("/sims", get(list))
        .route("/sims/find", get(find))
        .route("/sims/bulk", patch(bulk))
        .route("/sims/{sim_id}", get(get_one).patch(update))
        .route(
            "/sims/{sim_id}/tags/{tag_id}",
            put(add_tag).delete(remove_tag),
        )
        .route("/tags", get(tags))
        .route("/tags/search/tags", get(search_tags))
}

/// Tags per page of the tag search at most; a larger `limit` is cut to it.
const MAX_TAG_PAGE: usize = 100;
const DEFAULT_TAG_PAGE: usize = 20;

pub fn error(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(json!({ "error": code }))).into_response()
}

fn parse_limit(raw: Option<&str>, default: usize) -> Result<usize, Response> {
    match raw {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(error(StatusCode::BAD_REQUEST, "invalid_limit")),
        },
    }
}

fn filter_matches(sim: &Sim, filters: &[(String, String)]) -> bool {
    filters.iter().all(|(key, value)| match key.as_str() {
        "online" => sim.online.to_string() == *value,
        "activated" => sim.activated.to_string() == *value,
        "connector" => sim.connector.as_deref() == Some(value),
        "network_whitelist" => sim.network_whitelist.as_deref() == Some(value),
        _ => false,
    })
}

async fn list(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let limit = match parse_limit(param(&params, "limit"), MAX_LIMIT) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut filters = Vec::new();
    for (key, value) in params
        .iter()
        .filter(|(k, _)| k == "filter" || k == "filter[]")
    {
        match value.split_once(':') {
            Some((k, v))
                if ["online", "activated", "connector", "network_whitelist"].contains(&k) =>
            {
                filters.push((k.to_owned(), v.to_owned()));
            }
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("invalid_filter: {key}={value}"),
                );
            }
        }
    }
    // The cursor is the offset, hex-encoded so clients treat it as opaque.
    let offset = match param(&params, "next_page") {
        None => 0,
        Some(c) => match usize::from_str_radix(c, 16) {
            Ok(o) => o,
            Err(_) => return error(StatusCode::BAD_REQUEST, "invalid_next_page"),
        },
    };
    with_state::<Onomondo>(&app, &headers, |state, _| {
        // Counted and paged in place: nothing is collected per request, and
        // an unfiltered page skips to its offset without walking the list.
        let (total, page): (usize, Vec<Json>) = if filters.is_empty() {
            let page = state.sims.iter().skip(offset).take(limit);
            (state.sims.len(), page.map(|s| state.render(s)).collect())
        } else {
            let matching = || state.sims.iter().filter(|s| filter_matches(s, &filters));
            let page = matching().skip(offset).take(limit);
            (matching().count(), page.map(|s| state.render(s)).collect())
        };
        let end = offset + page.len();
        let has_more = end < total;
        let body = json!({
            "count": page.len(),
            "limit": limit,
            "total": total,
            "sims": page,
            "pagination": {"has_more": has_more, "next_page": has_more.then(|| format!("{end:x}"))},
        });
        axum::Json(body).into_response()
    })
}

async fn find(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let Some(search) = param(&params, "search").filter(|s| !s.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "search_required");
    };
    let limit = match parse_limit(param(&params, "limit"), 10) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let Ok(offset) = param(&params, "offset").unwrap_or("0").parse::<usize>() else {
        return error(StatusCode::BAD_REQUEST, "invalid_offset");
    };
    with_state::<Onomondo>(&app, &headers, |state, _| {
        let needle = search.to_lowercase();
        let hits: Vec<&Sim> = state
            .sims
            .iter()
            .filter(|s| {
                s.iccid == search
                    || s.id.contains(search)
                    || s.label
                        .as_deref()
                        .is_some_and(|l| l.to_lowercase().contains(&needle))
            })
            .collect();
        let page: Vec<Json> = hits
            .iter()
            .skip(offset)
            .take(limit)
            .map(|s| state.render(s))
            .collect();
        axum::Json(json!({"count": page.len(), "limit": limit, "offset": offset, "total": hits.len(), "sims": page}))
        .into_response()
    })
}

async fn get_one(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    with_state::<Onomondo>(&app, &headers, |state, _| match state.find(&sim_id) {
        Some(i) => axum::Json(state.render_single(&state.sims[i])).into_response(),
        None => error(StatusCode::NOT_FOUND, "sim_not_found"),
    })
}

fn nullable_string(value: &Json) -> Result<Option<String>, ()> {
    match value {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        _ => Err(()),
    }
}

/// Applies one update object to a SIM, all or nothing. Errors are codes.
fn apply_update(
    state: &mut OnomondoState,
    index: usize,
    body: &Map<String, Json>,
) -> Result<(), String> {
    let mut sim = state.sims[index].clone();
    for (key, value) in body {
        let bad = || format!("invalid_{key}");
        match key.as_str() {
            "id" => {}
            "label" => sim.label = nullable_string(value).map_err(|_| bad())?,
            "network_whitelist" => {
                sim.network_whitelist = nullable_string(value).map_err(|_| bad())?
            }
            "imei_lock" => sim.imei_lock = nullable_string(value).map_err(|_| bad())?,
            "connector" => sim.connector = nullable_string(value).map_err(|_| bad())?,
            "activated" => sim.activated = value.as_bool().ok_or_else(bad)?,
            "tags" => {
                let ids = value.as_array().ok_or_else(bad)?;
                let mut list = Vec::new();
                for id in ids {
                    let id = id.as_str().ok_or_else(bad)?;
                    if !state.tags.iter().any(|t| t.id == id) {
                        return Err("tag_not_found".into());
                    }
                    if !list.iter().any(|t| t == id) {
                        list.push(id.to_owned());
                    }
                }
                if sim
                    .tags
                    .iter()
                    .any(|t| !list.contains(t) && !state.writable(t))
                {
                    return Err("tag_not_writable".into());
                }
                sim.tags = list;
            }
            "data_limit" => {
                sim.data_limit = match value {
                    Json::Null => None,
                    Json::Object(given) => {
                        let alert = given.contains_key("alert_threshold");
                        if alert && !state.pro {
                            return Err("package_required".into());
                        }
                        let mut limit: DataLimit =
                            serde_json::from_value(value.clone()).map_err(|_| bad())?;
                        if !["hourly", "daily", "monthly"].contains(&limit.kind.as_str()) {
                            return Err(bad());
                        }
                        if !alert {
                            // Assumed: a limit sent without its alert
                            // leaves the alert as it was.
                            let had = sim.data_limit.as_ref();
                            limit.alert_threshold = had.and_then(|l| l.alert_threshold);
                        }
                        Some(limit)
                    }
                    _ => return Err(bad()),
                }
            }
            _ => return Err(format!("unknown_property_{key}")),
        }
    }
    state.sims[index] = sim;
    Ok(())
}

async fn update(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(body) = json_object(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_body");
    };
    with_state::<Onomondo>(&app, &headers, |state, _| {
        let Some(index) = state.find(&sim_id) else {
            return error(StatusCode::NOT_FOUND, "sim_not_found");
        };
        if body.contains_key("id") {
            return error(StatusCode::BAD_REQUEST, "unknown_property_id");
        }
        match apply_update(state, index, &body) {
            Ok(()) => axum::Json(state.render_single(&state.sims[index])).into_response(),
            Err(code) => error(StatusCode::BAD_REQUEST, &code),
        }
    })
}

async fn bulk(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_body");
    };
    if body.keys().any(|k| k != "sims") {
        return error(StatusCode::BAD_REQUEST, "invalid_body");
    }
    let Some(Json::Array(items)) = body.get("sims") else {
        return error(StatusCode::BAD_REQUEST, "invalid_body");
    };
    if items.len() > BULK_LIMIT {
        return error(StatusCode::BAD_REQUEST, "too_many_sims");
    }
    with_state::<Onomondo>(&app, &headers, |state, _| {
        // One pass over the account finds every SIM of the call, not one
        // pass per SIM (a million-SIM account would make the call slow).
        let wanted: HashSet<&str> = items.iter().filter_map(|i| i.get("id")?.as_str()).collect();
        let positions: HashMap<String, usize> = state
            .sims
            .iter()
            .enumerate()
            .filter(|(_, s)| wanted.contains(s.id.as_str()))
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let mut lines = String::new();
        for item in items {
            let Some(obj) = item.as_object() else {
                lines.push_str(
                    &json!({"id": null, "success": false, "error": "invalid_body"}).to_string(),
                );
                lines.push('\n');
                continue;
            };
            let id = obj
                .get("id")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned();
            // Bulk objects name SIMs by the 9-character SIM id only.
            let index = positions.get(&id).copied();
            let outcome = match index {
                None => Err("sim_not_found".to_owned()),
                Some(i) => apply_update(state, i, obj),
            };
            let line = match outcome {
                Ok(()) => json!({"id": id, "success": true}),
                Err(code) => json!({"id": id, "success": false, "error": code}),
            };
            lines.push_str(&line.to_string());
            lines.push('\n');
        }
        ([("content-type", "text/plain")], lines).into_response()
    })
}

async fn tag_change(
    app: App,
    headers: HeaderMap,
    sim_id: String,
    tag_id: String,
    add: bool,
) -> Response {
    with_state::<Onomondo>(&app, &headers, |state, _| {
        let Some(index) = state.find(&sim_id) else {
            return error(StatusCode::NOT_FOUND, "sim_not_found");
        };
        if !state.tags.iter().any(|t| t.id == tag_id) {
            return error(StatusCode::NOT_FOUND, "tag_not_found");
        }
        let writable = state.writable(&tag_id);
        let tags = &mut state.sims[index].tags;
        let present = tags.contains(&tag_id);
        match (add, present) {
            (true, true) => return error(StatusCode::BAD_REQUEST, "tag_already_on_sim"),
            (false, false) => return error(StatusCode::BAD_REQUEST, "tag_not_on_sim"),
            (false, true) if !writable => {
                return error(StatusCode::BAD_REQUEST, "tag_not_writable");
            }
            (true, false) => tags.push(tag_id),
            (false, true) => tags.retain(|t| *t != tag_id),
        }
        axum::Json(json!({"message": "ok"})).into_response()
    })
}

async fn add_tag(
    State(app): State<App>,
    headers: HeaderMap,
    Path((s, t)): Path<(String, String)>,
) -> Response {
    tag_change(app, headers, s, t, true).await
}

async fn remove_tag(
    State(app): State<App>,
    headers: HeaderMap,
    Path((s, t)): Path<(String, String)>,
) -> Response {
    tag_change(app, headers, s, t, false).await
}

fn render_tag(t: &Tag) -> Json {
    json!({"id": t.id, "name": t.name, "color": t.color, "can_write": t.can_write})
}

async fn tags(State(app): State<App>, headers: HeaderMap) -> Response {
    with_state::<Onomondo>(&app, &headers, |state, _| {
        let list: Vec<Json> = state.tags.iter().map(render_tag).collect();
        axum::Json(Json::Array(list)).into_response()
    })
}

/// `{"count","limit","offset","total","result"}`, paged by offset.
async fn search_tags(
    State(app): State<App>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    let number = |key: &str, default: usize| match param(&params, key) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<usize>()
            .map_err(|_| error(StatusCode::BAD_REQUEST, &format!("invalid_{key}"))),
    };
    let (offset, limit) = match (number("offset", 0), number("limit", DEFAULT_TAG_PAGE)) {
        (Ok(o), Ok(l)) if l >= 1 => (o, l.min(MAX_TAG_PAGE)),
        (Err(r), _) | (_, Err(r)) => return r,
        _ => return error(StatusCode::BAD_REQUEST, "invalid_limit"),
    };
    with_state::<Onomondo>(&app, &headers, |state, _| {
        let result: Vec<Json> = state
            .tags
            .iter()
            .skip(offset)
            .take(limit)
            .map(render_tag)
            .collect();
        axum::Json(json!({
            "count": result.len(),
            "limit": limit,
            "offset": offset,
            "total": state.tags.len(),
            "result": result,
        }))
        .into_response()
    })
}
