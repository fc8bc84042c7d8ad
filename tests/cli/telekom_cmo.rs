//! Telekom CMO end to end against the emulator process: sync and async
//! backends, monitors, token expiry, and the exact JSON Patch bodies sent.

use serde_json::{Value, json};
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind::TelekomCmo;

use crate::fixture::Fixture;
use crate::support::scripted;
use crate::workspace::{Workspace, sims_of};

/// Telekom CMO's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: TelekomCmo,
    past_end: crate::fixture::PastEnd::Empty("/sandbox/product?pageNumber=999&pageSize=100"),
    list_key: "entities",
    list_path: "/t/product",
    list_route: "GET /{tenant}/product",
    token_route: Some("POST /token"),
    auxiliary_routes: &[],
    auxiliary_reads: 0,
    follow_routes: &["GET /{tenant}/monitor/{id}"],
    unknown_sim: "/sandbox/product/BACKEND-89000000000000000000",
    error_shape: |b| b["title"].is_string() && b["status"].is_number(),
    authorization: |e| {
        crate::fixture::authorization({
            let key = simfleet::kind::SANDBOX_KEY;
            let form = format!(
                "grant_type=client_credentials&client_id=simfleet&client_secret={key}&scope=openid"
            );
            e.bearer("/telekom-cmo/token", None, &form)
        })
    },
    // Products, whose ids are `BACKEND-ICCID`; satellite products are no SIMs.
    never_called: &[],
    records: "products",
    iccid: |p| {
        let cellular = p["connectivityType"] == "CELLULAR";
        let id = p["id"].as_str().filter(|_| cellular)?;
        id.split_once('-').map(|(_, iccid)| iccid.to_owned())
    },
    // On the JASPER backend a status change is answered at once (no monitor).
    restrictable: |p| {
        p["status"] == "ACTIVE" && p["id"].as_str().is_some_and(|id| id.starts_with("JASPER-"))
    },
    change_behind_the_plan: |product| {
        product["status"] = json!("SUSPENDED");
        "status"
    },
    restricted: "suspended",
    // 100 a page without a total: the listing ends at the first short page.
    list_pages: |n| n / 100 + 1,
    thirty_writes: 180,
    // Generated products rotate three statuses: 750 hold 500 that change.
    five_hundred_changes: 750,
    three_hundred_requests: || (150, json!({"attributes": {"site": "north"}})),
    scripted_settings: &[("token_url", "{url}/token"), ("tenant", "t")],
};

/// Provider `hub` at the emulator's tenant `sandbox`.
fn at_emulator(ws: Workspace, concurrency: u32) -> Workspace {
    ws.provider(
        "hub",
        TelekomCmo,
        json!({"rate_limit": 200, "concurrency": concurrency}),
    )
}

fn products(ws: &Workspace) -> Vec<Value> {
    match ws.emulator().state(TelekomCmo)["products"].take() {
        Value::Array(products) => products,
        other => panic!("products: {other}"),
    }
}

/// A fleet moving every listed product to another status.
fn fleet_changing(ws: &Workspace, products: &[Value]) {
    let sims = products.iter().map(|p| {
        let id = p["id"].as_str().unwrap();
        let target = if p["status"] == "ACTIVE" {
            "suspended"
        } else {
            "active"
        };
        let iccid = id.split_once('-').unwrap().1;
        json!({"iccid": iccid, "status": target})
    });
    ws.fleet("hub", Value::Array(sims.collect()));
}

#[test]
fn sync_and_async_backends_report_how_each_change_completed() {
    let ws = at_emulator(
        Workspace::sandbox(TelekomCmo, &["--monitor-delay-ms", "300"]),
        4,
    );
    ws.example_fleets(TelekomCmo);

    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("done: hub 89490200001640018415 (enable): completed synchronously");
    apply.assert_stdout("done: hub 89490200001640018449 (enable): completed after monitor");
    // The BLOCKED SIM is never written to; the SATELLITE product is no SIM.
    let log = ws.emulator().requests();
    assert!(
        log.iter().all(|r| r["method"] == "GET"
            || !r["path"].as_str().unwrap().contains("89490200001640018464"))
    );
    let plan = ws.on_manifests(&["plan"]);
    assert!(!plan.stdout.contains("INTELSAT"), "{}", plan.stdout);
    ws.assert_no_secret(&[&apply, &plan]);
}

#[test]
fn ten_async_changes_wait_for_monitors_and_errors_are_per_sim() {
    let ws = at_emulator(
        Workspace::generated(
            TelekomCmo,
            30,
            &["--monitor-delay-ms", "300", "--monitor-fail-every", "5"],
        ),
        10,
    );
    let async_ones: Vec<Value> = products(&ws)
        .into_iter()
        .filter(|p| p["id"].as_str().unwrap().starts_with("TMSP-") && p["status"] != "ACTIVE")
        .collect();
    // All to active: one phase, so one SIM's failure cannot hold the others back.
    assert_eq!(async_ones.len(), 10);
    fleet_changing(&ws, &async_ones);

    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(apply.code, 3, "{}\n{}", apply.stdout, apply.stderr);
    let completed = apply.stdout.matches("completed after monitor").count();
    let failed: Vec<&str> = apply
        .stdout
        .lines()
        .filter(|l| l.starts_with("failed:"))
        .collect();
    assert_eq!((completed, failed.len()), (8, 2), "{}", apply.stdout);
    for line in failed {
        assert!(
            line.contains("ended InError: backend rejected the change"),
            "{line}"
        );
    }
    let polls = ws
        .emulator()
        .count("telekom-cmo", "GET /{tenant}/monitor/{id}");
    assert!(
        (10..=60).contains(&polls),
        "{polls} monitor polls for 10 monitors"
    );
}

#[test]
fn tokens_expiring_every_two_seconds_never_fail_an_apply() {
    let ws = at_emulator(
        Workspace::generated(
            TelekomCmo,
            60,
            &[
                "--token-expiry",
                "2",
                "--latency-ms",
                "300",
                "--monitor-delay-ms",
                "200",
                "--rate-limit",
                "100000",
            ],
        ),
        2,
    );
    fleet_changing(&ws, &products(&ws));
    let start = std::time::Instant::now();
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let tokens = ws.emulator().count("telekom-cmo", "POST /token");
    assert!(
        tokens as f64 >= start.elapsed().as_secs_f64() / 2.0 - 1.0,
        "{tokens} tokens over {:?}",
        start.elapsed()
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn exact_content_types_and_json_patch_bodies() {
    let ws = at_emulator(Workspace::sandbox(TelekomCmo, &[]), 4);
    ws.fleet(
        "hub",
        json!([
            {"iccid": "89490200001640018415", "status": "active"},
            {"iccid": "89490200001640018423", "attributes": {"costCenter": "4712", "site": "hamburg"}},
        ]),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let writes: Vec<(String, String, Value)> = ws
        .emulator()
        .requests()
        .iter()
        .filter(|r| r["method"] != "GET")
        .map(|r| {
            let body = r["body"]
                .as_str()
                .map_or(Value::Null, |b| serde_json::from_str(b).unwrap_or(json!(b)));
            (
                r["path"].as_str().unwrap().to_owned(),
                r["content_type"].as_str().unwrap().to_owned(),
                body,
            )
        })
        .collect();
    let token = writes.iter().find(|w| w.0 == "/token").unwrap();
    assert_eq!(token.1, "application/x-www-form-urlencoded");
    assert_eq!(
        token.2,
        Value::Null,
        "token bodies carry secrets and are not logged"
    );
    assert!(writes.contains(&(
        "/sandbox/product/JASPER-89490200001640018415-simCard".into(),
        "application/json-patch+json".into(),
        json!([{"op": "replace", "path": "/status", "value": "ACTIVE"}]),
    )));
    assert!(writes.contains(&(
        "/sandbox/product/JASPER-89490200001640018423-simCard".into(),
        "application/json-patch-query+json".into(),
        json!([
            {"op": "replace", "path": "/customProperty/value?customProperty.name=costCenter", "value": "4712"},
            {"op": "remove", "path": "/customProperty?customProperty.name=legacy"},
            {"op": "add", "path": "customProperty", "value": {"name": "site", "value": "hamburg"}},
        ]),
    )));
    // The patch is computed from the plan's own read of the properties:
    // that read and the read-back, no third.
    let reads = ws.emulator().requests();
    let reads = reads
        .iter()
        .filter(|r| {
            r["method"] == "GET" && r["path"] == "/sandbox/product/JASPER-89490200001640018423"
        })
        .count();
    assert_eq!(reads, 2);
}

#[test]
fn a_tenant_of_120_products_without_a_total_count_is_read_to_its_short_page() {
    let ws = at_emulator(Workspace::generated(TelekomCmo, 120, &[]), 4);
    let e = ws.emulator();
    let iccids = e.iccids(TelekomCmo);
    ws.fleet("hub", crate::workspace::sims_of(&iccids, |_| json!({})));
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("120 managed");
    let pages: Vec<String> = e
        .requests()
        .into_iter()
        .filter(|r| r["route"] == "/{tenant}/product")
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pages.len(), 2, "100 and then 20: {pages:?}");
}

#[test]
fn the_emulator_answers_async_changes_with_only_a_monitor_link_and_polls_without_id() {
    let ws = Workspace::sandbox(TelekomCmo, &["--monitor-delay-ms", "100"]);
    let e = ws.emulator();
    let form = "grant_type=client_credentials&client_id=simfleet&\
                client_secret=simfleet-sandbox&scope=openid";
    let auth = e.bearer("/telekom-cmo/token", None, form);
    let patch = r#"[{"op":"replace","path":"/status","value":"ACTIVE"}]"#;
    let answer = e.send(
        "PATCH",
        "/telekom-cmo/sandbox/product/TMSP-89490200001640018449-simCard",
        Some(&auth),
        "application/json-patch+json",
        patch,
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let link = answer.body.trim();
    assert!(
        link.starts_with("http://") && link.contains("/sandbox/monitor/89490200001640018449-"),
        "{link}"
    );
    assert!(!answer.head.to_ascii_lowercase().contains("location:"));
    let monitor = &link[link.find("/telekom-cmo/").unwrap()..];
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (status, body) = e.request("GET", monitor, Some(&auth), "");
    let poll: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, poll["state"].clone()), (200, json!("Completed")));
    assert!(
        poll.get("id").is_none() && poll["sourceHref"].is_string(),
        "{poll}"
    );
}

#[test]
fn the_emulator_takes_tmf630_property_paths_and_refuses_the_old_ones() {
    let ws = Workspace::sandbox(TelekomCmo, &[]);
    let e = ws.emulator();
    let form = "grant_type=client_credentials&client_id=simfleet&\
                client_secret=simfleet-sandbox&scope=openid";
    let auth = e.bearer("/telekom-cmo/token", None, form);
    let sim = "/telekom-cmo/sandbox/product/JASPER-89490200001640018423-simCard";
    let send = |ops: Value| {
        e.send(
            "PATCH",
            sim,
            Some(&auth),
            "application/json-patch-query+json",
            &ops.to_string(),
        )
        .status
    };
    for old in [
        json!([{"op": "replace", "path": "/customProperty?name=costCenter/value", "value": "1"}]),
        json!([{"op": "remove", "path": "/customProperty?name=legacy"}]),
    ] {
        assert_eq!(send(old.clone()), 400, "{old}");
    }
    let ok = json!([
        {"op": "replace", "path": "/customProperty/value?customProperty.name=costCenter", "value": "9"},
        {"op": "remove", "path": "/customProperty?customProperty.name=legacy"},
    ]);
    assert_eq!(send(ok), 200);
    let product = e.state(TelekomCmo)["products"][1].clone();
    assert_eq!(
        product["customProperty"],
        json!([{"name": "costCenter", "value": "9"}])
    );
}

#[test]
fn every_status_patch_committed_then_dropped_is_sent_once_and_the_next_apply_converges() {
    // Monitors outlast every re-read (0, 1 and 3 s): an asynchronous
    // suspension whose answer was lost cannot be seen in this run.
    let ws = at_emulator(
        Workspace::generated(
            TelekomCmo,
            60,
            &[
                "--fault-rate",
                "1",
                "--faults",
                "commit-drop",
                "--fault-methods",
                "PATCH",
                "--monitor-delay-ms",
                "6000",
            ],
        ),
        8,
    );
    // Every PATCH loses its answer: one fewer than the breaker's threshold,
    // since that many in a row would stop the run (the conformance suite
    // proves that). Generated products rotate ACTIVE, INACTIVE, SUSPENDED
    // and alternate JASPER (sync) and TMSP (async).
    let changes = simfleet::provider::http::breaker_threshold(8) as usize - 1;
    let chosen: Vec<Value> = products(&ws)
        .into_iter()
        .filter(|p| p["connectivityType"] == "CELLULAR")
        .take(changes)
        .collect();
    let async_suspensions = chosen
        .iter()
        .filter(|p| p["status"] == "ACTIVE" && p["id"].as_str().unwrap().starts_with("TMSP-"))
        .count();
    assert!(async_suspensions > 0);
    fleet_changing(&ws, &chosen);
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    let patches: Vec<(String, String)> = ws
        .emulator()
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "PATCH")
        .map(|r| {
            let path = r["path"].as_str().unwrap().to_owned();
            (path, r["body"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    let distinct: std::collections::BTreeSet<&(String, String)> = patches.iter().collect();
    assert_eq!(patches.len(), changes, "each planned change is sent");
    assert_eq!(distinct.len(), changes, "and none twice");
    // Activations show at once (ACTIVE, or PENDING_ACTIVE while their
    // monitor runs); TMSP suspensions do not: unknown, never resent.
    assert_eq!(apply.code, 3, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout(format!(
        "Apply finished with failures: {} applied, 0 failed, {async_suspensions} unknown (",
        changes - async_suspensions
    ));
    assert_eq!(
        apply.stdout.matches("\nunknown: ").count(),
        async_suspensions,
        "{}",
        apply.stdout
    );
    apply.assert_stdout("it is not sent again in this run");

    // Once the monitors settled, the next apply has nothing left to do.
    std::thread::sleep(std::time::Duration::from_millis(6500));
    let again = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    again.assert_stdout("No changes.");
}

#[test]
fn cmo_reads_all_pages_a_total_count_gives() {
    let product = |i: usize| {
        json!({"id": format!("JASPER-{}", generated_iccid("8949020000", i)),
               "connectivityType": "CELLULAR", "status": "ACTIVE"})
    };
    let (url, seen) = scripted(move |line| {
        crate::envelopes::token(line).unwrap_or_else(|| {
            let range = if line.contains("pageNumber=2") {
                100..150
            } else {
                0..100
            };
            let page = json!({"entities": range.map(product).collect::<Vec<_>>(),
                              "statistics": {"currentPage": 1, "pageSize": 100, "totalCount": 150}});
            (200, page.to_string())
        })
    });
    let iccids: Vec<String> = (0..150).map(|i| generated_iccid("8949020000", i)).collect();
    let ws = crate::envelopes::at(TelekomCmo, &url, &iccids);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let lists = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/t/product?"))
        .count();
    assert_eq!(lists, 2, "the total gives two pages");
}

#[test]
fn cmo_status_changes_whose_answers_are_lost_start_one_monitor_each_and_count_as_applied() {
    let ws = crate::faults::world(
        TelekomCmo,
        150,
        &[
            "--fault-rate",
            "1",
            "--faults",
            "commit-500",
            "--fault-methods",
            "PATCH",
        ],
    );
    let iccids = ws.emulator().iccids(TelekomCmo);
    // Generated products rotate ACTIVE, INACTIVE, SUSPENDED: 100 of the 150
    // change, each with one PATCH (half on asynchronous backends: a monitor).
    ws.fleet("p", sims_of(&iccids, |_| json!({"status": "active"})));
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("Apply complete: 100 SIMs applied, 0 failed, 0 skipped.");
    let patches: Vec<String> = ws
        .emulator()
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "PATCH")
        .map(|r| r["path"].as_str().unwrap_or_default().to_owned())
        .collect();
    let distinct: std::collections::BTreeSet<&String> = patches.iter().collect();
    assert_eq!(patches.len(), 100, "status PATCHes sent");
    assert_eq!(
        patches.len(),
        distinct.len(),
        "a SIM's status PATCH was sent twice"
    );
}

#[test]
fn a_cmo_202_without_a_monitor_link_is_followed_on_the_sim_and_never_sent_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let iccid = generated_iccid("8949020000", 1);
    let id = format!("JASPER-{iccid}");
    let product =
        move |status: &str| json!({"id": id, "connectivityType": "CELLULAR", "status": status});
    let finds = Arc::new(AtomicUsize::new(0));
    let counted = finds.clone();
    let (url, seen) = scripted(move |line| {
        crate::envelopes::token(line).unwrap_or_else(|| {
            if line.starts_with("PATCH ") {
                // Taken, but nothing says where to follow it.
                return (202, "{}".into());
            }
            if line.contains("/t/product/find") {
                // The SIM moves on its third re-read.
                let n = counted.fetch_add(1, Ordering::SeqCst);
                let status = if n < 2 { "PENDING_ACTIVE" } else { "ACTIVE" };
                return (200, json!({"entities": [product(status)]}).to_string());
            }
            let page = json!({"entities": [product("INACTIVE")],
                              "statistics": {"currentPage": 1, "pageSize": 100}});
            (200, page.to_string())
        })
    });
    let ws = crate::envelopes::at(TelekomCmo, &url, &[]);
    ws.fleet("p", json!([{"iccid": iccid, "status": "active"}]));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout(format!(
        "done: p {iccid} (enable): completed: the SIM showed it after 3 re-reads"
    ));
    let seen = seen.lock().unwrap().clone();
    let patches = seen.iter().filter(|l| l.starts_with("PATCH ")).count();
    assert_eq!(patches, 1, "{seen:#?}");
    // Three re-reads while following, then the read-back.
    assert_eq!(finds.load(Ordering::SeqCst), 4, "{seen:#?}");
}

#[test]
fn cmo_reads_on_to_an_empty_page_when_the_answer_says_neither_its_page_size_nor_a_total() {
    // The server serves 50 a page whatever is asked, and says nothing of it.
    let product = |i: usize| {
        json!({"id": format!("JASPER-{}", generated_iccid("8949020000", i)),
               "connectivityType": "CELLULAR", "status": "ACTIVE"})
    };
    let (url, _) = scripted(move |line| {
        crate::envelopes::token(line).unwrap_or_else(|| {
            let range = match line {
                l if l.contains("pageNumber=1&") => 0..50,
                l if l.contains("pageNumber=2&") => 50..100,
                l if l.contains("pageNumber=3&") => 100..120,
                _ => 0..0,
            };
            let page = json!({"entities": range.map(product).collect::<Vec<_>>()});
            (200, page.to_string())
        })
    });
    let iccids: Vec<String> = (0..120).map(|i| generated_iccid("8949020000", i)).collect();
    let ws = crate::envelopes::at(TelekomCmo, &url, &iccids);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("120 managed");
}
