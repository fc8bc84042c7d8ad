//! Faults injected by the emulator on every path (token endpoints
//! included): lost answers never make a write land twice, and an apply
//! under a flaky network still converges in one run, for every kind.

use serde_json::json;
use simfleet::kind::ProviderKind;
use simfleet::model::Field;

use crate::support::{each_kind, kind_with};
use crate::workspace::{Workspace, sims_of};

/// `count` generated SIMs of `kind` behind provider `p`, at a generous rate.
pub fn world(kind: ProviderKind, count: usize, faults: &[&str]) -> Workspace {
    let mut extra = vec!["--rate-limit", "1000000", "--monitor-delay-ms", "300"];
    extra.extend_from_slice(faults);
    Workspace::generated(kind, count, &extra).provider(
        "p",
        kind,
        json!({"rate_limit": 1000, "concurrency": 8}),
    )
}

#[test]
fn every_kind_converges_under_ten_percent_mixed_faults_and_fails_no_sim() {
    each_kind(|f| {
        let kind = f.kind;
        // 500 changes a kind; the faults hit every call type.
        let ws = world(kind, f.five_hundred_changes, &["--fault-rate", "0.1"]);
        let iccids = ws.emulator().iccids(kind);
        let target = f.restricted;
        ws.fleet("p", sims_of(&iccids, |_| json!({ "status": target })));
        // Lost answers of writes that can be resent after a re-read
        // converge in one apply. A write that starts an operation (CMO's
        // status PATCH) is never sent twice in a run: what re-reads do not
        // show stays unknown (exit 3) and the next apply plans it afresh.
        let once = kind.capabilities().started_fields.is_empty();
        let mut applies = 0;
        loop {
            applies += 1;
            let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
            assert!(
                apply.stdout.contains(" applied, 0 failed, "),
                "{kind}: {}\n{}",
                apply.stdout,
                apply.stderr
            );
            if apply.code == 0 {
                assert!(apply.stdout.contains(", 0 skipped."), "{}", apply.stdout);
                break;
            }
            assert!(!once, "{kind}: {}\n{}", apply.stdout, apply.stderr);
            // 3 when some SIMs were applied, 1 when none were.
            assert!([1, 3].contains(&apply.code), "{kind}: {}", apply.stdout);
            assert!(apply.stdout.contains(" unknown "), "{}", apply.stdout);
            assert!(applies < 12, "{kind}: no convergence: {}", apply.stdout);
            // Monitors started by lost answers settle before the next plan.
            std::thread::sleep(std::time::Duration::from_millis(400));
        }
        let mut plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
        for _ in 0..10 {
            if plan.code == 0 {
                break;
            }
            // CMO monitors and Eseye provisioning settle within a second.
            std::thread::sleep(std::time::Duration::from_millis(300));
            plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
        }
        assert_eq!(plan.code, 0, "{kind}: {}\n{}", plan.stdout, plan.stderr);
    });
}

#[test]
fn a_provider_going_down_mid_plan_ends_it_with_one_error_and_no_flood_of_retries() {
    // 500 SIMs with attributes, of a kind that reads them one SIM at a
    // time: after the listing, one read a SIM.
    const SIMS: usize = 500;
    let kind = kind_with(|caps| caps.detail_fields.contains(&Field::Attributes));
    let declared = |ws: &Workspace| {
        let iccids = ws.emulator().iccids(kind);
        let attributes = Field::Attributes.manifest_name();
        ws.fleet(
            "p",
            sims_of(&iccids, |_| json!({ attributes: {"site": "a"} })),
        );
    };
    let up = world(kind, SIMS, &[]);
    declared(&up);
    let plan = up.on_manifests(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let reads = up.emulator().total();
    assert!(reads > SIMS as u64, "{reads} requests");

    // Down after a fifth of those reads.
    let down_after = (reads / 5).to_string();
    let ws = world(kind, SIMS, &["--down-after", &down_after]);
    declared(&ws);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
    // One error for the provider, saying it is down, and retries only
    // until the breaker opened.
    let threshold = simfleet::provider::http::breaker_threshold(8) as usize;
    let error = "error: cannot read provider `p`: provider `p` at m/providers.yaml:";
    assert_eq!(plan.stderr.matches(error).count(), 1, "{}", plan.stderr);
    assert_eq!(plan.stderr.matches("cannot be reached").count(), 1);
    plan.assert_stderr(": connection closed before an answer came); no more requests go to it");
    let warnings = plan
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .count();
    assert!(
        warnings <= threshold,
        "{warnings} warnings:\n{}",
        plan.stderr
    );
    // Bounded attempts: those that opened the breaker and those in
    // flight then (concurrency 8), and nothing after.
    let log = ws.emulator().requests();
    let unanswered = log.iter().filter(|r| r["status"] == 0).count();
    assert!(
        (threshold..threshold + 8).contains(&unanswered),
        "{unanswered} requests after the provider went down"
    );
}

/// The first kind whose renames are written one SIM a request (no bulk
/// object carrying a SIM's every change): an interrupt then falls between
/// SIMs.
fn renamed_one_by_one() -> ProviderKind {
    kind_with(|caps| caps.supports(Field::Name) && !caps.one_write_per_sim)
}

/// `simfleet ARGS` in the background, sent SIGINT after `seconds`, to
/// its end.
fn interrupted(ws: &Workspace, args: &[&str], seconds: u64) -> crate::support::Run {
    let child = ws.spawn(args);
    let pid = child.id().to_string();
    std::thread::sleep(std::time::Duration::from_secs(seconds));
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    finished(child)
}

/// The output of a finished background run.
fn finished(child: std::process::Child) -> crate::support::Run {
    let out = child.wait_with_output().expect("wait for simfleet");
    crate::support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn sigint_mid_apply_stops_sending_reports_and_exits_130_and_the_next_apply_converges() {
    // 300 name changes, one request each, at about 20 a second: 15 s.
    let kind = renamed_one_by_one();
    let ws = Workspace::generated(kind, 300, &["--latency-ms", "100"]).provider(
        "p",
        kind,
        json!({"concurrency": 2, "rate_limit": 1000}),
    );
    let iccids = ws.emulator().iccids(kind);
    ws.fleet(
        "p",
        sims_of(&iccids, |i| json!({ "name": format!("sim-{i}") })),
    );
    let run = interrupted(&ws, &["apply", "--auto-approve", "m"], 3);
    assert_eq!(run.code, 130, "{}\n{}", run.stdout, run.stderr);
    run.assert_stderr("Interrupted: sending nothing more");
    run.assert_stdout("Apply interrupted: ");
    // Renames are the only writes.
    let renames = ws.emulator().writes();
    assert!(
        renames > 0 && renames < 300,
        "{renames} renames sent before and after the interrupt"
    );
    run.assert_stdout(format!("{} not applied (never sent)", 300 - renames));

    // The rest at full speed.
    let ws = ws.provider("p", kind, json!({"concurrency": 16, "rate_limit": 1000}));
    let again = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn sigint_while_plan_or_apply_reads_says_nothing_was_written_and_exits_130() {
    // 3,000 SIMs at 300 ms a page, one page at a time: reading takes 9 s
    // at 100 SIMs a page.
    let kind = renamed_one_by_one();
    let ws = Workspace::generated(kind, 3000, &["--latency-ms", "300"]).provider(
        "p",
        kind,
        json!({"concurrency": 1, "rate_limit": 1000}),
    );
    let iccids = ws.emulator().iccids(kind);
    ws.fleet("p", sims_of(&iccids[..1], |_| json!({"name": "renamed"})));
    for command in [&["plan", "m"][..], &["apply", "--auto-approve", "m"]] {
        let run = interrupted(&ws, command, 2);
        assert_eq!(run.code, 130, "{command:?}: {}\n{}", run.stdout, run.stderr);
        run.assert_stderr("interrupted while reading; nothing was written");
    }
    let writes = ws
        .emulator()
        .requests()
        .into_iter()
        .filter(|r| r["method"] != "GET")
        .count();
    assert_eq!(writes, 0);
}

#[test]
fn sigint_while_export_reads_says_nothing_was_written_writes_no_file_and_exits_130() {
    // 3,000 SIMs of a kind that lists them in at least 30 pages, at 300 ms
    // a page, one page at a time: reading takes 9 s or more.
    let kind = ProviderKind::ALL
        .into_iter()
        .find(|k| (crate::kinds::of(*k).list_pages)(3000) >= 30)
        .expect("a kind with pages of at most 100 SIMs");
    let ws = Workspace::generated(kind, 3000, &["--latency-ms", "300"]).provider(
        "p",
        kind,
        json!({"concurrency": 1, "rate_limit": 1000}),
    );
    let iccids = ws.emulator().iccids(kind);
    ws.fleet("p", sims_of(&iccids[..1], |_| json!({})));
    let command = ["export", "--provider", "p", "--out", "exported", "m"];
    let run = interrupted(&ws, &command, 2);
    assert_eq!(run.code, 130, "{}\n{}", run.stdout, run.stderr);
    run.assert_stderr("interrupted while reading; nothing was written");
    assert!(!ws.path().join("exported").exists(), "export wrote files");
}
