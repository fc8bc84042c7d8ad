//! Each kind's bench fixtures, in a module of its own, and the one list of
//! those modules. The shared bench files read a kind's fleet shape, request
//! floor and naive client from here and never match on a kind; a kind in
//! `ProviderKind::ALL` without a module here stops the bench at start.
//!
//! This file names modules, not kinds.

mod eseye;
mod infobip;
mod onomondo;
mod telekom_cmo;

use serde_json::Value as Json;
use simfleet::kind::ProviderKind;

use crate::fleet::{Edit, Status, Work};

/// Every kind's bench fixtures, one entry per module.
pub const ALL: [&Bench; 4] = [
    &onomondo::BENCH,
    &infobip::BENCH,
    &eseye::BENCH,
    &telekom_cmo::BENCH,
];

/// How a kind's listing pages, as its API text gives it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `page` SIMs a page and a cursor to the next, until an answer gives none.
    Cursors { page: usize },
    /// Numbered pages of `page` SIMs without a total: the listing ends at
    /// the first short page, so pages after the first can go side by side.
    Numbered { page: usize },
}

/// How the naive client authenticates.
pub enum Auth {
    /// A fixed `Authorization` value: this prefix and the sandbox key.
    Header(&'static str),
    /// A client-credentials token from `path` (under the base URL): the
    /// form `form` (`{key}` stands for the sandbox key), the client in
    /// Basic auth when `basic`.
    Token {
        path: &'static str,
        form: &'static str,
        basic: bool,
    },
}

/// What the bench needs to know about one kind.
pub struct Bench {
    pub kind: ProviderKind,

    // The generated fleet (mirroring the emulator's `--generate`).
    /// Generated ICCIDs start with this.
    pub iccid_prefix: &'static str,
    /// The live statuses the emulator generates, SIM `n` taking
    /// `statuses[n % len]`.
    pub statuses: &'static [Status],
    /// The change mix, cycled over the changing SIMs; a status edit goes
    /// to a SIM whose live status differs, so every direction the provider
    /// allows is exercised.
    pub mix: &'static [&'static [Edit]],
    /// The emulator seed besides the generated SIMs (YAML).
    pub seed: fn() -> String,

    // The request floor, from the API text.
    pub listing: Listing,
    /// Whether requests need a token first.
    pub token: bool,
    /// Whether a tag list is read when a declared tag is on no SIM.
    pub tag_list: bool,
    /// Whether a declared attribute costs a read of that SIM.
    pub attribute_reads: bool,
    /// Whether an inactive SIM must be activated before it is suspended.
    pub activate_before_suspending: bool,
    /// Whether a status write to SIM `n` starts an asynchronous monitor.
    pub asynchronous: fn(usize) -> bool,
    /// Writes (and monitor polls) of phase `phase` of `work`.
    pub phase_writes: fn(&Work, usize) -> (usize, usize),
    /// SIMs one read-back request reads when the SIMs are not listed.
    pub read_back_per_request: usize,

    // The naive client.
    pub auth: Auth,
    /// The URL of SIM `n` under the base URL `base`.
    pub sim_url: fn(&str, usize) -> String,
    /// The requests one edit of SIM `n` takes, one field per request;
    /// `sim` is the SIM as its GET answered.
    pub writes: fn(&Naive, usize, Edit, &Json) -> Vec<reqwest::RequestBuilder>,
}

/// What a kind's naive writes are built with.
pub struct Naive<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub bench: &'static Bench,
}

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
