//! The contract of one emulated provider API and the handler prologue they
//! all share.
//!
//! An API module implements [`Api`] and registers in `registry::apis`;
//! nothing else in the emulator names a provider. Its wire structs are its own, written
//! from the provider's text, never shared with the clients: that
//! independence is what makes tests against the emulator mean something.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{App, ProviderSettings, WorldState};
use crate::kind::ProviderKind;

pub trait Api: 'static {
    const KIND: ProviderKind;
    /// The answer to a request without valid credentials.
    const UNAUTHORISED: &'static str;
    /// How the provider counts requests against its rate limit and says
    /// so in headers.
    const RATE: RateStyle = RateStyle::X_RATELIMIT;
    /// Routes whose request bodies carry credentials (beside token
    /// endpoints): never kept in the request log.
    const CREDENTIAL_ROUTES: &'static [&'static str] = &[];
    /// What the emulated account holds.
    type State: Default + Clone + Serialize + DeserializeOwned + Send;

    fn state(world: &mut WorldState) -> &mut Self::State;

    /// Routes, relative to the kind's mount.
    fn router() -> Router<App>;

    /// An error in the provider's own body shape.
    fn error(status: StatusCode, text: &str) -> Response;

    /// The credentials a request presents, as one text: its
    /// `Authorization` value unless the provider uses other headers.
    /// `authorised` judges it and `--echo-credentials` echoes it.
    fn presented(headers: &HeaderMap) -> String {
        header(headers, "authorization").to_owned()
    }

    /// Whether the credentials `given` (see `presented`) may use the account.
    fn authorised(app: &App, state: &Self::State, given: &str) -> bool;

    /// Time-driven transitions (provisioning, monitors), due before any
    /// request sees the state.
    fn settle(_state: &mut Self::State) {}

    /// Adds `count` generated SIMs (scale tests).
    fn generate(state: &mut Self::State, count: usize);

    /// Consistency of a loaded seed; may resolve names to ids.
    fn check(state: &mut Self::State) -> Result<(), String>;
}

/// The prologue of every authenticated handler: check the credentials,
/// lock the world, settle the account, then run `f` on it.
pub fn with_state<A: Api>(
    app: &App,
    headers: &HeaderMap,
    f: impl FnOnce(&mut A::State, &ProviderSettings) -> Response,
) -> Response {
    let given = A::presented(headers);
    let settings = app.settings_of(A::KIND);
    let Ok(mut world) = app.world.lock() else {
        return A::error(StatusCode::INTERNAL_SERVER_ERROR, "state unavailable");
    };
    let state = A::state(&mut world);
    if !A::authorised(app, state, &given) {
        return A::error(StatusCode::UNAUTHORIZED, A::UNAUTHORISED);
    }
    A::settle(state);
    f(state, &settings)
}

/// The value of header `name`, or "" when it is absent or not text.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// How a provider counts requests against its rate limit and which
/// headers tell a client where it stands (a 429 of the window also
/// carries `Retry-After`, for every provider).
#[derive(Debug, Clone, Copy)]
pub struct RateStyle {
    /// The headers of the limit, the requests left and the reset.
    pub limit: &'static str,
    pub remaining: &'static str,
    pub reset: &'static str,
    /// The reset is an epoch timestamp (Onomondo's published docs), not
    /// seconds until the window resets.
    pub reset_epoch: bool,
    /// One window for each route (method and path template) rather than
    /// one for the whole account (Soracom counts per API path).
    pub per_route: bool,
}

impl RateStyle {
    /// The common `x-ratelimit-*` headers, seconds to the reset, one
    /// window for the account.
    pub const X_RATELIMIT: RateStyle = RateStyle {
        limit: "x-ratelimit-limit",
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        reset_epoch: false,
        per_route: false,
    };

    /// No rate headers at all (emnify documents none and none were
    /// recorded): empty names are sent as nothing. One account window.
    pub const SILENT: RateStyle = RateStyle {
        limit: "",
        remaining: "",
        reset: "",
        reset_epoch: false,
        per_route: false,
    };
}
