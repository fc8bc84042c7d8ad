//! The conformance suite: every provider kind, from `ProviderKind::ALL`,
//! must pass the same checks on its bundled example (`examples/<kind>`,
//! served by its sandbox) and its emulator must honour the same contract.
//! A kind without an example, a sandbox seed or an emulated API fails here.

use serde_json::Value;
use simfleet::kind::ProviderKind;

use crate::fixture::{Fixture, PastEnd};
use crate::support::{Emulator, each_kind, wrong_credentials};
use crate::workspace::Workspace;

fn example(kind: ProviderKind) -> String {
    format!("examples/{kind}")
}

#[test]
fn every_kind_plans_applies_and_converges_on_its_example() {
    each_kind(|f| {
        let kind = f.kind;
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
    });
}

#[test]
fn every_emulator_honours_the_common_contract() {
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::sandbox(kind, &[]);
        let e = ws.emulator();

        let (status, body) = e.request("GET", &f.at(f.past_end.path()), None, "");
        assert_eq!(status, 401, "{kind}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!((f.error_shape)(&body), "{kind}: 401 body {body}");

        let auth = (f.authorization)(e);
        let (status, body) = e.request_with("GET", &f.at(f.past_end.path()), &auth, "");
        assert_eq!(status, 200, "{kind}: {body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        let expected = match f.past_end {
            PastEnd::Empty(_) => Value::Array(vec![]),
            PastEnd::RepeatsLast { last, .. } => {
                let (status, body) = e.request_with("GET", &f.at(last), &auth, "");
                assert_eq!(status, 200, "{kind}: {body}");
                let last: Value = serde_json::from_str(&body).unwrap();
                assert_ne!(*f.list(&last), Value::Array(vec![]), "{kind}: {body}");
                f.list(&last).clone()
            }
        };
        assert_eq!(*f.list(&page), expected, "{kind}: past the last page");

        let (status, body) = e.request_with("GET", &f.at(f.unknown_sim), &auth, "");
        assert_eq!(status, 404, "{kind}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!((f.error_shape)(&body), "{kind}: 404 body {body}");
    });
}

#[test]
fn every_emulator_answers_429_with_retry_after_when_the_budget_is_spent() {
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::new().with_emulator(None, &["--rate-limit", "3"]);
        let e = ws.emulator();
        let path = f.at(f.past_end.path());
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
        assert!((f.error_shape)(&body), "{kind}: 429 body {body}");
    });
}

/// Changes SIM `iccid` in the emulator state behind simfleet's back, as
/// the kind's fixture says; returns the manifest name of the field changed.
fn change_behind_the_plan(f: &Fixture, state: &mut Value, iccid: &str) -> &'static str {
    let record = state[f.kind.as_str()][f.records]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| (f.iccid)(r).as_deref() == Some(iccid))
        .unwrap_or_else(|| panic!("{}: no {iccid} in the state", f.kind));
    (f.change_behind_the_plan)(record)
}

#[test]
fn every_kind_refuses_a_saved_plan_gone_stale_and_finds_a_retried_one_already_applied() {
    each_kind(|f| {
        let kind = f.kind;
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
        let field = change_behind_the_plan(f, &mut state, &iccid);
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
    });
}

#[test]
fn every_kind_exports_manifests_that_plan_no_changes() {
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::example(kind, &[]);
        let name = ws.provider_name();
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
    });
}

#[test]
fn every_kind_reports_drift_with_exit_2_then_0_and_1_on_error() {
    each_kind(|f| {
        let kind = f.kind;
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

        let ws = wrong_credentials(ws, kind, "0a1b2c3d4e");
        let failed = ws.on_manifests(&["drift"]);
        assert_eq!(
            failed.code, 1,
            "{kind}: {}\n{}",
            failed.stdout, failed.stderr
        );
    });
}

#[test]
fn every_kind_shows_progress_lines_without_a_terminal_and_none_when_quiet() {
    each_kind(|f| {
        let kind = f.kind;
        // Latency makes reading and applying outlast several intervals.
        let ws = Workspace::example(kind, &["--latency-ms", "150"]);
        let name = ws.provider_name();
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
    });
}

#[test]
fn every_kind_keeps_credentials_a_server_echoes_out_of_its_output() {
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::example(kind, &["--echo-credentials"]);
        let ws = wrong_credentials(ws, kind, "5f4e3d2c1b");
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
    });
}

/// Reads in the emulator's log from entry `from` on: GETs and searches,
/// without token requests and monitor polls (those belong to writes).
fn reads(f: &Fixture, e: &Emulator, from: usize) -> Vec<String> {
    let log = e.requests();
    log.iter()
        .skip(from)
        .filter(|r| {
            let route = r["route"].as_str().unwrap();
            (r["method"] == "GET" || route.ends_with("/find")) && !route.contains("token")
        })
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["route"].as_str().unwrap()
            )
        })
        .filter(|call| !f.follow_routes.contains(&call.as_str()))
        .collect()
}

#[test]
fn every_kind_reads_a_fleet_in_its_page_count_and_reads_back_the_cheaper_way() {
    const SIMS: usize = 250;
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::generated(kind, SIMS, &["--rate-limit", "1000000"]).provider(
            "p",
            kind,
            serde_json::json!({"rate_limit": 1000, "concurrency": 8}),
        );
        let e = ws.emulator();
        let iccids = e.iccids(kind);
        // Pages as the API texts and published sources give them.
        let pages = (f.list_pages)(SIMS);
        // No tag is declared: Onomondo reads no tag list (the SIMs carry
        // their tags; the list is needed only for a tag on no SIM). Super
        // SIM reads its Fleet list once: the SIMs are in Fleets.
        let tags = f.auxiliary_reads;
        let target = f.restricted;
        ws.fleet(
            "p",
            crate::workspace::sims_of(&iccids, |_| serde_json::json!({ "status": target })),
        );
        let plan = ws.on_manifests(&["plan", "--format", "json"]);
        let read = reads(f, e, 0);
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
        let read = reads(f, e, from);
        let back = read.len() - (pages + tags);
        assert!(
            back <= 2.min(pages).max(1),
            "{kind}: apply read {read:?}, {back} beyond its plan's {}",
            pages + tags
        );
    });
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
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::example(kind, &[]);
        let name = ws.provider_name();
        let doctor = ws.on_manifests(&["doctor", "--record", "rec"]);
        let lines: Vec<&str> = doctor.stdout.lines().collect();
        let checks = &lines[..lines.len().saturating_sub(1)];
        let all_ok = checks
            .iter()
            .all(|l| l.starts_with("ok ") && l.contains(&name));
        let named = ["credentials", " list ", " sim "]
            .iter()
            .all(|c| checks.iter().any(|l| l.contains(c)));
        assert!(
            doctor.code == 0 && all_ok && named,
            "doctor: {}\n{}",
            doctor.stdout,
            doctor.stderr
        );
        // Recordings hold no credential and no token.
        let files = recorded(&ws.path().join("rec"));
        let text: String = files.iter().map(|(_, t)| t.as_str()).collect();
        ws.assert_no_secret(&[&crate::support::Run {
            code: 0,
            stdout: text.clone(),
            stderr: String::new(),
        }]);
        let token = files.iter().any(|(_, t)| {
            t.contains("access_token") && !t.contains(r#"\"access_token\": \"***\""#)
        });
        assert!(!token, "a token was recorded: {text}");
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
        assert!(
            plan.code == 0 && plan.stdout.contains("No changes."),
            "replayed plan: {}\n{}",
            plan.stdout,
            plan.stderr
        );
    });
}

#[test]
fn every_kind_fails_doctor_naming_provider_url_and_fix_for_a_wrong_url_or_credentials() {
    each_kind(|f| {
        let kind = f.kind;
        // Both checks run; the kind fails with every one that failed.
        let mut failures = Vec::new();
        let ws = Workspace::example(kind, &[]);
        let name = ws.provider_name();
        let wrong = format!("{}/nowhere", ws.emulator().url(kind.mount()));
        let ws = ws.provider(&name, kind, serde_json::json!({ "url": wrong }));
        let doctor = ws.on_manifests(&["doctor"]);
        let failed = doctor.stdout.lines().find(|l| l.starts_with("FAIL"));
        let said = failed.is_some_and(|l| {
            l.contains(&name) && l.contains(&format!("{wrong}/")) && l.contains("check the `url`")
        });
        if doctor.code != 1 || !said {
            failures.push(format!("wrong url: {}\n{}", doctor.stdout, doctor.stderr));
        }

        let ws = ws.provider(&name, kind, serde_json::json!({}));
        let ws = wrong_credentials(ws, kind, "7e6d5c4b3a");
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
                "wrong credentials: {}\n{}",
                doctor.stdout, doctor.stderr
            ));
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

/// Provider `p` of `kind` at an emulator of `count` generated SIMs with
/// `extra` flags, its restrictable SIMs (`Emulator::restrictable`) restricted.
fn restricting(f: &Fixture, count: usize, extra: &[&str]) -> Workspace {
    let kind = f.kind;
    let mut flags = vec!["--rate-limit", "1000000"];
    flags.extend_from_slice(extra);
    let ws = Workspace::generated(kind, count, &flags).provider(
        "p",
        kind,
        serde_json::json!({"rate_limit": 1000, "concurrency": CONCURRENCY}),
    );
    let target = f.restricted;
    let iccids = ws.emulator().restrictable(kind);
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
    each_kind(|f| {
        let kind = f.kind;
        // At least 30 writes.
        let count = f.thirty_writes;
        // What reading costs, from a twin that stays up; then the provider
        // answers three writes and goes down.
        let twin = restricting(f, count, &[]);
        let plan = twin.on_manifests(&["plan"]);
        assert_eq!(plan.code, 0, "{kind}: {}", plan.stderr);
        let down_after = (twin.emulator().total() + 3).to_string();
        // Where each restriction is followed until it settles (Super SIM's
        // `scheduled`), the three answered writes cannot finish either:
        // nothing converged is exit 1; elsewhere they converged, exit 3.
        let applied = twin.on_manifests(&["apply", "--auto-approve", "--force"]);
        assert_eq!(applied.code, 0, "{kind}: {}", applied.stderr);
        let followed = twin.emulator().requests().iter().any(|r| {
            let call = format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["route"].as_str().unwrap()
            );
            f.follow_routes.contains(&call.as_str())
        });
        let partial = if followed { 1 } else { 3 };
        for format in ["text", "json"] {
            let ws = restricting(f, count, &["--down-after", &down_after]);
            let apply =
                ws.on_manifests(&["apply", "--auto-approve", "--force", "--format", format]);
            assert_eq!(
                apply.code, partial,
                "{kind}: {}\n{}",
                apply.stdout, apply.stderr
            );
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
            assert_eq!(
                totals["applied"].as_u64() > Some(0),
                !followed,
                "{kind}: {totals}"
            );
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
    });
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
    each_kind(|f| {
        let kind = f.kind;
        let ws = Workspace::example(kind, &[]);
        let name = ws.provider_name();
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
    });
}
