//! Eseye end to end against the emulator process: ordered suspend / package
//! changes, locked suspensions, attributes and token expiry.

use std::path::Path;

use serde_json::Value;

use crate::support::{Emulator, repo, simfleet, write};

const ENV: [(&str, &str); 2] = [
    ("ESEYE_CLIENT_ID", "simfleet"),
    ("ESEYE_CLIENT_SECRET", "simfleet-sandbox"),
];
const SUSPENDED: &str = "89445385230000000041";
const ADMIN_SUSPENDED: &str = "89445385230000000066";

fn providers(dir: &Path, emulator: &Emulator) {
    write(
        dir,
        "m/providers.yaml",
        &format!(
            "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  meters:\n    type: eseye\n    \
             url: {}\n    concurrency: 4\n    rate_limit: 100\n    credentials:\n      client_id: {{ env: ESEYE_CLIENT_ID }}\n      \
             client_secret: {{ env: ESEYE_CLIENT_SECRET }}\n",
            emulator.url("eseye")
        ),
    );
}

/// The bundled sandbox seed and example fleet, served by an emulator process.
fn world(extra: &[&str]) -> (Emulator, tempfile::TempDir) {
    let emulator = Emulator::start(Some(&repo().join("sandbox/eseye.yaml")), extra);
    let dir = tempfile::tempdir().unwrap();
    providers(dir.path(), &emulator);
    let fleet = std::fs::read_to_string(repo().join("examples/eseye/meters.yaml")).unwrap();
    write(dir.path(), "m/meters.yaml", &fleet);
    (emulator, dir)
}

fn sim(emulator: &Emulator, iccid: &str) -> Value {
    let state = emulator.get("/_emulator/state");
    let sims = state["eseye"]["sims"].as_array().unwrap().clone();
    sims.into_iter().find(|s| s["iccid"] == iccid).unwrap()
}

fn writes(emulator: &Emulator) -> Vec<Value> {
    let log = emulator.get("/_emulator/requests");
    log.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET" && !r["route"].as_str().unwrap().contains("token"))
        .cloned()
        .collect()
}

#[test]
fn sandbox_fleet_converges_with_ordered_suspended_changes() {
    let (emulator, dir) = world(&["--provision-delay-ms", "300"]);
    let plan = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    let expected = format!(
        "  ~ {SUSPENDED}  id 100004\n      \
         status  suspended -> active  [enable]  (provider step: Eseye cannot update a suspended SIM)\n      \
         package \"pkg-standard\" -> \"pkg-premium\"  [configure]\n      \
         status  active -> suspended  [restrict]  (provider step: Eseye cannot update a suspended SIM)\n"
    );
    assert!(plan.stdout.contains(&expected), "{}", plan.stdout);
    assert!(
        plan.stdout.contains(&format!(
            "! {ADMIN_SUSPENDED} locked, not touched: suspended by Eseye (adminSuspend)"
        )),
        "{}",
        plan.stdout
    );

    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &ENV);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);

    // The suspended SIM's three calls, in order, with their bodies.
    let calls: Vec<String> = writes(&emulator)
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains(SUSPENDED))
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["body"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            r#"PATCH {"customerSuspend":"no"}"#,
            r#"PATCH {"packageId":"pkg-premium"}"#,
            r#"PATCH {"customerSuspend":"yes"}"#,
        ]
    );
    let s = sim(&emulator, SUSPENDED);
    assert_eq!(
        (s["packageId"].as_str(), s["customerSuspend"].as_str()),
        (Some("pkg-premium"), Some("yes"))
    );

    // No write names the admin-suspended SIM.
    assert!(
        writes(&emulator)
            .iter()
            .all(|r| !r["path"].as_str().unwrap().contains(ADMIN_SUSPENDED))
    );

    let states: Vec<(String, String, String)> = [
        "89445385230000000017",
        "89445385230000000025",
        "89445385230000000033",
        "89445385230000000074",
    ]
    .iter()
    .map(|i| {
        let s = sim(&emulator, i);
        let text = |k: &str| s[k].as_str().unwrap().to_owned();
        (
            text("status"),
            text("customerSuspend"),
            text("packageId") + "/" + &text("portfolioId"),
        )
    })
    .collect();
    assert_eq!(states[0].2, "pkg-lowpower/pf-default");
    assert!(["pendingProvision", "active"].contains(&states[0].0.as_str()));
    assert_eq!(states[1].0, "available");
    assert_eq!(states[2].1, "yes");
    assert_eq!(states[3].2, "pkg-premium/pf-archive");
    let attributes: Vec<(String, String)> = sim(&emulator, "89445385230000000058")["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["key"].as_str().unwrap().into(),
                a["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        attributes,
        [
            ("site".to_owned(), "south".to_owned()),
            ("floor".to_owned(), "2".to_owned())
        ]
    );

    // Straight away (pendingProvision counts as converging) and once provisioned.
    for _ in 0..2 {
        let again = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
        assert_eq!(again.code, 0, "{}", again.stdout);
        assert!(again.stdout.contains("No changes."), "{}", again.stdout);
        std::thread::sleep(std::time::Duration::from_millis(400));
    }
    for out in [&plan.stdout, &plan.stderr, &apply.stdout, &apply.stderr] {
        assert!(!out.contains(ENV[1].1), "secret leaked: {out}");
    }
}

#[test]
fn attributes_are_read_only_for_sims_that_manage_them() {
    let (emulator, dir) = world(&[]);
    let plan = simfleet(dir.path(), &["plan", "m"], &ENV);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let log = emulator.get("/_emulator/requests");
    let reads: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["route"] == "/api/v2/sim/{iccid}/attribute")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(reads, ["/api/v2/sim/89445385230000000058/attribute"]);
}

#[test]
fn a_token_expiring_mid_apply_causes_no_failure() {
    let emulator = Emulator::start(
        None,
        &[
            "--generate",
            "eseye=40",
            "--token-expiry",
            "1",
            "--latency-ms",
            "40",
            "--rate-limit",
            "100000",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    providers(dir.path(), &emulator);
    let state = emulator.get("/_emulator/state");
    let mut fleet = String::from(
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: f }\nprovider: meters\nsims:\n",
    );
    for s in state["eseye"]["sims"].as_array().unwrap() {
        fleet.push_str(&format!(
            "  - {{ iccid: \"{}\", attributes: {{ batch: b7 }}, package: pkg-premium }}\n",
            s["iccid"].as_str().unwrap()
        ));
    }
    write(dir.path(), "m/fleet.yaml", &fleet);
    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &ENV);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        emulator.count("eseye", "POST /oauth/token") >= 2,
        "the token was never renewed: {}",
        emulator.get("/_emulator/stats")
    );
    let again = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
    assert_eq!(again.code, 0, "{}", again.stdout);
}
