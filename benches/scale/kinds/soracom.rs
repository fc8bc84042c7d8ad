//! Soracom's bench fixtures: its generated fleet, request floor and naive
//! client. The floor, from the text: a login, the list pages, then per
//! changed SIM one tag upsert (name and attributes together), one delete
//! per removed tag (generated SIMs carry none) and one action per status
//! change; then the read-back.

use serde_json::{Value as Json, json};
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Change, Edit, Status};

use Edit::Status as To;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::Soracom,
    iccid_prefix: "894231022",
    // The emulator generates every fourth SIM inactive, the rest active.
    statuses: &[
        Status::Active,
        Status::Active,
        Status::Active,
        Status::Inactive,
    ],
    mix: &[
        &[Edit::Name],
        &[Edit::Attributes],
        &[Edit::Name, Edit::Attributes],
        &[To(Status::Suspended)],
        &[To(Status::Inactive)],
        &[To(Status::Active)],
        &[Edit::Name, To(Status::Suspended)],
    ],
    seed: || "{}\n".to_owned(),
    // 100 a page, the next key in a header until the last page.
    listing: Listing::Cursors { page: 100 },
    // `POST /auth` first.
    token: true,
    tag_list: false,
    attribute_reads: false,
    // Every status takes every action directly.
    activate_before_suspending: false,
    asynchronous: |_| false,
    phase_writes: tag_and_action_writes,
    read_back_per_request: 1,
    auth: Auth::Login {
        path: "/auth",
        body: r#"{"authKeyId":"keyId-simfleet","authKey":"{key}"}"#,
        headers: &[
            ("x-soracom-api-key", "apiKey"),
            ("x-soracom-token", "token"),
        ],
    },
    sim_url: |base, n| format!("{base}/sims/{}", sim_id(n)),
    writes,
};

/// The `simId` the emulator generates for SIM `n` (not its ICCID).
fn sim_id(n: usize) -> u64 {
    8_942_310_230_000_000_000 + n as u64
}

/// A SIM's name and attributes are one tag upsert in the configure phase;
/// a status change one action in its own phase.
fn tag_and_action_writes(_: &Bench, changes: &[Change], phase: usize) -> (usize, usize) {
    let tagged = |e: &&Edit| matches!(e, Edit::Name | Edit::Attributes);
    let mut writes = 0;
    for (_, edits) in changes {
        if phase == 1 && edits.iter().any(|e| tagged(&e)) {
            writes += 1;
        }
        writes += edits
            .iter()
            .filter(|e| matches!(e, Edit::Status(_)) && e.phase() == phase)
            .count();
    }
    (writes, 0)
}

/// A per-SIM script: a tag upsert per edited field, an action per status.
fn writes(naive: &Naive, n: usize, edit: Edit, _: &Json) -> Vec<reqwest::RequestBuilder> {
    let url = format!("{}/sims/{}", naive.base, sim_id(n));
    let tag = |name: &str, value: String| {
        let body = json!([{"tagName": name, "tagValue": value}]);
        vec![naive.http.put(format!("{url}/tags")).json(&body)]
    };
    match edit {
        Edit::Name => tag("name", format!("sensor-{n}")),
        Edit::Attributes => tag("site", format!("s{}", n % 7)),
        Edit::Status(to) => {
            let action = match to {
                Status::Active => "activate",
                Status::Suspended => "suspend",
                Status::Inactive => "deactivate",
            };
            vec![naive.http.post(format!("{url}/{action}"))]
        }
        Edit::Tags | Edit::Package => Vec::new(),
    }
}
