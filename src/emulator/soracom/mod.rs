//! The Soracom API (SIM management) as its text gives it
//! (docs/providers.md, "Soracom"): `POST /auth` trades an AuthKey for an
//! API key and token that every other call carries in
//! `X-Soracom-API-Key` and `X-Soracom-Token`; SIMs are listed as a bare
//! array paged by `limit` and `last_evaluated_key`, with the next key in
//! `x-soracom-next-key` and a `link: rel=next` header on every page but the
//! last; tags are upserted several at once and deleted one by one; status,
//! group, speed class, IMEI lock and termination protection each have an
//! action; errors are `{"code","message"}`. Rate limits count per API path
//! (`x-soracom-ratelimit-*`), which the shared traffic layer applies from
//! [`Api::RATE`].
//!
//! A SIM is found by its `simId`; its ICCIDs are in its `profiles`. It
//! must not terminate on its own or answer for any other provider.

// Helpers return a ready error `Response` for early exit from handlers.
#![allow(clippy::result_large_err)]

mod listing;
mod render;
mod rules;
mod state;
mod writes;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde_json::{Value as Json, json};

use super::api::{Api, RateStyle, header};
use super::request::json_object;
use super::{App, WorldState};
use crate::kind::ProviderKind;
use rules::{Action, Refusal};
pub use state::SoracomState;

/// The API key and token headers every call but `POST /auth` carries.
const API_KEY: &str = "x-soracom-api-key";
const TOKEN: &str = "x-soracom-token";

/// A key and token pair lives this long unless the request asks otherwise.
const DEFAULT_TOKEN_SECONDS: u64 = 86_400;
const MAX_TOKEN_SECONDS: u64 = 172_800;

/// The emulated Soracom API.
pub struct Soracom;

impl Api for Soracom {
    const KIND: ProviderKind = ProviderKind::Soracom;
    const UNAUTHORISED: &'static str = "The API key and token are missing, invalid or expired.";
    const RATE: RateStyle = RateStyle {
        limit: "x-soracom-ratelimit-limit",
        remaining: "x-soracom-ratelimit-remaining",
        reset: "x-soracom-ratelimit-seconds-before-refresh",
        reset_epoch: false,
        per_route: true,
    };
    const CREDENTIAL_ROUTES: &'static [&'static str] = &["/auth"];
    type State = SoracomState;

    fn state(world: &mut WorldState) -> &mut SoracomState {
        &mut world.soracom
    }

    fn router() -> Router<App> {
        router()
    }

    fn error(status: StatusCode, message: &str) -> Response {
        error(status, message)
    }

    /// The API key and the token, in that order, a space apart.
    fn presented(headers: &HeaderMap) -> String {
        format!("{} {}", header(headers, API_KEY), header(headers, TOKEN))
    }

    /// A pair that `POST /auth` issued together, while it lives.
    fn authorised(app: &App, _state: &SoracomState, given: &str) -> bool {
        given
            .split_once(' ')
            .is_some_and(|(key, token)| key == api_key(token) && app.tokens.live(Self::KIND, token))
    }

    fn generate(state: &mut SoracomState, count: usize) {
        state.generate(count);
    }

    fn check(state: &mut SoracomState) -> Result<(), String> {
        state.check()
    }
}

fn router() -> Router<App> {
    let mut router = Router::new()
        .route("/auth", post(auth))
        .route("/sims", get(listing::sims))
        .route("/sims/{sim_id}", get(listing::sim))
        .route("/groups", get(listing::groups))
        .route("/sims/{sim_id}/tags", put(writes::put_tags))
        .route("/sims/{sim_id}/tags/{tag_name}", delete(writes::delete_tag))
        .route("/sims/{sim_id}/set_group", post(writes::set_group))
        .route("/sims/{sim_id}/unset_group", post(writes::unset_group))
        .route(
            "/sims/{sim_id}/update_speed_class",
            post(writes::update_speed_class),
        )
        .route("/sims/{sim_id}/set_imei_lock", post(writes::set_imei_lock))
        .route(
            "/sims/{sim_id}/unset_imei_lock",
            post(writes::unset_imei_lock),
        )
        .route(
            "/sims/{sim_id}/enable_termination",
            post(writes::enable_termination),
        )
        .route(
            "/sims/{sim_id}/disable_termination",
            post(writes::disable_termination),
        );
    // One route per action, so each counts in its own rate window and
    // shows by name in the request log.
    for action in Action::ALL {
        let path = format!("/sims/{{sim_id}}/{}", action.path());
        router = router.route(&path, writes::status(action));
    }
    router
}

/// A Soracom error body with a code made from the HTTP status (the text
/// lists no codes), for answers the shared layers give.
pub fn error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => "EMU0401",
        StatusCode::NOT_FOUND => "EMU0404",
        StatusCode::TOO_MANY_REQUESTS => "EMU0429",
        s if s.is_server_error() => "EMU0500",
        _ => "EMU0400",
    };
    coded(status, code, message)
}

/// `{"code","message"}` (the text's error body).
fn coded(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": code, "message": message})),
    )
        .into_response()
}

fn refused(refusal: Refusal) -> Response {
    coded(refusal.status, refusal.code, &refusal.message)
}

/// The API key issued with `token`: tied to it, so a key and a token
/// from two different `POST /auth` answers are no pair.
fn api_key(token: &str) -> String {
    format!("api-{token}")
}

/// `POST /auth`: an AuthKey (`authKeyId` + `authKey`) for an API key and
/// token. They end after `tokenTimeoutSeconds` or the emulator's token
/// lifetime, whichever comes first.
async fn auth(State(app): State<App>, body: Bytes) -> Response {
    let Some(body) = json_object(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        );
    };
    let text = |key: &str| body.get(key).and_then(Json::as_str).unwrap_or_default();
    let (key_id, key) = (text("authKeyId"), text("authKey"));
    let (known, operator) = match app.world.lock() {
        Ok(world) => {
            let account = &world.soracom;
            let known = !account.auth_key.is_empty()
                && key_id == account.auth_key_id
                && key == account.auth_key;
            (known, account.operator_id.clone())
        }
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "state unavailable"),
    };
    if !known {
        return error(StatusCode::UNAUTHORIZED, "Authentication failed.");
    }
    let seconds = match body.get("tokenTimeoutSeconds") {
        None => DEFAULT_TOKEN_SECONDS,
        Some(value) => match value.as_u64() {
            Some(n) if (1..=MAX_TOKEN_SECONDS).contains(&n) => n,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("tokenTimeoutSeconds must be between 1 and {MAX_TOKEN_SECONDS}."),
                );
            }
        },
    };
    let configured = app.settings_of(Soracom::KIND).token_lifetime;
    let lifetime = Duration::from_secs(seconds).min(configured);
    let token = app.tokens.issue(Soracom::KIND, lifetime);
    axum::Json(json!({
        "apiKey": api_key(&token),
        "operatorId": operator,
        "token": token,
    }))
    .into_response()
}
