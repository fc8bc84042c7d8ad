//! Trust boundaries on pull requests: what a manifest or a saved plan (both
//! under a pull request author's control) cannot make simfleet do. Names
//! that become paths stay identifiers, sandbox files are bounded and stay
//! in their folder.

use serde_json::json;

use crate::workspace::{Workspace, fleet, providers};

#[test]
fn provider_and_fleet_names_that_would_be_paths_are_validation_errors() {
    let ws = Workspace::new();
    for name in ["../../../escaped", "/tmp/x", "a/b/c", ".hidden"] {
        let entry = json!({"type": "onomondo", "sandbox": "seed.yaml"});
        ws.manifest("p.yaml", &[providers(json!({ name: entry }))]);
        let run = ws.run(&["validate", "p.yaml"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        run.assert_stderr("provider name `");
        run.assert_stderr("it becomes part of file names");
    }
    let entry = json!({"type": "onomondo", "sandbox": "seed.yaml"});
    ws.manifest(
        "p.yaml",
        &[
            providers(json!({ "ok": entry })),
            fleet("../f", "ok", json!([])),
        ],
    );
    let run = ws.run(&["validate", "p.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("fleet name `../f`");
    assert!(!ws.path().join("..").join("escaped.json").exists());
}

#[test]
fn a_sandbox_seed_that_is_a_device_is_refused_at_once() {
    let ws = Workspace::new();
    let entry = json!({"type": "onomondo", "sandbox": "/dev/zero"});
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({ "demo": entry })),
            fleet("f", "demo", json!([{"iccid": "89457387300000024185"}])),
        ],
    );
    let started = std::time::Instant::now();
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("/dev/zero");
    run.assert_stderr("not a regular file");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_sandbox_state_folder_behind_a_link_is_refused() {
    let ws = Workspace::new().with_examples();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join(".simfleet")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), ws.path().join(".simfleet/sandbox")).unwrap();
    let run = ws.run(&["plan", "examples/onomondo"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("is a symbolic link");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}
