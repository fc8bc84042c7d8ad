//! What the bench needs to know about one kind, as data: the `Bench` row
//! each module under `kinds/` fills in, and what a row says of generated
//! SIM `n`. This module holds no kind's values and does not know the list
//! of kinds; the modules that measure are handed a row.

use serde_json::Value as Json;
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind;

use crate::edits::{Change, Edit, Status};

/// How a kind's listing pages, as its API text gives it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `page` SIMs a page and a cursor to the next, until an answer gives none.
    Cursors { page: usize },
    /// Numbered pages of `page` SIMs without a total: the listing ends at
    /// the first short page, so pages after the first can go side by side.
    Numbered { page: usize },
    /// Numbered pages of `page` SIMs whose first answer gives the number
    /// of pages: the rest go side by side, and none past the last.
    Totalled { page: usize },
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
    /// A login at `path` (under the base URL) with the JSON `body`
    /// (`{key}` stands for the sandbox key): each of `headers` is sent with
    /// the answer's value of its key.
    Login {
        path: &'static str,
        body: &'static str,
        headers: &'static [(&'static str, &'static str)],
    },
    /// A login at `path` with the JSON `body` (as `Login`): every request
    /// then carries `Authorization: Bearer` and the answer's value of `key`.
    Bearer {
        path: &'static str,
        body: &'static str,
        key: &'static str,
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
    /// Writes (and monitor polls) of phase `phase` of this kind's `changes`.
    pub phase_writes: fn(&Bench, &[Change], usize) -> (usize, usize),
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

impl Bench {
    /// The live status the emulator generates for SIM `n`.
    pub fn live_status(&self, n: usize) -> Status {
        self.statuses[n % self.statuses.len()]
    }

    /// The ICCID the emulator generates for SIM `n`.
    pub fn iccid(&self, n: usize) -> String {
        generated_iccid(self.iccid_prefix, n)
    }
}

/// What a kind's naive writes are built with.
pub struct Naive<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub bench: &'static Bench,
}
