//! Trust boundaries on pull requests: what a manifest or a saved plan (both
//! under a pull request author's control) cannot make simfleet do. Names
//! that become paths stay identifiers, sandbox files are bounded and stay
//! in their folder.

use serde_json::json;
use simfleet::kind::ProviderKind;
use simfleet::model::Field;

use crate::support::kind_with;
use crate::workspace::{Workspace, fleet, providers};

/// The first kind that manages names: these tests plan renames.
fn named() -> ProviderKind {
    kind_with(|caps| caps.supports(Field::Name))
}

#[test]
fn provider_and_fleet_names_that_would_be_paths_are_validation_errors() {
    let ws = Workspace::new();
    for name in ["../../../escaped", "/tmp/x", "a/b/c", ".hidden"] {
        let entry = json!({"type": "onomondo", "sandbox": "seed.yaml"});
        ws.manifest("p.yaml", &[providers(json!({ name: entry }))]);
        let run = ws.run(&["validate", "p.yaml"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        run.assert_stderr("provider name `");
        run.assert_stderr("it becomes part of file names");
    }
    let entry = json!({"type": "onomondo", "sandbox": "seed.yaml"});
    ws.manifest(
        "p.yaml",
        &[
            providers(json!({ "ok": entry })),
            fleet("../f", "ok", json!([])),
        ],
    );
    let run = ws.run(&["validate", "p.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("fleet name `../f`");
    assert!(!ws.path().join("..").join("escaped.json").exists());
}

/// A workspace whose one Onomondo provider is a sandbox seeded from `seed`.
fn sandbox_seeded(seed: &str) -> Workspace {
    let ws = Workspace::new();
    let entry = json!({"type": "onomondo", "sandbox": seed});
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({ "demo": entry })),
            fleet("f", "demo", json!([{"iccid": "89457387300000024185"}])),
        ],
    );
    ws
}

#[test]
fn a_sandbox_seed_is_a_regular_file_of_the_current_folder_checked_before_reading() {
    // Outside the folder simfleet runs in: a device, another user's file.
    for seed in [
        "/dev/zero",
        "/etc/hostname",
        "../../../../../../etc/hostname",
    ] {
        let ws = sandbox_seeded(seed);
        let run = ws.on_manifests(&["plan"]);
        assert_eq!(run.code, 1, "{seed}: {}", run.stderr);
        run.assert_stderr("sandbox `demo`: the seed");
        run.assert_stderr("is not inside the current folder");
    }
    // Inside it, a FIFO would block a reader for ever and a link could
    // lead anywhere: both refused unread (a hang here is the failure).
    let ws = sandbox_seeded("seed.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(ws.path().join("m/seed.fifo"))
        .status()
        .unwrap();
    assert!(made.success());
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("m/seed.fifo");
    run.assert_stderr("not a regular file");
    let ws = sandbox_seeded("seed.yaml");
    let target = crate::support::repo().join("sandbox/onomondo.yaml");
    std::os::unix::fs::symlink(&target, ws.path().join("m/seed.yaml")).unwrap();
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("a symbolic link");
}

#[test]
fn a_link_in_a_manifest_folder_that_leads_out_of_it_is_a_problem_never_read() {
    let ws = provider_with(json!({"url": "https://api.onomondo.com"}));
    ws.file("outside/secret.yaml", "kind: Fleet\nname: SECRET-CONTENT\n");
    std::os::unix::fs::symlink(
        ws.path().join("outside/secret.yaml"),
        ws.path().join("m/leak.yaml"),
    )
    .unwrap();
    let run = ws.on_manifests(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("m/leak.yaml: a symbolic link out of m");
    assert!(!run.stderr.contains("SECRET-CONTENT"), "{}", run.stderr);
    // A link that stays in the folder is read as the file it names.
    std::fs::remove_file(ws.path().join("m/leak.yaml")).unwrap();
    std::os::unix::fs::symlink("p.yaml", ws.path().join("m/again.yml")).unwrap();
    let run = ws.on_manifests(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("provider `p` is defined twice; first at m/again.yml");
}

#[test]
fn a_sandbox_state_folder_behind_a_link_is_refused() {
    let ws = Workspace::new().with_examples();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join(".simfleet")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), ws.path().join(".simfleet/sandbox")).unwrap();
    let run = ws.run(&["plan", "examples/onomondo"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("is a symbolic link");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// A name carrying the injections a pull request's author could try.
const HOSTILE: &str = "pump\r\r**Safety:** no refusals. <img src=https://x.example/p.png> \
                       @team <!-- `code` \x1b]0;owned\x07\x1b[2K";

#[test]
fn a_hostile_sim_name_renders_inert_in_markdown_and_on_the_terminal() {
    let kind = named();
    let ws = Workspace::generated(kind, 1, &[]).provider("iot", kind, json!({}));
    let iccid = ws.emulator().iccids(kind)[0].clone();
    ws.fleet("iot", json!([{"iccid": iccid, "name": HOSTILE}]));
    let markdown = ws.on_manifests(&["plan", "--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    let out = &markdown.stdout;
    // The marker only where simfleet puts it: the first line.
    assert_eq!(out.matches("<!--").count(), 1, "{out}");
    assert!(out.starts_with("<!-- simfleet:plan -->\n"));
    for forged in ["<img", "@team", "`code`", "\r", "\x1b", "https://x.example"] {
        assert!(!out.contains(forged), "{forged:?} in {out}");
    }
    // Only simfleet's own verdict, not the forged one.
    assert_eq!(out.matches("**Safety:**").count(), 1, "{out}");
    assert!(
        out.contains("&#64;team") && out.contains("&lt;img"),
        "{out}"
    );
    let text = ws.on_manifests(&["plan"]);
    for raw in ["\r", "\x1b", "\x07"] {
        assert!(!text.stdout.contains(raw), "{raw:?} in {}", text.stdout);
    }
    let drift = ws.on_manifests(&["drift", "--format", "markdown"]);
    assert!(!drift.stdout.contains("<img") && !drift.stdout.contains("\x1b"));
}

#[test]
fn provider_error_bodies_reach_no_terminal_raw_and_echoed_secrets_not_even_in_part() {
    // The key as a server might echo it: percent-encoded, deep in a long body.
    let secret = "Sk-live/4f3e+2d1c&b0a9";
    let encoded = "Sk-live%2F4f3e%2B2d1c%26b0a9";
    let body = format!(
        "{{\"error\":\"\\u001b]0;pwned\\u0007{}{encoded}{}\"}}",
        "x".repeat(280),
        "y".repeat(100)
    );
    let (url, _) = crate::support::scripted(move |_| (403, body.clone()));
    let ws = Workspace::new().env("KEY", secret);
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({"p": {"type": "onomondo", "url": url, "credentials": {"token": {"env": "KEY"}}}})),
            fleet("f", "p", json!([{"iccid": "89457387300000024185"}])),
        ],
    );
    for args in [
        &["plan"][..],
        &["plan", "--format", "markdown"],
        &["doctor"],
    ] {
        let run = ws.on_manifests(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        for out in [&run.stdout, &run.stderr] {
            assert!(
                !out.contains('\x1b') && !out.contains('\x07'),
                "{args:?}: {out}"
            );
            assert!(
                !out.contains("Sk-live"),
                "{args:?}: a prefix of the secret: {out}"
            );
        }
    }
}

#[test]
fn usage_csv_quotes_cells_and_defuses_formulas() {
    let sim = json!({"id": "000000001", "iccid": "=HYPERLINK(\"https://x.example\",\"a,b\")",
                     "activated": true, "usage": 5});
    let (url, _) = crate::support::scripted(move |_| {
        let page = json!({"sims": [sim], "pagination": {"has_more": false, "next_page": null}});
        (200, page.to_string())
    });
    let ws = Workspace::new().env("KEY", "key-123456");
    ws.manifest(
        "m/p.yaml",
        &[providers(json!({"p": {"type": "onomondo", "url": url, "credentials": {"token": {"env": "KEY"}}}}))],
    );
    let run = ws.on_manifests(&["usage", "--format", "csv", "--provider", "p"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row = run.stdout.lines().nth(1).unwrap_or_default();
    assert_eq!(
        row, "p,\"'=HYPERLINK(\"\"https://x.example\"\",\"\"a,b\"\")\",5,,,,",
        "{}",
        run.stdout
    );
}

/// `m/p.yaml`: provider `p` of Onomondo with `entry` merged in, and one SIM.
fn provider_with(entry: serde_json::Value) -> Workspace {
    let ws = Workspace::new().env("KEY", "secret-key-0123456789");
    let mut provider = json!({"type": "onomondo", "credentials": {"token": {"env": "KEY"}}});
    if let (Some(p), Some(e)) = (provider.as_object_mut(), entry.as_object()) {
        p.extend(e.clone());
    }
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({ "p": provider })),
            fleet("f", "p", json!([{"iccid": "89457387300000024185"}])),
        ],
    );
    ws
}

#[test]
fn credentials_go_to_no_host_the_operator_did_not_allow() {
    // A listener standing in for the attacker's host: it must see nothing.
    let (collector, seen) = crate::support::scripted(|_| (200, "{}".into()));
    let port = collector.rsplit(':').next().unwrap_or_default().to_owned();
    for (url, said) in [
        (
            "https://collector.example.net/api".to_owned(),
            "--allow-host collector.example.net",
        ),
        (
            "http://api.onomondo.com".to_owned(),
            "--allow-insecure-http",
        ),
        (
            "HTTP://collector.example.net".to_owned(),
            "write the scheme in lower case",
        ),
        (
            "http:collector.example.net/".to_owned(),
            "not an absolute http",
        ),
        (format!(" http://127.0.0.1:{port}/"), "white space"),
        (
            format!("http://localhost:{port}@collector.example.net/"),
            "user info",
        ),
    ] {
        let ws = provider_with(json!({ "url": url }));
        let plan = ws.on_manifests(&["plan"]);
        assert_eq!(plan.code, 1, "{url}: {}", plan.stderr);
        // Refused by validation (the URL as written) or when connecting
        // (where it points); either way before any request.
        plan.assert_stderr("m/p.yaml:");
        plan.assert_stderr("`url`");
        plan.assert_stderr(said);
        ws.assert_no_secret(&[&plan]);
    }
    // A token endpoint elsewhere is refused the same way (Eseye's).
    let ws = Workspace::new()
        .env("A", "id-0123456789")
        .env("B", "secret-0123456789");
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({"p": {"type": "eseye",
                "token_url": "https://evil.auth.eu-west-1.amazoncognito.com/oauth2/token",
                "credentials": {"client_id": {"env": "A"}, "client_secret": {"env": "B"}}}})),
            fleet("f", "p", json!([{"iccid": "89445385230000000017"}])),
        ],
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("`token_url` of provider `p`");
    plan.assert_stderr("--allow-host evil.auth.eu-west-1.amazoncognito.com");
    // A sandbox's token endpoint too: the manifest may not point it away.
    let ws = Workspace::new();
    ws.file("seed.json", "{\"eseye\": {\"sims\": []}}");
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({"p": {"type": "eseye", "sandbox": "../seed.json",
                "token_url": format!("http://collector.example.net:{port}/token")}})),
            fleet("f", "p", json!([{"iccid": "89445385230000000017"}])),
        ],
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("`token_url` of provider `p`");
    plan.assert_stderr("--allow-host collector.example.net");
    assert!(
        seen.lock().unwrap().is_empty(),
        "the collector was contacted"
    );
}

#[test]
fn allow_insecure_http_is_the_operators_flag_not_a_manifest_key() {
    let ws = provider_with(json!({"url": "https://api.onomondo.com", "allow_insecure_http": true}));
    let run = ws.on_manifests(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("`allow_insecure_http` is not a manifest setting");
    run.assert_stderr("--allow-insecure-http");
}

#[test]
fn credential_files_are_read_only_from_folders_the_operator_allows() {
    for file in ["/proc/self/environ", "../../etc/hostname"] {
        let ws = provider_with(json!({"credentials": {"token": {"file": file}}}));
        let plan = ws.on_manifests(&["plan"]);
        assert_eq!(plan.code, 1, "{file}: {}", plan.stderr);
        plan.assert_stderr("credential `token` of provider `p`");
        plan.assert_stderr("--credentials-dir");
        assert!(!plan.stderr.contains("SIMFLEET_TEST"), "{}", plan.stderr);
    }
    // Allowed, a file in the folder is read; one beside it is not.
    let ws = provider_with(json!({"credentials": {"token": {"file": "secrets/token"}}}));
    ws.file("m/secrets/token", "k");
    ws.file("m/elsewhere", "k");
    let plan = ws.on_manifests(&["--credentials-dir", "m/secrets", "plan"]);
    assert!(
        !plan.stderr.contains("--credentials-dir"),
        "{}",
        plan.stderr
    );
    let ws = provider_with(json!({"credentials": {"token": {"file": "secrets/../elsewhere"}}}));
    ws.file("m/secrets/token", "k");
    ws.file("m/elsewhere", "k");
    let plan = ws.on_manifests(&["--credentials-dir", "m/secrets", "plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("is not under an allowed credentials folder");
}

#[test]
fn a_token_endpoint_that_redirects_elsewhere_is_not_followed() {
    let (collector, seen) = crate::support::scripted(|_| (200, "{}".into()));
    let location = format!("location: {collector}/steal\r\n");
    let (idp, _) = crate::support::scripted_with(move |_| (307, location.clone(), String::new()));
    let ws = Workspace::new()
        .env("A", "id-0123456789")
        .env("B", "secret-0123456789");
    ws.manifest(
        "m/p.yaml",
        &[
            providers(
                json!({"p": {"type": "eseye", "url": idp, "token_url": format!("{idp}/token"),
                "credentials": {"client_id": {"env": "A"}, "client_secret": {"env": "B"}}}}),
            ),
            fleet("f", "p", json!([{"iccid": "89445385230000000017"}])),
        ],
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("HTTP 307");
    plan.assert_stderr("follows no redirect");
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn every_plan_format_shows_where_requests_and_credentials_go() {
    let ws = Workspace::example(kind_with(|_| true), &[]);
    for format in ["text", "markdown", "json", "diff"] {
        let plan = ws.on_manifests(&["plan", "--format", format]);
        assert_eq!(plan.code, 0, "{format}: {}", plan.stderr);
        assert!(
            plan.stdout.contains("127.0.0.1"),
            "{format}: {}",
            plan.stdout
        );
        assert!(
            plan.stdout.contains("SIMFLEET"),
            "{format}: {}",
            plan.stdout
        );
    }
    // With nothing to change, still: a reviewer sees where it would go.
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    for format in ["text", "markdown", "json", "diff"] {
        let plan = ws.on_manifests(&["plan", "--format", format]);
        assert_eq!(plan.code, 0, "{format}: {}", plan.stderr);
        assert!(
            plan.stdout.contains("127.0.0.1") && plan.stdout.contains("SIMFLEET"),
            "{format}, no changes: {}",
            plan.stdout
        );
    }
}

/// The example of the first kind that manages names planned into
/// `plan.json`, and the file as JSON.
fn saved_example() -> (Workspace, serde_json::Value) {
    let ws = Workspace::example(named(), &[]);
    let plan = ws.on_manifests(&["plan", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let text = std::fs::read_to_string(ws.path().join("plan.json")).unwrap();
    (ws, serde_json::from_str(&text).unwrap())
}

/// The index in `saved`'s first provider of the first SIM planned to be
/// renamed, and the name it is given.
fn renamed(saved: &serde_json::Value) -> (usize, String) {
    let sims = saved["plan"]["providers"][0]["sims"].as_array().unwrap();
    let found = sims.iter().enumerate().find_map(|(n, sim)| {
        let changes = sim["changes"].as_array()?;
        let name = changes.iter().find(|c| c["field"] == "name")?;
        Some((n, name["after"].as_str()?.to_owned()))
    });
    found.expect("the example renames a SIM")
}

/// Writes `saved` as `plan.json`; with `digest`, its content digest made
/// to match again, as someone who edits it on purpose would.
fn write_saved(ws: &Workspace, mut saved: serde_json::Value, digest: bool) {
    if digest {
        let mut bare = saved.clone();
        bare.as_object_mut().unwrap().remove("content_digest");
        saved["content_digest"] = json!(simfleet::digest::Digest::of(bare.to_string().as_bytes()));
    }
    ws.file("plan.json", &serde_json::to_string_pretty(&saved).unwrap());
}

/// Writes at the emulator: every request but GETs, searches and tokens.
#[test]
fn a_saved_plan_edited_after_plan_wrote_it_is_refused_and_nothing_written() {
    let (ws, saved) = saved_example();
    let provider = ws.provider_name();
    let (renamed, name) = renamed(&saved);
    // A changed `after`, digest made to match: re-derived from the
    // manifests, the plan asks for something else.
    let mut edited = saved.clone();
    let change = edited["plan"]["providers"][0]["sims"][renamed]["changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["field"] == "name")
        .unwrap();
    change["after"] = json!("written-by-no-manifest");
    write_saved(&ws, edited, true);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("written-by-no-manifest");
    apply.assert_stderr("does not say what the manifests ask for");

    // The endpoint: the configuration is the manifests', never the file's.
    let mut edited = saved.clone();
    edited["providers"][0]["endpoint"] = json!({"remote": {"url": "https://collector.example.net",
        "credentials": {"token": {"env": "SIMFLEET_TEST_TOKEN"}}}});
    write_saved(&ws, edited, true);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr(format!("provider `{provider}`: its configuration"));

    // `protect`: the manifests' value holds.
    let mut edited = saved.clone();
    let sim = &mut edited["plan"]["providers"][0]["sims"][0];
    sim["protect"] = json!(!sim["protect"].as_bool().unwrap());
    write_saved(&ws, edited, true);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("`protect` is");

    // Any edit without the digest made to match.
    let mut edited = saved.clone();
    edited["plan"]["providers"][0]["sims"][0]["name"] = json!("x");
    write_saved(&ws, edited, false);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("was changed after `simfleet plan` wrote it");

    // A planned SIM left out of the file: the manifests still change it.
    let mut edited = saved.clone();
    let sims = edited["plan"]["providers"][0]["sims"]
        .as_array_mut()
        .unwrap();
    let dropped = sims.remove(0)["iccid"].as_str().unwrap().to_owned();
    write_saved(&ws, edited, true);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr(format!(
        "SIM {dropped}: the manifests change it, the saved plan does not"
    ));

    // The file never chooses what is read: the operator names the
    // manifests, and a saved plan is not narrowed again.
    write_saved(&ws, saved.clone(), false);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("name the manifests plan.json was planned from");
    let apply = ws.run(&[
        "apply",
        "--auto-approve",
        "--provider",
        &provider,
        "plan.json",
        "m",
    ]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("a saved plan applies as it was planned");

    // Manifests changed since the plan.
    write_saved(&ws, saved, false);
    let fleets = std::fs::read_dir(ws.path().join("m")).unwrap().flatten();
    let declaring = fleets
        .map(|entry| entry.path())
        .find(|path| std::fs::read_to_string(path).unwrap().contains(&name))
        .unwrap_or_else(|| panic!("no manifest declares {name}"));
    let text = std::fs::read_to_string(&declaring).unwrap();
    std::fs::write(&declaring, text.replace(&name, &format!("{name}b"))).unwrap();
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("planned from manifests (m) that differ from those given");

    assert_eq!(ws.emulator().writes(), 0, "a refused plan wrote");
}

#[test]
fn a_protected_sim_stays_protected_whatever_the_saved_plan_claims() {
    let kind = kind_with(|caps| caps.supports(Field::Status));
    let ws = Workspace::sandbox(kind, &[]).provider("p", kind, json!({}));
    // The manifest restricts a protected SIM: plan shows the refusal.
    let iccid = ws.emulator().restrictable(kind)[0].clone();
    let restricted = crate::kinds::of(kind).restricted;
    ws.fleet(
        "p",
        json!([{"iccid": iccid, "protect": true, "status": restricted}]),
    );
    let plan = ws.on_manifests(&["plan", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    plan.assert_stdout("(protected)");
    let mut saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("plan.json")).unwrap())
            .unwrap();
    for sim in saved["plan"]["providers"][0]["sims"]
        .as_array_mut()
        .unwrap()
    {
        sim["protect"] = json!(false);
    }
    write_saved(&ws, saved, true);
    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 1, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stderr("`protect` is false in the plan but true in the manifests");
    assert_eq!(ws.emulator().writes(), 0);
}

#[test]
fn the_emulator_answers_a_client_while_300_slow_ones_hold_connections_and_drops_them() {
    use std::io::{Read, Write};
    let kind = kind_with(|_| true);
    let ws = Workspace::sandbox(kind, &[]);
    let e = ws.emulator();
    let list = crate::kinds::of(kind).past_end.path();
    let head = format!(
        "GET /{}{list} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        kind.mount()
    );
    // Each sends half a request head and goes quiet.
    let slow: Vec<std::net::TcpStream> = (0..300)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&e.addr).unwrap();
            s.write_all(head.as_bytes()).unwrap();
            s
        })
        .collect();
    let started = std::time::Instant::now();
    let (status, _) = e.request("GET", "/_emulator/stats", None, "");
    assert_eq!(status, 200);
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    // The head was not finished in time: the emulator closed them.
    std::thread::sleep(std::time::Duration::from_secs(7));
    let closed = slow
        .into_iter()
        .filter(|s| {
            let mut s = s.try_clone().unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_millis(200)))
                .unwrap();
            // Closed: the stream ends (after a timeout answer, if any);
            // still open, the read times out.
            let mut rest = Vec::new();
            s.read_to_end(&mut rest).is_ok()
        })
        .count();
    assert!(
        closed >= 290,
        "{closed} of 300 slow connections were closed"
    );
}

#[test]
fn the_emulator_on_loopback_answers_only_requests_addressed_to_loopback() {
    use std::io::{Read, Write};
    let ws = Workspace::sandbox(kind_with(|_| true), &[]);
    let e = ws.emulator();
    let mut s = std::net::TcpStream::connect(&e.addr).unwrap();
    write!(
        s,
        "GET /_emulator/state HTTP/1.1\r\nHost: rebound.example:8080\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    assert!(!answer.contains("api_key"), "{answer}");
    assert!(!answer.contains(simfleet::kind::SANDBOX_KEY), "{answer}");
}
