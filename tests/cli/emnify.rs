//! emnify end to end against the emulator process: a SIM is the SIM of an
//! endpoint (an endpoint without one is no SIM and not unmanaged), either
//! ICCID form names it, status is the SIM's and the endpoint's together,
//! endpoint changes go in one bulk call and SIM statuses one per call (an
//! Issued SIM activated before its endpoint is enabled), a Deleted SIM is
//! never written, and the application token and JWT never show.

use serde_json::{Value, json};
use simfleet::kind::ProviderKind::Emnify;

use crate::fixture::Fixture;
use crate::support::Emulator;
use crate::workspace::{Workspace, sims_of};

/// emnify's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Emnify,
    // The text: a page past the end repeats the last page, never an
    // empty one; a `per_page` of the seed's size keeps it one page.
    past_last_page: "/api/v1/endpoint?page=2&per_page=1000",
    // A bare array.
    list_key: "",
    list_path: "/api/v1/endpoint",
    list_route: "GET /api/v1/endpoint",
    token_route: Some("POST /api/v1/authenticate"),
    auxiliary_routes: &[],
    auxiliary_reads: 0,
    follow_routes: &[],
    unknown_sim: "/api/v1/endpoint/999999",
    error_shape: |b| b["error_code"].is_number() && b["error_token"].is_string(),
    authorization: |e| crate::fixture::authorization(bearer(e)),
    never_called: &[],
    records: "endpoints",
    // The 20-digit ICCID of the endpoint's SIM; endpoints without one are
    // not SIMs.
    iccid: |endpoint| {
        let iccid = endpoint["sim"]["iccid_with_luhn"].as_str();
        iccid.map(str::to_owned)
    },
    restrictable: |e| e["status"] == "Enabled" && e["sim"]["status"] == "Activated",
    change_behind_the_plan: |endpoint| {
        endpoint["name"] = json!("changed-behind-the-plan");
        "name"
    },
    // One SIM call each, answered at once.
    restricted: "suspended",
    // Up to 1000 a page, until `X-Total-Pages`.
    list_pages: |n| n.div_ceil(1000).max(1),
    // 3 of 4 generated SIMs are active (Activated, endpoint Enabled).
    thirty_writes: 40,
    five_hundred_changes: 667,
    // Every SIM's status is set one SIM per call.
    three_hundred_requests: || (400, json!({"status": "suspended"})),
    scripted_settings: &[],
};

/// `Bearer <auth_token>` of a login with the sandbox's application token.
fn bearer(e: &Emulator) -> String {
    let body = json!({"application_token": simfleet::kind::SANDBOX_KEY}).to_string();
    let answer = e.send(
        "POST",
        "/emnify/api/v1/authenticate",
        None,
        "application/json",
        &body,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let token = answer.json()["auth_token"].as_str().map(str::to_owned);
    format!("Bearer {}", token.expect("auth_token"))
}
