//! Eseye end to end against the emulator process: ordered suspend / package
//! changes, locked suspensions, attributes and token expiry.

use serde_json::{Value, json};
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind::Eseye;

use crate::fixture::Fixture;
use crate::support::scripted;
use crate::workspace::{Workspace, sims_of};

/// Eseye's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Eseye,
    // Cursor pages: a filter that matches nothing gives the empty page.
    past_end: crate::fixture::PastEnd::Empty("/api/v2/sim?pageSize=100&iccid=89000000000000000000"),
    list_key: "sims",
    list_path: "/api/v2/sim",
    list_route: "GET /api/v2/sim",
    token_route: Some("POST /idp/oauth2/token"),
    auxiliary_routes: &[],
    auxiliary_reads: 0,
    follow_routes: &[],
    unknown_sim: "/api/v2/sim/89000000000000000000",
    error_shape: |b| b["errorCode"].is_string() && b["message"].is_string(),
    authorization: |e| {
        crate::fixture::authorization({
            use base64::Engine as _;
            let key = simfleet::kind::SANDBOX_KEY;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("simfleet:{key}"));
            e.bearer(
                "/eseye/idp/oauth2/token",
                Some(&format!("Basic {basic}")),
                "grant_type=client_credentials&scope=api%2Fapi",
            )
        })
    },
    never_called: &[],
    records: "sims",
    iccid: crate::fixture::iccid_key,
    restrictable: |s| s["status"] == "active",
    change_behind_the_plan: |sim| {
        let package = &mut sim["packageId"];
        let other = if *package == "pkg-premium" {
            "pkg-standard"
        } else {
            "pkg-premium"
        };
        *package = json!(other);
        "package"
    },
    restricted: "suspended",
    // 100 a page with a cursor.
    list_pages: |n| n.div_ceil(100).max(1),
    thirty_writes: 90,
    five_hundred_changes: 500,
    // A detail read and a write each.
    three_hundred_requests: || (150, json!({"attributes": {"site": "north"}})),
    scripted_settings: &[("token_url", "{url}/token")],
};

const SUSPENDED: &str = "89445385230000000041";
const ADMIN_SUSPENDED: &str = "89445385230000000066";

fn at_emulator(ws: Workspace) -> Workspace {
    ws.provider(
        "meters",
        Eseye,
        json!({"concurrency": 4, "rate_limit": 100}),
    )
}

/// The bundled sandbox seed and example fleet, served by an emulator process.
fn world(extra: &[&str]) -> Workspace {
    let ws = at_emulator(Workspace::sandbox(Eseye, extra));
    ws.example_fleets(Eseye);
    ws
}

/// Logged writes (token requests left out).
fn writes(ws: &Workspace) -> Vec<Value> {
    let log = ws.emulator().requests();
    log.into_iter()
        .filter(|r| r["method"] != "GET" && !r["route"].as_str().unwrap().contains("token"))
        .collect()
}

#[test]
fn suspended_sims_change_in_order_and_admin_suspended_ones_are_left_alone() {
    let ws = world(&["--provision-delay-ms", "300"]);
    let e = ws.emulator();
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    let expected = format!(
        "  ~ {SUSPENDED}  id 100004\n      \
         status  suspended -> active  [enable]  (provider step: Eseye cannot update a suspended SIM)\n      \
         package \"pkg-standard\" -> \"pkg-premium\"  [configure]\n      \
         status  active -> suspended  [restrict]  (provider step: Eseye cannot update a suspended SIM)\n"
    );
    plan.assert_stdout(&expected);
    plan.assert_stdout(format!(
        "! {ADMIN_SUSPENDED} locked, not touched: suspended by Eseye (adminSuspend)"
    ));

    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    ws.assert_no_secret(&[&plan, &apply]);

    // The suspended SIM's three calls, in order, with their bodies.
    let calls: Vec<String> = writes(&ws)
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains(SUSPENDED))
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["body"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            r#"PATCH {"customerSuspend":"no"}"#,
            r#"PATCH {"packageId":"pkg-premium"}"#,
            r#"PATCH {"customerSuspend":"yes"}"#,
        ]
    );
    let s = e.sim(Eseye, SUSPENDED);
    assert_eq!(
        (s["packageId"].as_str(), s["customerSuspend"].as_str()),
        (Some("pkg-premium"), Some("yes"))
    );

    // No write names the admin-suspended SIM.
    assert!(
        writes(&ws)
            .iter()
            .all(|r| !r["path"].as_str().unwrap().contains(ADMIN_SUSPENDED))
    );

    // Attributes are written in the declared order.
    let sim = e.sim(Eseye, "89445385230000000058");
    let attributes: Vec<(&str, &str)> = sim["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["key"].as_str().unwrap(), a["value"].as_str().unwrap()))
        .collect();
    assert_eq!(attributes, [("site", "south"), ("floor", "2")]);
    // From the ids of the plan's own read: no third read of the SIM's
    // attributes between the plan's and the read-back.
    let log = e.requests();
    let on_0058 = |method: &str| {
        log.iter()
            .filter(|r| r["method"] == method)
            .filter_map(|r| r["path"].as_str())
            .filter(|p| p.starts_with("/api/v2/sim/89445385230000000058/attribute"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on_0058("GET").len(),
        3,
        "plan's read, apply's read, read-back"
    );
    assert_eq!(
        on_0058("PATCH"),
        ["/api/v2/sim/89445385230000000058/attribute/1"]
    );
    assert_eq!(
        on_0058("DELETE"),
        ["/api/v2/sim/89445385230000000058/attribute/2"]
    );

    // Straight away pendingProvision counts as converging.
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
}

#[test]
fn attributes_are_read_only_for_sims_that_manage_them() {
    let ws = world(&[]);
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let log = ws.emulator().requests();
    let reads: Vec<&str> = log
        .iter()
        .filter(|r| r["route"] == "/api/v2/sim/{iccid}/attribute")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(reads, ["/api/v2/sim/89445385230000000058/attribute"]);
}

#[test]
fn a_token_expiring_mid_apply_causes_no_failure() {
    let extra = [
        "--token-expiry",
        "1",
        "--latency-ms",
        "40",
        "--rate-limit",
        "100000",
    ];
    let ws = at_emulator(Workspace::generated(Eseye, 40, &extra));
    let e = ws.emulator();
    ws.fleet(
        "meters",
        sims_of(
            &e.iccids(Eseye),
            |_| json!({"attributes": {"batch": "b7"}, "package": "pkg-premium"}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        e.count("eseye", "POST /idp/oauth2/token") >= 2,
        "the token was never renewed: {}",
        e.get("/_emulator/stats")
    );
}

#[test]
fn a_fleet_over_two_cursor_pages_without_totals_is_read_whole() {
    let ws = at_emulator(Workspace::generated(Eseye, 150, &[]));
    let e = ws.emulator();
    let iccids = e.iccids(Eseye);
    ws.fleet("meters", sims_of(&iccids, |_| json!({})));
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("150 managed");
    let pages: Vec<String> = e
        .requests()
        .into_iter()
        .filter(|r| r["route"] == "/api/v2/sim")
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    let tokens = e
        .requests()
        .into_iter()
        .filter(|r| r["route"] == "/idp/oauth2/token")
        .count();
    assert_eq!(tokens, 1, "one token from the identity provider");
}

#[test]
fn doctor_with_a_wrong_scope_names_the_provider_the_token_url_and_scope() {
    let ws = at_emulator(Workspace::sandbox(Eseye, &[]));
    let url = ws.emulator().url("eseye");
    let ws = ws.provider("meters", Eseye, json!({"scope": "openid"}));
    ws.example_fleets(Eseye);
    let doctor = ws.on_manifests(&["doctor"]);
    assert_eq!(doctor.code, 1, "{}\n{}", doctor.stdout, doctor.stderr);
    let line = doctor
        .stdout
        .lines()
        .find(|l| l.starts_with("FAIL"))
        .unwrap_or_else(|| panic!("{}", doctor.stdout));
    for said in [
        "meters",
        "token",
        &format!("POST {url}/idp/oauth2/token"),
        "HTTP 400",
        "invalid_scope",
        "check `scope` and `token_url`",
    ] {
        assert!(line.contains(said), "no {said:?} in {line}");
    }
    doctor.assert_stdout("skip  meters  list");
    ws.assert_no_secret(&[&doctor]);
    // plan says the same and sends nothing else.
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("check `scope` and `token_url`");
}

/// `n` Eseye SIMs as the older numbered form would list them, the ICCID
/// under `iccId` as the published overview spells it.
fn eseye_sims(from: usize, n: usize) -> Vec<Value> {
    (from..from + n)
        .map(|i| {
            json!({"iccId": generated_iccid("8944538523", i), "status": "active",
                        "customerSuspend": "no", "adminSuspend": "no", "systemSuspend": "no",
                        "packageId": "pkg", "portfolioId": "pf"})
        })
        .collect()
}

#[test]
fn eseye_reads_the_older_numbered_pages_with_a_total() {
    let (url, seen) = scripted(|line| {
        crate::envelopes::token(line).unwrap_or_else(|| {
            let page = if line.contains("page=2") {
                json!({"sims": eseye_sims(100, 50), "page": 2, "total": 150})
            } else {
                json!({"sims": eseye_sims(0, 100), "page": 1, "total": 150})
            };
            (200, page.to_string())
        })
    });
    let iccids: Vec<String> = (0..150).map(|i| generated_iccid("8944538523", i)).collect();
    let ws = crate::envelopes::at(Eseye, &url, &iccids);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|l| l.contains("page=2&pageSize=100")),
        "{seen:#?}"
    );
}

#[test]
fn group_by_status_and_package_split_eseye_sims_into_fleets() {
    let ws = Workspace::generated(Eseye, 6, &[]).provider("meters", Eseye, json!({}));
    let cases: [(&str, &[&str]); 2] = [
        (
            "status",
            &[
                "meters.providers.yaml",
                "meters.status-active.001.yaml",
                "meters.status-inactive.001.yaml",
            ],
        ),
        (
            "package",
            &[
                "meters.package-pkg-standard.001.yaml",
                "meters.providers.yaml",
            ],
        ),
    ];
    for (by, files) in cases {
        let out = format!("by-{by}");
        let export = ws.on_manifests(&[
            "export",
            "--provider",
            "meters",
            "--group-by",
            by,
            "--out",
            &out,
        ]);
        assert_eq!(export.code, 0, "{}", export.stderr);
        assert_eq!(crate::export::files_in(&ws, &out), files, "{by}");
        let plan = ws.run(&["plan", "--detailed-exitcode", &out]);
        assert_eq!(plan.code, 0, "{by}: {}\n{}", plan.stdout, plan.stderr);
        plan.assert_stdout("No changes.");
    }
}

#[test]
fn an_eseye_record_without_its_iccid_is_an_error_naming_provider_url_and_key_never_a_dropped_sim() {
    let (url, _) = scripted(|line| {
        crate::envelopes::token(line).unwrap_or_else(|| {
            let mut sims = eseye_sims(0, 3);
            // The second SIM's ICCID is under a key no spelling of it has.
            let second = sims[1].as_object_mut().expect("a SIM object");
            let lost = second.remove("iccId").expect("an iccId");
            second.insert("ICCID".into(), lost);
            (200, json!({ "sims": sims }).to_string())
        })
    });
    let iccids: Vec<String> = (0..3).map(|i| generated_iccid("8944538523", i)).collect();
    let ws = crate::envelopes::at(Eseye, &url, &iccids);
    for command in [&["plan"][..], &["export", "--provider", "p", "--out", "-"]] {
        let run = ws.on_manifests(command);
        assert_eq!(run.code, 1, "{command:?}: {}\n{}", run.stdout, run.stderr);
        run.assert_stderr("provider `p` at m/providers.yaml:");
        run.assert_stderr(format!(
            "GET {url}/api/v2/sim?pageSize=100: `sims[1]` has no `iccid` nor `iccId` (the SIM's \
             ICCID); it has keys `ICCID`, `adminSuspend`"
        ));
        assert!(!run.stdout.contains("missing"), "{}", run.stdout);
    }
}

#[test]
fn a_suspended_sim_whose_change_fails_is_suspended_again_though_the_later_phases_halt() {
    let ws = at_emulator(Workspace::sandbox(Eseye, &[]));
    ws.fleet(
        "meters",
        sims_of(
            &[SUSPENDED.into()],
            |_| json!({"status": "suspended", "package": "pkg-nope"}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("Package does not exist");
    let calls: Vec<String> = writes(&ws)
        .iter()
        .map(|r| format!("{} {}", r["status"], r["body"].as_str().unwrap()))
        .collect();
    // Unsuspended for the change, the change refused, suspended again.
    assert_eq!(
        calls,
        [
            r#"200 {"customerSuspend":"no"}"#,
            r#"400 {"packageId":"pkg-nope"}"#,
            r#"200 {"customerSuspend":"yes"}"#,
        ]
    );
    let s = ws.emulator().sim(Eseye, SUSPENDED);
    assert_eq!(s["customerSuspend"], "yes", "{s}");
}
