//! Sandbox state across runs: one run at a time, nothing lost, and a
//! damaged state file is an error rather than a silent re-seed.

use serde_json::json;
use simfleet::emulator::generated_iccid;

use crate::support::Run;
use crate::workspace::{Workspace, providers, sims_of};

const SIMS: usize = 2000;

/// A sandbox seed of `SIMS` Onomondo SIMs, and manifest folders `a/` and
/// `b/` that each rename their own half of them.
fn two_halves() -> (Workspace, Vec<String>) {
    let ws = Workspace::new();
    let iccids: Vec<String> = (0..SIMS)
        .map(|n| generated_iccid("8945738730", n))
        .collect();
    let sims: Vec<_> = iccids
        .iter()
        .enumerate()
        .map(|(n, iccid)| json!({"id": format!("{n:09}"), "iccid": iccid, "activated": true}))
        .collect();
    ws.file(
        "seed.yaml",
        &json!({"onomondo": {"tags": [], "sims": sims}}).to_string(),
    );
    for (dir, half) in [("a", &iccids[..SIMS / 2]), ("b", &iccids[SIMS / 2..])] {
        let entry = json!({"type": "onomondo", "sandbox": "../seed.yaml", "rate_limit": 1000});
        ws.manifest(
            &format!("{dir}/providers.yaml"),
            &[providers(json!({ "demo": entry }))],
        );
        let sims = sims_of(half, |i| json!({ "name": format!("{dir}-{i}") }));
        ws.manifest(
            &format!("{dir}/fleet.yaml"),
            &[crate::workspace::fleet("f", "demo", sims)],
        );
    }
    (ws, iccids)
}

fn finished(child: std::process::Child) -> Run {
    let out = child.wait_with_output().expect("wait for simfleet");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn two_applies_at_once_take_turns_and_lose_nothing() {
    let (ws, _) = two_halves();
    let a = ws.spawn(&["apply", "--auto-approve", "a"]);
    let b = ws.spawn(&["apply", "--auto-approve", "b"]);
    // Both drained at once: the one holding the lock must never block on
    // a full pipe while the test waits on the other.
    let (a, b) = (
        std::thread::spawn(move || finished(a)),
        std::thread::spawn(move || finished(b)),
    );
    for run in [a.join().unwrap(), b.join().unwrap()] {
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        run.assert_stdout("1000 SIMs applied");
    }
    for dir in ["a", "b"] {
        let plan = ws.run(&["plan", "--detailed-exitcode", dir]);
        assert_eq!(plan.code, 0, "{dir}'s changes were lost:\n{}", plan.stdout);
    }
}

#[test]
fn a_damaged_sandbox_state_is_an_error_naming_the_file_and_the_way_out() {
    let (ws, _) = two_halves();
    let apply = ws.run(&["apply", "--auto-approve", "a"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    let state = ws.path().join(".simfleet/sandbox/demo.json");
    let text = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, &text[..text.len() / 2]).unwrap();
    let plan = ws.run(&["plan", "a"]);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    plan.assert_stderr(".simfleet/sandbox/demo.json is damaged");
    plan.assert_stderr("delete it to start again from the seed");
    // Left as it was: the user decides.
    assert_eq!(
        std::fs::read_to_string(&state).unwrap().len(),
        text.len() / 2
    );
}
