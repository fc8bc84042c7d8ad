//! Eseye's bench fixtures: its generated fleet, request floor and naive
//! client.

use serde_json::{Value as Json, json};
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Edit, Status};
use crate::steps::{per_edit_writes, steps};

use Edit::Status as To;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::Eseye,
    iccid_prefix: "8944538523",
    statuses: &[Status::Active, Status::Inactive],
    mix: &[
        &[Edit::Attributes],
        &[Edit::Package],
        &[To(Status::Active)],
        &[To(Status::Suspended)],
        &[Edit::Package, Edit::Attributes],
    ],
    seed: || "{}\n".to_owned(),
    // A cursor until the answer gives none.
    listing: Listing::Cursors { page: 100 },
    token: true,
    tag_list: false,
    attribute_reads: true,
    // Only active SIMs can be suspended.
    activate_before_suspending: true,
    asynchronous: |_| false,
    phase_writes: per_edit_writes,
    read_back_per_request: 1,
    auth: Auth::Token {
        path: "/idp/oauth2/token",
        form: "grant_type=client_credentials&scope=api%2Fapi",
        basic: true,
    },
    sim_url: |base, n| format!("{base}/api/v2/sim/{}", BENCH.iccid(n)),
    writes,
};

/// Status steps and the package are PATCHes of the SIM; attributes a POST.
fn writes(naive: &Naive, n: usize, edit: Edit, _: &Json) -> Vec<reqwest::RequestBuilder> {
    let url = format!("{}/api/v2/sim/{}", naive.base, naive.bench.iccid(n));
    match edit {
        Edit::Status(to) => steps(naive.bench, n, to)
            .map(|to| {
                let body = match to {
                    Status::Active => json!({"status": "active"}),
                    Status::Suspended => json!({"customerSuspend": "yes"}),
                    Status::Inactive => json!({"status": "available"}),
                };
                naive.http.patch(&url).json(&body)
            })
            .collect(),
        Edit::Package => vec![
            naive
                .http
                .patch(url)
                .json(&json!({"packageId": "pkg-premium"})),
        ],
        Edit::Attributes => {
            let body = json!({"attributes": [{"key": "site", "value": format!("s{}", n % 7)}]});
            vec![naive.http.post(format!("{url}/attribute")).json(&body)]
        }
        Edit::Name | Edit::Tags => Vec::new(),
    }
}
