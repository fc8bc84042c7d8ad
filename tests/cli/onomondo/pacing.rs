//! Pacing by several rate windows, against the emulator: a provider given
//! a window for one path (as emnify documents 10/s for its endpoint list
//! beside its account's 2,000 per 5 minutes) has the requests to that path
//! paced by it, and every other request not; a manifest's `rate_limit` and
//! `rate_window` still make the account window under it. No kind of today
//! documents a path window, so the client is built here from the library,
//! with one; what is asserted is the pacer's schedule (`ready_in`), never
//! a clock.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use simfleet::config::{Connection, Limits};
use simfleet::kind::ProviderKind::Onomondo;
use simfleet::kind::{RateWindow, SANDBOX_KEY};
use simfleet::provider::http::{Auth, HttpClient, HttpSettings, Request};
use simfleet::secret::Secret;
use simfleet::tally::Tally;

use crate::workspace::Workspace;

/// Reading one SIM: 2 in any hour, so the test fills it and nothing frees
/// it while the test runs.
const ONE_SIM: RateWindow = RateWindow {
    method: Some("GET"),
    path: Some("/sims/*"),
    requests: 2,
    seconds: 3600.0,
};

/// An Onomondo client of the emulator with `limits` and the window above.
fn client(ws: &Workspace, limits: Limits) -> HttpClient {
    let connection = Connection {
        provider: "p".into(),
        kind: Onomondo,
        url: ws.emulator().url(Onomondo.mount()),
        credentials: BTreeMap::from([("token".to_owned(), Secret::new(SANDBOX_KEY))]),
        settings: BTreeMap::new(),
        limits,
        origin: "m/providers.yaml:3:3".into(),
    };
    let settings = HttpSettings {
        windows: vec![ONE_SIM],
        ..HttpSettings::of(&connection)
    };
    let auth = Auth::Header(Secret::new(SANDBOX_KEY));
    HttpClient::new(&settings, auth, Arc::new(Tally::default())).expect("client")
}

fn get(path: &str) -> Request {
    Request::new(Method::GET, path)
}

fn list() -> Request {
    get("/sims").query("limit", 1000)
}

/// Sends each request, in order; every answer must be a 200.
fn send_all(http: &HttpClient, requests: Vec<Request>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for req in requests {
            let path = req.path.clone();
            let answer = http.send(req).await.expect("an answer");
            assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text());
        }
    });
}

#[test]
fn a_path_window_paces_the_requests_to_its_path_and_no_other() {
    let ws = Workspace::generated(Onomondo, 3, &[]);
    let iccids = ws.emulator().iccids(Onomondo);
    let sim = |i: usize| get(&format!("/sims/{}", iccids[i]));
    let http = client(&ws, Limits::documented(10.0, 60.0, 8));
    assert_eq!(http.ready_in(&sim(0)), Duration::ZERO);
    send_all(&http, vec![sim(0), sim(1), list(), list(), list(), list()]);

    // Two SIMs read: a third waits out the hour (and its margin); the
    // list, and a write to a SIM, which the window does not count, do not.
    let wait = http.ready_in(&sim(2));
    assert!(wait > Duration::from_secs(3_590), "{wait:?}");
    assert_eq!(http.ready_in(&list()), Duration::ZERO);
    let write = Request::new(Method::PATCH, format!("/sims/{}", iccids[2]));
    assert_eq!(http.ready_in(&write), Duration::ZERO);
    // The emulator saw all six, none refused.
    let log = ws.emulator().requests();
    let statuses: Vec<u64> = log.iter().filter_map(|r| r["status"].as_u64()).collect();
    assert_eq!(statuses, [200; 6], "{log:#?}");
}

#[test]
fn a_manifest_rate_limit_still_makes_the_account_window_under_a_path_window() {
    // 0.001 requests a second over an hour: 3 in any hour, for every request.
    let ws = Workspace::generated(Onomondo, 3, &[]).provider(
        "p",
        Onomondo,
        json!({"rate_limit": 0.001, "rate_window": 3600}),
    );
    let manifests = simfleet::manifest::load(&[ws.path().join("m")]).expect("manifests");
    let limits = manifests.providers["p"].limits.clone();
    assert_eq!((limits.rate_limit, limits.rate_window), (0.001, 3600.0));
    let http = client(&ws, limits);
    let iccids = ws.emulator().iccids(Onomondo);
    let sim = get(&format!("/sims/{}", iccids[0]));
    send_all(&http, vec![list(), list()]);
    // One left in the account: the SIM path's own window has room too.
    assert_eq!(http.ready_in(&sim), Duration::ZERO);
    send_all(&http, vec![list()]);
    // The account's three are spent: every request waits out the hour,
    // the list (which no path window counts) included.
    for req in [list(), sim] {
        let wait = http.ready_in(&req);
        assert!(wait > Duration::from_secs(3_590), "{}: {wait:?}", req.path);
    }
}
