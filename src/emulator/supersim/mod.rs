//! The Twilio / KORE Super SIM API (Sims and Fleets) as its text gives it
//! (docs/providers.md, "Twilio / KORE Super SIM"): Twilio's Basic auth with
//! the account SID and auth token, or a bearer token from KORE's token
//! endpoint (served here under `/api-services/v1/auth/token`, the path of
//! KORE's own); Sims and Fleets listed with `meta` paging URLs; a Sim
//! fetched by SID or unique name; form-encoded updates where a unique name
//! is taken at once and a Status or Fleet change answers 202 `scheduled`
//! and settles after the configured delay; errors as
//! `{code, message, more_info, status}` with the Super SIM codes
//! (83007-83010) and the 429's 20429 (the shared traffic layer gives it).
//!
//! The mount stands for the API's `/v1`: a sandbox's `url` replaces
//! `https://supersim.twilio.com/v1`. This module must not call a request's
//! `CallbackUrl`, or answer for any other provider.

// Helpers return a ready error `Response` for early exit from handlers.
#![allow(clippy::result_large_err)]

mod listing;
mod render;
mod rules;
mod seed;
mod state;
mod update;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::api::{self, Api};
use super::request::{Form, basic_credentials};
use super::{App, ProviderSettings, WorldState};
use crate::kind::ProviderKind;
pub use state::{Fleet, SANDBOX_ACCOUNT, Scheduled, Sim, SupersimState};

/// The emulated Super SIM API.
pub struct Supersim;

impl Api for Supersim {
    const KIND: ProviderKind = ProviderKind::Supersim;
    const UNAUTHORISED: &'static str = "Authenticate";
    type State = SupersimState;

    fn state(world: &mut WorldState) -> &mut SupersimState {
        &mut world.supersim
    }

    fn router() -> Router<App> {
        Router::new()
            .route("/api-services/v1/auth/token", post(token))
            .route("/Sims", get(listing::sims))
            .route("/Sims/{sid}", get(listing::sim).post(update::update))
            .route("/Fleets", get(listing::fleets))
            .route("/Fleets/{sid}", get(listing::fleet))
    }

    fn error(status: StatusCode, message: &str) -> Response {
        error(status, message)
    }

    /// Twilio's `Basic base64(AccountSid:AuthToken)`, or a live bearer
    /// token from the KORE token endpoint.
    fn authorised(app: &App, account: &SupersimState, given: &str) -> bool {
        if given.starts_with("Bearer ") {
            return app.tokens.accepts(Self::KIND, given);
        }
        basic_credentials(given).is_some_and(|(sid, token)| {
            !account.auth_token.is_empty()
                && sid == account.account_sid
                && token == account.auth_token
        })
    }

    fn generate(state: &mut SupersimState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut SupersimState) -> Result<(), String> {
        state.check()
    }
}

/// An error with the Twilio code of its HTTP status, for answers that
/// have no Super SIM code of their own (the shared layers' among them).
/// 20001, 20404 and 20429 are the text's; the others follow their form.
pub fn error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => 20003,
        StatusCode::NOT_FOUND => 20404,
        StatusCode::CONFLICT => rules::DUPLICATE,
        StatusCode::TOO_MANY_REQUESTS => 20429,
        StatusCode::SERVICE_UNAVAILABLE => 20503,
        s if s.is_server_error() => 20500,
        _ => 20001,
    };
    coded(status, code, message)
}

/// `{code, message, more_info, status}` (the text's error body).
fn coded(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

/// Twilio's answer for a resource that does not exist, naming its path.
fn not_found(path: &str) -> Response {
    let message = format!("The requested resource {path} was not found");
    coded(StatusCode::NOT_FOUND, 20404, &message)
}

/// Runs `f` on the settled account after the auth check; `f` also gets
/// the absolute base URL the request came to, for the answer's `url`s.
fn with_state(
    app: &App,
    headers: &HeaderMap,
    f: impl FnOnce(&mut SupersimState, &ProviderSettings, &str) -> Response,
) -> Response {
    // The client follows `meta` URLs as they are: they name the host and
    // mount it used.
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = format!("http://{host}/{}", ProviderKind::Supersim.mount());
    api::with_state::<Supersim>(app, headers, |state, settings| {
        // Settled here, not in `Api::settle`: a seed's scheduled change
        // takes its time from the configured delay, which only this sees.
        state.settle(state::now_ms(), settings.schedule_delay);
        f(state, settings, &base)
    })
}

/// KORE's token endpoint: form `grant_type=client_credentials`,
/// `client_id`, `client_secret` -> `{access_token, expires_in, token_type}`;
/// 401 `unauthorized_client` for a client it does not know, 400
/// `{code, message}` for another grant.
async fn token(State(app): State<App>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let known = app.world.lock().is_ok_and(|w| {
        let account = &w.supersim;
        !account.client_secret.is_empty()
            && form.get("client_id") == Some(account.client_id.as_str())
            && form.get("client_secret") == Some(account.client_secret.as_str())
    });
    if !known {
        let body = json!({
            "error": "unauthorized_client",
            "error_description": "Invalid client or Invalid client credentials",
        });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    if form.get("grant_type") != Some("client_credentials") {
        let body = json!({"code": 400, "message": "grant_type must be client_credentials"});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let lifetime = app.settings_of(Supersim::KIND).token_lifetime;
    let token = app.tokens.issue(Supersim::KIND, lifetime);
    axum::Json(json!({
        "access_token": token,
        "expires_in": lifetime.as_secs(),
        "token_type": "Bearer",
    }))
    .into_response()
}
