//! Each kind's bench fixtures, in a module of its own, and the one list of
//! those modules. The shared bench files are handed a kind's row (its
//! fleet shape, request floor and naive client) from here and never match
//! on a kind; a kind in `ProviderKind::ALL` without a module here stops the
//! bench at start. Only `main.rs` reads this list.
//!
//! This file names modules, not kinds.

mod emnify;
mod eseye;
mod infobip;
mod onomondo;
mod soracom;
mod supersim;
mod telekom_cmo;

use simfleet::kind::ProviderKind;

use crate::bench::Bench;

/// Every kind's bench fixtures, one entry per module.
pub const ALL: [&Bench; 7] = [
    &onomondo::BENCH,
    &infobip::BENCH,
    &eseye::BENCH,
    &telekom_cmo::BENCH,
    &soracom::BENCH,
    &supersim::BENCH,
    &emnify::BENCH,
];

/// The bench fixtures of `kind`.
pub fn of(kind: ProviderKind) -> &'static Bench {
    let mut found = ALL.into_iter().filter(|b| b.kind == kind);
    match (found.next(), found.next()) {
        (Some(bench), None) => bench,
        (None, _) => panic!("{kind} has no bench fixtures: add its module to benches/scale/kinds"),
        (Some(_), Some(_)) => panic!("{kind} has bench fixtures in two modules"),
    }
}

/// Stops the bench unless the list holds every kind exactly once.
pub fn check() {
    for kind in ProviderKind::ALL {
        of(kind);
    }
    assert_eq!(
        ALL.len(),
        ProviderKind::ALL.len(),
        "a bench kind not in ProviderKind::ALL"
    );
}
