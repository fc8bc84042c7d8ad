//! Infobip end to end against the emulator process: status rules, locked
//! states, SMS limits, usage reports and the documented routes.

use serde_json::{Value, json};
use simfleet::kind::ProviderKind::{Infobip, Onomondo};

use crate::fixture::Fixture;
use crate::workspace::{Workspace, sims_of};

/// Infobip's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Infobip,
    past_end: crate::fixture::PastEnd::Empty("/iot/2/sims?page=999&limit=100"),
    list_key: "sims",
    list_path: "/iot/2/sims",
    list_route: "GET /iot/2/sims",
    token_route: None,
    auxiliary_routes: &[],
    auxiliary_reads: 0,
    follow_routes: &[],
    unknown_sim: "/iot/2/sims/89000000000000000000",
    error_shape: |b| b["requestError"]["serviceException"]["messageId"].is_string(),
    authorization: |_| {
        crate::fixture::authorization(format!("App {}", simfleet::kind::SANDBOX_KEY))
    },
    never_called: &[],
    records: "sims",
    iccid: crate::fixture::iccid_key,
    restrictable: |s| s["status"] == "Active",
    change_behind_the_plan: |sim| {
        sim["name"] = json!("changed-behind-the-plan");
        "name"
    },
    restricted: "suspended",
    // 100 a page without a total: the listing ends at the first short page.
    list_pages: |n| n / 100 + 1,
    thirty_writes: 90,
    five_hundred_changes: 500,
    // Names are unique: status moves instead (an Activation Ready SIM
    // takes two calls to suspended).
    three_hundred_requests: || (300, json!({"status": "suspended"})),
    scripted_settings: &[],
};

const ACTIVATION_READY: &str = "89811000221529677011";
const ACTIVE: &str = "89811000221529677029";
const ACTIVE_2: &str = "89811000221529677037";
const DEACTIVATED: &str = "89811000221529677052";

/// The bundled Infobip sandbox, and provider `ib` at it with Basic
/// credentials (user and password) from the env.
fn world() -> Workspace {
    Workspace::sandbox(Infobip, &[])
        .provider(
            "ib",
            Infobip,
            json!({"credentials": {
                "username": {"env": "INFOBIP_USER"},
                "password": {"env": "INFOBIP_PASSWORD"},
            }}),
        )
        .env("INFOBIP_USER", "simfleet")
        .env("INFOBIP_PASSWORD", "simfleet-sandbox")
}

/// `m/fleet.yaml` at `ib`: each ICCID with its fields.
fn fleet(ws: &Workspace, list: &[(&str, Value)]) {
    let sims = list.iter().map(|(iccid, fields)| {
        let mut sim = fields.clone();
        sim["iccid"] = json!(iccid);
        sim
    });
    ws.fleet("ib", Value::Array(sims.collect()));
}

fn status_of(ws: &Workspace, iccid: &str) -> String {
    let sim = ws.emulator().sim(Infobip, iccid);
    sim["status"].as_str().unwrap().to_owned()
}

/// Paths of logged requests that name `iccid`, with their methods.
fn requests_naming(ws: &Workspace, iccid: &str) -> Vec<String> {
    let log = ws.emulator().requests();
    log.iter()
        .filter(|r| r["path"].as_str().unwrap().contains(iccid))
        .map(|r| format!("{} {}", r["method"], r["path"]))
        .collect()
}

#[test]
fn plan_shows_status_steps_and_apply_leaves_deactivated_sims_alone() {
    let ws = world();
    fleet(
        &ws,
        &[
            (
                ACTIVATION_READY,
                json!({"status": "active", "name": "tracker-1"}),
            ),
            (ACTIVE, json!({"status": "active", "name": "tracker-2"})),
            (ACTIVE_2, json!({"status": "suspended"})),
            (DEACTIVATED, json!({"status": "active", "name": "revived"})),
        ],
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("status inactive -> active  [enable]");
    plan.assert_stdout("status active -> suspended  [restrict]");
    plan.assert_stdout(format!(
        "! {DEACTIVATED} locked, not touched: Infobip status Deactivated"
    ));

    let apply = ws.on_manifests(&["apply", "--auto-approve", "-v"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    ws.assert_no_secret(&[&plan, &apply]);
    for out in [&plan.stdout, &plan.stderr, &apply.stdout, &apply.stderr] {
        assert!(!out.contains("c2ltZmxlZXQ6"), "Basic header leaked: {out}");
    }
    assert_eq!(status_of(&ws, ACTIVATION_READY), "Active");
    assert_eq!(status_of(&ws, ACTIVE_2), "Suspended");
    assert_eq!(status_of(&ws, DEACTIVATED), "Deactivated");
    assert_eq!(requests_naming(&ws, DEACTIVATED), Vec::<String>::new());
}

#[test]
fn suspending_a_never_activated_sim_activates_it_first() {
    let ws = world();
    fleet(&ws, &[(ACTIVATION_READY, json!({"status": "suspended"}))]);
    let plan = ws.on_manifests(&["plan"]);
    plan.assert_stdout("status inactive -> active  [enable]  (provider step: inactive cannot become suspended directly)");
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(status_of(&ws, ACTIVATION_READY), "Suspended");
}

#[test]
fn inactive_cannot_be_set_on_an_active_sim() {
    let ws = world();
    fleet(&ws, &[(ACTIVE, json!({"status": "inactive"}))]);
    let before = ws.emulator().total();
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    plan.assert_stdout(format!(
        "error {ACTIVE} (m/fleet.yaml:9:5): status cannot change from active to inactive: \
             Infobip sets only Active"
    ));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1);
    // Only reads: the plan's list calls.
    let log = ws.emulator().requests();
    assert!(log.iter().all(|r| r["method"] == "GET"));
    assert!(ws.emulator().total() > before);
    assert_eq!(status_of(&ws, ACTIVE), "Active");
}

#[test]
fn sms_is_checked_before_sending() {
    let ws = world();
    fleet(&ws, &[(ACTIVE, json!({"status": "active"}))]);
    let long = "x".repeat(161);
    let refused = ws.on_manifests(&["sms", ACTIVE, "--text", &long]);
    assert_eq!(refused.code, 1);
    refused.assert_stderr("161 characters; at most 160");
    assert_eq!(ws.emulator().total(), 0);

    let text = "y".repeat(160);
    let sent = ws.on_manifests(&["sms", ACTIVE, "--text", &text]);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let state = ws.emulator().state(Infobip);
    assert_eq!(state["sms"][0]["iccid"], ACTIVE);
    assert_eq!(state["sms"][0]["text"], text.as_str());
}

#[test]
fn usage_csv_has_a_header_and_a_row_per_sim() {
    let ws = world();
    fleet(&ws, &[(ACTIVE, json!({"status": "active"}))]);
    let all = ws.on_manifests(&["usage", "--format", "csv"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let lines: Vec<&str> = all.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "provider,iccid,usedDataBytes,sentSmsCount,receivedSmsCount,sentCallsCount,receivedCallsCount"
    );
    assert_eq!(lines.len(), 1 + 6, "{}", all.stdout);
    assert!(
        lines.contains(&"ib,89811000221529677037,227199488,4,2,,"),
        "{}",
        all.stdout
    );

    let one = ws.on_manifests(&["usage", "--format", "csv", "--sim", ACTIVE]);
    assert_eq!(
        one.stdout.lines().collect::<Vec<_>>()[1..],
        [format!("ib,{ACTIVE},27199488,,,,")]
    );
}

#[test]
fn operations_a_provider_does_not_offer_are_refused_before_any_request() {
    let ws = Workspace::generated(Onomondo, 1, &[]).provider("iot", Onomondo, json!({}));
    let iccid = ws.emulator().iccids(Onomondo).remove(0);
    for args in [
        vec!["sms", iccid.as_str(), "--text", "hi", "--provider", "iot"],
        vec!["diagnose", iccid.as_str(), "--provider", "iot"],
    ] {
        let run = ws.on_manifests(&args);
        assert_eq!(run.code, 1);
        run.assert_stderr("(onomondo) does not offer");
    }
    assert_eq!(ws.emulator().total(), 0);
}

#[test]
fn every_request_uses_a_documented_method_and_path() {
    let ws = world();
    fleet(
        &ws,
        &[
            (ACTIVATION_READY, json!({"status": "active", "name": "a"})),
            (ACTIVE_2, json!({"status": "suspended", "name": null})),
        ],
    );
    let runs: [&[&str]; 6] = [
        &["apply", "--auto-approve"],
        &["usage"],
        &["usage", "--sim", ACTIVE],
        &["sms", ACTIVE, "--text", "ping", "--provider", "ib"],
        &["diagnose", ACTIVE, "--provider", "ib"],
        &["sim", "show", ACTIVE, "--provider", "ib"],
    ];
    for args in runs {
        let run = ws.on_manifests(args);
        assert_eq!(run.code, 0, "{args:?}: {}\n{}", run.stdout, run.stderr);
    }
    // From the Infobip text: resource lines, /iot/1 for writes (docs/providers.md).
    let documented = [
        "GET /iot/2/sims",
        "GET /iot/2/sims/{iccid}",
        "PATCH /iot/1/sims/{iccid}",
        "PUT /iot/1/sims/{iccid}/status",
        "GET /iot/2/sims/{iccid}/usage",
        "POST /iot/1/sims/{iccid}/sms",
        "POST /iot/1/sims/{iccid}/diagnostic",
        "GET /iot/2/sims/usage/monthly",
    ];
    let seen: std::collections::BTreeSet<String> = ws
        .emulator()
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["route"].as_str().unwrap()
            )
        })
        .collect();
    for call in &seen {
        assert!(
            documented.contains(&call.as_str()),
            "undocumented call {call}"
        );
    }
    // Every documented endpoint was exercised, so the check above covered them all.
    assert_eq!(seen.len(), documented.len(), "{seen:?}");
}

#[test]
fn listing_requests_pages_ahead_only_as_far_as_the_pages_read_justify() {
    // 6,000 SIMs: 60 full pages and an empty one. After 50 pages one page
    // is requested ahead, so at most one page past the end is ever asked.
    let ws = Workspace::generated(Infobip, 6_000, &["--rate-limit", "100000"]).provider(
        "ib",
        Infobip,
        json!({"rate_limit": 10000, "rate_window": 1}),
    );
    let e = ws.emulator();
    let first = e.iccids(Infobip)[0].clone();
    fleet(&ws, &[(&first, json!({}))]);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let pages = e.count("infobip", "GET /iot/2/sims");
    assert!(
        (61..=62).contains(&pages),
        "{pages} list requests for 61 pages"
    );
}

#[test]
fn an_infobip_server_that_ignores_the_page_number_is_an_error_not_a_loop() {
    let url = crate::limits::rogue(|_, stream| {
        let sims: Vec<_> = (0..100)
            .map(|i| json!({"iccid": format!("8938100000000000{i:03}"), "status": "Active"}))
            .collect();
        crate::limits::json_reply(stream, &json!({ "sims": sims }).to_string());
    });
    let ws = crate::limits::at(
        Infobip,
        &url,
        json!({"credentials": {"api_key": {"env": "K"}}}),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("page 2 opens like an earlier page");
}

#[test]
fn an_sms_whose_answer_is_lost_is_sent_once_and_reported_unknown() {
    let ws = crate::faults::world(
        Infobip,
        1,
        &[
            "--fault-rate",
            "1",
            "--faults",
            "commit-500",
            "--fault-methods",
            "POST",
        ],
    );
    let iccid = ws.emulator().iccids(Infobip)[0].clone();
    ws.fleet("p", sims_of(std::slice::from_ref(&iccid), |_| json!({})));
    let sms = ws.on_manifests(&["sms", &iccid, "--text", "hello"]);
    assert_eq!(sms.code, 1, "{}\n{}", sms.stdout, sms.stderr);
    sms.assert_stderr("may have taken effect");
    let sent = ws
        .emulator()
        .count("infobip", "POST /iot/1/sims/{iccid}/sms");
    assert_eq!(sent, 1, "the SMS was sent {sent} times");

    let diagnose = ws.on_manifests(&["diagnose", &iccid]);
    assert_eq!(diagnose.code, 1, "{}", diagnose.stderr);
    let runs = ws
        .emulator()
        .count("infobip", "POST /iot/1/sims/{iccid}/diagnostic");
    assert_eq!(runs, 1, "diagnostics ran {runs} times");
}

#[test]
fn two_sims_with_one_name_are_refused_before_anything_is_read() {
    // "SIM's unique name defined in the system" (the text's SIM object).
    let ws = world();
    ws.fleet(
        "ib",
        sims_of(
            &[ACTIVE.into(), ACTIVE_2.into()],
            |_| json!({"name": "pump"}),
        ),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("pump");
    plan.assert_stderr("holds each name on one SIM only");
    assert!(ws.emulator().requests().is_empty(), "nothing was read");
}
