//! Infobip IoT SIM management API as its text
//! documents it, with the wire choices of docs/providers.md:
//! Basic or `App` auth, `page`/`limit` paging that ends at a short page,
//! reads under `/iot/2`, writes under `/iot/1`, the status rules
//! `Activation Ready`→`Active`, `Active`↔`Suspended`, and the
//! `requestError.serviceException` error body.
//!
//! Where the text contradicts itself the resource line wins over the request
//! example (status PUT under `/iot/1`), except for diagnostics, whose resource
//! says POST and example GET: both are accepted.

// Helpers return a ready error `Response` for early exit from handlers.
#![allow(clippy::result_large_err)]

mod state;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value as Json, json};

use super::App;
use super::api::{self, Api};
use super::request::{Params, basic_credentials, json_object, paging};
use crate::clock::now_iso;
use crate::kind::ProviderKind;
pub use state::{Action, InfobipState, SentSms, Sim, Usage};
use state::{TRANSITIONS, render, render_usage};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
const SMS_MAX_CHARS: usize = 160;

/// The emulated Infobip IoT API.
pub struct Infobip;

impl Api for Infobip {
    const KIND: ProviderKind = ProviderKind::Infobip;
    const UNAUTHORISED: &'static str = "Invalid login details";
    type State = InfobipState;

    fn state(world: &mut super::WorldState) -> &mut InfobipState {
        &mut world.infobip
    }

    fn router() -> Router<App> {
        router()
    }

    fn error(status: StatusCode, text: &str) -> Response {
        error(status, text)
    }

    /// `Basic base64(user:pass)` or `App <apikey>`.
    fn authorised(_app: &App, account: &InfobipState, given: &str) -> bool {
        match given.strip_prefix("App ") {
            Some(key) => !account.api_key.is_empty() && key.trim() == account.api_key,
            None => basic_credentials(given).is_some_and(|(user, password)| {
                !account.password.is_empty()
                    && user == account.username
                    && password == account.password
            }),
        }
    }

    fn generate(state: &mut InfobipState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut InfobipState) -> Result<(), String> {
        state.check()
    }
}

fn router() -> Router<App> {
    Router::new()
        .route("/iot/2/sims", get(list))
        .route("/iot/2/sims/usage/monthly", get(monthly_usage))
        .route("/iot/2/sims/{iccid}", get(get_one))
        .route("/iot/2/sims/{iccid}/usage", get(usage))
        .route("/iot/1/sims/{iccid}", axum::routing::patch(rename))
        .route("/iot/1/sims/{iccid}/status", put(set_status))
        .route("/iot/1/sims/{iccid}/sms", post(sms))
        .route(
            "/iot/1/sims/{iccid}/diagnostic",
            post(diagnostic).get(diagnostic),
        )
}

/// The Infobip error body (docs/providers.md).
pub fn error(status: StatusCode, text: &str) -> Response {
    let message_id = match status {
        StatusCode::UNAUTHORIZED => "UNAUTHORIZED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::TOO_MANY_REQUESTS => "TOO_MANY_REQUESTS",
        s if s.is_server_error() => "GENERAL_ERROR",
        _ => "BAD_REQUEST",
    };
    let body =
        json!({"requestError": {"serviceException": {"messageId": message_id, "text": text}}});
    (status, axum::Json(body)).into_response()
}

fn not_found(iccid: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("SIM card {iccid} is not associated with this account"),
    )
}

fn page_of(params: &[(String, String)]) -> Result<(usize, usize), Response> {
    paging(params, "page", "limit", DEFAULT_LIMIT, MAX_LIMIT)
        .map_err(|text| error(StatusCode::BAD_REQUEST, &text))
}

/// Runs `f` on the Infobip account after the auth check.
fn with_state(
    app: &App,
    headers: &HeaderMap,
    f: impl FnOnce(&mut InfobipState) -> Response,
) -> Response {
    api::with_state::<Infobip>(app, headers, |state, _| f(state))
}

/// One page of the SIM list, each SIM rendered by `render` under `key`.
fn paged(
    app: &App,
    headers: &HeaderMap,
    params: &[(String, String)],
    key: &str,
    render: fn(&Sim) -> Json,
) -> Response {
    let (page, limit) = match page_of(params) {
        Ok(p) => p,
        Err(r) => return r,
    };
    with_state(app, headers, |state| {
        let items: Vec<Json> = state
            .sims
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(render)
            .collect();
        axum::Json(json!({"page": page, "limit": limit, key: items})).into_response()
    })
}

async fn list(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    paged(&app, &headers, &params, "sims", render)
}

async fn monthly_usage(
    State(app): State<App>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    paged(&app, &headers, &params, "usage", render_usage)
}

async fn get_one(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
) -> Response {
    with_state(&app, &headers, |state| match state.find(&iccid) {
        Some(i) => axum::Json(render(&state.sims[i])).into_response(),
        None => not_found(&iccid),
    })
}

async fn usage(State(app): State<App>, headers: HeaderMap, Path(iccid): Path<String>) -> Response {
    with_state(&app, &headers, |state| match state.find(&iccid) {
        Some(i) => axum::Json(render_usage(&state.sims[i])).into_response(),
        None => not_found(&iccid),
    })
}

fn action_answer(id: String) -> Response {
    axum::Json(json!({ "actionId": id })).into_response()
}

/// The one string property `key` of a JSON object body, or a 400.
fn string_property(body: &Bytes, key: &str) -> Result<String, Response> {
    let bad = || {
        error(
            StatusCode::BAD_REQUEST,
            &format!("body must be {{\"{key}\": string}}"),
        )
    };
    let object = json_object(body).ok_or_else(bad)?;
    if object.len() != 1 {
        return Err(bad());
    }
    match object.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        _ => Err(bad()),
    }
}

/// The one-property writes (name, status): the SIM must exist and the body
/// be `{key: string}`; `change` edits the SIM or refuses, and an accepted
/// change answers with a new action id.
fn write_property(
    app: &App,
    headers: &HeaderMap,
    iccid: &str,
    body: &Bytes,
    key: &'static str,
    change: impl FnOnce(&mut Sim, String) -> Result<(), Response>,
) -> Response {
    with_state(app, headers, |state| {
        let Some(i) = state.find(iccid) else {
            return not_found(iccid);
        };
        let value = match string_property(body, key) {
            Ok(v) => v,
            Err(r) => return r,
        };
        let sim = &mut state.sims[i];
        if let Err(refused) = change(sim, value) {
            return refused;
        }
        sim.updated_at = now_iso();
        action_answer(state.action(iccid, key))
    })
}

async fn rename(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
    body: Bytes,
) -> Response {
    write_property(&app, &headers, &iccid, &body, "name", |sim, name| {
        // An empty name clears it: the text offers no other way to.
        sim.name = (!name.is_empty()).then_some(name);
        Ok(())
    })
}

async fn set_status(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
    body: Bytes,
) -> Response {
    write_property(&app, &headers, &iccid, &body, "status", |sim, wanted| {
        if !TRANSITIONS.contains(&(sim.status.as_str(), wanted.as_str())) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Status change from {} to {wanted} is not allowed",
                    sim.status
                ),
            ));
        }
        sim.status = wanted;
        Ok(())
    })
}

async fn sms(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
    body: Bytes,
) -> Response {
    with_state(&app, &headers, |state| {
        if state.find(&iccid).is_none() {
            return not_found(&iccid);
        }
        let text = match string_property(&body, "text") {
            Ok(t) => t,
            Err(r) => return r,
        };
        let chars = text.chars().count();
        if chars == 0 || chars > SMS_MAX_CHARS {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("text must be 1 to {SMS_MAX_CHARS} characters, got {chars}"),
            );
        }
        state.sms.push(SentSms {
            iccid: iccid.clone(),
            text,
        });
        StatusCode::OK.into_response()
    })
}

async fn diagnostic(
    State(app): State<App>,
    headers: HeaderMap,
    Path(iccid): Path<String>,
) -> Response {
    with_state(&app, &headers, |state| {
        if state.find(&iccid).is_none() {
            return not_found(&iccid);
        }
        action_answer(state.action(&iccid, "diagnostic"))
    })
}
