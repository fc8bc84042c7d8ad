//! The safety checks as a pull request meets them: a deliberate mass
//! status change goes through a reviewed line of the Providers manifest.

use serde_json::json;
use simfleet::model::Field;

use crate::support::kind_with;
use crate::workspace::{Workspace, sims_of};

/// 20 active SIMs of the first kind that manages status declared, 15 of
/// them restricted: 75% of them would change status. `entry` is merged
/// into the provider entry.
fn mass_deactivation(entry: serde_json::Value) -> Workspace {
    let kind = kind_with(|caps| caps.supports(Field::Status));
    // Enough generated SIMs that every kind has 20 active ones among them.
    let ws = Workspace::generated(kind, 200, &[]).provider("iot", kind, entry);
    let active = ws.emulator().restrictable(kind);
    assert!(active.len() >= 20, "{kind}: {} active SIMs", active.len());
    let restricted = crate::kinds::of(kind).restricted;
    let declared = sims_of(
        &active[..20],
        |n| json!({"status": if n < 15 { restricted } else { "active" }}),
    );
    ws.fleet("iot", declared);
    ws
}

#[test]
fn the_status_change_threshold_is_a_reviewed_manifest_line_and_the_flag_overrides_it() {
    // The default refuses, and says how to raise it through review.
    let ws = mass_deactivation(json!({}));
    let plan = ws.on_manifests(&["plan", "--format", "markdown"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    plan.assert_stdout(
        "15 of 20 managed SIMs (75%) would change status, more than 30% (the default)",
    );
    plan.assert_stdout(
        "raise \\`max\\_change\\_percent\\` of the provider in its Providers manifest",
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("apply refused by 1 safety check(s)");
    assert_eq!(ws.emulator().writes(), 0, "a refused apply wrote");

    // Raised in the Providers manifest: the pull request's diff shows it.
    let ws = mass_deactivation(json!({"max_change_percent": 80}));
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(!plan.stdout.contains("would refuse"), "{}", plan.stdout);
    // The operator's flag still has the last word, either way.
    let strict = ws.on_manifests(&["plan", "--max-change-percent", "50"]);
    strict.assert_stdout("more than 50% (--max-change-percent)");
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    ws.on_manifests(&["plan"]).assert_stdout("No changes.");

    // Out of range, it is a manifest problem with its position.
    let ws = mass_deactivation(json!({"max_change_percent": 150}));
    let validate = ws.on_manifests(&["validate"]);
    assert_eq!(validate.code, 1, "{}", validate.stderr);
    validate.assert_stderr("`max_change_percent` must be between 0 and 100 percent, not 150");
}
