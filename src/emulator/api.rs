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
    /// Whether `x-ratelimit-reset` is an epoch timestamp (Onomondo's
    /// published docs) rather than seconds until the window resets.
    const RESET_EPOCH: bool = false;
    /// What the emulated account holds.
    type State: Default + Clone + Serialize + DeserializeOwned + Send;

    fn state(world: &mut WorldState) -> &mut Self::State;

    /// Routes, relative to the kind's mount.
    fn router() -> Router<App>;

    /// An error in the provider's own body shape.
    fn error(status: StatusCode, text: &str) -> Response;

    /// Whether the `Authorization` value `given` may use the account.
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
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let settings = app.settings_of(A::KIND);
    let Ok(mut world) = app.world.lock() else {
        return A::error(StatusCode::INTERNAL_SERVER_ERROR, "state unavailable");
    };
    let state = A::state(&mut world);
    if !A::authorised(app, state, given) {
        return A::error(StatusCode::UNAUTHORIZED, A::UNAUTHORISED);
    }
    A::settle(state);
    f(state, &settings)
}
