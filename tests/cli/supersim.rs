//! Twilio / KORE Super SIM end to end against the emulator process: a new
//! SIM is activated into a Fleet in one POST, a scheduled SIM is shown in
//! progress and gets no Fleet change, `suspended` and duplicate names are
//! refused before anything is sent, KORE's client credentials work and go
//! to KORE's hosts by default, and a status POST whose answer is lost is
//! never sent again. Against scripted servers: a Sim without an ICCID is
//! listed by its SID, `next_page_url` is asked verbatim, and a 200 that
//! does not show a Fleet change is re-read, never taken as done.

use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind::Supersim;
use simfleet::kind::Setting;

use crate::fixture::Fixture;
use crate::support::{Emulator, scripted};
use crate::workspace::{Workspace, fleet, providers, sims_of};

/// `Basic base64("AC5a9db0c0de5a9db0c0de5a9db0c0de00:simfleet-sandbox")`.
const BASIC: &str = "Basic QUM1YTlkYjBjMGRlNWE5ZGIwYzBkZTVhOWRiMGMwZGUwMDpzaW1mbGVldC1zYW5kYm94";

/// Super SIM's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Supersim,
    // The page token of offset 7, past the seed's seven SIMs: the
    // emulator masks offsets (`PA` and hex of offset ^ 0x5e5e00007a110000)
    // so that tokens come only from `next_page_url`s.
    past_end: crate::fixture::PastEnd::Empty("/Sims?PageSize=50&PageToken=PA5e5e00007a110007"),
    list_key: "sims",
    list_path: "/Sims",
    list_route: "GET /Sims",
    // The sandbox's credentials are Twilio's Basic pair: no token is asked
    // (KORE's endpoint is proven below).
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

/// The `Fleet`, `Status` and `UniqueName` parameters of a logged POST.
fn params(post: &Value) -> Vec<(String, String)> {
    let body = post["body"].as_str().unwrap_or_default();
    form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn a_new_sim_is_activated_into_a_fleet_with_its_name_in_one_post() {
    let ws = world(&[]);
    ws.fleet(
        "twilio",
        sims_of(
            &[NEW.into()],
            |_| json!({"name": "pump-3", "status": "active", "supersim": {"fleet": "pumps"}}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("completed: the SIM left scheduled after ");
    let posts = sim_posts(ws.emulator());
    assert_eq!(posts.len(), 1, "{posts:?}");
    let sent = params(&posts[0]);
    for (key, value) in [
        ("UniqueName", "pump-3"),
        ("Status", "active"),
        ("Fleet", "pumps"),
    ] {
        assert!(
            sent.contains(&(key.to_owned(), value.to_owned())),
            "{key}={value} missing from {sent:?}"
        );
    }
    let sim = ws.emulator().sim(Supersim, NEW);
    assert_eq!(sim["status"], "active", "{sim}");
    assert_eq!(
        sim["fleet_sid"], "HF5a9d0000000000000000000000000001",
        "{sim}"
    );
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
}

#[test]
fn a_fleet_named_by_its_sid_plans_no_change_against_a_sim_shown_by_its_name() {
    let ws = world(&[]);
    let sid = "HF5a9d0000000000000000000000000001";
    ws.fleet(
        "twilio",
        sims_of(
            &[NEW.into()],
            |_| json!({"name": "pump-3", "status": "active", "supersim": {"fleet": sid}}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let sim = ws.emulator().sim(Supersim, NEW);
    assert_eq!(sim["fleet_sid"], sid, "{sim}");
    // Live, the SIM shows the Fleet's unique name; the manifest's SID is
    // another spelling of it.
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    again.assert_stdout("No changes.");
}

#[test]
fn a_scheduled_sim_is_shown_in_progress_and_gets_its_name_but_no_fleet_change() {
    // Its activation outlasts the test.
    let ws = world(&["--schedule-delay-ms", "600000"]);
    ws.fleet(
        "twilio",
        sims_of(
            &[SCHEDULED.into()],
            |_| json!({"name": "tracker-2b", "status": "active", "supersim": {"fleet": "pumps"}}),
        ),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout(format!(
        "! {SCHEDULED} in progress: scheduled: a status or Fleet change is under way"
    ));
    plan.assert_stdout("1 in progress");
    assert!(!plan.stdout.contains("supersim.fleet"), "{}", plan.stdout);
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let posts = sim_posts(ws.emulator());
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(
        params(&posts[0]),
        vec![("UniqueName".to_owned(), "tracker-2b".to_owned())]
    );
}

#[test]
fn suspended_is_refused_at_validation_naming_file_sim_and_provider() {
    let ws = world(&[]);
    ws.fleet(
        "twilio",
        sims_of(&[PUMP_1.into()], |_| json!({"status": "suspended"})),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
    assert!(plan.stderr.contains("m/fleet.yaml:"), "{}", plan.stderr);
    assert!(plan.stderr.contains(PUMP_1), "{}", plan.stderr);
    assert!(
        plan.stderr.contains(
            "status `suspended` is not supported by provider `twilio` (type supersim); use \
             active or inactive"
        ),
        "{}",
        plan.stderr
    );
    assert_eq!(
        ws.emulator().total(),
        0,
        "nothing was asked of the provider"
    );
}

#[test]
fn two_sims_with_one_name_are_refused_at_validation_and_nothing_is_sent() {
    let ws = world(&[]);
    ws.fleet(
        "twilio",
        sims_of(
            &[PUMP_1.into(), TRACKER_1.into()],
            |_| json!({"name": "twin"}),
        ),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stderr.contains(&format!(
            "name \"twin\" is also declared for SIM {PUMP_1} at m/fleet.yaml:"
        )),
        "{}",
        plan.stderr
    );
    assert!(
        plan.stderr
            .contains("provider `twilio` (type supersim) holds each name on one SIM only"),
        "{}",
        plan.stderr
    );
    assert!(plan.stderr.contains(TRACKER_1), "{}", plan.stderr);
    assert_eq!(
        ws.emulator().total(),
        0,
        "nothing was asked of the provider"
    );
}

#[test]
fn kore_client_credentials_get_a_token_from_its_endpoint_and_plan() {
    let ws = Workspace::sandbox(Supersim, &[]);
    let url = ws.emulator().url(Supersim.mount());
    let ws = ws
        .env("SIMFLEET_TEST_KORE_ID", "simfleet")
        .env("SIMFLEET_TEST_KORE_SECRET", simfleet::kind::SANDBOX_KEY)
        .provider(
            "twilio",
            Supersim,
            json!({
                "token_url": format!("{url}/api-services/v1/auth/token"),
                "credentials": {
                    "client_id": {"env": "SIMFLEET_TEST_KORE_ID"},
                    "client_secret": {"env": "SIMFLEET_TEST_KORE_SECRET"},
                },
            }),
        );
    ws.fleet(
        "twilio",
        sims_of(&[SPARE.into()], |_| json!({"name": "spare-1"})),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let log = ws.emulator().requests();
    let tokens = log
        .iter()
        .filter(|r| {
            r["route"]
                .as_str()
                .is_some_and(|p| p.contains("auth/token"))
        })
        .count();
    assert_eq!(tokens, 1, "{log:?}");
    let bearer = log.iter().filter(|r| r["route"] == "/Sims").count();
    assert!(bearer > 0, "{log:?}");
    assert!(!plan.stdout.contains(simfleet::kind::SANDBOX_KEY));
    assert!(!plan.stderr.contains(simfleet::kind::SANDBOX_KEY));
}

#[test]
fn every_status_post_committed_then_dropped_is_sent_once_and_the_next_apply_converges() {
    // Every POST is carried out and its answer lost; the changes settle
    // after 2 s, past the first re-reads.
    let ws = Workspace::generated(
        Supersim,
        60,
        &[
            "--fault-rate",
            "1",
            "--faults",
            "commit-drop",
            "--fault-methods",
            "POST",
            "--schedule-delay-ms",
            "2000",
        ],
    )
    .provider(
        "twilio",
        Supersim,
        json!({"rate_limit": 200, "concurrency": 8}),
    );
    // One fewer than the breaker's threshold: that many lost answers in a
    // row would stop the run (the conformance suite proves that).
    let changes = simfleet::provider::http::breaker_threshold(8) as usize - 1;
    let state = ws.emulator().state(Supersim);
    let active: Vec<String> = state["sims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "active")
        .take(changes)
        .map(|s| s["iccid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(active.len(), changes);
    ws.fleet(
        "twilio",
        sims_of(&active, |_| json!({"status": "inactive"})),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    let posts = sim_posts(ws.emulator());
    let paths: std::collections::BTreeSet<String> = posts
        .iter()
        .map(|p| p["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        posts.len(),
        changes,
        "each planned change is sent: {posts:?}"
    );
    assert_eq!(paths.len(), changes, "and none twice");
    assert!(
        !apply.stdout.contains("trying again"),
        "{}\n{}",
        apply.stdout,
        apply.stderr
    );

    // Once they settled, the next apply has nothing left to do.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let again = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    again.assert_stdout("No changes.");
    assert_eq!(
        sim_posts(ws.emulator()).len(),
        changes,
        "nothing sent again"
    );
}

#[test]
fn kore_credentials_without_url_or_token_url_go_to_kores_hosts_and_twilios_to_twilio() {
    let ws = Workspace::new();
    let secrets = ws.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    let file = |key: &str| {
        std::fs::write(secrets.join(key), "not-a-real-secret").unwrap();
        json!({ "file": secrets.join(key) })
    };
    let entries = json!({
        "kore": {"type": "supersim", "credentials": {
            "client_id": file("client_id"), "client_secret": file("client_secret")}},
        "twilio": {"type": "supersim", "credentials": {
            "account_sid": file("account_sid"), "auth_token": file("auth_token")}},
    });
    ws.manifest("m/providers.yaml", &[providers(entries)]);
    let sims = sims_of(&[PUMP_1.into()], |_| json!({"name": "pump-1"}));
    ws.manifest("m/fleet.yaml", &[fleet("f", "kore", sims)]);
    let validate = ws.on_manifests(&["validate"]);
    assert_eq!(validate.code, 0, "{}\n{}", validate.stdout, validate.stderr);

    // What every plan shows as the provider's destination, and what its
    // client is built from; nothing is sent.
    let manifests = simfleet::manifest::load(&[ws.path().join("m")]).unwrap();
    let trust = simfleet::trust::Trust {
        credentials_dirs: vec![secrets.clone()],
        ..Default::default()
    };
    let kore = manifests.provider("kore").unwrap();
    let shown = kore.destination();
    assert_eq!(
        (shown.host.as_str(), shown.token_host.as_deref()),
        (
            "supersim.api.korewireless.com",
            Some("api.korewireless.com")
        )
    );
    let connection = kore.connect(None, &trust).unwrap();
    assert_eq!(connection.url, "https://supersim.api.korewireless.com/v1");
    assert_eq!(
        connection.setting(Setting::TokenUrl),
        "https://api.korewireless.com/api-services/v1/auth/token"
    );
    let twilio = manifests.provider("twilio").unwrap();
    let shown = twilio.destination();
    assert_eq!(
        (shown.host.as_str(), shown.token_host.as_deref()),
        ("supersim.twilio.com", None)
    );
    let connection = twilio.connect(None, &trust).unwrap();
    assert_eq!(connection.url, "https://supersim.twilio.com/v1");
    assert_eq!(connection.setting(Setting::TokenUrl), "");
}

/// A Fleet of the scripted accounts below, `pumps` (1) or `trackers` (2).
fn fleet_sid(n: u8) -> String {
    format!("HF{:032x}", n)
}

/// A Sim of the scripted accounts below: SID `HS...n`, in `fleet`.
fn scripted_sim(n: usize, iccid: Option<&str>, fleet: Option<String>) -> Value {
    json!({
        "sid": format!("HS{:032x}", n),
        "account_sid": format!("AC{:032x}", 1),
        "unique_name": null,
        "status": if fleet.is_some() { "active" } else { "inactive" },
        "fleet_sid": fleet,
        "iccid": iccid,
        "date_created": "2015-07-30T20:00:00Z",
        "date_updated": "2015-07-30T20:00:00Z",
    })
}

/// A list answer of `items` under `key`, the last page unless `next`.
fn page(key: &str, items: Vec<Value>, next: Option<String>) -> String {
    json!({ key: items, "meta": {"key": key, "page": 0, "page_size": 1000, "next_page_url": next} })
        .to_string()
}

#[test]
fn a_sim_whose_iccid_is_null_is_counted_unmanaged_by_its_sid_and_the_listing_goes_on() {
    let iccid = generated_iccid("8988307000", 1);
    let listed = iccid.clone();
    let (url, _) = scripted(move |_| {
        let sims = vec![
            scripted_sim(1, Some(&listed), None),
            scripted_sim(2, None, None),
        ];
        (200, page("sims", sims, None))
    });
    let ws = crate::envelopes::at(Supersim, &url, std::slice::from_ref(&iccid));
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode", "--show-unmanaged"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("1 managed, no changes, 1 unmanaged");
    plan.assert_stdout(format!("HS{:032x}", 2));
    // Export cannot adopt it (no manifest can declare a SID), and says so.
    let export = ws.on_manifests(&[
        "export",
        "--provider",
        "p",
        "--unmanaged-only",
        "--out",
        "-",
    ]);
    assert_eq!(export.code, 0, "{}\n{}", export.stdout, export.stderr);
    export.assert_stderr(format!(
        "warning: 1 SIM(s) of provider `p` have no ICCID (listed by their id, such as HS{:032x}): \
         a manifest cannot declare them, so they are not exported",
        2
    ));
    export.assert_stderr("No unmanaged SIMs at provider `p`: nothing written.");
    assert!(!export.stdout.contains("HS"), "{}", export.stdout);
}

#[test]
fn next_page_urls_are_asked_exactly_as_given() {
    let iccids = [1, 2].map(|n| generated_iccid("8988307000", n));
    let base: Arc<OnceLock<String>> = Arc::default();
    // Encodings a parse and rewrite of the query would change: a
    // lower-case escape, `+`, `!`, `~` and `*`.
    let token = "PageSize=1000&Page=1&PageToken=PA%7e%2Bx!y~z*%2f";
    let (listed, at) = (iccids.clone(), base.clone());
    let (url, seen) = scripted(move |line| {
        let url = at.get().map_or("", String::as_str);
        if line.starts_with(&format!("GET /Sims?{token} ")) {
            let sims = vec![scripted_sim(2, Some(&listed[1]), None)];
            (200, page("sims", sims, None))
        } else if line.starts_with("GET /Sims?PageSize=1000 ") {
            let sims = vec![scripted_sim(1, Some(&listed[0]), None)];
            (200, page("sims", sims, Some(format!("{url}/Sims?{token}"))))
        } else {
            let body = json!({"status": 400, "code": 21481, "message": "Invalid PageToken"});
            (400, body.to_string())
        }
    });
    base.set(url.clone()).unwrap();
    let ws = crate::envelopes::at(Supersim, &url, &iccids[..1]);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("1 managed, no changes, 1 unmanaged");
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines.contains(&format!("GET /Sims?{token} HTTP/1.1")),
        "{lines:?}"
    );
}

#[test]
fn a_fleet_change_answered_200_without_it_is_re_read_and_never_taken_as_done_or_resent() {
    let iccid = generated_iccid("8988307000", 1);
    let listed = iccid.clone();
    // The account never moves the SIM: its POST answers 200 with the Sim
    // as it was, and so does every read.
    let (url, seen) = scripted(move |line| {
        let sim = scripted_sim(1, Some(&listed), Some(fleet_sid(1)));
        if line.starts_with("GET /Fleets?") {
            let fleets = [(1, "pumps"), (2, "trackers")]
                .map(|(n, name)| json!({"sid": fleet_sid(n), "unique_name": name}));
            (200, page("fleets", fleets.to_vec(), None))
        } else if line.starts_with("GET /Sims?") {
            (200, page("sims", vec![sim], None))
        } else {
            (200, sim.to_string())
        }
    });
    let ws = crate::envelopes::at(Supersim, &url, std::slice::from_ref(&iccid));
    ws.fleet(
        "p",
        sims_of(&[iccid], |_| json!({"supersim": {"fleet": "trackers"}})),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_ne!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        !apply.stdout.contains("completed at once"),
        "{}",
        apply.stdout
    );
    apply.assert_stdout("neither the answer nor 1 re-read show supersim.fleet");
    let lines = seen.lock().unwrap().clone();
    let sid = format!("HS{:032x}", 1);
    let count = |method: &str| {
        let start = format!("{method} /Sims/{sid} ");
        lines.iter().filter(|l| l.starts_with(&start)).count()
    };
    assert_eq!(count("POST"), 1, "{lines:?}");
    assert!(count("GET") >= 1, "{lines:?}");
}

#[test]
fn a_fleet_change_answered_200_is_done_when_it_shows_the_change_and_followed_when_scheduled() {
    let seed = crate::emulator_supersim::small(json!({"fleet_update_status": 200}));
    // The Fleet change applied with the emulator settling it after `delay` ms.
    let applied = |delay: &str, says: &str| {
        let ws = Workspace::seeded(&seed, &["--schedule-delay-ms", delay]).provider(
            "twilio",
            Supersim,
            json!({}),
        );
        let moved = |_| json!({"supersim": {"fleet": "trackers"}});
        ws.fleet("twilio", sims_of(&[PUMP_1.into()], moved));
        let apply = ws.on_manifests(&["apply", "--auto-approve"]);
        assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
        apply.assert_stdout(says);
        assert_eq!(sim_posts(ws.emulator()).len(), 1);
        ws
    };
    // No delay: the 200 shows the SIM in its new Fleet; nothing is re-read.
    let ws = applied("0", "completed at once");
    assert_eq!(ws.emulator().count("supersim", "GET /Sims/{sid}"), 0);
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);

    // A delay: the 200 shows `scheduled`; the SIM is followed, not resent.
    let ws = applied("300", "completed: the SIM left scheduled after ");
    let e = ws.emulator();
    assert!(e.count("supersim", "GET /Sims/{sid}") >= 1);
    assert_eq!(
        e.sim(Supersim, PUMP_1)["fleet_sid"],
        "HF5a9d0000000000000000000000000002"
    );
}
