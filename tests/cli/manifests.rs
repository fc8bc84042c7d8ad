//! Validation: every problem reported with file:line:column, before any request.

use serde_json::json;

use crate::support::{Emulator, KEY, remote_providers, repo, simfleet, write};
use crate::workspace::{Workspace, fleet, providers};

#[test]
fn five_mistakes_give_five_located_errors_and_no_request() {
    let emulator = Emulator::start(None, &[]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &remote_providers(&emulator.url("onomondo")),
    );
    write(
        dir.path(),
        "m/a.yaml",
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: a }\nprovider: iot\nsims:\n\
         \x20 - iccid: \"89457387300000024185\"\n    colour: blue\n\
         \x20 - iccid: \"89457387300000024186\"\n\
         \x20 - iccid: \"89457387300000024177\"\n    package: basic\n",
    );
    write(
        dir.path(),
        "m/b.yaml",
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: b }\nprovider: iot\nsims:\n\
         \x20 - iccid: \"89457387300000024177\"\n\
         ---\napiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: c }\nprovider: iot-us\nsims: []\n",
    );
    let run = simfleet(dir.path(), &["plan", "m"], &[KEY]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: m/"))
        .collect();
    assert_eq!(errors.len(), 5, "{}", run.stderr);
    insta::assert_snapshot!("five_mistakes", errors.join("\n"));
    assert_eq!(emulator.total(), 0, "no HTTP request may be made");
}

#[test]
fn every_example_validates() {
    let examples = repo().join("examples");
    let files = std::fs::read_dir(&examples).unwrap().count();
    assert!(files >= 2);
    let run = simfleet(&repo(), &["validate", "examples"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn committed_schema_is_up_to_date() {
    let run = simfleet(&repo(), &["schema"], &[]);
    assert_eq!(run.code, 0);
    let committed = std::fs::read_to_string(repo().join("schema/manifest.schema.json")).unwrap();
    assert_eq!(
        committed, run.stdout,
        "schema/manifest.schema.json is stale: run `cargo run -- schema > schema/manifest.schema.json`"
    );
}

#[test]
fn inline_secrets_are_refused_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.yaml",
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  iot:\n    type: onomondo\n    \
         credentials:\n      token: hunter2-inline-secret\n",
    );
    let run = simfleet(dir.path(), &["validate", "p.yaml"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("p.yaml:7:14: secrets cannot be written inline"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"));
}

#[test]
fn missing_credential_env_is_an_error_before_any_request() {
    let ws = Workspace::new().with_emulator(None, &[]);
    let url = ws.emulator().url("onomondo");
    ws.manifest(
        "fleet.yaml",
        &[
            providers(json!({"iot": {
                "type": "onomondo", "url": url,
                "credentials": {"token": {"env": "SIMFLEET_TEST_UNSET_KEY"}},
            }})),
            fleet("f", "iot", json!([{"iccid": "89457387300000024185"}])),
        ],
    );
    let run = ws.run(&["plan", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("environment variable SIMFLEET_TEST_UNSET_KEY is not set"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.emulator().total(), 0);

    // With the variable set, the same manifests plan against the emulator.
    let ws = ws.env("SIMFLEET_TEST_UNSET_KEY", KEY.1);
    let run = ws.run(&["plan", "."]);
    assert_eq!(
        run.code, 1,
        "the SIM is not at the emulator: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("is not at provider `iot`"),
        "{}",
        run.stdout
    );
}
