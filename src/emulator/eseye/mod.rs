//! Eseye Infinity SIM API v2 as its text and Eseye's published API
//! reference document it (docs/providers.md): tokens from a separate
//! identity provider (served here under `/idp/oauth2/token`: Basic client
//! credentials, form `grant_type=client_credentials` and `scope=api/api`,
//! both required, 400 with an OAuth2 `error` otherwise), SIM lists paged by
//! `pageSize` and an opaque `pageToken`/`nextPageToken` with no total,
//! filters, PATCH of status / customerSuspend / packageId / portfolioId
//! where a suspended SIM can only be unsuspended (409), attributes, and
//! error bodies with the published `errorCode`, `errorTag`, `message`.
//!
//! Activation passes through `pendingProvision` for the configured delay.
//! Admin and system suspensions are the provider's: the customer cannot lift
//! them. Attribute writes on a suspended SIM are refused like SIM updates
//! ("You cannot update a suspended SIM").

// Helpers return a ready error `Response` for early exit from handlers.
#![allow(clippy::result_large_err)]

mod state;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value as Json, json};

use super::api::{self, Api};
use super::request::{Form, Params, basic_credentials, json_object, param};
use super::{App, ProviderSettings};
use crate::kind::ProviderKind;
use state::render_attribute;
pub use state::{Attribute, EseyeState, Sim};

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;
const FILTERS: [&str; 9] = [
    "iccid",
    "simId",
    "mnoId",
    "portfolioId",
    "packageId",
    "status",
    "customerSuspend",
    "adminSuspend",
    "systemSuspend",
];

/// The emulated Eseye Infinity API.
pub struct Eseye;

impl Api for Eseye {
    const KIND: ProviderKind = ProviderKind::Eseye;
    const UNAUTHORISED: &'static str = "missing, invalid or expired access token";
    type State = EseyeState;

    fn state(world: &mut super::WorldState) -> &mut EseyeState {
        &mut world.eseye
    }

    fn router() -> Router<App> {
        router()
    }

    fn error(status: StatusCode, message: &str) -> Response {
        error(status, message)
    }

    fn authorised(app: &App, _state: &EseyeState, given: &str) -> bool {
        app.tokens.accepts(Self::KIND, given)
    }

    fn settle(state: &mut EseyeState) {
        state.settle();
    }

    fn generate(state: &mut EseyeState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut EseyeState) -> Result<(), String> {
        state.check()
    }
}

fn router() -> Router<App> {
    Router::new()
        .route("/idp/oauth2/token", post(token))
        .route("/api/v2/sim", get(list))
        .route("/api/v2/sim/{iccid}", get(get_one).patch(update))
        .route(
            "/api/v2/sim/{iccid}/attribute",
            get(list_attributes).post(create_attributes),
        )
        .route(
            "/api/v2/sim/{iccid}/attribute/{id}",
            get(get_attribute)
                .patch(update_attribute)
                .delete(delete_attribute),
        )
}

/// The Eseye error body: the published fields (docs/providers.md).
pub fn error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => "UNAUTHORISED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::CONFLICT => "SIM_SUSPENDED",
        StatusCode::TOO_MANY_REQUESTS => "RATE_LIMITED",
        s if s.is_server_error() => "SERVER_ERROR",
        _ => "BAD_REQUEST",
    };
    coded(status, code, message)
}

fn coded(status: StatusCode, code: &str, message: &str) -> Response {
    let tag = match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "auth",
        StatusCode::TOO_MANY_REQUESTS => "limit",
        s if s.is_server_error() => "server",
        _ => "sim",
    };
    let body = json!({"errorCode": code, "errorTag": tag, "message": message});
    (status, axum::Json(body)).into_response()
}

/// The identity provider's refusal: 400 with an OAuth2 `error`, as the
/// published token page says (`invalid_client` for bad credentials).
fn refused(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": error })),
    )
        .into_response()
}

/// Refused credentials; with `--echo-credentials`, echoing what was sent
/// in `error_description`, as a careless server would.
fn refused_client(app: &App, headers: &HeaderMap, body: &Bytes) -> Response {
    if !app.settings_of(ProviderKind::Eseye).faults.echo_credentials {
        return refused("invalid_client");
    }
    let sent = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let description = format!(
        "credentials rejected: {sent} {}",
        String::from_utf8_lossy(body)
    );
    let answer = json!({"error": "invalid_client", "error_description": description});
    (StatusCode::BAD_REQUEST, axum::Json(answer)).into_response()
}

/// The scope Eseye's identity provider grants API access for.
const SCOPE: &str = "api/api";

async fn token(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(basic_credentials);
    let known = app.world.lock().is_ok_and(|w| {
        given.as_ref().is_some_and(|(id, secret)| {
            !w.eseye.client_secret.is_empty()
                && *id == w.eseye.client_id
                && *secret == w.eseye.client_secret
        })
    });
    if !known {
        return refused_client(&app, &headers, &body);
    }
    let form = Form::parse(&body);
    if form.get("grant_type") != Some("client_credentials") {
        return refused("unsupported_grant_type");
    }
    if form.get("scope") != Some(SCOPE) {
        return refused("invalid_scope");
    }
    let lifetime = app.settings_of(ProviderKind::Eseye).token_lifetime;
    let token = app.tokens.issue(ProviderKind::Eseye, lifetime);
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response()
}

/// Runs `f` on the settled Eseye account after the bearer check.
fn with_state(
    app: &App,
    headers: &HeaderMap,
    f: impl FnOnce(&mut EseyeState, &ProviderSettings) -> Response,
) -> Response {
    api::with_state::<Eseye>(app, headers, f)
}

fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

async fn list(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let size = match param(&params, "pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("pageSize must be between 1 and {MAX_PAGE_SIZE}"),
                );
            }
        },
    };
    let offset = match param(&params, "pageToken") {
        None => 0,
        Some(token) => match offset_of(token) {
            Some(offset) => offset,
            None => return error(StatusCode::BAD_REQUEST, "invalid pageToken"),
        },
    };
    let filters: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "pageToken" && k != "pageSize")
        .collect();
    if let Some((k, _)) = filters.iter().find(|(k, _)| !FILTERS.contains(&k.as_str())) {
        return error(StatusCode::BAD_REQUEST, &format!("unknown parameter {k}"));
    }
    with_state(&app, &headers, |state, _| {
        // Paged in place: nothing is collected per request, and an
        // unfiltered page skips to its offset without walking the list.
        let (more, sims): (bool, Vec<Json>) = if filters.is_empty() {
            let sims = state.sims.iter().skip(offset).take(size);
            let sims: Vec<Json> = sims.map(Sim::render).collect();
            (offset + sims.len() < state.sims.len(), sims)
        } else {
            let matching = || {
                let all = state.sims.iter();
                all.filter(|s| filters.iter().all(|(k, v)| s.filter_value(k) == Some(v)))
            };
            let mut page = matching().skip(offset);
            let sims: Vec<Json> = page.by_ref().take(size).map(Sim::render).collect();
            (page.next().is_some(), sims)
        };
        let mut body = json!({ "sims": sims });
        if more && let Some(obj) = body.as_object_mut() {
            obj.insert("nextPageToken".into(), json!(token_of(offset + size)));
        }
        axum::Json(body).into_response()
    })
}

/// An opaque page token for `offset` (clients must not compute them).
fn token_of(offset: usize) -> String {
    format!("pt{:x}", (offset as u64) ^ TOKEN_MASK)
}

fn offset_of(token: &str) -> Option<usize> {
    let n = u64::from_str_radix(token.strip_prefix("pt")?, 16).ok()?;
    usize::try_from(n ^ TOKEN_MASK).ok()
}

const TOKEN_MASK: u64 = 0x5eed_0000_7a11_0000;

async fn get_one(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
) -> Response {
    with_state(&app, &headers, |state, _| match state.find(&iccid) {
        Some(i) => axum::Json(state.sims[i].render()).into_response(),
        None => not_found("SIM"),
    })
}

/// Applies a PATCH body to a copy of the SIM; all or nothing.
fn patched(
    state: &EseyeState,
    sim: &Sim,
    body: &Map<String, Json>,
    settings: &ProviderSettings,
) -> Result<Sim, Response> {
    let bad = |text: String| error(StatusCode::BAD_REQUEST, &text);
    let text = |key: &str| match body.get(key) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("{key} must be a string"))),
    };
    if let Some(k) = body
        .keys()
        .find(|k| !["status", "customerSuspend", "packageId", "portfolioId"].contains(&k.as_str()))
    {
        return Err(bad(format!("unknown field {k}")));
    }
    let unsuspend_only = body.len() == 1 && text("customerSuspend")?.as_deref() == Some("no");
    if sim.suspended() && !unsuspend_only {
        return Err(error(
            StatusCode::CONFLICT,
            "You cannot update a suspended SIM",
        ));
    }
    let mut next = sim.clone();
    if let Some(status) = text("status")? {
        match (status.as_str(), sim.status.as_str()) {
            ("active", "available") => {
                next.status = "pendingProvision".to_owned();
                next.provisioned_at = Some(std::time::Instant::now() + settings.provision_delay);
            }
            ("active", _) | ("available", _) => next.status = status.clone(),
            _ => {
                return Err(bad(format!(
                    "status must be active or available, got {status:?}"
                )));
            }
        }
    }
    if let Some(flag) = text("customerSuspend")? {
        if flag == "no" && (sim.admin_suspend == "yes" || sim.system_suspend == "yes") {
            return Err(error(
                StatusCode::CONFLICT,
                "The SIM is suspended by Eseye (admin or system) and cannot be unsuspended",
            ));
        }
        match flag.as_str() {
            "yes" if next.status == "available" => {
                return Err(error(
                    StatusCode::CONFLICT,
                    "Only an active SIM can be suspended",
                ));
            }
            "yes" | "no" => next.customer_suspend = flag,
            _ => return Err(bad("customerSuspend must be yes or no".into())),
        }
    }
    if let Some(package) = text("packageId")? {
        if !state.packages.contains(&package) {
            return Err(coded(
                StatusCode::BAD_REQUEST,
                "UNKNOWN_PACKAGE",
                "Package does not exist",
            ));
        }
        next.package_id = package;
    }
    if let Some(portfolio) = text("portfolioId")? {
        if !state.portfolios.contains(&portfolio) {
            return Err(coded(
                StatusCode::BAD_REQUEST,
                "UNKNOWN_PORTFOLIO",
                "Portfolio does not exist",
            ));
        }
        next.portfolio_id = portfolio;
    }
    Ok(next)
}

async fn update(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
    body: Bytes,
) -> Response {
    with_state(&app, &headers, |state, settings| {
        let Some(i) = state.find(&iccid) else {
            return not_found("SIM");
        };
        let Some(body) = json_object(&body) else {
            return error(StatusCode::BAD_REQUEST, "body must be a JSON object");
        };
        match patched(state, &state.sims[i], &body, settings) {
            Ok(sim) => {
                if sim.status == "pendingProvision" {
                    state.provisioning(i);
                }
                state.sims[i] = sim;
                axum::Json(state.sims[i].render()).into_response()
            }
            Err(r) => r,
        }
    })
}

/// The SIM index, refusing writes to a suspended SIM.
fn writable(state: &EseyeState, iccid: &str, write: bool) -> Result<usize, Response> {
    let i = state.find(iccid).ok_or_else(|| not_found("SIM"))?;
    if write && state.sims[i].suspended() {
        return Err(error(
            StatusCode::CONFLICT,
            "You cannot update a suspended SIM",
        ));
    }
    Ok(i)
}

async fn list_attributes(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
) -> Response {
    with_state(&app, &headers, |state, _| {
        match writable(state, &iccid, false) {
            Ok(i) => {
                let list: Vec<Json> = state.sims[i]
                    .attributes
                    .iter()
                    .map(render_attribute)
                    .collect();
                axum::Json(json!({ "attributes": list })).into_response()
            }
            Err(r) => r,
        }
    })
}

async fn create_attributes(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
    body: Bytes,
) -> Response {
    with_state(&app, &headers, |state, _| {
        let i = match writable(state, &iccid, true) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let bad = || {
            error(
                StatusCode::BAD_REQUEST,
                "body must be {\"attributes\":[{\"key\",\"value\"}]}",
            )
        };
        let Some(Json::Array(items)) = json_object(&body).and_then(|mut b| b.remove("attributes"))
        else {
            return bad();
        };
        let mut pairs = Vec::new();
        for item in &items {
            match (
                item.get("key"),
                item.get("value"),
                item.as_object().map(Map::len),
            ) {
                (Some(Json::String(k)), Some(Json::String(v)), Some(2)) if !k.is_empty() => {
                    pairs.push((k.clone(), v.clone()));
                }
                _ => return bad(),
            }
        }
        if pairs.is_empty() {
            return bad();
        }
        let sim = &state.sims[i];
        let taken = |k: &String| sim.attributes.iter().any(|a| &a.key == k);
        let mut keys: Vec<&String> = pairs.iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        if keys.len() != pairs.len() || pairs.iter().any(|(k, _)| taken(k)) {
            return coded(
                StatusCode::CONFLICT,
                "ATTRIBUTE_EXISTS",
                "An attribute with this key exists",
            );
        }
        let mut created = Vec::new();
        for (key, value) in pairs {
            state.next_attribute_id += 1;
            let a = Attribute {
                id: state.next_attribute_id.to_string(),
                key,
                value,
            };
            created.push(render_attribute(&a));
            state.sims[i].attributes.push(a);
        }
        (
            StatusCode::CREATED,
            axum::Json(json!({ "attributes": created })),
        )
            .into_response()
    })
}

/// Runs `f` on attribute `id` of SIM `iccid`.
fn on_attribute(
    app: &App,
    headers: &HeaderMap,
    (iccid, id): (String, String),
    write: bool,
    f: impl FnOnce(&mut Vec<Attribute>, usize) -> Response,
) -> Response {
    with_state(app, headers, |state, _| {
        let i = match writable(state, &iccid, write) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let list = &mut state.sims[i].attributes;
        match list.iter().position(|a| a.id == id) {
            Some(j) => f(list, j),
            None => not_found("Attribute"),
        }
    })
}

async fn get_attribute(
    State(app): State<App>,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
) -> Response {
    on_attribute(&app, &headers, ids, false, |list, j| {
        axum::Json(render_attribute(&list[j])).into_response()
    })
}

async fn update_attribute(
    State(app): State<App>,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let value = match json_object(&body) {
        Some(b) if b.len() == 1 => b.get("value").and_then(Json::as_str).map(str::to_owned),
        _ => None,
    };
    let Some(value) = value else {
        return error(StatusCode::BAD_REQUEST, "body must be {\"value\": string}");
    };
    on_attribute(&app, &headers, ids, true, |list, j| {
        list[j].value = value;
        axum::Json(render_attribute(&list[j])).into_response()
    })
}

async fn delete_attribute(
    State(app): State<App>,
    headers: HeaderMap,
    Path(ids): Path<(String, String)>,
) -> Response {
    on_attribute(&app, &headers, ids, true, |list, j| {
        list.remove(j);
        axum::Json(json!({"status": "OK"})).into_response()
    })
}
