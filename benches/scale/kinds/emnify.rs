//! emnify's bench fixtures: its generated fleet, request floor and naive
//! client. The floor, from the text: a login, the endpoint pages (1,000 a
//! page, the number of pages in the first answer's `X-Total-Pages`), then
//! in each phase one `PATCH /api/v1/sim/{id}` per SIM status change and
//! one bulk `PATCH /api/v2/endpoint/multi` per 2,000 endpoint changes;
//! then the read-back.

use serde_json::{Value as Json, json};
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Change, Edit, Status, TAGS};

use Edit::Status as To;

/// Endpoints one bulk call carries (text §8).
const BULK: usize = 2000;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::Emnify,
    iccid_prefix: "8988303000",
    // The emulator generates every SIM Activated and every fourth
    // endpoint Disabled (inactive), the rest Enabled (active).
    statuses: &[
        Status::Active,
        Status::Active,
        Status::Active,
        Status::Inactive,
    ],
    mix: &[
        &[Edit::Name],
        &[Edit::Tags],
        &[Edit::Name, Edit::Tags],
        &[To(Status::Suspended)],
        &[To(Status::Inactive)],
        &[To(Status::Active)],
        &[Edit::Name, To(Status::Suspended)],
    ],
    seed: || "{}\n".to_owned(),
    listing: Listing::Totalled { page: 1000 },
    // `POST /api/v1/authenticate` first.
    token: true,
    tag_list: false,
    attribute_reads: false,
    // An Activated SIM is suspended directly; generated SIMs are all
    // Activated.
    activate_before_suspending: false,
    asynchronous: |_| false,
    phase_writes: sim_and_bulk_writes,
    read_back_per_request: 1,
    auth: Auth::Bearer {
        path: "/api/v1/authenticate",
        body: r#"{"application_token":"{key}"}"#,
        key: "auth_token",
    },
    sim_url: |base, n| format!("{base}/api/v1/endpoint/{}", n + 1),
    writes,
};

/// Whether SIM `n`'s `edit` changes its endpoint (a line of the bulk
/// call), and whether it changes its SIM (a call of its own).
fn touches(n: usize, edit: Edit) -> (bool, bool) {
    let disabled = BENCH.live_status(n) == Status::Inactive;
    match edit {
        Edit::Name | Edit::Tags => (true, false),
        // Enabling a Disabled endpoint; the SIM is already Activated.
        Edit::Status(Status::Active) => (disabled, false),
        // Suspending the SIM keeps (or makes) its endpoint Enabled.
        Edit::Status(Status::Suspended) => (disabled, true),
        // Only the endpoint stops; the SIM stays Activated.
        Edit::Status(Status::Inactive) => (true, false),
        Edit::Package | Edit::Attributes => (false, false),
    }
}

/// Per phase: one call per SIM status change, one bulk call per 2,000
/// endpoints changed.
fn sim_and_bulk_writes(_: &Bench, changes: &[Change], phase: usize) -> (usize, usize) {
    let (mut endpoints, mut sims) = (0, 0);
    for (n, edits) in changes {
        let (mut endpoint, mut sim) = (false, false);
        for edit in edits.iter().filter(|e| e.phase() == phase) {
            let (e, s) = touches(*n, *edit);
            endpoint |= e;
            sim |= s;
        }
        endpoints += usize::from(endpoint);
        sims += usize::from(sim);
    }
    (sims + endpoints.div_ceil(BULK), 0)
}

/// A per-SIM script: the endpoint's fields in one `PATCH` of the endpoint
/// each, a SIM status through the SIM.
fn writes(naive: &Naive, n: usize, edit: Edit, endpoint: &Json) -> Vec<reqwest::RequestBuilder> {
    let url = format!("{}/api/v1/endpoint/{}", naive.base, n + 1);
    let patch = |body: Json| vec![naive.http.patch(&url).json(&body)];
    // Endpoint status ids: 0 Enabled, 1 Disabled; SIM: 1 Activated, 2
    // Suspended (text §5, §6).
    match edit {
        Edit::Name => patch(json!({"name": format!("sensor-{n}")})),
        Edit::Tags => patch(json!({"tags": format!("t{}", n % TAGS)})),
        Edit::Status(Status::Active) => patch(json!({"status": {"id": 0}})),
        Edit::Status(Status::Inactive) => patch(json!({"status": {"id": 1}})),
        Edit::Status(Status::Suspended) => {
            let sim = endpoint["sim"]["id"].as_u64().unwrap_or_default();
            let url = format!("{}/api/v1/sim/{sim}", naive.base);
            vec![naive.http.patch(url).json(&json!({"status": {"id": 2}}))]
        }
        Edit::Package | Edit::Attributes => Vec::new(),
    }
}
