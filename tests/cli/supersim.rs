//! Twilio / KORE Super SIM end to end against the emulator process: a new
//! SIM is activated into a Fleet in one POST, a scheduled SIM is shown in
//! progress and gets no Fleet change, `suspended` and duplicate names are
//! refused before anything is sent, KORE's client credentials work, and a
//! status POST whose answer is lost is never sent again.

use serde_json::{Value, json};
use simfleet::kind::ProviderKind::Supersim;

use crate::fixture::Fixture;
use crate::support::Emulator;
use crate::workspace::{Workspace, sims_of};

/// `Basic base64("AC5a9db0c0de5a9db0c0de5a9db0c0de00:simfleet-sandbox")`.
const BASIC: &str = "Basic QUM1YTlkYjBjMGRlNWE5ZGIwYzBkZTVhOWRiMGMwZGUwMDpzaW1mbGVldC1zYW5kYm94";

/// Super SIM's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Supersim,
    // The page token of offset 7, past the seed's seven SIMs: the
    // emulator masks offsets (`PA` and hex of offset ^ 0x5e5e00007a110000)
    // so that tokens come only from `next_page_url`s.
    past_last_page: "/Sims?PageSize=50&PageToken=PA5e5e00007a110007",
    list_key: "sims",
    list_path: "/Sims",
    list_route: "GET /Sims",
    token_route: None,
    auxiliary_routes: &["GET /Fleets"],
    auxiliary_reads: 1,
    follow_routes: &["GET /Sims/{sid}"],
    unknown_sim: "/Sims/HS00000000000000000000000000000000",
    error_shape: |b| b["code"].is_number() && b["message"].is_string(),
    authorization: |_| crate::fixture::authorization(BASIC.to_owned()),
    never_called: &[],
    records: "sims",
    iccid: crate::fixture::iccid_key,
    // A status change is scheduled and followed, never answered at once;
    // active SIMs are the ones a restriction writes to.
    restrictable: |s| s["status"] == "active",
    change_behind_the_plan: |sim| {
        sim["unique_name"] = json!("changed-behind-the-plan");
        "name"
    },
    restricted: "inactive",
    // Up to 1000 a page; `next_page_url` is null on the last one.
    list_pages: |n| n.div_ceil(1000).max(1),
    // A third of the generated SIMs are active.
    thirty_writes: 90,
    five_hundred_changes: 1500,
    // Two thirds are not in the first Fleet: one POST each, and polls.
    three_hundred_requests: || (450, json!({"supersim": {"fleet": "generated-fleet-1"}})),
    scripted_settings: &[],
};

// SIMs of sandbox/supersim.yaml, by ICCID.
const NEW: &str = "89883070000012340012";
const SPARE: &str = "89883070000012340020";
const PUMP_1: &str = "89883070000012340038";
const TRACKER_1: &str = "89883070000012340053";
const SCHEDULED: &str = "89883070000012340061";

/// The sandbox seed, provider `kore` (or whatever `name`) at it.
fn world(extra: &[&str]) -> Workspace {
    Workspace::sandbox(Supersim, extra).provider("twilio", Supersim, json!({}))
}

/// Logged POSTs to `/Sims/...`.
fn sim_posts(e: &Emulator) -> Vec<Value> {
    let log = e.requests();
    log.into_iter()
        .filter(|r| r["provider"] == "supersim" && r["method"] == "POST")
        .filter(|r| r["route"].as_str().is_some_and(|p| p.starts_with("/Sims/")))
        .collect()
}
