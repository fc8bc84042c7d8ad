//! Telekom CMO end to end against the emulator process: sync and async
//! backends, monitors, token expiry, and the exact JSON Patch bodies sent.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Emulator, repo, simfleet, write};

const ENV: [(&str, &str); 2] = [
    ("CMO_CLIENT_ID", "simfleet"),
    ("CMO_CLIENT_SECRET", "simfleet-sandbox"),
];

fn providers(dir: &Path, emulator: &Emulator, concurrency: u32) {
    let url = emulator.url("telekom-cmo");
    write(
        dir,
        "m/providers.yaml",
        &format!(
            "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  hub:\n    type: telekom-cmo\n    \
             url: {url}\n    tenant: sandbox\n    token_url: {url}/token\n    rate_limit: 200\n    \
             concurrency: {concurrency}\n    credentials:\n      client_id: {{ env: CMO_CLIENT_ID }}\n      \
             client_secret: {{ env: CMO_CLIENT_SECRET }}\n"
        ),
    );
}

fn products(emulator: &Emulator) -> Vec<Value> {
    emulator.get("/_emulator/state")["telekom-cmo"]["products"]
        .as_array()
        .unwrap()
        .clone()
}

/// A fleet moving every listed product to another status.
fn fleet_changing(dir: &Path, products: &[Value]) {
    let mut text = String::from(
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: f }\nprovider: hub\nsims:\n",
    );
    for p in products {
        let id = p["id"].as_str().unwrap();
        let target = if p["status"] == "ACTIVE" {
            "suspended"
        } else {
            "active"
        };
        let iccid = id.split_once('-').unwrap().1;
        text.push_str(&format!("  - {{ iccid: \"{iccid}\", status: {target} }}\n"));
    }
    write(dir, "m/fleet.yaml", &text);
}

#[test]
fn sandbox_fleet_converges_on_sync_and_async_backends() {
    let emulator = Emulator::start(
        Some(&repo().join("sandbox/telekom-cmo.yaml")),
        &["--monitor-delay-ms", "300"],
    );
    let dir = tempfile::tempdir().unwrap();
    providers(dir.path(), &emulator, 4);
    let fleet = std::fs::read_to_string(repo().join("examples/telekom-cmo/gateways.yaml")).unwrap();
    write(dir.path(), "m/gateways.yaml", &fleet);

    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &ENV);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        apply
            .stdout
            .contains("done: hub 89490200001640018415 (enable): completed synchronously"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("done: hub 89490200001640018449 (enable): completed after monitor"),
        "{}",
        apply.stdout
    );
    // The BLOCKED SIM is never written to; the SATELLITE product is no SIM.
    let log = emulator.get("/_emulator/requests");
    assert!(
        log.as_array().unwrap().iter().all(|r| r["method"] == "GET"
            || !r["path"].as_str().unwrap().contains("89490200001640018464"))
    );
    let plan = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
    assert!(!plan.stdout.contains("INTELSAT"), "{}", plan.stdout);
    for out in [&apply.stdout, &apply.stderr, &plan.stdout, &plan.stderr] {
        assert!(!out.contains(ENV[1].1), "secret leaked: {out}");
    }
}

#[test]
fn ten_async_changes_wait_for_monitors_and_errors_are_per_sim() {
    let emulator = Emulator::start(
        None,
        &[
            "--generate",
            "telekom-cmo=30",
            "--monitor-delay-ms",
            "300",
            "--monitor-fail-every",
            "5",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    providers(dir.path(), &emulator, 10);
    let async_ones: Vec<Value> = products(&emulator)
        .into_iter()
        .filter(|p| p["id"].as_str().unwrap().starts_with("TMSP-") && p["status"] != "ACTIVE")
        .collect();
    // All to active: one phase, so one SIM's failure cannot hold the others back.
    assert_eq!(async_ones.len(), 10);
    fleet_changing(dir.path(), &async_ones);

    let apply = simfleet(
        dir.path(),
        &["apply", "--auto-approve", "--force", "m"],
        &ENV,
    );
    assert_eq!(apply.code, 3, "{}\n{}", apply.stdout, apply.stderr);
    let completed = apply.stdout.matches("completed after monitor").count();
    let failed: Vec<&str> = apply
        .stdout
        .lines()
        .filter(|l| l.starts_with("failed:"))
        .collect();
    assert_eq!((completed, failed.len()), (8, 2), "{}", apply.stdout);
    for line in failed {
        assert!(
            line.contains("ended InError: backend rejected the change"),
            "{line}"
        );
    }
    let polls = emulator.count("telekom-cmo", "GET /{tenant}/monitor/{id}");
    assert!(
        (10..=60).contains(&polls),
        "{polls} monitor polls for 10 monitors"
    );
}

#[test]
fn tokens_expiring_every_two_seconds_never_fail_an_apply() {
    let emulator = Emulator::start(
        None,
        &[
            "--generate",
            "telekom-cmo=60",
            "--token-expiry",
            "2",
            "--latency-ms",
            "300",
            "--monitor-delay-ms",
            "200",
            "--rate-limit",
            "100000",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    providers(dir.path(), &emulator, 2);
    fleet_changing(dir.path(), &products(&emulator));
    let start = std::time::Instant::now();
    let apply = simfleet(
        dir.path(),
        &["apply", "--auto-approve", "--force", "m"],
        &ENV,
    );
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let tokens = emulator.count("telekom-cmo", "POST /token");
    assert!(
        tokens as f64 >= start.elapsed().as_secs_f64() / 2.0 - 1.0,
        "{tokens} tokens over {:?}",
        start.elapsed()
    );
    let plan = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &ENV);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn exact_content_types_and_json_patch_bodies() {
    let emulator = Emulator::start(Some(&repo().join("sandbox/telekom-cmo.yaml")), &[]);
    let dir = tempfile::tempdir().unwrap();
    providers(dir.path(), &emulator, 4);
    write(
        dir.path(),
        "m/fleet.yaml",
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: f }\nprovider: hub\nsims:\n  \
         - { iccid: \"89490200001640018415\", status: active }\n  \
         - { iccid: \"89490200001640018423\", attributes: { costCenter: \"4712\", site: hamburg } }\n",
    );
    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &ENV);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let log = emulator.get("/_emulator/requests");
    let writes: Vec<(String, String, Value)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .map(|r| {
            let body = r["body"]
                .as_str()
                .map_or(Value::Null, |b| serde_json::from_str(b).unwrap_or(json!(b)));
            (
                r["path"].as_str().unwrap().to_owned(),
                r["content_type"].as_str().unwrap().to_owned(),
                body,
            )
        })
        .collect();
    let token = writes.iter().find(|w| w.0 == "/token").unwrap();
    assert_eq!(token.1, "application/x-www-form-urlencoded");
    assert_eq!(
        token.2,
        Value::Null,
        "token bodies carry secrets and are not logged"
    );
    assert!(writes.contains(&(
        "/sandbox/product/JASPER-89490200001640018415-simCard".into(),
        "application/json-patch+json".into(),
        json!([{"op": "replace", "path": "/status", "value": "ACTIVE"}]),
    )));
    assert!(writes.contains(&(
        "/sandbox/product/JASPER-89490200001640018423-simCard".into(),
        "application/json-patch-query+json".into(),
        json!([
            {"op": "replace", "path": "/customProperty?name=costCenter/value", "value": "4712"},
            {"op": "remove", "path": "/customProperty?name=legacy"},
            {"op": "add", "path": "customProperty", "value": {"name": "site", "value": "hamburg"}},
        ]),
    )));
}
