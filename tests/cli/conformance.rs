//! The conformance suite: every provider kind, from `ProviderKind::ALL`,
//! must pass the same checks on its bundled example (`examples/<kind>`,
//! served by its sandbox) and its emulator must honour the same contract.
//! A kind without an example, a sandbox seed or an emulated API fails here.

use serde_json::Value;
use simfleet::kind::ProviderKind;

use crate::support::Emulator;
use crate::workspace::Workspace;

fn example(kind: ProviderKind) -> String {
    format!("examples/{kind}")
}

#[test]
fn every_kind_plans_applies_and_converges_on_its_example() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::new().with_examples();
        let dir = example(kind);
        let validate = ws.run(&["validate", &dir]);
        assert_eq!(validate.code, 0, "{kind}: {}", validate.stderr);

        let plan = ws.run(&["plan", "--detailed-exitcode", &dir]);
        assert_eq!(plan.code, 2, "{kind}: {}\n{}", plan.stdout, plan.stderr);
        insta::assert_snapshot!(format!("{kind}_plan_text"), plan.stdout);
        let json = ws.run(&["plan", "--format", "json", &dir]);
        assert_eq!(json.code, 0, "{kind}: {}", json.stderr);
        crate::schemas::assert_valid("plan", &json.stdout);
        insta::assert_snapshot!(format!("{kind}_plan_json"), json.stdout);

        let apply = ws.run(&["apply", "--auto-approve", &dir]);
        assert_eq!(apply.code, 0, "{kind}: {}\n{}", apply.stdout, apply.stderr);
        // Read-back reports nothing: no SIM is left different.
        assert!(
            !apply.stdout.contains("not converged") && !apply.stdout.contains("read-back failed"),
            "{kind}: {}",
            apply.stdout
        );
        assert!(
            apply.stdout.contains(", 0 failed, 0 skipped."),
            "{kind}: {}",
            apply.stdout
        );

        // In-flight states (Eseye provisioning, CMO monitors) settle within seconds.
        let mut again = ws.run(&["plan", "--detailed-exitcode", &dir]);
        for _ in 0..10 {
            if again.code == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
            again = ws.run(&["plan", "--detailed-exitcode", &dir]);
        }
        assert_eq!(again.code, 0, "{kind}: {}", again.stdout);
        assert!(
            again.stdout.contains("No changes."),
            "{kind}: {}",
            again.stdout
        );
    }
}

/// How a test authenticates at each emulated API, and where its list and
/// SIM resources are. This table is the tests' knowledge of the wire, kept
/// apart from the clients'.
struct Wire {
    /// A list request for a page past the end.
    past_last_page: &'static str,
    /// The list's item key.
    items: &'static str,
    /// A SIM resource that does not exist.
    unknown_sim: &'static str,
    /// Whether `body` is the provider's error shape.
    error_shape: fn(&Value) -> bool,
}

fn wire(kind: ProviderKind) -> Wire {
    match kind {
        ProviderKind::Onomondo => Wire {
            past_last_page: "/sims?limit=1000&next_page=ffffff",
            items: "sims",
            unknown_sim: "/sims/000000000",
            error_shape: |b| b["error"].is_string(),
        },
        ProviderKind::Infobip => Wire {
            past_last_page: "/iot/2/sims?page=999&limit=100",
            items: "sims",
            unknown_sim: "/iot/2/sims/89000000000000000000",
            error_shape: |b| b["requestError"]["serviceException"]["messageId"].is_string(),
        },
        ProviderKind::Eseye => Wire {
            // Cursor pages: a filter that matches nothing gives the empty page.
            past_last_page: "/api/v2/sim?pageSize=100&iccid=89000000000000000000",
            items: "sims",
            unknown_sim: "/api/v2/sim/89000000000000000000",
            error_shape: |b| b["errorCode"].is_string() && b["message"].is_string(),
        },
        ProviderKind::TelekomCmo => Wire {
            past_last_page: "/sandbox/product?pageNumber=999&pageSize=100",
            items: "entities",
            unknown_sim: "/sandbox/product/BACKEND-89000000000000000000",
            error_shape: |b| b["title"].is_string() && b["status"].is_number(),
        },
    }
}

/// A valid `Authorization` value for the sandbox account of `kind`.
fn authorization(e: &Emulator, kind: ProviderKind) -> String {
    let key = simfleet::kind::SANDBOX_KEY;
    match kind {
        ProviderKind::Onomondo => key.to_owned(),
        ProviderKind::Infobip => format!("App {key}"),
        ProviderKind::Eseye => {
            use base64::Engine as _;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("simfleet:{key}"));
            e.bearer(
                "/eseye/idp/oauth2/token",
                Some(&format!("Basic {basic}")),
                "grant_type=client_credentials&scope=api%2Fapi",
            )
        }
        ProviderKind::TelekomCmo => {
            let form = format!(
                "grant_type=client_credentials&client_id=simfleet&client_secret={key}&scope=openid"
            );
            e.bearer("/telekom-cmo/token", None, &form)
        }
    }
}

#[test]
fn every_emulator_honours_the_common_contract() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::sandbox(kind, &[]);
        let e = ws.emulator();
        let w = wire(kind);
        let at = |path: &str| format!("/{}{path}", kind.mount());

        let (status, body) = e.request("GET", &at(w.past_last_page), None, "");
        assert_eq!(status, 401, "{kind}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!((w.error_shape)(&body), "{kind}: 401 body {body}");

        let auth = authorization(e, kind);
        let (status, body) = e.request("GET", &at(w.past_last_page), Some(&auth), "");
        assert_eq!(status, 200, "{kind}: {body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            page[w.items],
            Value::Array(vec![]),
            "{kind}: past the last page"
        );

        let (status, body) = e.request("GET", &at(w.unknown_sim), Some(&auth), "");
        assert_eq!(status, 404, "{kind}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!((w.error_shape)(&body), "{kind}: 404 body {body}");
    }
}

#[test]
fn every_emulator_answers_429_with_retry_after_when_the_budget_is_spent() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::new().with_emulator(None, &["--rate-limit", "3"]);
        let e = ws.emulator();
        let path = format!("/{}{}", kind.mount(), wire(kind).past_last_page);
        for _ in 0..3 {
            e.request("GET", &path, None, "");
        }
        let answer = e.send("GET", &path, None, "application/json", "");
        assert_eq!(answer.status, 429, "{kind}: {}", answer.body);
        assert!(
            answer.head.to_ascii_lowercase().contains("retry-after:"),
            "{kind}: {}",
            answer.head
        );
        let body = answer.json();
        assert!((wire(kind).error_shape)(&body), "{kind}: 429 body {body}");
    }
}

/// Changes `iccid` in the emulator state of `kind` behind simfleet's back;
/// returns the manifest name of the field changed.
fn change_behind_the_plan(kind: ProviderKind, state: &mut Value, iccid: &str) -> &'static str {
    let toggle = |v: &mut Value, a: &str, b: &str| {
        *v = Value::from(if v == a { b } else { a });
    };
    let (list, key) = match kind {
        ProviderKind::TelekomCmo => ("products", "id"),
        _ => ("sims", "iccid"),
    };
    let record = state[kind.as_str()][list]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s[key].as_str().unwrap().ends_with(iccid))
        .unwrap_or_else(|| panic!("{kind}: no {iccid} in the state"));
    match kind {
        // Each to a value that is neither the planned SIM's before nor its
        // after: a value the plan asks for would be its own work, done.
        ProviderKind::Onomondo => {
            record["label"] = Value::from("changed-behind-the-plan");
            "name"
        }
        ProviderKind::Infobip => {
            record["name"] = Value::from("changed-behind-the-plan");
            "name"
        }
        ProviderKind::Eseye => {
            toggle(&mut record["packageId"], "pkg-premium", "pkg-standard");
            "package"
        }
        ProviderKind::TelekomCmo => {
            record["status"] = Value::from("SUSPENDED");
            "status"
        }
    }
}

#[test]
fn every_kind_refuses_a_saved_plan_gone_stale_and_finds_a_retried_one_already_applied() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::example(kind, &[]);
        let plan = ws.on_manifests(&["plan", "--out", "plan.json"]);
        assert_eq!(plan.code, 0, "{kind}: {}\n{}", plan.stdout, plan.stderr);
        let saved = std::fs::read_to_string(ws.path().join("plan.json")).unwrap();
        ws.assert_no_secret(&[&crate::support::Run {
            code: 0,
            stdout: saved.clone(),
            stderr: String::new(),
        }]);
        crate::schemas::assert_valid("saved-plan", &saved);
        let saved: Value = serde_json::from_str(&saved).unwrap();
        let sims = &saved["plan"]["providers"][0]["sims"];
        let iccid = sims[0]["iccid"].as_str().unwrap().to_owned();

        let e = ws.emulator();
        let mut state = e.get("/_emulator/state");
        let field = change_behind_the_plan(kind, &mut state, &iccid);
        let answer = e.send(
            "PUT",
            "/_emulator/state",
            None,
            "application/json",
            &state.to_string(),
        );
        assert_eq!(answer.status, 204, "{kind}: {}", answer.body);
        let writes_before = e.writes();

        let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
        assert_eq!(apply.code, 1, "{kind}: {}\n{}", apply.stdout, apply.stderr);
        apply.assert_stderr(format!("SIM {iccid}: {field} was"));
        apply.assert_stderr("the saved plan is stale");
        assert_eq!(e.writes(), writes_before, "{kind}: a stale plan wrote");

        // Unchanged, the same saved plan applies; `show` renders it as
        // the plan it holds.
        let again = ws.on_manifests(&["plan", "--out", "plan.json"]);
        assert_eq!(again.code, 0, "{kind}: {}", again.stderr);
        let show = ws.run(&["show", "--format", "json", "plan.json"]);
        assert_eq!(show.code, 0, "{kind}: {}", show.stderr);
        crate::schemas::assert_valid("plan", &show.stdout);
        let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
        assert_eq!(apply.code, 0, "{kind}: {}\n{}", apply.stdout, apply.stderr);

        // Applied again (a CI retry of the merge job): its own work is
        // found done, nothing is sent.
        let writes_before = e.writes();
        let retry = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
        assert_eq!(retry.code, 0, "{kind}: {}\n{}", retry.stdout, retry.stderr);
        retry.assert_stderr("Already applied");
        assert_eq!(e.writes(), writes_before, "{kind}: a retried apply wrote");
    }
}

#[test]
fn every_kind_exports_manifests_that_plan_no_changes() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::example(kind, &[]);
        let name = provider_of(&ws);
        // Each export into its own folder; `-` into one file of the stream.
        let variants: [(&str, &[&str]); 4] = [
            ("exported", &[]),
            ("all-fields", &["--all-fields"]),
            ("by-status", &["--group-by", "status"]),
            ("-", &["--all-fields", "--group-by", "status"]),
        ];
        for (out, flags) in variants {
            let mut args = vec!["export", "--out", out, "--provider", &name];
            args.extend_from_slice(flags);
            let export = ws.on_manifests(&args);
            assert_eq!(
                export.code, 0,
                "{kind} {flags:?}: {}\n{}",
                export.stdout, export.stderr
            );
            let folder = match out {
                "-" => {
                    ws.file("streamed/all.yaml", &export.stdout);
                    "streamed"
                }
                folder => folder,
            };
            let plan = ws.run(&["plan", "--detailed-exitcode", folder]);
            assert_eq!(
                plan.code, 0,
                "{kind} {flags:?}: {}\n{}",
                plan.stdout, plan.stderr
            );
            plan.assert_stdout("No changes.");
        }
        let providers_file = format!("exported/{name}.providers.yaml");
        let exported = std::fs::read_to_string(ws.path().join(providers_file)).unwrap();
        assert!(exported.contains("{env: "), "{kind}: {exported}");
        ws.assert_no_secret(&[&crate::support::Run {
            code: 0,
            stdout: exported,
            stderr: String::new(),
        }]);
    }
}

/// The provider name the example workspace uses.
fn provider_of(ws: &Workspace) -> String {
    let text = std::fs::read_to_string(ws.path().join("m/providers.yaml")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["providers"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone()
}

#[test]
fn every_kind_reports_drift_with_exit_2_then_0_and_1_on_error() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::example(kind, &[]);
        let drift = ws.on_manifests(&["drift"]);
        assert_eq!(drift.code, 2, "{kind}: {}\n{}", drift.stdout, drift.stderr);
        insta::assert_snapshot!(format!("{kind}_drift_text"), drift.stdout);
        let markdown = ws.on_manifests(&["drift", "--format", "markdown"]);
        insta::assert_snapshot!(
            format!("{kind}_drift_markdown"),
            crate::support::timeless(&markdown.stdout)
        );
        let json = ws.on_manifests(&["drift", "--format", "json"]);
        crate::schemas::assert_valid("drift", &json.stdout);

        let apply = ws.on_manifests(&["apply", "--auto-approve", "--format", "json"]);
        assert_eq!(apply.code, 0, "{kind}: {}\n{}", apply.stdout, apply.stderr);
        crate::schemas::assert_valid("apply", &apply.stdout);
        let mut clean = ws.on_manifests(&["drift"]);
        for _ in 0..10 {
            if clean.code != 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
            clean = ws.on_manifests(&["drift"]);
        }
        assert_eq!(clean.code, 0, "{kind}: {}", clean.stdout);

        let ws = ws
            .env("SIMFLEET_TEST_CLIENT_SECRET", "wrong-secret-123456")
            .env("SIMFLEET_TEST_TOKEN", "wrong-secret-123456")
            .env("SIMFLEET_TEST_API_KEY", "wrong-secret-123456");
        let failed = ws.on_manifests(&["drift"]);
        assert_eq!(
            failed.code, 1,
            "{kind}: {}\n{}",
            failed.stdout, failed.stderr
        );
    }
}

#[test]
fn every_kind_shows_progress_lines_without_a_terminal_and_none_when_quiet() {
    for kind in ProviderKind::ALL {
        // Latency makes reading and applying outlast several intervals.
        let ws = Workspace::example(kind, &["--latency-ms", "150"]);
        let name = provider_of(&ws);
        let apply = ws.on_manifests(&["apply", "--auto-approve", "--progress-interval", "0.1"]);
        assert_eq!(apply.code, 0, "{kind}: {}", apply.stderr);
        let reading = format!("reading live state: {name} ");
        assert!(apply.stderr.contains(&reading), "{kind}: {}", apply.stderr);
        let applying = apply
            .stderr
            .lines()
            .find(|l| l.starts_with("applying: "))
            .unwrap_or_else(|| panic!("{kind}: no apply progress line: {}", apply.stderr));
        assert!(
            applying.contains(&format!("SIM changes: {name} ")),
            "{applying}"
        );
        assert!(
            !apply.stdout.contains("reading live state"),
            "{kind}: stdout stays the result"
        );

        let quiet = ws.on_manifests(&["plan", "--quiet", "--progress-interval", "0.1"]);
        assert_eq!(quiet.code, 0, "{kind}: {}", quiet.stderr);
        assert!(quiet.stderr.is_empty(), "{kind}: {}", quiet.stderr);
    }
}

#[test]
fn every_kind_keeps_credentials_a_server_echoes_out_of_its_output() {
    for kind in ProviderKind::ALL {
        let mut ws = Workspace::example(kind, &["--echo-credentials"]);
        for (key, _) in kind.capabilities().sandbox_credentials {
            let var = format!("SIMFLEET_TEST_{}", key.to_ascii_uppercase());
            ws = ws.env(&var, &format!("wrong-{key}-5f4e3d2c1b"));
        }
        for args in [
            &["plan"][..],
            &["apply", "--auto-approve"],
            &["drift", "-vv"],
        ] {
            let run = ws.on_manifests(args);
            assert_eq!(run.code, 1, "{kind} {args:?}: {}", run.stderr);
            // 401, or the 400 `invalid_client` of Eseye's identity provider.
            run.assert_stderr("HTTP 40");
            // Which entry to fix, and which keys, never their values.
            run.assert_stderr("refused the credentials `");
            run.assert_stderr("` at m/providers.yaml:");
            assert!(!run.stderr.contains("5f4e3d2c1b"), "{kind}: {}", run.stderr);
            assert!(!run.stdout.contains("5f4e3d2c1b"), "{kind}: {}", run.stdout);
        }
    }
}

/// Reads in the emulator's log from entry `from` on: GETs and searches,
/// without token requests and monitor polls (those belong to writes).
fn reads(e: &Emulator, from: usize) -> Vec<String> {
    let log = e.requests();
    log.iter()
        .skip(from)
        .filter(|r| {
            let route = r["route"].as_str().unwrap();
            (r["method"] == "GET" || route.ends_with("/find"))
                && !route.contains("token")
                && !route.contains("/monitor/")
        })
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["route"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_kind_reads_a_fleet_in_its_page_count_and_reads_back_the_cheaper_way() {
    const SIMS: usize = 250;
    for kind in ProviderKind::ALL {
        let ws = Workspace::generated(kind, SIMS, &["--rate-limit", "1000000"]).provider(
            "p",
            kind,
            serde_json::json!({"rate_limit": 1000, "concurrency": 8}),
        );
        let e = ws.emulator();
        let iccids = e.iccids(kind);
        // Pages as the API texts and published sources give them: Onomondo
        // 1,000 a page with a cursor; Eseye 100 with a cursor; Infobip and
        // CMO 100 without a total, so they end at the first short page.
        let pages = match kind {
            ProviderKind::Onomondo => SIMS.div_ceil(1000),
            ProviderKind::Eseye => SIMS.div_ceil(100),
            ProviderKind::Infobip | ProviderKind::TelekomCmo => SIMS / 100 + 1,
        };
        // No tag is declared: Onomondo reads no tag list (the SIMs carry
        // their tags; the list is needed only for a tag on no SIM).
        let tags = 0;
        let target = if kind == ProviderKind::Onomondo {
            "inactive"
        } else {
            "suspended"
        };
        ws.fleet(
            "p",
            crate::workspace::sims_of(&iccids, |_| serde_json::json!({ "status": target })),
        );
        let plan = ws.on_manifests(&["plan", "--format", "json"]);
        let read = reads(e, 0);
        assert_eq!(read.len(), pages + tags, "{kind}: plan read {read:?}");

        // Two SIMs that change, alone in the manifest: the read-back is two
        // GETs (or one search) where a listing would be `pages` requests.
        let json: Value = serde_json::from_str(&plan.stdout).unwrap();
        let changing: Vec<String> = json["providers"][0]["sims"]
            .as_array()
            .unwrap()
            .iter()
            .take(2)
            .map(|s| s["iccid"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(changing.len(), 2, "{kind}: {}", plan.stdout);
        ws.fleet(
            "p",
            crate::workspace::sims_of(&changing, |_| serde_json::json!({ "status": target })),
        );
        let from = e.requests().len();
        let apply = ws.on_manifests(&["apply", "--auto-approve"]);
        assert_eq!(apply.code, 0, "{kind}: {}\n{}", apply.stdout, apply.stderr);
        let read = reads(e, from);
        let back = read.len() - (pages + tags);
        assert!(
            back <= 2.min(pages).max(1),
            "{kind}: apply read {read:?}, {back} beyond its plan's {}",
            pages + tags
        );
    }
}

/// The recorded answers under `dir`, as text, each file once.
fn recorded(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for provider in std::fs::read_dir(dir).unwrap().flatten() {
        for file in std::fs::read_dir(provider.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            out.push((file.file_name().to_string_lossy().into_owned(), text));
        }
    }
    out
}

#[test]
fn every_kind_passes_doctor_records_redacted_answers_and_replays_them() {
    let mut failures = Vec::new();
    for kind in ProviderKind::ALL {
        let ws = Workspace::example(kind, &[]);
        let name = provider_of(&ws);
        let doctor = ws.on_manifests(&["doctor", "--record", "rec"]);
        let lines: Vec<&str> = doctor.stdout.lines().collect();
        let checks = &lines[..lines.len().saturating_sub(1)];
        let all_ok = checks
            .iter()
            .all(|l| l.starts_with("ok ") && l.contains(&name));
        let named = ["credentials", " list ", " sim "]
            .iter()
            .all(|c| checks.iter().any(|l| l.contains(c)));
        if doctor.code != 0 || !all_ok || !named {
            failures.push(format!(
                "{kind}: doctor: {}\n{}",
                doctor.stdout, doctor.stderr
            ));
            continue;
        }
        // Recordings hold no credential and no token.
        let files = recorded(&ws.path().join("rec"));
        let text: String = files.iter().map(|(_, t)| t.as_str()).collect();
        ws.assert_no_secret(&[&crate::support::Run {
            code: 0,
            stdout: text.clone(),
            stderr: String::new(),
        }]);
        if files
            .iter()
            .any(|(_, t)| t.contains("access_token") && !t.contains(r#"\"access_token\": \"***\""#))
        {
            failures.push(format!("{kind}: a token was recorded: {text}"));
        }
        // An emulator holding no SIM, serving the recorded answers: the
        // client reads the recorded list page and finds every SIM in it.
        let rec = ws.path().join("rec");
        let replay = Workspace::new()
            .with_emulator(None, &["--replay", rec.to_str().unwrap()])
            .provider("p", kind, serde_json::json!({}));
        let iccids = ws.emulator().iccids(kind);
        replay.fleet(
            "p",
            crate::workspace::sims_of(&iccids, |_| serde_json::json!({})),
        );
        let plan = replay.on_manifests(&["plan", "--detailed-exitcode"]);
        if plan.code != 0 || !plan.stdout.contains("No changes.") {
            failures.push(format!(
                "{kind}: replayed plan: {}\n{}",
                plan.stdout, plan.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_kind_fails_doctor_naming_provider_url_and_fix_for_a_wrong_url_or_credentials() {
    let mut failures = Vec::new();
    for kind in ProviderKind::ALL {
        let ws = Workspace::example(kind, &[]);
        let name = provider_of(&ws);
        let wrong = format!("{}/nowhere", ws.emulator().url(kind.mount()));
        let ws = ws.provider(&name, kind, serde_json::json!({ "url": wrong }));
        let doctor = ws.on_manifests(&["doctor"]);
        let failed = doctor.stdout.lines().find(|l| l.starts_with("FAIL"));
        let said = failed.is_some_and(|l| {
            l.contains(&name) && l.contains(&format!("{wrong}/")) && l.contains("check the `url`")
        });
        if doctor.code != 1 || !said {
            failures.push(format!(
                "{kind}: wrong url: {}\n{}",
                doctor.stdout, doctor.stderr
            ));
        }

        let mut ws = ws.provider(&name, kind, serde_json::json!({}));
        for (key, _) in kind.capabilities().sandbox_credentials {
            let var = format!("SIMFLEET_TEST_{}", key.to_ascii_uppercase());
            ws = ws.env(&var, &format!("wrong-{key}-7e6d5c4b3a"));
        }
        let doctor = ws.on_manifests(&["doctor"]);
        let failed = doctor.stdout.lines().find(|l| l.starts_with("FAIL"));
        let said = failed.is_some_and(|l| {
            l.contains(&name)
                && l.contains("http://127.0.0.1:")
                && l.contains("refused the credentials `")
        });
        let leaked = doctor.stdout.contains("7e6d5c4b3a") || doctor.stderr.contains("7e6d5c4b3a");
        if doctor.code != 1 || !said || leaked {
            failures.push(format!(
                "{kind}: wrong credentials: {}\n{}",
                doctor.stdout, doctor.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The active SIMs of `kind` whose suspension (Onomondo: deactivation) is
/// one call answered at once (CMO: on a backend without monitors).
fn active(e: &Emulator, kind: ProviderKind) -> Vec<String> {
    let state = e.state(kind);
    let list = |key: &str| state[key].as_array().cloned().unwrap_or_default();
    let iccid = |s: &Value| s["iccid"].as_str().unwrap().to_owned();
    match kind {
        ProviderKind::Onomondo => list("sims")
            .iter()
            .filter(|s| s["activated"] == true)
            .map(iccid)
            .collect(),
        ProviderKind::Infobip => list("sims")
            .iter()
            .filter(|s| s["status"] == "Active")
            .map(iccid)
            .collect(),
        ProviderKind::Eseye => list("sims")
            .iter()
            .filter(|s| s["status"] == "active")
            .map(iccid)
            .collect(),
        ProviderKind::TelekomCmo => list("products")
            .iter()
            .filter(|p| p["status"] == "ACTIVE")
            .filter_map(|p| p["id"].as_str()?.strip_prefix("JASPER-").map(str::to_owned))
            .collect(),
    }
}

/// Provider `p` of `kind` at an emulator of `count` generated SIMs with
/// `extra` flags, its `count` active SIMs (see [`active`]) restricted.
fn restricting(kind: ProviderKind, count: usize, extra: &[&str]) -> Workspace {
    let mut flags = vec!["--rate-limit", "1000000"];
    flags.extend_from_slice(extra);
    let ws = Workspace::generated(kind, count, &flags).provider(
        "p",
        kind,
        serde_json::json!({"rate_limit": 1000, "concurrency": CONCURRENCY}),
    );
    let target = match kind {
        ProviderKind::Onomondo => "inactive",
        _ => "suspended",
    };
    let iccids = active(ws.emulator(), kind);
    ws.fleet(
        "p",
        crate::workspace::sims_of(&iccids, |_| serde_json::json!({ "status": target })),
    );
    ws
}

const CONCURRENCY: usize = 8;

/// Requests the emulator closed unanswered (`--down-after`).
fn unanswered(e: &Emulator) -> usize {
    e.requests().iter().filter(|r| r["status"] == 0).count()
}

#[test]
fn every_kind_stops_calling_a_provider_that_goes_down_mid_apply() {
    let threshold = simfleet::provider::http::breaker_threshold(CONCURRENCY as u32) as usize;
    for kind in ProviderKind::ALL {
        // At least 30 writes (Onomondo: 20 SIMs a call, 22 calls).
        let count = match kind {
            ProviderKind::Onomondo => 600,
            ProviderKind::TelekomCmo => 180,
            _ => 90,
        };
        // What reading costs, from a twin that stays up; then the provider
        // answers three writes and goes down.
        let twin = restricting(kind, count, &[]);
        let plan = twin.on_manifests(&["plan"]);
        assert_eq!(plan.code, 0, "{kind}: {}", plan.stderr);
        let down_after = (twin.emulator().total() + 3).to_string();
        for format in ["text", "json"] {
            let ws = restricting(kind, count, &["--down-after", &down_after]);
            let apply =
                ws.on_manifests(&["apply", "--auto-approve", "--force", "--format", format]);
            assert_eq!(apply.code, 3, "{kind}: {}\n{}", apply.stdout, apply.stderr);
            // The calls that opened the breaker and those in flight then;
            // nothing after.
            let lost = unanswered(ws.emulator());
            assert!(
                (threshold..threshold + CONCURRENCY).contains(&lost),
                "{kind}: {lost} requests after the provider went down\n{}",
                apply.stderr
            );
            let retries = apply.stderr.matches("trying again").count();
            assert!(retries < threshold, "{kind}: {}", apply.stderr);
            if format == "text" {
                apply.assert_stdout("Apply finished with failures: ");
                assert!(!apply.stdout.contains("Apply complete"), "{}", apply.stdout);
                apply.assert_stdout("not attempted: p: ");
                apply.assert_stdout("SIMs, nothing sent: provider `p` at m/providers.yaml:");
                // Said once, not per request or per SIM.
                let said = apply.stdout.matches("cannot be reached").count();
                assert_eq!(said, 1, "{kind}: {}", apply.stdout);
                assert!(
                    !apply.stderr.contains("cannot be reached"),
                    "{}",
                    apply.stderr
                );
                continue;
            }
            crate::schemas::assert_valid("apply", &apply.stdout);
            let doc: Value = serde_json::from_str(&apply.stdout).unwrap();
            let totals = &doc["totals"];
            assert!(totals["applied"].as_u64() > Some(0), "{kind}: {totals}");
            assert!(
                totals["not_attempted"].as_u64() > Some(0),
                "{kind}: {totals}"
            );
            let sims = doc["providers"][0]["sims"].as_array().unwrap();
            for sim in sims {
                let sent = sim["outcome"] != "not_attempted";
                assert_eq!(sim["time"].is_string(), sent, "{kind}: {sim}");
                assert_eq!(sim["fields"][0]["field"], "status", "{kind}: {sim}");
            }
            let not_attempted = sims.iter().filter(|s| s["outcome"] == "not_attempted");
            assert_eq!(
                Some(not_attempted.count() as u64),
                totals["not_attempted"].as_u64()
            );
        }
    }
}

#[test]
fn every_kind_names_a_refused_connection_once_with_its_url_and_provider() {
    // Bound, then closed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let threshold = simfleet::provider::http::breaker_threshold(8) as usize;
    for kind in ProviderKind::ALL {
        let ws = Workspace::example(kind, &[]);
        let name = provider_of(&ws);
        // Token endpoints stay at the emulator: the API itself refuses.
        let url = format!("http://127.0.0.1:{port}/{}", kind.mount());
        let ws = ws.provider(&name, kind, serde_json::json!({ "url": url }));
        for command in ["plan", "drift"] {
            let run = ws.on_manifests(&[command]);
            assert_eq!(run.code, 1, "{kind} {command}: {}", run.stderr);
            let error = run
                .stderr
                .lines()
                .find(|l| l.starts_with("error: cannot read provider"))
                .unwrap_or_else(|| panic!("{kind} {command}: {}", run.stderr));
            for part in [
                format!("`{name}`"),
                url.clone(),
                ": connection refused".into(),
            ] {
                assert!(error.contains(&part), "{kind}: no {part} in {error}");
            }
            assert!(error.contains(&format!("provider `{name}` at m/providers.yaml:")));
            let errors = run.stderr.matches("cannot read provider").count();
            assert_eq!(errors, 1, "{kind} {command}: {}", run.stderr);
            let retries = run.stderr.matches("trying again").count();
            assert!(retries < threshold, "{kind} {command}: {}", run.stderr);
        }
    }
}
