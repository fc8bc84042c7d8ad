//! The provider emulator: an axum server speaking the providers' HTTP APIs
//! (docs/architecture.md, "The emulator"), stateful and faithful to the
//! providers' API texts.
//!
//! It is built from the provider texts, not from simfleet's clients, so tests
//! against it check the clients against the contract. It binds loopback only
//! unless explicitly allowed, and each provider lives under its own prefix.

pub mod api;
pub mod emnify;
pub mod eseye;
mod faults;
pub mod infobip;
pub mod onomondo;
mod registry;
mod replay;
mod request;
pub mod sandbox;
mod server;
pub mod soracom;
mod state;
pub mod supersim;
pub mod telekom_cmo;
mod tokens;
mod traffic;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use tokio::sync::oneshot;

use crate::kind::ProviderKind;

pub use faults::{FaultKind, Faults};
pub use replay::Overrides;
pub use state::{StateError, WorldState, generated_iccid, write_json};
pub use traffic::{LoggedRequest, Stats};

/// Per-provider emulator behaviour.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// Requests per `rate_window` before 429.
    pub rate_limit: u64,
    /// The fixed window the limit counts in (Onomondo's: a minute).
    pub rate_window: Duration,
    pub faults: Faults,
    /// Lifetime of issued access tokens (Eseye, CMO, Soracom, KORE).
    pub token_lifetime: Duration,
    /// How long an activated Eseye SIM stays `pendingProvision`.
    pub provision_delay: Duration,
    /// How long a CMO monitor stays `InProgress`.
    pub monitor_delay: Duration,
    /// Every Nth CMO monitor ends `InError` (0: none).
    pub monitor_fail_every: u64,
    /// How long a Super SIM status or Fleet change stays `scheduled`.
    pub schedule_delay: Duration,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            // Onomondo's documented 600 requests per minute.
            rate_limit: 600,
            rate_window: Duration::from_secs(60),
            faults: Faults::default(),
            // CMO's documented 300 s (docs/providers.md).
            token_lifetime: Duration::from_secs(300),
            provision_delay: Duration::from_secs(1),
            monitor_delay: Duration::from_secs(1),
            monitor_fail_every: 0,
            schedule_delay: Duration::from_secs(1),
        }
    }
}

#[derive(Debug)]
pub struct AppInner {
    pub world: Mutex<WorldState>,
    pub traffic: traffic::Traffic,
    pub tokens: tokens::Tokens,
    pub settings: BTreeMap<ProviderKind, ProviderSettings>,
    /// Recorded answers and 404 paths served instead of the handlers.
    pub overrides: Overrides,
}

#[derive(Debug, Clone)]
pub struct App(Arc<AppInner>);

impl Deref for App {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

impl App {
    pub fn new(world: WorldState, settings: BTreeMap<ProviderKind, ProviderSettings>) -> App {
        App::with_overrides(world, settings, Overrides::default())
    }

    /// An app that serves `overrides` before its own handlers.
    pub fn with_overrides(
        world: WorldState,
        settings: BTreeMap<ProviderKind, ProviderSettings>,
        overrides: Overrides,
    ) -> App {
        App(Arc::new(AppInner {
            world: Mutex::new(world),
            traffic: traffic::Traffic::default(),
            tokens: tokens::Tokens::default(),
            settings,
            overrides,
        }))
    }

    /// The settings of one provider (defaults when none were given).
    pub fn settings_of(&self, kind: ProviderKind) -> ProviderSettings {
        self.settings.get(&kind).cloned().unwrap_or_default()
    }

    pub fn snapshot(&self) -> WorldState {
        // A handler that panicked poisons the lock but leaves the state:
        // it is the best account of the world there is, where an empty
        // default would be saved over a sandbox's state.
        let world = self.world.lock().unwrap_or_else(PoisonError::into_inner);
        world.clone()
    }

    /// The emulator's routes. With `admin_token`, its own `/_emulator/*`
    /// endpoints (which serve and replace the seeded credentials) answer
    /// only requests that carry `Authorization: Bearer <admin_token>`.
    pub fn router(&self, admin_token: Option<String>) -> Router {
        let tracked = |r: Router<App>, kind: ProviderKind| {
            r.route_layer(middleware::from_fn_with_state(
                (self.clone(), kind),
                traffic::track,
            ))
        };
        let mut admin = Router::new()
            .route("/_emulator/stats", get(stats))
            .route("/_emulator/state", get(world).put(replace_world))
            .route("/_emulator/requests", get(requests));
        if let Some(token) = admin_token {
            let expected = format!("Bearer {token}");
            admin = admin.route_layer(middleware::from_fn(
                move |req: axum::extract::Request, next: middleware::Next| {
                    let allowed = req
                        .headers()
                        .get("authorization")
                        .is_some_and(|v| v.as_bytes() == expected.as_bytes());
                    async move {
                        if allowed {
                            next.run(req).await
                        } else {
                            (StatusCode::UNAUTHORIZED, "admin token required\n").into_response()
                        }
                    }
                },
            ));
        }
        let mut router = admin;
        for api in registry::apis() {
            let mount = format!("/{}", api.kind.mount());
            router = router.nest(&mount, tracked((api.router)(), api.kind));
        }
        router.with_state(self.clone())
    }
}

/// An error in the provider's own error shape, for answers the shared
/// middleware gives (rate limits, injected faults).
fn provider_error(kind: ProviderKind, status: StatusCode, text: &str) -> Response {
    match registry::api(kind) {
        Some(api) => (api.error)(status, text),
        None => (status, text.to_owned()).into_response(),
    }
}

async fn stats(State(app): State<App>) -> Json<Stats> {
    Json(app.traffic.stats())
}

async fn world(State(app): State<App>) -> Json<WorldState> {
    Json(app.snapshot())
}

/// Replaces the whole state (tests change live state behind a plan's back).
async fn replace_world(State(app): State<App>, body: String) -> Response {
    match WorldState::parse(&body, "PUT /_emulator/state") {
        Ok(state) => match app.world.lock() {
            Ok(mut world) => {
                *world = state;
                StatusCode::NO_CONTENT.into_response()
            }
            Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "state unavailable").into_response(),
        },
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

async fn requests(State(app): State<App>) -> Json<Vec<LoggedRequest>> {
    Json(app.traffic.log())
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(
        "refusing to listen on {addr}: the emulator binds loopback only unless --allow-remote is given"
    )]
    NotLoopback { addr: SocketAddr },
    #[error("listening on {addr} needs an admin token for /_emulator/*")]
    NoAdminToken { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running emulator; dropping it without [`Running::stop`] leaves the task running.
pub struct Running {
    pub addr: SocketAddr,
    pub app: App,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self, provider: &str) -> String {
        format!("http://{}/{provider}", self.addr)
    }

    /// Stops serving and returns the final state.
    pub async fn stop(mut self) -> WorldState {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        self.app.snapshot()
    }

    /// Serves until the task ends (ctrl-c handling is the caller's).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Serves `app` on `addr`. Off loopback (only with `allow_remote`) the
/// control endpoints need `admin_token`; on loopback they are open, like
/// the machine they serve, to requests addressed to a loopback name.
/// Slow clients and too many connections are bounded (`server`).
pub async fn serve(
    app: App,
    addr: SocketAddr,
    allow_remote: bool,
    admin_token: Option<String>,
) -> Result<Running, EmulatorError> {
    let remote = !addr.ip().is_loopback();
    if remote && !allow_remote {
        return Err(EmulatorError::NotLoopback { addr });
    }
    if remote && admin_token.is_none() {
        return Err(EmulatorError::NoAdminToken { addr });
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind { addr, source })?;
    let (tx, rx) = oneshot::channel::<()>();
    let mut router = app.router(admin_token.filter(|_| remote));
    if !remote {
        router = router.layer(middleware::from_fn(server::loopback_only));
    }
    let task = tokio::spawn(server::accept(listener, router, rx));
    Ok(Running {
        addr,
        app,
        shutdown: Some(tx),
        task,
    })
}
