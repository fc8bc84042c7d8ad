//! The README's main job: plan → apply → plan on the bundled sandbox.

use crate::support::{copy_dir, repo, simfleet};

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples"), &dir.path().join("examples"));
    copy_dir(&repo().join("sandbox"), &dir.path().join("sandbox"));
    dir
}

#[test]
fn apply_without_approval_in_ci_changes_nothing() {
    let dir = workspace();
    let apply = simfleet(dir.path(), &["apply", "examples/onomondo"], &[]);
    assert_eq!(apply.code, 1);
    assert!(
        apply.stderr.contains("pass --auto-approve"),
        "{}",
        apply.stderr
    );
    let plan = simfleet(
        dir.path(),
        &["plan", "--detailed-exitcode", "examples/onomondo"],
        &[],
    );
    assert_eq!(plan.code, 2, "nothing may have been applied");
}

#[test]
fn json_plan_is_stable_and_versioned() {
    let dir = workspace();
    let args = ["plan", "--format", "json", "examples/onomondo"];
    let first = simfleet(dir.path(), &args, &[]);
    let second = simfleet(dir.path(), &args, &[]);
    assert_eq!(first.code, 0);
    assert_eq!(
        first.stdout, second.stdout,
        "same inputs, same plan, byte for byte"
    );
    let plan: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(plan["format_version"], 1);
    let sims = plan["providers"][0]["sims"].as_array().unwrap();
    let iccids: Vec<&str> = sims.iter().map(|s| s["iccid"].as_str().unwrap()).collect();
    let mut sorted = iccids.clone();
    sorted.sort();
    assert_eq!(iccids, sorted);
}

#[test]
fn protected_sim_is_not_restricted_without_force() {
    let dir = workspace();
    let fleet = dir.path().join("examples/onomondo/water-pumps.yaml");
    let text = std::fs::read_to_string(&fleet).unwrap();
    let text = text.replace(
        "    tags: [site-a]\n    protect: true",
        "    tags: [site-a]\n    protect: true\n    status: inactive",
    );
    std::fs::write(&fleet, text).unwrap();
    let apply = simfleet(
        dir.path(),
        &["apply", "--auto-approve", "examples/onomondo"],
        &[],
    );
    assert_eq!(apply.code, 1);
    assert!(
        apply.stderr.contains("89457387300000024193 is protected"),
        "{}",
        apply.stderr
    );
    assert!(apply.stderr.contains("--force"), "{}", apply.stderr);
}
