//! Onomondo's bench fixtures: its generated fleet, request floor and naive
//! client.

use serde_json::{Value as Json, json};
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Change, Edit, Status, TAGS};

use Edit::Status as To;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::Onomondo,
    iccid_prefix: "8945738730",
    statuses: &[
        Status::Inactive,
        Status::Active,
        Status::Active,
        Status::Active,
    ],
    mix: &[
        &[Edit::Name],
        &[Edit::Tags],
        &[Edit::Name, Edit::Tags],
        &[To(Status::Inactive)],
        &[To(Status::Active)],
    ],
    seed,
    listing: Listing::Cursors { page: 1000 },
    token: false,
    tag_list: true,
    attribute_reads: false,
    activate_before_suspending: false,
    asynchronous: |_| false,
    phase_writes: bulk_writes,
    read_back_per_request: 1,
    auth: Auth::Header(""),
    sim_url: |base, n| format!("{base}/sims/{}", BENCH.iccid(n)),
    writes,
};

/// The tags `t0`.. the fleet's tag edits name, with ids `tag-0`..
fn seed() -> String {
    let tags: Vec<String> = (0..TAGS)
        .map(|t| format!("    - {{ id: tag-{t}, name: t{t} }}"))
        .collect();
    format!("onomondo:\n  tags:\n{}\n", tags.join("\n"))
}

/// One object per SIM a run, in the phase of its status change (its other
/// changes travel along); 20 objects a bulk call.
fn bulk_writes(_: &Bench, changes: &[Change], phase: usize) -> (usize, usize) {
    let phase_of = |edits: &[Edit]| {
        let status = edits.iter().find(|e| matches!(e, Edit::Status(_)));
        status.map_or(1, |e| e.phase())
    };
    let sims = changes.iter().filter(|(_, e)| phase_of(e) == phase).count();
    (sims.div_ceil(20), 0)
}

/// Every edit a PATCH of the SIM by its id.
fn writes(naive: &Naive, n: usize, edit: Edit, sim: &Json) -> Vec<reqwest::RequestBuilder> {
    let body = match edit {
        Edit::Name => json!({"label": format!("sensor-{n}")}),
        Edit::Tags => json!({"tags": [format!("tag-{}", n % TAGS)]}),
        Edit::Status(to) => json!({"activated": to == Status::Active}),
        Edit::Package | Edit::Attributes => return Vec::new(),
    };
    let sim_id = sim["id"].as_str().unwrap_or_default();
    let url = format!("{}/sims/{sim_id}", naive.base);
    vec![naive.http.patch(url).json(&body)]
}
