//! `POST /api/v1/authenticate`: the application token for a JWT
//! `auth_token` whose `exp` claim says when it ends (the emulator's token
//! lifetime, `--token-expiry`). A wrong token answers 401 with an empty
//! body; after three failures in a row logins are locked for five minutes
//! (429 `TooManyRequests`); the path holds 100 requests in 5 minutes.
//!
//! The JWT's signature part is the issued token the emulator remembers:
//! nothing else in it is trusted. It must not log or echo the
//! application token.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value as Json, json};

use super::limits::AUTHENTICATE;
use super::{App, Emnify, coded, too_many};
use crate::emulator::api::Api;
use crate::emulator::request::json_object;

fn segment(value: &Json) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Whether `jwt` is one the emulator issued and still honours.
pub fn live(app: &App, jwt: &str) -> bool {
    let signature = jwt.rsplit('.').next().unwrap_or_default();
    jwt.split('.').count() == 3 && app.tokens.live(Emnify::KIND, signature)
}

pub async fn authenticate(State(app): State<App>, body: Bytes) -> Response {
    let given = json_object(&body).and_then(|b| b.get("application_token").cloned());
    let Ok(mut world) = app.world.lock() else {
        return super::error(StatusCode::INTERNAL_SERVER_ERROR, "state unavailable");
    };
    let account = Emnify::state(&mut world);
    if !account.limits.admit(AUTHENTICATE) {
        return too_many(AUTHENTICATE);
    }
    if account.limits.login_locked() {
        return coded(
            StatusCode::TOO_MANY_REQUESTS,
            1105,
            "TooManyRequests",
            "Too many failed authentication attempts: blocked for five minutes.",
        );
    }
    let Some(given) = given else {
        return coded(
            StatusCode::BAD_REQUEST,
            1000,
            "BadRequest",
            "Malformed request body.",
        );
    };
    let known = !account.application_token.is_empty()
        && given.as_str() == Some(account.application_token.as_str());
    account.limits.login(known);
    if !known {
        // "The response body is empty for most authentication failures."
        return StatusCode::UNAUTHORIZED.into_response();
    }
    drop(world);
    let lifetime = app.settings_of(Emnify::KIND).token_lifetime;
    let signature = app.tokens.issue(Emnify::KIND, lifetime);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let claims = json!({
        "iat": now,
        // Rounded up: a client renewing before `exp` is never late.
        "exp": now + lifetime.as_secs() + u64::from(lifetime.subsec_nanos() > 0),
        "iss": "simfleet-emulator",
    });
    let jwt = format!("{}.{}.{signature}", segment(&header), segment(&claims));
    axum::Json(json!({"auth_token": jwt})).into_response()
}
