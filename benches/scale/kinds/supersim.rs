//! Twilio / KORE Super SIM's bench fixtures: its generated fleet, request
//! floor and naive client. The floor, from the text: the list pages
//! (1,000 a page, until `next_page_url` is null), then per changed SIM one
//! POST carrying its name and status together, and for each status change
//! the polls of the SIM until it leaves `scheduled` (the bench emulator
//! settles at once, so one poll each); then the read-back. The Fleet list
//! simfleet reads once to show Fleets by name is not counted (one request).
//!
//! Generated `new` SIMs have no Fleet, and the bench's edits have none to
//! give them, so the mix never activates: it renames and deactivates.

use serde_json::Value as Json;
use simfleet::kind::ProviderKind;

use crate::bench::{Auth, Bench, Listing, Naive};
use crate::edits::{Change, Edit, Status};

use Edit::Status as To;

pub const BENCH: Bench = Bench {
    kind: ProviderKind::Supersim,
    iccid_prefix: "8988307000",
    // Active (in the first Fleet), inactive (in the second), new (no
    // Fleet, read as inactive).
    statuses: &[Status::Active, Status::Inactive, Status::Inactive],
    mix: &[
        &[Edit::Name],
        &[To(Status::Inactive)],
        &[Edit::Name, To(Status::Inactive)],
    ],
    seed: || "{}\n".to_owned(),
    listing: Listing::Cursors { page: 1000 },
    token: false,
    tag_list: false,
    attribute_reads: false,
    activate_before_suspending: false,
    asynchronous: |_| true,
    phase_writes: one_post_per_sim,
    read_back_per_request: 1,
    // The naive client takes KORE's token; simfleet uses Twilio's Basic.
    auth: Auth::Token {
        path: "/api-services/v1/auth/token",
        form: "grant_type=client_credentials&client_id=simfleet&client_secret={key}",
        basic: false,
    },
    sim_url: |base, n| format!("{base}/Sims/{}", sid(n)),
    writes,
};

/// The SID the emulator generates for SIM `n`.
fn sid(n: usize) -> String {
    format!("HSa0a0{n:028x}")
}

/// A SIM's changes are one POST, in the phase of its status change if it
/// has one; each status change is polled once until it leaves `scheduled`.
fn one_post_per_sim(_: &Bench, changes: &[Change], phase: usize) -> (usize, usize) {
    let (mut writes, mut polls) = (0, 0);
    for (_, edits) in changes {
        let status = edits.iter().find(|e| matches!(e, Edit::Status(_)));
        let at = status.map_or(1, |e| e.phase());
        if at == phase {
            writes += 1;
            polls += usize::from(status.is_some());
        }
    }
    (writes, polls)
}

/// A per-SIM script: one POST per edited field, never polled.
fn writes(naive: &Naive, n: usize, edit: Edit, _: &Json) -> Vec<reqwest::RequestBuilder> {
    let url = format!("{}/Sims/{}", naive.base, sid(n));
    let post = |key: &str, value: String| {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair(key, &value)
            .finish();
        vec![
            naive
                .http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        ]
    };
    match edit {
        Edit::Name => post("UniqueName", format!("sensor-{n}")),
        Edit::Status(to) => {
            let status = match to {
                Status::Active => "active",
                Status::Suspended | Status::Inactive => "inactive",
            };
            post("Status", status.to_owned())
        }
        Edit::Attributes | Edit::Tags | Edit::Package => Vec::new(),
    }
}
