//! Telekom CMO's bench fixtures: its generated fleet, request floor and
//! naive client.

use serde_json::{Value as Json, json};
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Edit, Status};
use crate::steps::{per_edit_writes, steps};

use Edit::Status as To;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::TelekomCmo,
    iccid_prefix: "8949020000",
    statuses: &[Status::Active, Status::Inactive, Status::Suspended],
    mix: &[
        &[Edit::Attributes],
        &[To(Status::Active)],
        &[To(Status::Suspended)],
        &[To(Status::Inactive)],
        &[Edit::Attributes, To(Status::Suspended)],
    ],
    seed: || "{}\n".to_owned(),
    // No total (CMO's published answer): the listing ends at the first
    // short page.
    listing: Listing::Numbered { page: 100 },
    token: true,
    tag_list: false,
    attribute_reads: true,
    // An inactive product cannot be suspended.
    activate_before_suspending: true,
    // The TMSP backend (odd SIMs) answers status writes with a monitor.
    asynchronous: |n| n % 2 == 1,
    phase_writes: per_edit_writes,
    // Chosen products are found 100 a call.
    read_back_per_request: 100,
    auth: Auth::Token {
        path: "/token",
        form: "grant_type=client_credentials&client_id=simfleet&client_secret={key}&scope=openid",
        basic: false,
    },
    sim_url: |base, n| format!("{base}/sandbox/product/{}", product(n)),
    writes,
};

/// The product id of SIM `n`: even SIMs on the JASPER backend, odd on TMSP.
fn product(n: usize) -> String {
    let backend = if n.is_multiple_of(2) {
        "JASPER"
    } else {
        "TMSP"
    };
    format!("{backend}-{}", BENCH.iccid(n))
}

/// Status steps and attributes are JSON Patches of the product's SIM card.
fn writes(naive: &Naive, n: usize, edit: Edit, _: &Json) -> Vec<reqwest::RequestBuilder> {
    let patch = |content_type: &str, body: Json| {
        let url = format!("{}/sandbox/product/{}-simCard", naive.base, product(n));
        naive
            .http
            .patch(url)
            .header("content-type", content_type)
            .body(body.to_string())
    };
    match edit {
        Edit::Status(to) => steps(naive.bench, n, to)
            .map(|to| {
                let value = match to {
                    Status::Active => "ACTIVE",
                    Status::Suspended => "SUSPENDED",
                    Status::Inactive => "INACTIVE",
                };
                let ops = json!([{"op": "replace", "path": "/status", "value": value}]);
                patch("application/json-patch+json", ops)
            })
            .collect(),
        Edit::Attributes => vec![patch(
            "application/json-patch-query+json",
            json!([{"op": "add", "path": "customProperty", "value": {"name": "site", "value": format!("s{}", n % 7)}}]),
        )],
        Edit::Name | Edit::Tags | Edit::Package => Vec::new(),
    }
}
