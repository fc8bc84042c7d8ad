//! Infobip's bench fixtures: its generated fleet, request floor and naive
//! client.

use serde_json::{Value as Json, json};
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Edit, Status};
use crate::steps::{per_edit_writes, steps};

use Edit::Status as To;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::Infobip,
    iccid_prefix: "8938100022",
    statuses: &[Status::Inactive, Status::Active, Status::Suspended],
    mix: &[
        &[Edit::Name],
        &[To(Status::Active)],
        &[To(Status::Suspended)],
        &[Edit::Name, To(Status::Suspended)],
    ],
    seed: || "{}\n".to_owned(),
    // No total (Infobip's text): the listing ends at the first short page.
    listing: Listing::Numbered { page: 100 },
    token: false,
    tag_list: false,
    attribute_reads: false,
    // An Activation Ready SIM cannot be suspended.
    activate_before_suspending: true,
    asynchronous: |_| false,
    phase_writes: per_edit_writes,
    read_back_per_request: 1,
    auth: Auth::Header("App "),
    sim_url: |base, n| format!("{base}/iot/2/sims/{}", BENCH.iccid(n)),
    writes,
};

/// A rename is a PATCH; each status step a PUT of the status.
fn writes(naive: &Naive, n: usize, edit: Edit, _: &Json) -> Vec<reqwest::RequestBuilder> {
    let (base, id) = (naive.base, naive.bench.iccid(n));
    match edit {
        Edit::Name => vec![
            naive
                .http
                .patch(format!("{base}/iot/1/sims/{id}"))
                .json(&json!({"name": format!("sensor-{n}")})),
        ],
        Edit::Status(to) => steps(naive.bench, n, to)
            .map(|to| {
                let status = if to == Status::Active {
                    "Active"
                } else {
                    "Suspended"
                };
                naive
                    .http
                    .put(format!("{base}/iot/1/sims/{id}/status"))
                    .json(&json!({"status": status}))
            })
            .collect(),
        Edit::Tags | Edit::Package | Edit::Attributes => Vec::new(),
    }
}
