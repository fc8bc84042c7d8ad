//! What the shared tests need to know about one provider kind that its
//! capability row does not say: where its emulated API keeps things on the
//! wire and in the emulator's state, and how large a world makes a test's
//! point. Each kind's own test module (`tests/cli/<kind>.rs`) defines its
//! `FIXTURE`; `kinds.rs` lists them.
//!
//! Only data and small functions over JSON live here: no test, and no
//! knowledge of any particular kind.

use serde_json::Value;
use simfleet::kind::ProviderKind;

use crate::support::Emulator;

pub struct Fixture {
    pub kind: ProviderKind,

    // The raw wire, kept apart from the clients' knowledge of it.
    /// A list request (under the kind's mount) for a page past the end,
    /// and what it answers.
    pub past_end: PastEnd,
    /// The key of the SIM list in a list answer; empty where the answer
    /// is the list itself (a bare array).
    pub list_key: &'static str,
    /// The path a listing starts at, at a scripted server (a provider entry
    /// with `scripted_settings`).
    pub list_path: &'static str,
    /// The emulator's route (`METHOD /template`) of the SIM listing.
    pub list_route: &'static str,
    /// The emulator's route of the token endpoint, where the kind has one.
    pub token_route: Option<&'static str>,
    /// The emulator's routes of auxiliary lists read besides the SIMs
    /// (Onomondo's tag list).
    pub auxiliary_routes: &'static [&'static str],
    /// Pages of those auxiliary lists a plan of a generated fleet reads
    /// (Super SIM's Fleets, since its generated SIMs are in Fleets).
    pub auxiliary_reads: usize,
    /// The emulator's routes a client polls while a change it started is
    /// under way (CMO's monitors, Super SIM's SIM): following a write, not
    /// reading state.
    pub follow_routes: &'static [&'static str],
    /// A SIM resource (under the kind's mount) that does not exist.
    pub unknown_sim: &'static str,
    /// Whether `body` is the provider's error shape.
    pub error_shape: fn(&Value) -> bool,
    /// The auth headers (name, value) of a valid request to the
    /// emulator's sandbox account, fetching a token or logging in where
    /// the kind needs it.
    pub authorization: fn(&Emulator) -> Vec<(String, String)>,

    /// The emulator's routes (`METHOD /template`) simfleet must never
    /// call (Soracom's `terminate`): every emulator checks its log for
    /// them when a test lets it go.
    pub never_called: &'static [&'static str],

    // The emulator's state document of this kind.
    /// The key of the records list (SIMs, or CMO's products).
    pub records: &'static str,
    /// The ICCID of a record that is a SIM; `None` for other records.
    pub iccid: fn(&Value) -> Option<String>,
    /// Whether a record is an active SIM whose restriction is one call
    /// answered at once.
    pub restrictable: fn(&Value) -> bool,
    /// Changes a SIM record to a value no plan of the example asks for;
    /// returns the manifest name of the field changed.
    pub change_behind_the_plan: fn(&mut Value) -> &'static str,

    // Manifests.
    /// The status a manifest declares to restrict an active SIM.
    pub restricted: &'static str,

    // Sizes.
    /// List requests that read a fleet of `n` SIMs, as the API text gives
    /// the page size and the end of a listing.
    pub list_pages: fn(usize) -> usize,
    /// Generated SIMs whose restriction costs at least 30 writes.
    pub thirty_writes: usize,
    /// Generated SIMs of which 500 change status when all are restricted.
    pub five_hundred_changes: usize,
    /// Generated SIMs and the fields to declare on each so that an apply
    /// costs at least 300 requests.
    pub three_hundred_requests: fn() -> (usize, Value),

    // Scripted servers.
    /// Settings a provider entry needs at a scripted server besides `url`
    /// and credentials; `{url}` stands for the server's URL (its token
    /// endpoint is `{url}/token`).
    pub scripted_settings: &'static [(&'static str, &'static str)],
}

/// What a list request past the last page answers.
pub enum PastEnd {
    /// An empty list, at this path.
    Empty(&'static str),
    /// The last page again (emnify's text: never an empty page).
    RepeatsLast {
        past: &'static str,
        last: &'static str,
    },
}

impl PastEnd {
    /// The request past the end.
    pub fn path(&self) -> &'static str {
        match self {
            PastEnd::Empty(path) | PastEnd::RepeatsLast { past: path, .. } => path,
        }
    }
}

/// `value` as the one `Authorization` header most kinds send.
pub fn authorization(value: String) -> Vec<(String, String)> {
    vec![("Authorization".to_owned(), value)]
}

/// The ICCID of a record that keeps it under `iccid`, as most do.
pub fn iccid_key(record: &Value) -> Option<String> {
    let iccid = record["iccid"].as_str();
    Some(iccid.expect("a SIM record has an iccid").to_owned())
}

impl Fixture {
    /// The SIM list of a list answer.
    pub fn list<'v>(&self, page: &'v Value) -> &'v Value {
        if self.list_key.is_empty() {
            page
        } else {
            &page[self.list_key]
        }
    }

    /// What simfleet says of a list answer without the SIM list.
    pub fn no_list(&self) -> String {
        if self.list_key.is_empty() {
            "the answer is not the bare array".to_owned()
        } else {
            format!("the answer has no `{}`", self.list_key)
        }
    }

    /// `path` under the kind's mount at the emulator.
    pub fn at(&self, path: &str) -> String {
        format!("/{}{path}", self.kind.mount())
    }

    /// The ICCIDs of the SIM records in `state` (the kind's state document).
    pub fn iccids(&self, state: &Value) -> Vec<String> {
        match &state[self.records] {
            Value::Array(records) => records.iter().filter_map(self.iccid).collect(),
            other => panic!("{}: no `{}` list: {other}", self.kind, self.records),
        }
    }
}
