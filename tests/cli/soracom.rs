//! Soracom end to end against the emulator process: a SIM with several
//! profiles is one SIM, tags are the exact set (one upsert, one delete per
//! removed tag), a terminated SIM is reported and never written, `tags:`
//! is refused pointing at `attributes`, the login session is renewed and
//! never shown, a `ready` SIM reads as active. No run ever calls
//! `terminate` (`Emulator`'s drop checks every Soracom log against
//! `never_called`). Against scripted servers, shapes the emulator does not
//! serve: a SIM without profiles, a status action's lost answer, the list's
//! 404.

use serde_json::{Value, json};
use simfleet::kind::ProviderKind::Soracom;

use crate::fixture::Fixture;
use crate::support::{Emulator, scripted};
use crate::workspace::{Workspace, sims_of};

/// Soracom's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Soracom,
    // The key of the seed's last SIM: the page after it is empty.
    past_end: crate::fixture::PastEnd::Empty("/sims?last_evaluated_key=8942310231000000094"),
    // A bare array.
    list_key: "",
    list_path: "/sims",
    list_route: "GET /sims",
    token_route: Some("POST /auth"),
    auxiliary_routes: &["GET /groups"],
    auxiliary_reads: 0,
    follow_routes: &[],
    unknown_sim: "/sims/0000000000000000000",
    error_shape: |b| b["code"].is_string() && b["message"].is_string(),
    authorization: |e| {
        let pair = login(e);
        let text = |key: &str| pair[key].as_str().expect(key).to_owned();
        vec![
            ("X-Soracom-API-Key".to_owned(), text("apiKey")),
            ("X-Soracom-Token".to_owned(), text("token")),
        ]
    },
    never_called: &[
        "POST /sims/{sim_id}/terminate",
        "POST /sims/{sim_id}/enable_termination",
    ],
    records: "sims",
    // A SIM's own ICCID is the first of its profiles' keys.
    iccid: |sim| {
        let profiles = sim["profiles"].as_object()?;
        profiles.keys().next().cloned()
    },
    restrictable: |s| s["status"] == "active",
    change_behind_the_plan: |sim| {
        let class = &mut sim["speedClass"];
        let other = if *class == "s1.minimum" {
            "s1.slow"
        } else {
            "s1.minimum"
        };
        *class = json!(other);
        "soracom.speed_class"
    },
    restricted: "suspended",
    // 100 a page, the next key in a header until the last page.
    list_pages: |n| n.div_ceil(100).max(1),
    // 3 of 4 generated SIMs are active: one suspend call each.
    thirty_writes: 60,
    five_hundred_changes: 667,
    // One tag upsert each.
    three_hundred_requests: || (300, json!({"name": "renamed"})),
    scripted_settings: &[],
};

/// `POST /auth` with the sandbox AuthKey: the API key and token answer.
fn login(e: &Emulator) -> Value {
    let key = simfleet::kind::SANDBOX_KEY;
    let body = json!({"authKeyId": "keyId-simfleet", "authKey": key}).to_string();
    let answer = e.send("POST", "/soracom/auth", None, "application/json", &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

// SIMs of sandbox/soracom.yaml, by ICCID.
const GATEWAY: &str = "8942310221000000010";
const TERMINATED: &str = "8942310221000000069";
const TRACKER: &str = "8942310221000000077";
const TRACKER_SECOND: &str = "8942310221000000085";

/// The sandbox seed, provider `iot` at it.
fn world(extra: &[&str]) -> Workspace {
    Workspace::sandbox(Soracom, extra).provider("iot", Soracom, json!({}))
}

/// Logged requests to Soracom that are not reads or logins.
fn writes(e: &Emulator) -> Vec<Value> {
    let log = e.requests();
    log.into_iter()
        .filter(|r| r["provider"] == "soracom" && r["method"] != "GET" && r["route"] != "/auth")
        .collect()
}

#[test]
fn a_sim_with_two_profiles_named_by_its_second_iccid_plans_clean() {
    let ws = world(&[]);
    ws.fleet(
        "iot",
        sims_of(&[TRACKER_SECOND.into()], |_| {
            json!({
                "name": "tracker-02", "status": "active", "attributes": {"fleet": "trucks"},
                "soracom": {"group": "trackers", "speed_class": "s1.fast", "imei_lock": null},
            })
        }),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
    // Eight SIMs, one declared (by its second ICCID): seven unmanaged.
    plan.assert_stdout("1 managed, no changes, 7 unmanaged");
    let shown = ws.on_manifests(&["plan", "--show-unmanaged"]);
    assert!(!shown.stdout.contains(TRACKER), "{}", shown.stdout);

    // A change to it is written to the one SIM and read back under the
    // ICCID the manifest names.
    ws.fleet(
        "iot",
        sims_of(&[TRACKER_SECOND.into()], |_| json!({"name": "tracker-2b"})),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout(format!(
        "~ {TRACKER_SECOND} \"tracker-2b\"  id 8942310231000000078"
    ));
    assert!(!apply.stdout.contains("not converged"), "{}", apply.stdout);
    let sim = ws.emulator().sim(Soracom, TRACKER);
    assert_eq!(sim["tags"]["name"], "tracker-2b");
}

#[test]
fn two_entries_for_one_sim_are_a_plan_error_naming_both() {
    let ws = world(&[]);
    let iccids = [TRACKER.to_owned(), TRACKER_SECOND.to_owned()];
    ws.fleet("iot", sims_of(&iccids, |_| json!({"name": "x"})));
    for args in [&["plan"][..], &["apply", "--auto-approve"]] {
        let run = ws.on_manifests(args);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let said = format!("{}{}", run.stdout, run.stderr);
        for (one, other) in [(TRACKER, TRACKER_SECOND), (TRACKER_SECOND, TRACKER)] {
            let error = format!(
                "SIM {one} (provider id 8942310231000000078) is also declared as {other} at "
            );
            assert!(said.contains(&error), "no {error:?} in {said}");
        }
    }
    assert!(writes(ws.emulator()).is_empty());
}

#[test]
fn attributes_are_the_exact_set_one_upsert_and_a_delete_per_removed_tag() {
    let ws = world(&[]);
    let e = ws.emulator();
    // Live: name gateway-01, site north, owner ops.
    let declare = |attributes: Value| {
        ws.fleet(
            "iot",
            sims_of(
                &[GATEWAY.into()],
                |_| json!({"name": "gw-1", "attributes": attributes.clone()}),
            ),
        );
    };
    declare(json!({"site": "south", "a b/c": "x"}));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let sent = writes(e);
    let calls: Vec<String> = sent
        .iter()
        .map(|r| format!("{} {}", r["method"], r["path"]).replace('"', ""))
        .collect();
    let sim = "/sims/8942310231000000011";
    assert_eq!(
        calls,
        [
            format!("PUT {sim}/tags"),
            format!("DELETE {sim}/tags/owner")
        ]
    );
    // The name and every changed or added tag in the one upsert.
    let body: Value = serde_json::from_str(sent[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        json!([
            {"tagName": "name", "tagValue": "gw-1"},
            {"tagName": "site", "tagValue": "south"},
            {"tagName": "a b/c", "tagValue": "x"},
        ])
    );
    let tags = &e.sim(Soracom, GATEWAY)["tags"];
    assert_eq!(
        *tags,
        json!({"name": "gw-1", "site": "south", "a b/c": "x"})
    );

    // A removed tag whose name needs escaping is one DELETE, encoded.
    declare(json!({"site": "south"}));
    let before = writes(e).len();
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let sent = writes(e);
    let paths: Vec<&str> = sent[before..]
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [format!("{sim}/tags/a%20b%2Fc")]);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn a_terminated_sim_is_reported_locked_and_never_written() {
    let ws = world(&[]);
    ws.fleet(
        "iot",
        sims_of(
            &[TERMINATED.into()],
            |_| json!({"name": "back-in-service", "status": "active"}),
        ),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout(format!(
        "! {TERMINATED} locked, not touched: terminated: Soracom accepts no change to it, and \
         simfleet never terminates (differs from the manifest: status, name)"
    ));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(writes(ws.emulator()).is_empty());
    let drift = ws.on_manifests(&["drift"]);
    assert_eq!(drift.code, 2, "{}", drift.stdout);
    // Declared as it is, it is reported and no longer differs.
    ws.fleet(
        "iot",
        sims_of(&[TERMINATED.into()], |_| json!({"name": "retired-01"})),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout(format!("! {TERMINATED} locked, not touched: terminated"));
}

#[test]
fn tags_are_refused_pointing_at_attributes() {
    let ws = world(&[]);
    ws.fleet(
        "iot",
        sims_of(&[GATEWAY.into()], |_| json!({"tags": ["pumps"]})),
    );
    let validate = ws.on_manifests(&["validate"]);
    assert_eq!(validate.code, 1, "{}", validate.stderr);
    validate.assert_stderr(
        "`tags` is not supported by provider `iot` (type soracom); Soracom tags are name/value \
         pairs: declare them under `attributes`",
    );
    validate.assert_stderr("m/fleet.yaml:");
    validate.assert_stderr(GATEWAY);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1);
    assert!(ws.emulator().requests().is_empty(), "nothing was read");
}

#[test]
fn an_expired_session_is_renewed_and_never_shown_or_recorded() {
    // Each call takes 0.3 s: the pair of the first login dies mid-apply.
    let ws = world(&["--token-expiry", "1", "--latency-ms", "300"]);
    let e = ws.emulator();
    let iccids = e.iccids(Soracom);
    ws.fleet(
        "iot",
        sims_of(
            &iccids[..4],
            |i| json!({"attributes": {"batch": format!("b{i}")}}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve", "-vv"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        e.count("soracom", "POST /auth") >= 2,
        "the session was never renewed: {}",
        e.get("/_emulator/stats")
    );
    ws.assert_no_secret(&[&apply]);
    let doctor = ws.on_manifests(&["doctor", "--record", "rec"]);
    assert_eq!(doctor.code, 0, "{}\n{}", doctor.stdout, doctor.stderr);
    let auth = std::fs::read_dir(ws.path().join("rec/iot"))
        .unwrap()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .find(|text| text.contains("/auth"))
        .expect("the login was recorded");
    let recorded: Value = serde_json::from_str(&auth).unwrap();
    let answer: Value = serde_json::from_str(recorded["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&answer["apiKey"], &answer["token"]),
        (&json!("***"), &json!("***"))
    );
    // No pair the emulator issued shows anywhere in the output.
    let issued = login(e);
    for run in [&apply, &doctor] {
        for key in ["apiKey", "token"] {
            let secret = issued[key].as_str().unwrap();
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
        }
    }
}

#[test]
fn a_login_answer_without_its_token_is_an_error_naming_it() {
    let (url, _) = scripted(|line| {
        if line.starts_with("POST /auth ") {
            (200, r#"{"apiKey":"api-1","operatorId":"OP1"}"#.into())
        } else {
            (200, "[]".into())
        }
    });
    let ws = crate::envelopes::at(Soracom, &url, &[GATEWAY.into()]);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr(format!("POST {url}/auth"));
    plan.assert_stderr("the answer has no `token` (the session it was asked for)");
}

#[test]
fn pages_follow_the_next_key_header_and_settings_are_one_action_each() {
    let ws = Workspace::generated(Soracom, 250, &[]).provider("iot", Soracom, json!({}));
    let e = ws.emulator();
    let iccids = e.iccids(Soracom);
    ws.fleet(
        "iot",
        sims_of(&iccids[..3], |i| match i {
            0 => json!({"soracom": {"speed_class": "s1.fast"}}),
            1 => json!({"soracom": {"imei_lock": "353168044272803"}}),
            _ => json!({"status": "suspended"}),
        }),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let pages: Vec<Value> = e
        .requests()
        .into_iter()
        .filter(|r| r["route"] == "/sims" && r["method"] == "GET")
        .collect();
    // 100, 100 and 50: the last page carries no next key.
    assert_eq!(pages.len(), 3, "{pages:?}");
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let mut routes: Vec<String> = writes(e)
        .iter()
        .map(|r| r["route"].as_str().unwrap().to_owned())
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        [
            "/sims/{sim_id}/set_imei_lock",
            "/sims/{sim_id}/suspend",
            "/sims/{sim_id}/update_speed_class",
        ]
    );
}

#[test]
fn the_check_that_no_run_terminates_sees_a_terminate() {
    let ws = world(&[]);
    let e = ws.emulator();
    let before = e.forbidden_counts();
    let auth = (FIXTURE.authorization)(e);
    let path = "/soracom/sims/8942310231000000094/terminate";
    let answer = e.send_with("POST", path, &auth, "application/json", "");
    // Refused (termination protection), and counted all the same.
    assert_eq!(answer.status, 400, "{}", answer.body);
    let after = e.forbidden_counts();
    assert_ne!(before, after);
    assert_eq!(after["soracom POST /sims/{sim_id}/terminate"], 1);
}

// The sandbox's `ready` and `standby` SIMs.
const READY: &str = "8942310221000000044";
const STANDBY: &str = "8942310221000000051";

#[test]
fn a_ready_sim_reads_as_active_so_inactive_plans_deactivate_and_suspended_suspend() {
    // `ready` goes active by itself on the device's first connection, and
    // the API moves it to any status: a manifest that wants it otherwise
    // plans the action now.
    let ws = world(&[]);
    let e = ws.emulator();
    let declare = |status: &str| {
        ws.fleet(
            "iot",
            sims_of(&[READY.into()], |_| json!({ "status": status })),
        );
    };
    declare("active");
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    declare("suspended");
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("status active -> suspended");

    declare("inactive");
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("status active -> inactive");
    let routes: Vec<Value> = writes(e).iter().map(|r| r["route"].clone()).collect();
    assert_eq!(routes, [json!("/sims/{sim_id}/deactivate")]);
    assert_eq!(e.sim(Soracom, READY)["status"], "inactive");
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);

    // `standby` still reads as inactive: declared so, nothing is planned.
    ws.fleet(
        "iot",
        sims_of(&[STANDBY.into()], |_| json!({"status": "inactive"})),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
}

/// A Sim of the text's skeleton: `simId`, `status`, the tag `name`, and
/// one profile per ICCID given.
fn wire_sim(sim_id: &str, status: &str, iccids: &[&str]) -> Value {
    let profiles: serde_json::Map<String, Value> = iccids
        .iter()
        .map(|i| {
            (
                (*i).to_owned(),
                json!({"iccid": i, "primaryImsi": "440101234567890"}),
            )
        })
        .collect();
    json!({
        "simId": sim_id, "operatorId": "OP1", "status": status,
        "speedClass": "s1.standard", "tags": {"name": ""}, "profiles": profiles,
    })
}

#[test]
fn a_sim_without_profiles_is_counted_unmanaged_under_its_sim_id_and_the_others_plan() {
    // The text makes every Sim field optional: a SIM without profiles (a
    // virtual one) must not make the account unreadable.
    let listed = json!([
        wire_sim("8981100001234567890", "active", &[GATEWAY]),
        {"simId": "8981100009999999990", "status": "active", "type": "virtual",
         "tags": {"name": "virtual-1"}},
    ])
    .to_string();
    let (url, _) = scripted(move |line| {
        crate::envelopes::token(line).unwrap_or_else(|| (200, listed.clone()))
    });
    let ws = crate::envelopes::at(Soracom, &url, &[GATEWAY.into()]);
    ws.fleet("p", sims_of(&[GATEWAY.into()], |_| json!({"name": "gw-1"})));
    let plan = ws.on_manifests(&["plan", "--show-unmanaged"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("1 managed, 1 SIM to change");
    plan.assert_stdout(format!("~ {GATEWAY} \"gw-1\""));
    plan.assert_stdout("1 unmanaged");
    plan.assert_stdout("8981100009999999990");
}

#[test]
fn a_sim_with_neither_iccid_nor_sim_id_is_an_error_naming_url_record_and_keys() {
    let listed = json!([
        wire_sim("8981100001234567890", "active", &[GATEWAY]),
        {"status": "active", "tags": {"name": "who"}},
    ])
    .to_string();
    let (url, _) = scripted(move |line| {
        crate::envelopes::token(line).unwrap_or_else(|| (200, listed.clone()))
    });
    let ws = crate::envelopes::at(Soracom, &url, &[GATEWAY.into()]);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stderr("provider `p` at m/providers.yaml:");
    plan.assert_stderr(format!("GET {url}/sims?limit=100"));
    plan.assert_stderr(
        "`[1]` has no `profiles.*.iccid` nor `profiles.~` nor `simId` (the SIM's ICCIDs in its \
         profiles, else its `simId`); it has keys `status`, `tags`",
    );
}

#[test]
fn a_status_action_whose_answer_is_lost_is_sent_once_and_settled_by_a_re_read() {
    // The text does not say whether an action is idempotent: the suspend
    // is carried out, its answer is a 500, and it is never sent again; the
    // re-read shows it took.
    use std::sync::atomic::{AtomicBool, Ordering};
    let suspended = std::sync::Arc::new(AtomicBool::new(false));
    let state = suspended.clone();
    let (url, seen) = scripted(move |line| {
        if let Some(login) = crate::envelopes::token(line) {
            return login;
        }
        if line.starts_with("POST /sims/8981100001234567890/suspend ") {
            state.store(true, Ordering::SeqCst);
            return (
                500,
                r#"{"code":"INT0001","message":"Internal error"}"#.into(),
            );
        }
        let status = if state.load(Ordering::SeqCst) {
            "suspended"
        } else {
            "active"
        };
        let sim = wire_sim("8981100001234567890", status, &[GATEWAY]);
        if line.starts_with("GET /sims?") {
            (200, json!([sim]).to_string())
        } else {
            (200, sim.to_string())
        }
    });
    let ws = crate::envelopes::at(Soracom, &url, &[GATEWAY.into()]);
    ws.fleet(
        "p",
        sims_of(&[GATEWAY.into()], |_| json!({"status": "suspended"})),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    let sent = seen.lock().unwrap().clone();
    let suspends = sent.iter().filter(|l| l.contains("/suspend ")).count();
    assert_eq!(suspends, 1, "sent again: {sent:?}");
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(suspended.load(Ordering::SeqCst));
    assert!(!apply.stdout.contains("not converged"), "{}", apply.stdout);
}

#[test]
fn a_sim_list_404_in_the_error_shape_is_an_empty_account_any_other_a_wrong_url() {
    let empty = |body: &'static str| {
        let (url, _) = scripted(move |line| {
            crate::envelopes::token(line).unwrap_or_else(|| (404, body.into()))
        });
        let ws = crate::envelopes::at(Soracom, &url, &[GATEWAY.into()]);
        (ws.on_manifests(&["drift"]), url)
    };
    // The text lists 404 "No such SIM found." for the list: no SIMs, so
    // the declared SIM is missing (drift, exit 2), not an error.
    let (drift, _) = empty(r#"{"code":"SEM0404","message":"No such SIM found."}"#);
    assert_eq!(drift.code, 2, "{}\n{}", drift.stdout, drift.stderr);
    drift.assert_stdout("1 managed, 0 drifted, 1 missing");
    drift.assert_stdout(format!("missing {GATEWAY} declared at m/fleet.yaml:"));
    assert!(!drift.stderr.contains("no such list"), "{}", drift.stderr);
    // Anything else answering 404 is not the API: check the `url`.
    let (plan, url) = empty("<html><body>Not Found</body></html>");
    assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stderr(format!(
        "GET {url}/sims?limit=100: HTTP 404: no such list at this address; check the `url` of"
    ));
}

#[test]
fn a_404_after_the_first_page_is_an_error_never_a_shorter_inventory() {
    let first = json!([wire_sim("8981100001234567890", "active", &[GATEWAY])]).to_string();
    let (url, _) = crate::support::scripted_with(move |line| {
        if let Some((status, body)) = crate::envelopes::token(line) {
            return (status, String::new(), body);
        }
        if line.contains("last_evaluated_key") {
            let gone = r#"{"code":"SEM0404","message":"No such SIM found."}"#;
            return (404, String::new(), gone.to_owned());
        }
        let next = "x-soracom-next-key: 8981100001234567890\r\n".to_owned();
        (200, next, first.clone())
    });
    let ws = crate::envelopes::at(Soracom, &url, &[GATEWAY.into()]);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stderr("404");
    plan.assert_stderr("No such SIM found.");
}
