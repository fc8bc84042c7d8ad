//! Trust boundaries on pull requests: what a manifest or a saved plan (both
//! under a pull request author's control) cannot make simfleet do. Names
//! that become paths stay identifiers, sandbox files are bounded and stay
//! in their folder.

use serde_json::json;

use crate::workspace::{Workspace, fleet, providers};

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

#[test]
fn a_sandbox_seed_that_is_a_device_is_refused_at_once() {
    let ws = Workspace::new();
    let entry = json!({"type": "onomondo", "sandbox": "/dev/zero"});
    ws.manifest(
        "m/p.yaml",
        &[
            providers(json!({ "demo": entry })),
            fleet("f", "demo", json!([{"iccid": "89457387300000024185"}])),
        ],
    );
    let started = std::time::Instant::now();
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("/dev/zero");
    run.assert_stderr("not a regular file");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
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
    let iccid = "89457387300000024185";
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "sims": [{"id": "000000001", "iccid": iccid, "activated": true, "label": "old"}],
    }});
    let ws = Workspace::seeded(&seed, &[]).provider(
        "iot",
        simfleet::kind::ProviderKind::Onomondo,
        json!({}),
    );
    ws.fleet("iot", json!([{"iccid": iccid, "name": HOSTILE}]));
    let markdown = ws.on_manifests(&["plan", "--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    let out = &markdown.stdout;
    // The marker only where simfleet puts it: the first line.
    assert_eq!(out.matches("<!--").count(), 1, "{out}");
    assert!(out.starts_with("<!-- simfleet:plan -->\n"));
    for forged in ["<img", "@team", "`code`", "\r", "\x1b"] {
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
