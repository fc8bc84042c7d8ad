//! Onomondo API as documented in provider-docs/onomondo.txt, with the wire
//! choices of DESIGN.md 7: bare-key or Bearer auth, cursor pagination with
//! `limit` 1..1000, get by SIM id or ICCID, find, PATCH, bulk PATCH (20 at
//! most), tag PUT/DELETE with 400s, and `{"error":"code"}` bodies.

// Helpers return a ready error `Response` for early exit from handlers; it is
// built once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use super::{App, SANDBOX_KEY, generated_iccid};

const MAX_LIMIT: usize = 1000;
const BULK_LIMIT: usize = 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnomondoState {
    #[serde(default = "default_key")]
    pub api_key: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub sims: Vec<Sim>,
}

impl Default for OnomondoState {
    fn default() -> Self {
        OnomondoState {
            api_key: default_key(),
            tags: Vec::new(),
            sims: Vec::new(),
        }
    }
}

fn default_key() -> String {
    SANDBOX_KEY.to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default = "yes")]
    pub can_write: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataLimit {
    pub total: u64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub alert_threshold: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sim {
    pub id: String,
    pub iccid: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub network_whitelist: Option<String>,
    #[serde(default)]
    pub imei_lock: Option<String>,
    #[serde(default)]
    pub connector: Option<String>,
    #[serde(default)]
    pub activated: bool,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub usage: u64,
    /// Tag ids (a seed may give names; they are resolved on load).
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub data_limit: Option<DataLimit>,
}

impl OnomondoState {
    /// Seeds may name tags on SIMs by name; state keeps ids.
    pub fn resolve_tag_names(&mut self) -> Result<(), String> {
        for sim in &mut self.sims {
            for tag in &mut sim.tags {
                if self.tags.iter().any(|t| &t.id == tag) {
                    continue;
                }
                match self.tags.iter().find(|t| &t.name == tag) {
                    Some(t) => *tag = t.id.clone(),
                    None => return Err(format!("SIM {} names unknown tag {tag:?}", sim.iccid)),
                }
            }
        }
        Ok(())
    }

    pub fn generate(&mut self, count: usize) {
        let start = self.sims.len();
        self.sims.extend((start..start + count).map(|n| Sim {
            id: format!("{:09}", n + 1),
            iccid: generated_iccid("8945738730", n),
            label: None,
            network_whitelist: None,
            imei_lock: None,
            connector: None,
            activated: n % 4 != 0,
            online: false,
            usage: 0,
            tags: Vec::new(),
            data_limit: None,
        }));
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.sims.iter().position(|s| s.id == key || s.iccid == key)
    }

    fn render(&self, sim: &Sim) -> Json {
        let tags: Vec<Json> = sim
            .tags
            .iter()
            .filter_map(|id| self.tags.iter().find(|t| &t.id == id))
            .map(
                |t| json!({"name": t.name, "id": t.id, "can_write": t.can_write, "color": t.color}),
            )
            .collect();
        let mut out = json!({
            "id": sim.id,
            "iccid": sim.iccid,
            "label": sim.label,
            "network_whitelist": sim.network_whitelist,
            "imei_lock": sim.imei_lock,
            "connector": sim.connector,
            "activated": sim.activated,
            "ipv4": format!("100.64.{}.{}", sim.id.len() % 256, sim.usage % 256),
            "online": sim.online,
            "online_at": null,
            "last_came_online_at": null,
            "network": {"name": null, "country": null, "country_code": null, "mcc": null, "mnc": null},
            "usage": sim.usage,
            "tags": tags,
        });
        if let (Some(limit), Some(obj)) = (&sim.data_limit, out.as_object_mut()) {
            obj.insert(
                "data_limit".into(),
                json!({"used": 0, "total": limit.total, "type": limit.kind,
                       "period": null, "alert_threshold": limit.alert_threshold, "resets_at": null}),
            );
        }
        out
    }
}

pub fn router() -> Router<App> {
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
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(json!({ "error": code }))).into_response()
}

/// Accepts the bare key (as clients send it) or `Bearer <key>`.
fn authorised(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    let key = app
        .world
        .lock()
        .map(|w| w.onomondo.api_key.clone())
        .unwrap_or_default();
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let given = given.strip_prefix("Bearer ").unwrap_or(given);
    if !key.is_empty() && given == key {
        Ok(())
    } else {
        Err(error(StatusCode::UNAUTHORIZED, "unauthorized"))
    }
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

type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
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
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
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
    let Ok(world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let state = &world.onomondo;
    let matching: Vec<&Sim> = state
        .sims
        .iter()
        .filter(|s| filter_matches(s, &filters))
        .collect();
    let page: Vec<Json> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| state.render(s))
        .collect();
    let end = offset + page.len();
    let has_more = end < matching.len();
    let body = json!({
        "count": page.len(),
        "limit": limit,
        "total": matching.len(),
        "sims": page,
        "pagination": {"has_more": has_more, "next_page": has_more.then(|| format!("{end:x}"))},
    });
    axum::Json(body).into_response()
}

async fn find(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
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
    let Ok(world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let state = &world.onomondo;
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
}

async fn get_one(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
    let Ok(world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let state = &world.onomondo;
    match state.find(&sim_id) {
        Some(i) => axum::Json(state.render(&state.sims[i])).into_response(),
        None => error(StatusCode::NOT_FOUND, "sim_not_found"),
    }
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
                sim.tags = list;
            }
            "data_limit" => {
                sim.data_limit = match value {
                    Json::Null => None,
                    other => {
                        let limit: DataLimit =
                            serde_json::from_value(other.clone()).map_err(|_| bad())?;
                        if !["hourly", "daily", "monthly"].contains(&limit.kind.as_str()) {
                            return Err(bad());
                        }
                        Some(limit)
                    }
                }
            }
            _ => return Err(format!("unknown_property_{key}")),
        }
    }
    state.sims[index] = sim;
    Ok(())
}

fn json_object(body: &Bytes) -> Option<Map<String, Json>> {
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => Some(map),
        _ => None,
    }
}

async fn update(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
    let Some(body) = json_object(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid_body");
    };
    let Ok(mut world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let state = &mut world.onomondo;
    let Some(index) = state.find(&sim_id) else {
        return error(StatusCode::NOT_FOUND, "sim_not_found");
    };
    if body.contains_key("id") {
        return error(StatusCode::BAD_REQUEST, "unknown_property_id");
    }
    match apply_update(state, index, &body) {
        Ok(()) => axum::Json(state.render(&state.sims[index])).into_response(),
        Err(code) => error(StatusCode::BAD_REQUEST, &code),
    }
}

async fn bulk(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
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
    let Ok(mut world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let state = &mut world.onomondo;
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
        let index = state.sims.iter().position(|s| s.id == id);
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
}

async fn tag_change(
    app: App,
    headers: HeaderMap,
    sim_id: String,
    tag_id: String,
    add: bool,
) -> Response {
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
    let Ok(mut world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let state = &mut world.onomondo;
    let Some(index) = state.find(&sim_id) else {
        return error(StatusCode::NOT_FOUND, "sim_not_found");
    };
    if !state.tags.iter().any(|t| t.id == tag_id) {
        return error(StatusCode::NOT_FOUND, "tag_not_found");
    }
    let tags = &mut state.sims[index].tags;
    let present = tags.contains(&tag_id);
    match (add, present) {
        (true, true) => return error(StatusCode::BAD_REQUEST, "tag_already_on_sim"),
        (false, false) => return error(StatusCode::BAD_REQUEST, "tag_not_on_sim"),
        (true, false) => tags.push(tag_id),
        (false, true) => tags.retain(|t| *t != tag_id),
    }
    axum::Json(json!({"message": "ok"})).into_response()
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

async fn tags(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Err(r) = authorised(&app, &headers) {
        return r;
    }
    let Ok(world) = app.world.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "state");
    };
    let list: Vec<Json> = world
        .onomondo
        .tags
        .iter()
        .map(|t| json!({"id": t.id, "name": t.name, "color": t.color, "can_write": t.can_write}))
        .collect();

    axum::Json(Json::Array(list)).into_response()
}
