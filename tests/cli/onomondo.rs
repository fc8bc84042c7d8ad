//! Onomondo end to end against the emulator process: bulk batching, per-SIM
//! failures, retries, and secrets kept out of output.

use std::path::Path;

use crate::support::{Emulator, KEY, remote_providers, simfleet, write};

/// The emulator's generated ICCIDs, in order.
fn iccids(emulator: &Emulator) -> Vec<String> {
    let state = emulator.get("/_emulator/state");
    state["onomondo"]["sims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["iccid"].as_str().unwrap().to_owned())
        .collect()
}

fn fleet(dir: &Path, sims: &[String], extra: impl Fn(usize) -> String) {
    let mut text = String::from(
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: f }\nprovider: iot\nsims:\n",
    );
    for (i, iccid) in sims.iter().enumerate() {
        text.push_str(&format!("  - iccid: \"{iccid}\"\n{}", extra(i)));
    }
    write(dir, "m/fleet.yaml", &text);
}

/// An emulator with `count` generated SIMs and a workspace whose providers
/// point at it; the fleet is written by the test.
fn world(count: usize, extra: &[&str]) -> (Emulator, tempfile::TempDir) {
    let generate = format!("onomondo={count}");
    let mut args = vec!["--generate", generate.as_str()];
    args.extend_from_slice(extra);
    let emulator = Emulator::start(None, &args);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &remote_providers(&emulator.url("onomondo")),
    );
    (emulator, dir)
}

#[test]
fn forty_five_label_changes_are_three_bulk_calls() {
    let emulator = Emulator::start(None, &["--generate", "onomondo=45"]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &remote_providers(&emulator.url("onomondo")),
    );
    fleet(dir.path(), &iccids(&emulator), |i| {
        format!("    name: device-{i:02}\n")
    });

    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &[KEY]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains("Plan: 45 SIMs to change, 45 changes"),
        "{}",
        apply.stdout
    );
    assert_eq!(emulator.count("onomondo", "PATCH /sims/bulk"), 3);
    assert_eq!(emulator.count("onomondo", "PATCH /sims/{sim_id}"), 0);

    let plan = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &[KEY]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn a_failing_sim_does_not_stop_the_others_and_exits_3() {
    let emulator = Emulator::start(None, &["--generate", "onomondo=5"]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &remote_providers(&emulator.url("onomondo")),
    );
    fleet(dir.path(), &iccids(&emulator), |i| {
        let kind = if i == 2 { "yearly" } else { "monthly" };
        format!("    onomondo:\n      data_limit: {{ total: 1000, type: {kind} }}\n")
    });
    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &[KEY]);
    assert_eq!(apply.code, 3, "{}\n{}", apply.stdout, apply.stderr);
    let failed = &iccids(&emulator)[2];
    assert!(
        apply.stdout.contains(&format!(
            "failed: iot {failed} (configure): bulk update: invalid_data_limit"
        )),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("Apply complete: 4 SIMs applied, 1 failed"),
        "{}",
        apply.stdout
    );
}

#[test]
fn injected_503s_and_429s_are_retried() {
    for status in ["503", "429"] {
        let (emulator, dir) = world(30, &["--fail-every", "2", "--fail-status", status]);
        fleet(dir.path(), &iccids(&emulator), |i| {
            format!("    name: n{i}\n")
        });
        let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &[KEY]);
        assert_eq!(
            apply.code, 0,
            "{status}: {}\n{}",
            apply.stdout, apply.stderr
        );
        let plan = simfleet(dir.path(), &["plan", "--detailed-exitcode", "m"], &[KEY]);
        assert_eq!(plan.code, 0, "{status}: {}", plan.stdout);
    }
}

#[test]
fn a_wrong_key_fails_clearly_and_is_never_printed() {
    let emulator = Emulator::start(None, &["--generate", "onomondo=2"]);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/providers.yaml",
        &remote_providers(&emulator.url("onomondo")),
    );
    fleet(dir.path(), &iccids(&emulator), |_| String::new());
    let secret = "wrong-key-0f1e2d3c4b5a";
    for args in [
        &["plan", "m"][..],
        &["apply", "--auto-approve", "m"],
        &["plan", "--format", "json", "m"],
    ] {
        let run = simfleet(dir.path(), args, &[("ONOMONDO_API_KEY", secret)]);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }
    // With the right key the JSON plan carries no secret either.
    let ok = simfleet(
        dir.path(),
        &["plan", "--format", "json", "-vv", "m"],
        &[KEY],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(!ok.stdout.contains(KEY.1) && !ok.stderr.contains(KEY.1));
}

#[test]
fn tags_are_added_and_removed_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let seed = write(
        dir.path(),
        "seed.yaml",
        "onomondo:\n  api_key: simfleet-sandbox\n  tags:\n    - { id: t-1, name: pumps }\n    - { id: t-2, name: old }\n  \
         sims:\n    - { id: \"000000001\", iccid: \"89457387300000024185\", activated: true, tags: [old] }\n",
    );
    let emulator = Emulator::start(Some(&seed), &[]);
    write(
        dir.path(),
        "m/providers.yaml",
        &remote_providers(&emulator.url("onomondo")),
    );
    fleet(dir.path(), &["89457387300000024185".to_owned()], |_| {
        "    tags: [pumps]\n".into()
    });
    let apply = simfleet(dir.path(), &["apply", "--auto-approve", "m"], &[KEY]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(
        emulator.count("onomondo", "PUT /sims/{sim_id}/tags/{tag_id}"),
        1
    );
    assert_eq!(
        emulator.count("onomondo", "DELETE /sims/{sim_id}/tags/{tag_id}"),
        1
    );
    let state = emulator.get("/_emulator/state");
    assert_eq!(
        state["onomondo"]["sims"][0]["tags"],
        serde_json::json!(["t-1"])
    );

    fleet(dir.path(), &["89457387300000024185".to_owned()], |_| {
        "    tags: [nope]\n".into()
    });
    let plan = simfleet(dir.path(), &["plan", "m"], &[KEY]);
    assert_eq!(plan.code, 1);
    assert!(
        plan.stdout
            .contains("tags does not exist at the provider: nope"),
        "{}",
        plan.stdout
    );
}
