//! Output formats shared by every provider kind (the rendering exists once):
//! the pull-request markdown stays within GitHub's comment limit, and the
//! apply JSON report is an audit record of every SIM.

use serde_json::json;
use simfleet::kind::ProviderKind;
use simfleet::model::Field;

use crate::support::kind_with;
use crate::workspace::{Workspace, sims_of};

/// The first kind that manages names: the reports here show renames.
fn named() -> ProviderKind {
    kind_with(|caps| caps.supports(Field::Name))
}

#[test]
fn markdown_past_the_comment_limit_cuts_details_and_counts_them() {
    let kind = named();
    let ws =
        Workspace::generated(kind, 1_500, &[]).provider("iot", kind, json!({"rate_limit": 200}));
    let iccids = ws.emulator().iccids(kind);
    ws.fleet(
        "iot",
        sims_of(&iccids, |i| json!({"name": format!("renamed-pump-{i:05}")})),
    );
    for (command, marker, total) in [
        (
            "plan",
            "<!-- simfleet:plan -->\n",
            format!("| iot | {kind} | 1500 |"),
        ),
        (
            "drift",
            "<!-- simfleet:drift -->\n",
            format!("| iot | {kind} | 1500 | 1500 |"),
        ),
    ] {
        let run = ws.on_manifests(&[command, "--format", "markdown"]);
        assert!(run.code == 0 || run.code == 2, "{command}: {}", run.stderr);
        let md = &run.stdout;
        let chars = md.chars().count();
        assert!(chars <= 65_536, "{command}: {chars} characters");
        assert!(chars > 60_000, "{command}: the budget is used: {chars}");
        assert!(md.starts_with(marker), "{command}: {}", &md[..80]);
        assert!(md.contains(&total), "{command}: the summary is whole");
        let shown = md.matches("<details>").count();
        let cut = format!("_{} more SIMs not shown", 1_500 - shown);
        assert!(md.contains(&cut), "{command}: expected `{cut}`");
    }
    // The verdict comes before anything that could be cut.
    let plan = ws.on_manifests(&["plan", "--format", "markdown"]);
    let safety = plan.stdout.find("**Safety:** no refusals.").unwrap();
    assert!(safety < plan.stdout.find("<details>").unwrap());
}

#[test]
fn drift_counts_in_json_and_fails_on_unmanaged_sims_when_asked() {
    // 30 SIMs at the provider, 20 declared as they are: no drift, 10
    // unmanaged.
    let kind = named();
    let ws = Workspace::generated(kind, 30, &[]).provider("iot", kind, json!({}));
    let iccids = ws.emulator().iccids(kind);
    ws.fleet("iot", sims_of(&iccids[..20], |_| json!({})));
    let drift = ws.on_manifests(&["drift"]);
    assert_eq!(drift.code, 0, "{}\n{}", drift.stdout, drift.stderr);
    drift.assert_stdout("No drift.");
    drift.assert_stdout(
        "10 SIMs at the provider are in no manifest: `simfleet export --unmanaged-only`",
    );
    let strict = ws.on_manifests(&["drift", "--fail-on-unmanaged"]);
    assert_eq!(strict.code, 2, "{}", strict.stdout);
    let json = ws.on_manifests(&["drift", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["totals"]["managed"], 20);
    assert_eq!(doc["totals"]["unmanaged"], 10);
    assert_eq!(doc["providers"][0]["totals"]["drifted"], 0);
    crate::schemas::assert_valid("drift", &json.stdout);
    // When it was taken, in JSON and in the markdown.
    let taken = doc["taken_at"].as_str().unwrap();
    assert_eq!(crate::support::timeless(taken), "TIME", "{taken}");
    let markdown = ws.on_manifests(&["drift", "--format", "markdown"]);
    let line = markdown
        .stdout
        .lines()
        .find(|l| l.starts_with("_Live state as of "))
        .unwrap();
    assert_eq!(crate::support::timeless(line), "_Live state as of TIME._");

    // Declared differently, drift exits 2 either way.
    ws.fleet(
        "iot",
        sims_of(&iccids[..20], |i| json!({"name": format!("n-{i}")})),
    );
    assert_eq!(ws.on_manifests(&["drift"]).code, 2);
}

#[test]
fn a_provider_that_cannot_be_read_is_unmistakable_in_every_format() {
    // A kind whose sandbox takes one credential: one variable is the key.
    let kind = kind_with(|caps| caps.sandbox_credentials.len() == 1);
    let key = kind.capabilities().sandbox_credentials[0].1;
    let ws = Workspace::generated(kind, 10, &[])
        .env("GOOD_KEY", key)
        .env("WRONG_KEY", "not-the-key-0123456789");
    let url = ws.emulator().url(kind.mount());
    let entry = |var: &str| {
        let credentials = crate::support::credentials_from(kind, var);
        json!({"type": kind.as_str(), "url": url, "credentials": credentials})
    };
    let iccids = ws.emulator().iccids(kind);
    ws.manifest(
        "m/p.yaml",
        &[
            crate::workspace::providers(
                json!({"good": entry("GOOD_KEY"), "bad": entry("WRONG_KEY")}),
            ),
            crate::workspace::fleet("a", "good", sims_of(&iccids[..5], |_| json!({}))),
            crate::workspace::fleet("b", "bad", sims_of(&iccids[5..], |_| json!({}))),
        ],
    );
    let text = ws.on_manifests(&["plan"]);
    assert_eq!(text.code, 1, "{}", text.stdout);
    let header = text.stdout.lines().next().unwrap();
    assert!(
        header.starts_with(&format!("provider bad ({kind}): could not be read:")),
        "{header}"
    );
    assert!(!header.contains("managed"), "{header}");
    // The error line closes the output, after the summary.
    let last = text.stdout.lines().last().unwrap();
    assert_eq!(
        last, "Error: 1 problem in the plan; nothing can be applied.",
        "{}",
        text.stdout
    );

    let markdown = ws.on_manifests(&["plan", "--format", "markdown"]);
    assert_eq!(markdown.code, 1);
    markdown.assert_stdout(format!("| bad | {kind} | **could not be read:** "));
    markdown.assert_stdout("**Errors: nothing can be applied**");
    assert!(
        !markdown.stdout.contains(&format!("| bad | {kind} | 5 |")),
        "{}",
        markdown.stdout
    );

    let json = ws.on_manifests(&["plan", "--format", "json"]);
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["totals"]["providers"]["bad"]["unreadable"], 1);
    assert_eq!(doc["totals"]["all"]["unreadable"], 1);
    assert!(doc["providers"][0]["unreadable"].is_string(), "{doc}");
}

#[test]
fn the_apply_json_report_is_an_audit_record_of_every_sim() {
    let kind = named();
    let ws = Workspace::generated(kind, 30, &[]).provider("iot", kind, json!({}));
    let iccids = ws.emulator().iccids(kind);
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
