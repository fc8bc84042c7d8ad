//! The one list of emulated APIs, type-erased so routing, error bodies,
//! seed checks and `--generate` can iterate it. Adding an emulated provider
//! adds one line to [`apis`].

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::api::{Api, RateStyle};
use super::{App, WorldState};
use crate::kind::ProviderKind;

/// One emulated API, type-erased for iteration.
pub struct Entry {
    pub kind: ProviderKind,
    pub router: fn() -> Router<App>,
    pub error: fn(StatusCode, &str) -> Response,
    pub generate: fn(&mut WorldState, usize),
    pub check: fn(&mut WorldState) -> Result<(), String>,
    pub rate: RateStyle,
    pub credential_routes: &'static [&'static str],
    pub presented: fn(&HeaderMap) -> String,
}

fn entry<A: Api>() -> Entry {
    Entry {
        kind: A::KIND,
        router: A::router,
        error: A::error,
        generate: |world, n| A::generate(A::state(world), n),
        check: |world| A::check(A::state(world)),
        rate: A::RATE,
        credential_routes: A::CREDENTIAL_ROUTES,
        presented: A::presented,
    }
}

/// Every emulated API: the emulator's one list of providers.
pub fn apis() -> [Entry; 7] {
    [
        entry::<super::onomondo::Onomondo>(),
        entry::<super::infobip::Infobip>(),
        entry::<super::eseye::Eseye>(),
        entry::<super::telekom_cmo::TelekomCmo>(),
        entry::<super::soracom::Soracom>(),
        entry::<super::supersim::Supersim>(),
        entry::<super::emnify::Emnify>(),
    ]
}

/// The entry serving `kind`.
pub fn api(kind: ProviderKind) -> Option<Entry> {
    apis().into_iter().find(|e| e.kind == kind)
}
