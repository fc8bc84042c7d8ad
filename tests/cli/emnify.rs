//! emnify end to end against the emulator process: a SIM is the SIM of an
//! endpoint (an endpoint without one is no SIM and not unmanaged), either
//! ICCID form names it, status is the SIM's and the endpoint's together,
//! endpoint changes go in one bulk call and SIM statuses one per call (an
//! Issued SIM activated before its endpoint is enabled), a Deleted SIM is
//! never written, and the application token and JWT never show.

use serde_json::{Value, json};
use simfleet::kind::ProviderKind::Emnify;

use crate::fixture::{Fixture, PastEnd};
use crate::support::Emulator;
use crate::workspace::{Workspace, sims_of};

/// emnify's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Emnify,
    // The text: a page past the end repeats the last page, never an
    // empty one; a `per_page` of the seed's size keeps it one page.
    past_end: PastEnd::RepeatsLast {
        past: "/api/v1/endpoint?page=2&per_page=1000",
        last: "/api/v1/endpoint?page=1&per_page=1000",
    },
    // A bare array.
    list_key: "",
    list_path: "/api/v1/endpoint",
    list_route: "GET /api/v1/endpoint",
    token_route: Some("POST /api/v1/authenticate"),
    auxiliary_routes: &[],
    auxiliary_reads: 0,
    follow_routes: &[],
    unknown_sim: "/api/v1/endpoint/999999",
    error_shape: |b| b["error_code"].is_number() && b["error_token"].is_string(),
    authorization: |e| crate::fixture::authorization(bearer(e)),
    never_called: &[],
    records: "endpoints",
    // The 20-digit ICCID of the endpoint's SIM; endpoints without one are
    // not SIMs.
    iccid: |endpoint| {
        let iccid = endpoint["sim"]["iccid_with_luhn"].as_str();
        iccid.map(str::to_owned)
    },
    restrictable: |e| e["status"] == "Enabled" && e["sim"]["status"] == "Activated",
    change_behind_the_plan: |endpoint| {
        endpoint["name"] = json!("changed-behind-the-plan");
        "name"
    },
    // One SIM call each, answered at once.
    restricted: "suspended",
    // Up to 1000 a page, until `X-Total-Pages`.
    list_pages: |n| n.div_ceil(1000).max(1),
    // 3 of 4 generated SIMs are active (Activated, endpoint Enabled).
    thirty_writes: 40,
    five_hundred_changes: 667,
    // Every SIM's status is set one SIM per call.
    three_hundred_requests: || (400, json!({"status": "suspended"})),
    scripted_settings: &[],
};

/// `Bearer <auth_token>` of a login with the sandbox's application token.
fn bearer(e: &Emulator) -> String {
    let body = json!({"application_token": simfleet::kind::SANDBOX_KEY}).to_string();
    let answer = e.send(
        "POST",
        "/emnify/api/v1/authenticate",
        None,
        "application/json",
        &body,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let token = answer.json()["auth_token"].as_str().map(str::to_owned);
    format!("Bearer {}", token.expect("auth_token"))
}

// SIMs of sandbox/emnify.yaml, by ICCID.
const METER_1: &str = "89883030000012340003";
const METER_2: &str = "89883030000012340011";
const SPARE: &str = "89883030000012340029";

/// The sandbox seed, provider `iot` at it.
fn world() -> Workspace {
    Workspace::sandbox(Emnify, &[]).provider("iot", Emnify, json!({}))
}

/// Logged writes to emnify (`PATCH`es), in the order they came.
fn patches(e: &Emulator) -> Vec<Value> {
    let log = e.requests();
    let writes = log.into_iter().filter(|r| r["provider"] == "emnify");
    writes.filter(|r| r["method"] == "PATCH").collect()
}

fn route(r: &Value) -> &str {
    r["route"].as_str().unwrap_or_default()
}

#[test]
fn an_issued_sim_is_activated_before_its_endpoint_is_enabled_in_one_bulk_call_per_phase() {
    let ws = world();
    ws.fleet(
        "iot",
        sims_of(
            &[SPARE.into(), METER_2.into()],
            |_| json!({"status": "active", "tags": ["meter"]}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let writes = patches(ws.emulator());
    let routes: Vec<&str> = writes.iter().map(route).collect();
    // Enable: one SIM call (the Issued SIM 103; meter-2's SIM is already
    // Activated), then one bulk call enabling both endpoints. Configure:
    // one bulk call with the tags spare-1 lacks.
    assert_eq!(
        routes,
        [
            "/api/v1/sim/{id}",
            "/api/v2/endpoint/multi",
            "/api/v2/endpoint/multi"
        ],
        "{writes:?}"
    );
    assert_eq!(writes[0]["path"], "/api/v1/sim/103", "{writes:?}");
    let body =
        |i: usize| -> Value { serde_json::from_str(writes[i]["body"].as_str().unwrap()).unwrap() };
    let enabled = json!([{"id": 2, "status": {"id": 0}}, {"id": 3, "status": {"id": 0}}]);
    assert_eq!(body(1), enabled);
    assert_eq!(body(2), json!([{"id": 3, "tags": "meter"}]));
    let spare = ws.emulator().sim(Emnify, SPARE);
    assert_eq!(spare["sim"]["status"], "Activated", "{spare}");
    assert_eq!(spare["status"], "Enabled", "{spare}");
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
}

#[test]
fn inactive_disables_the_endpoint_and_leaves_the_sim_activated() {
    let ws = world();
    ws.fleet(
        "iot",
        sims_of(&[METER_1.into()], |_| json!({"status": "inactive"})),
    );
    // Every format says the SIM stays billed, once.
    let caution = "`inactive` disables the endpoint only: an Activated SIM stays Activated and \
                   emnify goes on billing it";
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.stdout.matches(caution).count(), 1, "{}", plan.stdout);
    let markdown = ws.on_manifests(&["plan", "--format", "markdown"]);
    markdown.assert_stdout("**caution**: \\`inactive\\` disables the endpoint only");
    let json = ws.on_manifests(&["plan", "--format", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let cautions = doc["providers"][0]["cautions"].as_array().unwrap();
    assert!(cautions[0].as_str().unwrap().starts_with(caution), "{doc}");
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let writes = patches(ws.emulator());
    let routes: Vec<&str> = writes.iter().map(route).collect();
    assert_eq!(routes, ["/api/v2/endpoint/multi"], "{writes:?}");
    let meter = ws.emulator().sim(Emnify, METER_1);
    assert_eq!(meter["status"], "Disabled", "{meter}");
    assert_eq!(meter["sim"]["status"], "Activated", "{meter}");
}

#[test]
fn an_endpoint_without_a_sim_is_neither_a_sim_nor_unmanaged() {
    let ws = world();
    ws.fleet(
        "iot",
        sims_of(&[METER_1.into()], |_| {
            json!({"name": "meter-1", "status": "active", "tags": ["meter", "berlin"],
                   "emnify": {"service_profile": "1", "tariff_profile": "1", "imei_lock": "true"}})
        }),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    // Six endpoints have a SIM: five are not in the manifest; the seventh
    // (gateway-1) has none and is not counted.
    plan.assert_stdout("1 managed");
    plan.assert_stdout("5 unmanaged");
    assert!(!plan.stdout.contains("gateway"), "{}", plan.stdout);
}

#[test]
fn the_jwt_is_renewed_before_its_exp_and_never_shown() {
    // Each call takes 0.4 s: the first JWT (2 s) ends before the read-back.
    let ws = Workspace::sandbox(Emnify, &["--token-expiry", "2", "--latency-ms", "400"]).provider(
        "iot",
        Emnify,
        json!({}),
    );
    ws.fleet(
        "iot",
        sims_of(&[METER_1.into(), METER_2.into()], |i| {
            let status = if i == 0 { "suspended" } else { "active" };
            json!({"name": format!("renewed-{i}"), "status": status})
        }),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force", "-vv"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let e = ws.emulator();
    let logins = e.count("emnify", "POST /api/v1/authenticate");
    assert!(logins >= 2, "the JWT was never renewed: {logins} logins");
    ws.assert_no_secret(&[&apply]);
    // No JWT (a base64url `{"` opens each) shows in the -vv output.
    let shown = apply.stdout.contains("eyJ") || apply.stderr.contains("eyJ");
    assert!(!shown, "{}", apply.stderr);
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
}

#[test]
fn a_manifest_may_name_a_sim_by_its_19_digit_iccid_without_a_check_digit() {
    let ws = world();
    let short = &METER_1[..19];
    ws.fleet(
        "iot",
        sims_of(&[short.into()], |_| json!({"name": "by-the-short-form"})),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout(short);
    let meter = ws.emulator().sim(Emnify, METER_1);
    assert_eq!(meter["name"], "by-the-short-form", "{meter}");
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    // The 20-digit form keeps its check digit: a typo there is caught.
    let typo = format!("{short}9");
    assert_ne!(typo, METER_1);
    ws.fleet("iot", sims_of(&[typo], |_| json!({"name": "x"})));
    let validate = ws.on_manifests(&["validate"]);
    assert_eq!(validate.code, 1, "{}", validate.stderr);
    validate.assert_stderr("fails the Luhn check");
}

#[test]
fn a_profile_is_an_id_and_the_imei_lock_true_or_false_else_nothing_is_read() {
    let ws = world();
    let fleet = "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: {name: f}\nprovider: iot\nsims:\n  \
                 - iccid: \"89883030000012340003\"\n    emnify:\n      imei_lock: \"yes\"\n      \
                 service_profile: two\n";
    ws.file("m/fleet.yaml", fleet);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("m/fleet.yaml:7:5: `emnify.imei_lock` is one of `true`, `false`, not `yes`");
    plan.assert_stderr(
        "m/fleet.yaml:7:5: `emnify.service_profile` is an id, a whole number, not `two`",
    );
    assert!(ws.emulator().requests().is_empty(), "nothing was read");
    // YAML's unquoted boolean and integer are the same values as the text.
    let fleet = fleet.replace("\"yes\"", "false").replace("two", "2");
    ws.file("m/fleet.yaml", &fleet);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("emnify.service_profile \"1\" -> \"2\"");
    plan.assert_stdout("emnify.imei_lock       \"true\" -> \"false\"");
}

#[test]
fn a_401_before_the_jwt_exp_renews_it_once_and_the_listing_goes_on() {
    use base64::Engine as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A JWT that says it lives until 2100: only the 401 can end it.
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"exp":4102444800}"#);
    let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{claims}.signature");
    let endpoint = json!([{"id": 1, "name": "meter-1", "tags": "", "status": {"id": 0},
        "sim": {"id": 7, "iccid_with_luhn": METER_1, "status": {"id": 1}}}]);
    let lists = AtomicUsize::new(0);
    let (url, seen) = crate::support::scripted_with(move |line| {
        if line.starts_with("POST /api/v1/authenticate ") {
            return (200, String::new(), json!({ "auth_token": jwt }).to_string());
        }
        if lists.fetch_add(1, Ordering::SeqCst) == 0 {
            let expired =
                r#"{"error_code":1102,"error_token":"InvalidToken","message":"Token expired"}"#;
            return (401, String::new(), expired.to_owned());
        }
        let paging = "X-Total-Pages: 1\r\nX-Total-Count: 1\r\n".to_owned();
        (200, paging, endpoint.to_string())
    });
    let ws = crate::envelopes::at(Emnify, &url, &[METER_1.into()]);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let lines = seen.lock().unwrap().clone();
    let calls: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.starts_with("POST ") {
                "login"
            } else {
                "list"
            }
        })
        .collect();
    assert_eq!(calls, ["login", "list", "login", "list"], "{lines:?}");
    assert!(!plan.stderr.contains("eyJ"), "{}", plan.stderr);
}

#[test]
fn a_bulk_call_refused_for_one_bad_line_is_sent_line_by_line_and_fails_only_that_sim() {
    let ws = world();
    ws.fleet(
        "iot",
        sims_of(&[METER_1.into(), METER_2.into()], |i| {
            let profile = if i == 0 { "2" } else { "999" };
            json!({ "emnify": { "service_profile": profile } })
        }),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 3, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("1 applied, 1 failed");
    apply.assert_stdout(format!("failed: iot {METER_2}"));
    apply.assert_stdout("Service profile with Id '999' not found");
    let writes = patches(ws.emulator());
    let routes: Vec<&str> = writes.iter().map(route).collect();
    assert_eq!(
        routes,
        [
            "/api/v2/endpoint/multi",
            "/api/v1/endpoint/{id}",
            "/api/v1/endpoint/{id}"
        ],
        "{writes:?}"
    );
    assert_eq!(writes[0]["status"], 422, "{writes:?}");
    let meter = ws.emulator().sim(Emnify, METER_1);
    assert_eq!(meter["service_profile"], 2, "{meter}");
}
