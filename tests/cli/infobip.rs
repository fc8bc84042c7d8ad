//! Infobip end to end against the emulator process: status rules, locked
//! states, SMS limits, usage reports and the documented routes.

use std::path::Path;

use crate::support::{Emulator, repo, simfleet, write};

const ENV: [(&str, &str); 2] = [
    ("INFOBIP_USER", "simfleet"),
    ("INFOBIP_PASSWORD", "simfleet-sandbox"),
];
const ACTIVATION_READY: &str = "89811000221529677011";
const ACTIVE: &str = "89811000221529677029";
const ACTIVE_2: &str = "89811000221529677037";
const DEACTIVATED: &str = "89811000221529677052";

/// An emulator seeded with the bundled Infobip sandbox, and a workspace
/// whose provider `ib` points at it with Basic credentials from the env.
fn world() -> (Emulator, tempfile::TempDir) {
    let emulator = Emulator::start(Some(&repo().join("sandbox/infobip.yaml")), &[]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &format!(
            "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  ib:\n    type: infobip\n    \
             url: {}\n    credentials:\n      username: {{ env: INFOBIP_USER }}\n      \
             password: {{ env: INFOBIP_PASSWORD }}\n",
            emulator.url("infobip")
        ),
    );
    (emulator, dir)
}

fn fleet(dir: &Path, sims: &[(&str, &str)]) {
    let mut text = String::from(
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: f }\nprovider: ib\nsims:\n",
    );
    for (iccid, fields) in sims {
        text.push_str(&format!("  - {{ iccid: \"{iccid}\", {fields} }}\n"));
    }
    write(dir, "m/fleet.yaml", &text);
}

fn status_of(emulator: &Emulator, iccid: &str) -> String {
    let state = emulator.get("/_emulator/state");
    let sims = state["infobip"]["sims"].as_array().unwrap().clone();
    let sim = sims.iter().find(|s| s["iccid"] == iccid).unwrap();
    sim["status"].as_str().unwrap().to_owned()
}

/// Paths of logged requests that name `iccid`, with their methods.
fn requests_naming(emulator: &Emulator, iccid: &str) -> Vec<String> {
    let log = emulator.get("/_emulator/requests");
    log.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains(iccid))
        .map(|r| format!("{} {}", r["method"], r["path"]))
        .collect()
}

#[test]
fn plan_apply_converges_and_leaves_deactivated_sims_alone() {
    let (emulator, dir) = world();
    fleet(
        dir.path(),
        &[
            (ACTIVATION_READY, "status: active, name: tracker-1"),
            (ACTIVE, "status: active, name: tracker-2"),
            (ACTIVE_2, "status: suspended"),
            (DEACTIVATED, "status: active, name: revived"),
        ],
    );
    let plan = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains("status inactive -> active  [enable]"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("status active -> suspended  [restrict]"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!(
            "! {DEACTIVATED} locked, not touched: Infobip status Deactivated"
        )),
        "{}",
        plan.stdout
    );

    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m", "-v"], &ENV);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    for out in [&plan.stdout, &plan.stderr, &apply.stdout, &apply.stderr] {
        assert!(!out.contains(ENV[1].1), "password leaked: {out}");
        assert!(!out.contains("c2ltZmxlZXQ6"), "Basic header leaked: {out}");
    }
    assert_eq!(status_of(&emulator, ACTIVATION_READY), "Active");
    assert_eq!(status_of(&emulator, ACTIVE_2), "Suspended");
    assert_eq!(status_of(&emulator, DEACTIVATED), "Deactivated");
    assert_eq!(
        requests_naming(&emulator, DEACTIVATED),
        Vec::<String>::new()
    );

    let again = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

#[test]
fn suspending_a_never_activated_sim_activates_it_first() {
    let (emulator, dir) = world();
    fleet(dir.path(), &[(ACTIVATION_READY, "status: suspended")]);
    let plan = simfleet(dir.path(), &["plan", "m"], &ENV);
    assert!(
        plan.stdout.contains(
            "status inactive -> active  [enable]  (provider step: inactive cannot become suspended directly)"
        ),
        "{}",
        plan.stdout
    );
    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &ENV);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(status_of(&emulator, ACTIVATION_READY), "Suspended");
}

#[test]
fn inactive_cannot_be_set_on_an_active_sim() {
    let (emulator, dir) = world();
    fleet(dir.path(), &[(ACTIVE, "status: inactive")]);
    let before = emulator.total();
    let plan = simfleet(dir.path(), &["plan", "m"], &ENV);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    assert!(
        plan.stdout.contains(&format!(
            "error {ACTIVE} (m/fleet.yaml:6:5): status cannot change from active to inactive: \
             Infobip sets only Active"
        )),
        "{}",
        plan.stdout
    );
    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &ENV);
    assert_eq!(apply.code, 1);
    // Only reads: the plan's list calls.
    let log = emulator.get("/_emulator/requests");
    assert!(log.as_array().unwrap().iter().all(|r| r["method"] == "GET"));
    assert!(emulator.total() > before);
    assert_eq!(status_of(&emulator, ACTIVE), "Active");
}

#[test]
fn sms_is_checked_before_sending() {
    let (emulator, dir) = world();
    fleet(dir.path(), &[(ACTIVE, "status: active")]);
    let long = "x".repeat(161);
    let refused = simfleet(dir.path(), &["sms", ACTIVE, "--text", &long, "m"], &ENV);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("161 characters; at most 160"),
        "{}",
        refused.stderr
    );
    assert_eq!(emulator.total(), 0);

    let text = "y".repeat(160);
    let sent = simfleet(dir.path(), &["sms", ACTIVE, "--text", &text, "m"], &ENV);
    assert_eq!(sent.code, 0, "{}", sent.stderr);
    let state = emulator.get("/_emulator/state");
    assert_eq!(state["infobip"]["sms"][0]["iccid"], ACTIVE);
    assert_eq!(state["infobip"]["sms"][0]["text"], text.as_str());
}

#[test]
fn usage_csv_has_a_header_and_a_row_per_sim() {
    let (_emulator, dir) = world();
    fleet(dir.path(), &[(ACTIVE, "status: active")]);
    let all = simfleet(dir.path(), &["usage", "--format", "csv", "m"], &ENV);
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

    let one = simfleet(
        dir.path(),
        &["usage", "--format", "csv", "--sim", ACTIVE, "m"],
        &ENV,
    );
    assert_eq!(
        one.stdout.lines().collect::<Vec<_>>()[1..],
        [format!("ib,{ACTIVE},27199488,,,,")]
    );
}

#[test]
fn operations_a_provider_does_not_offer_are_refused_before_any_request() {
    let emulator = Emulator::start(None, &["--generate", "onomondo=1"]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &crate::support::remote_providers(&emulator.url("onomondo")),
    );
    let iccid = emulator.get("/_emulator/state")["onomondo"]["sims"][0]["iccid"]
        .as_str()
        .unwrap()
        .to_owned();
    for args in [
        vec![
            "sms",
            iccid.as_str(),
            "--text",
            "hi",
            "m",
            "--provider",
            "iot",
        ],
        vec!["diagnose", iccid.as_str(), "m", "--provider", "iot"],
    ] {
        let run = simfleet(dir.path(), &args, &[crate::support::KEY]);
        assert_eq!(run.code, 1);
        assert!(
            run.stderr.contains("(onomondo) does not offer"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(emulator.total(), 0);
}

#[test]
fn every_request_uses_a_documented_method_and_path() {
    let (emulator, dir) = world();
    fleet(
        dir.path(),
        &[
            (ACTIVATION_READY, "status: active, name: a"),
            (ACTIVE_2, "status: suspended, name: null"),
        ],
    );
    let runs: [&[&str]; 6] = [
        &["apply", "--auto-approve", "m"],
        &["usage", "m"],
        &["usage", "--sim", ACTIVE, "m"],
        &["sms", ACTIVE, "--text", "ping", "m", "--provider", "ib"],
        &["diagnose", ACTIVE, "m", "--provider", "ib"],
        &["sim", "show", ACTIVE, "m", "--provider", "ib"],
    ];
    for args in runs {
        let run = simfleet(dir.path(), args, &ENV);
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
    let log = emulator.get("/_emulator/requests");
    let seen: std::collections::BTreeSet<String> = log
        .as_array()
        .unwrap()
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
