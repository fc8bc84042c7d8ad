//! Output formats shared by every provider kind (the rendering exists once):
//! the pull-request markdown stays within GitHub's comment limit, and the
//! apply JSON report is an audit record of every SIM.

use serde_json::json;
use simfleet::kind::ProviderKind::Onomondo;

use crate::workspace::{Workspace, sims_of};

#[test]
fn markdown_past_the_comment_limit_cuts_details_and_counts_them() {
    let ws = Workspace::generated(Onomondo, 1_500, &[]).provider(
        "iot",
        Onomondo,
        json!({"rate_limit": 200}),
    );
    let iccids = ws.emulator().iccids(Onomondo);
    ws.fleet(
        "iot",
        sims_of(&iccids, |i| json!({"name": format!("renamed-pump-{i:05}")})),
    );
    for (command, marker, total) in [
        (
            "plan",
            "<!-- simfleet:plan -->\n",
            "| iot | onomondo | 1500 |",
        ),
        (
            "drift",
            "<!-- simfleet:drift -->\n",
            "| iot | onomondo | 1500 | 1500 |",
        ),
    ] {
        let run = ws.on_manifests(&[command, "--format", "markdown"]);
        assert!(run.code == 0 || run.code == 2, "{command}: {}", run.stderr);
        let md = &run.stdout;
        let chars = md.chars().count();
        assert!(chars <= 65_536, "{command}: {chars} characters");
        assert!(chars > 60_000, "{command}: the budget is used: {chars}");
        assert!(md.starts_with(marker), "{command}: {}", &md[..80]);
        assert!(md.contains(total), "{command}: the summary is whole");
        let shown = md.matches("<details>").count();
        let cut = format!("_{} more SIMs not shown", 1_500 - shown);
        assert!(md.contains(&cut), "{command}: expected `{cut}`");
    }
    // What follows the plan's details survives the cut.
    let plan = ws.on_manifests(&["plan", "--format", "markdown"]);
    assert!(
        plan.stdout.ends_with("**Safety:** no refusals.\n"),
        "{}",
        plan.stdout
    );
}

#[test]
fn the_apply_json_report_is_an_audit_record_of_every_sim() {
    let ws = Workspace::generated(Onomondo, 30, &[]).provider("iot", Onomondo, json!({}));
    let iccids = ws.emulator().iccids(Onomondo);
    ws.fleet(
        "iot",
        sims_of(&iccids, |i| json!({"name": format!("pump-{i}")})),
    );
    let named = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    ws.fleet(
        "iot",
        sims_of(&iccids, |i| json!({"name": format!("well-{i}")})),
    );
    let plan = ws.on_manifests(&["plan", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("plan.json")).unwrap())
            .unwrap();

    let before = simfleet::clock::rfc3339(std::time::SystemTime::now());
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--format", "json"]);
    let after = simfleet::clock::rfc3339(std::time::SystemTime::now());
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    crate::schemas::assert_valid("apply", &apply.stdout);
    let doc: serde_json::Value = serde_json::from_str(&apply.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["simfleet_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["manifests_digest"], saved["manifests_digest"]);
    assert!(
        doc["manifests_digest"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let totals = json!({
        "sims": 30, "applied": 30, "not_converged": 0, "failed": 0, "unknown": 0,
        "not_attempted": 0, "skipped": 0, "interrupted": 0, "changes": 30,
    });
    assert_eq!(doc["totals"], totals);
    let provider = &doc["providers"][0];
    assert_eq!(provider["totals"], totals);
    let sims = provider["sims"].as_array().unwrap();
    assert_eq!(sims.len(), 30);
    for sim in sims {
        let iccid = sim["iccid"].as_str().unwrap();
        let i = iccids.iter().position(|c| c == iccid).unwrap();
        assert_eq!(sim["outcome"], "applied", "{sim}");
        let field = &sim["fields"][0];
        assert_eq!(field["field"], "name", "{sim}");
        assert_eq!(field["before"], format!("pump-{i}"), "{sim}");
        assert_eq!(field["after"], format!("well-{i}"), "{sim}");
        // RFC 3339 UTC, within the run.
        let time = sim["time"].as_str().unwrap();
        assert!(time.len() == 20 && time.ends_with('Z'), "{time}");
        assert!(
            before.as_str() <= time && time <= after.as_str(),
            "{before} {time} {after}"
        );
    }
}
