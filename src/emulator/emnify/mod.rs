//! The emnify REST API (endpoints and their SIMs) as its text gives it
//! (docs/providers.md, "emnify"): `POST /api/v1/authenticate` trades the
//! application token for a JWT whose `exp` ends it; endpoints are listed as
//! a bare array paged by `page` and `per_page` with the paging in headers,
//! read one by one, and updated by `PATCH` (204, empty); a SIM's status
//! moves by `PATCH /api/v1/sim/{id}` within the text's transitions; bulk
//! endpoint updates take at most 2,000 endpoints, one call at a time.
//! Errors are `{error_code, error_token, message}` with the text's generic
//! codes. The account-wide 2,000-in-5-minutes window is the shared
//! traffic layer's (`--rate-limit`, `--rate-window`); the per-path limits
//! and the login lock are this module's (`limits.rs`).
//!
//! The mount stands for `https://cdn.emnify.net`. This module must not
//! answer for any other provider, nor be built from simfleet's client.

// Helpers return a ready error `Response` for early exit from handlers.
#![allow(clippy::result_large_err)]

mod limits;
mod listing;
mod render;
mod rules;
mod state;
mod token;
mod writes;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::json;

use super::api::{self, Api, RateStyle};
use super::{App, ProviderSettings, WorldState};
use crate::kind::ProviderKind;
use limits::PathLimit;
pub use state::EmnifyState;

/// The emulated emnify API.
pub struct Emnify;

impl Api for Emnify {
    const KIND: ProviderKind = ProviderKind::Emnify;
    const UNAUTHORISED: &'static str = "Invalid or expired token";
    // The text documents no rate headers and its recordings show none.
    const RATE: RateStyle = RateStyle::SILENT;
    const CREDENTIAL_ROUTES: &'static [&'static str] = &["/api/v1/authenticate"];
    type State = EmnifyState;

    fn state(world: &mut WorldState) -> &mut EmnifyState {
        &mut world.emnify
    }

    fn router() -> Router<App> {
        Router::new()
            .route("/api/v1/authenticate", post(token::authenticate))
            .route("/api/v1/endpoint", get(listing::endpoints))
            .route(
                "/api/v1/endpoint/{id}",
                get(listing::endpoint).patch(writes::endpoint),
            )
            .route("/api/v1/sim/{id}", patch(writes::sim))
            .route("/api/v2/endpoint/multi", patch(writes::multi))
    }

    fn error(status: StatusCode, message: &str) -> Response {
        error(status, message)
    }

    /// `Bearer <JWT>` that `POST /api/v1/authenticate` issued, before its `exp`.
    fn authorised(app: &App, _state: &EmnifyState, given: &str) -> bool {
        given
            .strip_prefix("Bearer ")
            .is_some_and(|jwt| token::live(app, jwt))
    }

    fn generate(state: &mut EmnifyState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut EmnifyState) -> Result<(), String> {
        state.check()
    }
}

/// An error with the text's generic code for its HTTP status, for answers
/// without a code of their own (the shared layers' among them).
pub fn error(status: StatusCode, message: &str) -> Response {
    let (code, token) = match status {
        StatusCode::BAD_REQUEST => (1000, "BadRequest"),
        StatusCode::UNAUTHORIZED => (1102, "InvalidToken"),
        StatusCode::FORBIDDEN => (1104, "Forbidden"),
        StatusCode::NOT_FOUND => (1201, "NotFound"),
        StatusCode::UNPROCESSABLE_ENTITY => (1400, "InputValidationFailed"),
        StatusCode::TOO_MANY_REQUESTS => (1105, "TooManyRequests"),
        // The text gives no code for these: the emulator's own.
        StatusCode::CONFLICT => (1600, "Conflict"),
        _ => (1500, "InternalServerError"),
    };
    coded(status, code, token, message)
}

/// `{error_code, error_token, message}` (the text's error body).
fn coded(status: StatusCode, code: u32, token: &str, message: &str) -> Response {
    let body = json!({"error_code": code, "error_token": token, "message": message});
    (status, axum::Json(body)).into_response()
}

/// 422 `InputValidationFailed` with its `errors`.
fn validation(message: &str, errors: &[rules::Detail]) -> Response {
    let body = writes::validation_body(message, errors);
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}

/// The recorded answer for an endpoint id that does not exist.
fn not_found(id: u64) -> Response {
    let message = format!("Endpoint with Id '{id}' not found.");
    coded(StatusCode::NOT_FOUND, 1401, "InvalidReference", &message)
}

/// An endpoint id from the path, or the recorded 400 for one that is no number.
fn endpoint_id(raw: &str) -> Result<u64, Response> {
    raw.parse::<u64>().map_err(|_| {
        let message = format!("Cannot parse parameter id as Long: For input string: \"{raw}\"");
        coded(StatusCode::BAD_REQUEST, 1000, "BadRequest", &message)
    })
}

/// The prologue of a handler with a per-path limit: credentials first,
/// then the path's bucket (429 `TooManyRequests` when empty), then `f`.
fn guarded(
    app: &App,
    headers: &HeaderMap,
    limit: PathLimit,
    f: impl FnOnce(&mut EmnifyState, &ProviderSettings) -> Response,
) -> Response {
    api::with_state::<Emnify>(app, headers, |state, settings| {
        if !state.limits.admit(limit) {
            return too_many(limit);
        }
        f(state, settings)
    })
}

/// 429 of a per-path limit, with `Retry-After: 1` (its buckets refill
/// within a second but for the login path's).
fn too_many(limit: PathLimit) -> Response {
    let message = format!("Too many requests to {}: retry later.", limit.name);
    let mut answer = error(StatusCode::TOO_MANY_REQUESTS, &message);
    answer
        .headers_mut()
        .insert("retry-after", axum::http::HeaderValue::from(1u64));
    answer
}
