//! The writes: `PATCH /api/v1/endpoint/{id}` and `PATCH /api/v1/sim/{id}`
//! (each 204, empty), and `PATCH /api/v2/endpoint/multi` (at most 2,000
//! endpoints, one bulk call at a time).
//!
//! A refused write changes nothing: every item of a bulk call is checked
//! before any is applied (the text does not say whether emnify applies
//! part of one; all or nothing is the reading that loses nothing). A bulk
//! call runs for the provider's `provision_delay` (`--provision-delay-ms`),
//! so a second one sent meanwhile meets the running one and is refused.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};

use super::rules::{self, Detail, Update};
use super::{App, Emnify, coded, endpoint_id, not_found, validation};
use crate::emulator::api::{self, Api};

/// At most this many endpoints per bulk call.
pub const BULK_MAX: usize = 2000;

fn object(body: &Bytes) -> Result<Map<String, Json>, Response> {
    crate::emulator::request::json_object(body).ok_or_else(|| {
        coded(
            StatusCode::BAD_REQUEST,
            1000,
            "BadRequest",
            "The request body must be a JSON object.",
        )
    })
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub async fn endpoint(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    api::with_state::<Emnify>(&app, &headers, |state, _| {
        let id = match endpoint_id(&id) {
            Ok(id) => id,
            Err(answer) => return answer,
        };
        let body = match object(&body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let Some(at) = state.find(id) else {
            return not_found(id);
        };
        match rules::update(state, &body, false) {
            Ok(update) => {
                rules::apply(&mut state.endpoints[at], &update);
                no_content()
            }
            Err(errors) => validation("Update endpoint validation error", &errors),
        }
    })
}

pub async fn sim(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    api::with_state::<Emnify>(&app, &headers, |state, _| {
        let Ok(id) = id.parse::<u64>() else {
            let message = format!("Cannot parse parameter id as Long: For input string: \"{id}\"");
            return coded(StatusCode::BAD_REQUEST, 1000, "BadRequest", &message);
        };
        let body = match object(&body) {
            Ok(body) => body,
            Err(answer) => return answer,
        };
        let target = match rules::sim_target(&body) {
            Ok(target) => target,
            Err(detail) => return validation("Update SIM validation error", &[detail]),
        };
        let Some(sim) = state.holder_of(id).and_then(|e| e.sim.as_mut()) else {
            let message = format!("SIM with Id '{id}' not found.");
            return coded(StatusCode::NOT_FOUND, 1401, "InvalidReference", &message);
        };
        match rules::sim_move(&sim.status, target) {
            Ok(()) => {
                sim.status = target.to_owned();
                no_content()
            }
            Err(detail) => validation("Update SIM validation error", &[detail]),
        }
    })
}

/// Clears the running bulk call when it ends, however it ends (a client
/// that hangs up drops the handler mid-way).
struct Running(App);

impl Drop for Running {
    fn drop(&mut self) {
        let mut world = self
            .0
            .world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Emnify::state(&mut world).limits.bulk_running = false;
    }
}

/// The checked items of a bulk body: each endpoint's update.
fn bulk_items(
    state: &mut super::EmnifyState,
    body: &Bytes,
) -> Result<Vec<(u64, Update)>, Response> {
    let Ok(Json::Array(items)) = serde_json::from_slice::<Json>(body) else {
        return Err(coded(
            StatusCode::BAD_REQUEST,
            1000,
            "BadRequest",
            "The request body must be a JSON array.",
        ));
    };
    if items.is_empty() || items.len() > BULK_MAX {
        let message = format!(
            "Between 1 and {BULK_MAX} endpoints per request, got {}.",
            items.len()
        );
        return Err(validation(
            "Bulk update endpoint validation error",
            &[Detail {
                code: 1403,
                token: "InvalidFormat",
                message,
            }],
        ));
    }
    let mut checked = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for item in &items {
        let Some(fields) = item.as_object() else {
            errors.push(Detail {
                code: 1403,
                token: "InvalidFormat",
                message: "Each item must be an object.".into(),
            });
            continue;
        };
        let Some(id) = fields.get("id").and_then(Json::as_u64) else {
            errors.push(Detail {
                code: 1402,
                token: "Required",
                message: "Endpoint - id is required.".into(),
            });
            continue;
        };
        if state.find(id).is_none() {
            let message = format!("Endpoint with Id '{id}' not found.");
            errors.push(Detail {
                code: 1401,
                token: "InvalidReference",
                message,
            });
            continue;
        }
        match rules::update(state, fields, true) {
            Ok(update) => checked.push((id, update)),
            Err(found) => errors.extend(found),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(validation("Bulk update endpoint validation error", &errors))
    }
}

pub async fn multi(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let mut accepted = None;
    let answer = api::with_state::<Emnify>(&app, &headers, |state, _| {
        if state.limits.bulk_running {
            return coded(
                StatusCode::CONFLICT,
                1600,
                "Conflict",
                "A bulk update is in progress: execute bulk operations sequentially.",
            );
        }
        match bulk_items(state, &body) {
            Ok(items) => {
                state.limits.bulk_running = true;
                accepted = Some(items);
                no_content()
            }
            Err(answer) => answer,
        }
    });
    let Some(items) = accepted else {
        return answer;
    };
    let running = Running(app.clone());
    tokio::time::sleep(app.settings_of(Emnify::KIND).provision_delay).await;
    {
        let mut world = app
            .world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let state = Emnify::state(&mut world);
        for (id, update) in &items {
            if let Some(at) = state.find(*id) {
                rules::apply(&mut state.endpoints[at], update);
            }
        }
    }
    drop(running);
    no_content()
}

/// `{message, error_code, error_token, errors}` of a refused write.
pub fn validation_body(message: &str, errors: &[Detail]) -> Json {
    let errors: Vec<Json> = errors
        .iter()
        .map(|d| json!({"error_code": d.code, "error_token": d.token, "message": d.message}))
        .collect();
    json!({
        "error_code": 1400,
        "error_token": "InputValidationFailed",
        "message": message,
        "errors": errors,
    })
}
