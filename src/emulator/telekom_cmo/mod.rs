//! Deutsche Telekom T IoT Hub CMO API v5 as its text and the T IoT Hub
//! tutorials show it (docs/providers.md): form-encoded client-credentials
//! tokens that expire, product lists paged by `pageNumber`/`pageSize` whose
//! `statistics` carry no total (as the published answer), `product/find`,
//! product detail with the bundled simCard, status changes as JSON Patch
//! on `{id}-simCard` (200 on sync backends; 202 with only a monitor link on
//! async ones), monitors polled as `{"sourceHref","state","response"}`
//! without an `id`, custom properties as TMF630 JSON-Patch-Query (`add`
//! as published; `replace` `/customProperty/value?customProperty.name=N`
//! and `remove` `/customProperty?customProperty.name=N`; other paths are
//! refused), and problem objects for errors. SATELLITE products are
//! listed but are not SIMs.
//!
//! Custom-property changes apply at once on every backend: the text only
//! describes status changes as asynchronous.

// Helpers return a ready error `Response` for early exit from handlers.
#![allow(clippy::result_large_err)]

mod state;

use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value as Json, json};

use super::api::{self, Api};
use super::request::{Form, Params, paging};
use super::{App, ProviderSettings};
use crate::kind::ProviderKind;
use state::SETTABLE;
pub use state::{CmoState, Monitor, Product, Property};

const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 100;
const JSON_PATCH: &str = "application/json-patch+json";
const JSON_PATCH_QUERY: &str = "application/json-patch-query+json";

/// The emulated T IoT Hub CMO API.
pub struct TelekomCmo;

impl Api for TelekomCmo {
    const KIND: ProviderKind = ProviderKind::TelekomCmo;
    const UNAUTHORISED: &'static str = "The access token is missing, invalid or expired";
    type State = CmoState;

    fn state(world: &mut super::WorldState) -> &mut CmoState {
        &mut world.telekom_cmo
    }

    fn router() -> Router<App> {
        router()
    }

    fn error(status: StatusCode, detail: &str) -> Response {
        error(status, detail)
    }

    fn authorised(app: &App, _state: &CmoState, given: &str) -> bool {
        app.tokens.accepts(Self::KIND, given)
    }

    fn settle(state: &mut CmoState) {
        state.settle();
    }

    fn generate(state: &mut CmoState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut CmoState) -> Result<(), String> {
        state.check()
    }
}

fn router() -> Router<App> {
    Router::new()
        .route("/token", post(token))
        .route("/{tenant}/product", get(list))
        .route("/{tenant}/product/find", post(find))
        .route("/{tenant}/product/{id}", get(detail).patch(update))
        .route("/{tenant}/monitor/{id}", get(monitor))
}

/// A problem object (docs/providers.md).
pub fn error(status: StatusCode, detail: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({
        "type": format!("https://httpstatuses.io/{}", status.as_u16()),
        "status": status.as_u16(),
        "title": title,
        "detail": detail,
    });
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    resp
}

async fn token(State(app): State<App>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let field = |k: &str| form.get(k);
    if field("grant_type") != Some("client_credentials") {
        return error(
            StatusCode::BAD_REQUEST,
            "grant_type must be client_credentials",
        );
    }
    let known = app.world.lock().is_ok_and(|w| {
        let t = &w.telekom_cmo;
        !t.client_secret.is_empty()
            && field("client_id") == Some(t.client_id.as_str())
            && field("client_secret") == Some(t.client_secret.as_str())
    });
    if !known {
        return error(StatusCode::UNAUTHORIZED, "invalid client credentials");
    }
    let lifetime = app.settings_of(ProviderKind::TelekomCmo).token_lifetime;
    let token = app.tokens.issue(ProviderKind::TelekomCmo, lifetime);
    axum::Json(
        json!({"access_token": token, "expires_in": lifetime.as_secs(), "token_type": "Bearer"}),
    )
    .into_response()
}

/// Runs `f` on the settled tenant state after the token and tenant checks;
/// `f` also gets the tenant's base URL for links.
fn with_state(
    app: &App,
    headers: &HeaderMap,
    tenant: &str,
    f: impl FnOnce(&mut CmoState, &ProviderSettings, &str) -> Response,
) -> Response {
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = format!(
        "http://{host}/{}/{tenant}",
        ProviderKind::TelekomCmo.mount()
    );
    api::with_state::<TelekomCmo>(app, headers, |state, settings| {
        if state.tenant != tenant {
            return error(StatusCode::NOT_FOUND, &format!("unknown tenant {tenant}"));
        }
        f(state, settings, &base)
    })
}

async fn list(
    State(app): State<App>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    Query(params): Params,
) -> Response {
    let (page, size) = match paging(
        &params,
        "pageNumber",
        "pageSize",
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
    ) {
        Ok(p) => p,
        Err(text) => return error(StatusCode::BAD_REQUEST, &text),
    };
    with_state(&app, &headers, &tenant, |state, _, _| {
        let entities: Vec<Json> = state
            .products
            .iter()
            .skip((page - 1) * size)
            .take(size)
            .map(Product::summary)
            .collect();
        // As the published answer: no `totalCount`.
        axum::Json(json!({
            "entities": entities,
            "statistics": {"currentPage": page, "pageSize": size},
        }))
        .into_response()
    })
}

async fn find(
    State(app): State<App>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let iccids: Option<Vec<String>> = serde_json::from_slice::<Json>(&body)
        .ok()
        .and_then(|b| serde_json::from_value(b.get("iccidList")?.clone()).ok());
    let Some(iccids) = iccids.filter(|l| !l.is_empty() && l.len() <= MAX_PAGE_SIZE) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body must be {\"iccidList\": [1 to 100 ICCIDs]}",
        );
    };
    with_state(&app, &headers, &tenant, |state, _, _| {
        let mut entities = Vec::new();
        let mut errors = Vec::new();
        for iccid in &iccids {
            match state
                .products
                .iter()
                .find(|p| p.iccid() == iccid && p.connectivity_type == "CELLULAR")
            {
                Some(p) => entities.push(p.summary()),
                None => errors.push(json!({"iccid": iccid, "detail": "ICCID not found"})),
            }
        }
        axum::Json(json!({"entities": entities, "errors": errors})).into_response()
    })
}

async fn detail(
    State(app): State<App>,
    headers: HeaderMap,
    Path((tenant, id)): Path<(String, String)>,
) -> Response {
    with_state(&app, &headers, &tenant, |state, _, base| {
        if let Some(i) = state.find(&id) {
            return axum::Json(state.products[i].detail(base)).into_response();
        }
        match id.strip_suffix("-simCard").and_then(|p| state.find(p)) {
            Some(i) => axum::Json(state.products[i].sim_card(base)).into_response(),
            None => error(StatusCode::NOT_FOUND, &format!("product {id} not found")),
        }
    })
}

async fn update(
    State(app): State<App>,
    headers: HeaderMap,
    Path((tenant, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or("").trim().to_owned())
        .unwrap_or_default();
    let Ok(Json::Array(ops)) = serde_json::from_slice::<Json>(&body) else {
        return error(StatusCode::BAD_REQUEST, "body must be a JSON Patch array");
    };
    with_state(&app, &headers, &tenant, |state, settings, base| {
        let Some(i) = id.strip_suffix("-simCard").and_then(|p| state.find(p)) else {
            return error(StatusCode::NOT_FOUND, &format!("product {id} not found"));
        };
        if state.products[i].connectivity_type != "CELLULAR" {
            return error(
                StatusCode::BAD_REQUEST,
                "only CELLULAR products have a simCard",
            );
        }
        match content_type.as_str() {
            JSON_PATCH => status_patch(state, i, &ops, settings, base),
            JSON_PATCH_QUERY => property_patch(&mut state.products[i], &ops, base),
            other => error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("content type {other:?}; use {JSON_PATCH} or {JSON_PATCH_QUERY}"),
            ),
        }
    })
}

fn status_patch(
    state: &mut CmoState,
    i: usize,
    ops: &[Json],
    settings: &ProviderSettings,
    base: &str,
) -> Response {
    let target = match ops {
        [op] if op.get("op") == Some(&json!("replace"))
            && op.get("path") == Some(&json!("/status")) =>
        {
            op.get("value").and_then(Json::as_str).unwrap_or("")
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "expected [{\"op\":\"replace\",\"path\":\"/status\",\"value\":...}]",
            );
        }
    };
    if !SETTABLE.contains(&target) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("status {target:?} cannot be set"),
        );
    }
    let product = &mut state.products[i];
    if ["BLOCKED", "DEACTIVATED"].contains(&product.status.as_str()) {
        return error(
            StatusCode::CONFLICT,
            &format!("a {} SIM cannot change status", product.status),
        );
    }
    if state
        .monitors
        .iter()
        .any(|m| m.product_id == product.id && m.state == "InProgress")
    {
        return error(
            StatusCode::CONFLICT,
            "a status change is already in progress",
        );
    }
    if !product.is_async() {
        product.status = target.to_owned();
        return axum::Json(product.sim_card(base)).into_response();
    }
    let n = state.monitors.len() as u64 + 1;
    let fails = settings.monitor_fail_every > 0 && n.is_multiple_of(settings.monitor_fail_every);
    // `<iccid>-<epoch millis>`, as the text's example link.
    let monitor = Monitor {
        id: format!("{}-{}", product.iccid(), 1_686_000_000_000 + n),
        product_id: product.id.clone(),
        target: target.to_owned(),
        previous: product.status.clone(),
        state: "InProgress".to_owned(),
        fails,
        due: Some(Instant::now() + settings.monitor_delay),
    };
    if target == "ACTIVE" {
        product.status = "PENDING_ACTIVE".to_owned();
    }
    // The text: "your output should provide you with a monitor link".
    let link = format!("{base}/monitor/{}", monitor.id);
    state.monitors.push(monitor);
    (StatusCode::ACCEPTED, [("content-type", "text/plain")], link).into_response()
}

/// A TMF630 JSON-Patch-Query filter on the property list: the name in
/// `<path>?customProperty.name=<N>` (percent-decoded) for `path`.
fn filtered(path: &str, array_path: &str) -> Option<String> {
    let (head, query) = path.split_once('?')?;
    if head != array_path {
        return None;
    }
    let mut pairs = form_urlencoded::parse(query.as_bytes());
    match (pairs.next(), pairs.next()) {
        (Some((key, name)), None) if key == "customProperty.name" => Some(name.into_owned()),
        _ => None,
    }
}

/// `customProperty` operations, all or nothing.
fn property_patch(product: &mut Product, ops: &[Json], base: &str) -> Response {
    let mut props = product.custom_property.clone();
    for op in ops {
        let kind = op.get("op").and_then(Json::as_str).unwrap_or("");
        let path = op.get("path").and_then(Json::as_str).unwrap_or("");
        let bad = |text: &str| error(StatusCode::BAD_REQUEST, text);
        match kind {
            "add" if path == "customProperty" || path == "/customProperty" => {
                let Ok(p) = serde_json::from_value::<Property>(
                    op.get("value").cloned().unwrap_or_default(),
                ) else {
                    return bad("add needs value {\"name\",\"value\"}");
                };
                if props.iter().any(|q| q.name == p.name) {
                    return error(
                        StatusCode::CONFLICT,
                        &format!("custom property {} exists", p.name),
                    );
                }
                props.push(p);
            }
            "replace" => {
                let Some(name) = filtered(path, "/customProperty/value") else {
                    return bad(&format!(
                        "unsupported path {path}; use /customProperty/value?customProperty.name=N"
                    ));
                };
                let Some(value) = op.get("value").and_then(Json::as_str) else {
                    return bad("replace needs a string value");
                };
                match props.iter_mut().find(|q| q.name == name) {
                    Some(q) => q.value = value.to_owned(),
                    None => {
                        return error(StatusCode::NOT_FOUND, &format!("no custom property {name}"));
                    }
                }
            }
            "remove" => {
                let Some(name) = filtered(path, "/customProperty") else {
                    return bad(&format!(
                        "unsupported path {path}; use /customProperty?customProperty.name=N"
                    ));
                };
                let before = props.len();
                props.retain(|q| q.name != name);
                if props.len() == before {
                    return error(StatusCode::NOT_FOUND, &format!("no custom property {name}"));
                }
            }
            _ => return bad(&format!("unsupported operation {kind} {path}")),
        }
    }
    product.custom_property = props;
    axum::Json(product.sim_card(base)).into_response()
}

async fn monitor(
    State(app): State<App>,
    headers: HeaderMap,
    Path((tenant, id)): Path<(String, String)>,
) -> Response {
    with_state(&app, &headers, &tenant, |state, _, base| {
        let Some(m) = state.monitors.iter().find(|m| m.id == id) else {
            return error(StatusCode::NOT_FOUND, &format!("monitor {id} not found"));
        };
        // As the text's poll answer: no `id`.
        let mut body = json!({
            "sourceHref": format!("{base}/product/{}-simCard", m.product_id),
            "state": m.state,
        });
        let response = match m.state.as_str() {
            "InError" => Some(json!({
                "status": 409,
                "title": "Conflict",
                "detail": format!("backend rejected the change to {} (emulated failure)", m.target),
            })),
            "Completed" => state
                .products
                .iter()
                .find(|p| p.id == m.product_id)
                .map(|p| p.sim_card(base)),
            _ => None,
        };
        if let (Some(response), Some(obj)) = (response, body.as_object_mut()) {
            obj.insert("response".into(), response);
        }
        axum::Json(body).into_response()
    })
}
