//! The README's main job: plan → apply → plan on the bundled sandbox.

use crate::workspace::Workspace;

fn workspace() -> Workspace {
    Workspace::new().with_examples()
}

#[test]
fn apply_without_approval_in_ci_changes_nothing() {
    let dir = workspace();
    let apply = dir.run(&["apply", "examples/onomondo"]);
    assert_eq!(apply.code, 1);
    apply.assert_stderr("pass --auto-approve");
    let plan = dir.run(&["plan", "--detailed-exitcode", "examples/onomondo"]);
    assert_eq!(plan.code, 2, "nothing may have been applied");
}

#[test]
fn json_plan_is_stable_and_versioned() {
    let dir = workspace();
    let args = ["plan", "--format", "json", "examples/onomondo"];
    let first = dir.run(&args);
    let second = dir.run(&args);
    assert_eq!(first.code, 0);
    crate::schemas::assert_valid("plan", &first.stdout);
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
    let apply = dir.run(&["apply", "--auto-approve", "examples/onomondo"]);
    assert_eq!(apply.code, 1);
    apply.assert_stderr("89457387300000024193 is protected");
    apply.assert_stderr("--force");
}

#[test]
fn usage_errors_and_empty_selections_exit_1_never_2() {
    let dir = workspace();
    let bogus = dir.run(&[
        "plan",
        "--detailed-exitcode",
        "--bogus",
        "examples/onomondo",
    ]);
    assert_eq!(bogus.code, 1, "{}", bogus.stderr);
    let percent = dir.run(&["plan", "--max-change-percent", "150", "examples/onomondo"]);
    assert_eq!(percent.code, 1, "{}", percent.stderr);
    percent.assert_stderr("150 is outside 0-100");
    let select = dir.run(&[
        "plan",
        "--detailed-exitcode",
        "--select",
        "tag=nonexistent",
        "examples/onomondo",
    ]);
    assert_eq!(select.code, 1, "{}", select.stdout);
    select.assert_stderr("--select tag=nonexistent: matches no SIM");
    let help = dir.run(&["plan", "--help"]);
    assert_eq!(help.code, 0);
    help.assert_stdout("--show-unmanaged");
}

#[test]
fn completions_and_the_man_page_are_generated() {
    let dir = workspace();
    for shell in ["bash", "zsh", "fish"] {
        let run = dir.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        run.assert_stdout("drift");
    }
    let man = dir.run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    man.assert_stdout(".TH simfleet 1");
}
