//! Onomondo's data limit against the emulator: only the single SIM's
//! answer (`GET /sims/{id}`) carries it, as the text shows, so it is read
//! per SIM for the SIMs whose manifests manage it, and a limit without an
//! alert sends no alert threshold (updating one needs the Pro package).

use serde_json::{Value, json};
use simfleet::kind::ProviderKind::Onomondo;

use crate::support::Run;
use crate::workspace::Workspace;

const SINGLE_GET: &str = "GET /sims/{sim_id}";

fn iccid(n: usize) -> String {
    simfleet::emulator::generated_iccid("8945738730", n)
}

/// Three SIMs: 1 limited to 1000 bytes a month with an alert at 800, 2
/// limited to 5 a day, 3 without a limit; provider `iot` at them.
fn limited(pro: bool) -> Workspace {
    let sim = |n: usize, limit: Value| json!({"id": format!("{n:09}"), "iccid": iccid(n), "activated": true, "data_limit": limit});
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "pro": pro,
        "sims": [
            sim(1, json!({"total": 1000, "type": "monthly", "alert_threshold": 800})),
            sim(2, json!({"total": 5, "type": "daily"})),
            sim(3, Value::Null),
        ],
    }});
    Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({"rate_limit": 200}))
}

fn limit(total: u64, period: &str) -> Value {
    json!({"onomondo": {"data_limit": {"total": total, "type": period}}})
}

fn ok(run: &Run, code: i32) {
    assert_eq!(run.code, code, "{}\n{}", run.stdout, run.stderr);
}

/// The `data_limit` objects of every PATCH sent so far.
fn limits_sent(ws: &Workspace) -> Vec<Value> {
    let patches = ws.emulator().requests().into_iter();
    let bodies = patches.filter(|r| r["method"] == "PATCH").map(|r| {
        serde_json::from_str::<Value>(r["body"].as_str().unwrap_or_default()).unwrap_or_default()
    });
    bodies
        .flat_map(|b| match b.get("sims") {
            Some(Value::Array(sims)) => sims.clone(),
            _ => vec![b],
        })
        .filter_map(|sim| sim.get("data_limit").cloned())
        .collect()
}

#[test]
fn a_declared_limit_is_read_with_one_get_for_its_sim_only_and_a_match_plans_no_changes() {
    let ws = limited(true);
    let e = ws.emulator();
    let mut one = limit(1000, "monthly");
    one["onomondo"]["data_limit"]["alert_threshold"] = json!(800);
    one["iccid"] = json!(iccid(1));
    ws.fleet(
        "iot",
        json!([one, {"iccid": iccid(2)}, {"iccid": iccid(3), "name": null}]),
    );
    ok(&ws.on_manifests(&["plan", "--detailed-exitcode"]), 0);
    assert_eq!(e.count("onomondo", SINGLE_GET), 1, "SIM 1's limit only");
    ok(&ws.on_manifests(&["drift"]), 0);
    let show = ws.on_manifests(&["sim", "show", &iccid(2)]);
    ok(&show, 0);
    show.assert_stdout("total=5");

    // Changed behind simfleet's back: drift and plan see it, apply puts
    // it back (the alert along), and the plan after holds.
    let mut state = e.get("/_emulator/state");
    state["onomondo"]["sims"][0]["data_limit"]["total"] = json!(2000);
    let put = e.send(
        "PUT",
        "/_emulator/state",
        None,
        "application/json",
        &state.to_string(),
    );
    assert_eq!(put.status, 204, "{}", put.body);
    let drift = ws.on_manifests(&["drift"]);
    ok(&drift, 2);
    drift.assert_stdout("data_limit");
    ok(&ws.on_manifests(&["apply", "--auto-approve"]), 0);
    assert_eq!(
        limits_sent(&ws),
        [json!({"total": 1000, "type": "monthly", "alert_threshold": 800})]
    );
    ok(&ws.on_manifests(&["plan", "--detailed-exitcode"]), 0);
}

#[test]
fn a_limit_without_an_alert_applies_on_an_account_without_pro() {
    let ws = limited(false);
    ws.fleet(
        "iot",
        json!([{"iccid": iccid(3), "onomondo": {"data_limit": {"total": 700, "type": "hourly"}}}]),
    );
    ok(&ws.on_manifests(&["apply", "--auto-approve"]), 0);
    assert_eq!(
        limits_sent(&ws),
        [json!({"total": 700, "type": "hourly"})],
        "no alert_threshold"
    );
    assert_eq!(
        ws.emulator().sim(Onomondo, &iccid(3))["data_limit"],
        json!({"total": 700, "type": "hourly", "alert_threshold": null})
    );
    ok(&ws.on_manifests(&["plan", "--detailed-exitcode"]), 0);

    // An alert the manifest does set is sent, and this account refuses it.
    ws.fleet(
        "iot",
        json!([{"iccid": iccid(3), "onomondo": {"data_limit":
            {"total": 700, "type": "hourly", "alert_threshold": 600}}}]),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_ne!(apply.code, 0, "{}", apply.stdout);
    apply.assert_stdout("package_required");
}

#[test]
fn an_alert_the_manifest_drops_is_cleared() {
    let ws = limited(true);
    ws.fleet(
        "iot",
        json!([{"iccid": iccid(1), "onomondo": {"data_limit": {"total": 1000, "type": "monthly"}}}]),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    ok(&plan, 2);
    ok(&ws.on_manifests(&["apply", "--auto-approve"]), 0);
    assert_eq!(
        limits_sent(&ws),
        [json!({"total": 1000, "type": "monthly", "alert_threshold": null})]
    );
    assert_eq!(
        ws.emulator().sim(Onomondo, &iccid(1))["data_limit"]["alert_threshold"],
        Value::Null
    );
    ok(&ws.on_manifests(&["plan", "--detailed-exitcode"]), 0);
}

#[test]
fn export_reads_every_limit_and_what_it_writes_plans_no_changes() {
    for flags in [&[][..], &["--all-fields"]] {
        let ws = limited(true);
        let mut args = vec!["export", "--provider", "iot", "--out", "o"];
        args.extend_from_slice(flags);
        ok(&ws.on_manifests(&args), 0);
        assert_eq!(ws.emulator().count("onomondo", SINGLE_GET), 3, "{flags:?}");
        let text = crate::export::read(&ws, "o/iot.001.yaml");
        assert!(text.contains("alert_threshold: 800"), "{flags:?}: {text}");
        assert!(text.contains("total: 5"), "{flags:?}: {text}");
        let nulls = text.matches("data_limit: null").count();
        assert_eq!(nulls, flags.len(), "{flags:?}: {text}");
        ok(&ws.run(&["plan", "--detailed-exitcode", "o"]), 0);
    }
}
