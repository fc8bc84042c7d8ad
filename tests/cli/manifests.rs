//! Validation: every problem reported with file:line:column, before any request.

use serde_json::json;

use simfleet::kind::ProviderKind;
use simfleet::model::Field;

use crate::support::{credentials_from, kind_with, repo, simfleet};
use crate::workspace::Workspace;

/// The first kind whose sandbox takes one credential, that credential's
/// key and its sandbox value: tests of where a credential comes from.
fn one_credential() -> (ProviderKind, &'static str, &'static str) {
    let kind = kind_with(|caps| caps.sandbox_credentials.len() == 1);
    let (key, value) = kind.capabilities().sandbox_credentials[0];
    (kind, key, value)
}

#[test]
fn five_mistakes_give_five_located_errors_and_no_request() {
    // A kind without packages: the package declared below is a mistake.
    let kind = kind_with(|caps| !caps.supports(Field::Package));
    let ws = Workspace::new()
        .with_emulator(None, &[])
        .provider("iot", kind, json!({}));
    // Literal YAML: the errors' lines and columns are what is tested.
    ws.file(
        "m/a.yaml",
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: a }\nprovider: iot\nsims:\n\
         \x20 - iccid: \"89457387300000024185\"\n    colour: blue\n\
         \x20 - iccid: \"89457387300000024186\"\n\
         \x20 - iccid: \"89457387300000024177\"\n    package: basic\n",
    );
    ws.file(
        "m/b.yaml",
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: b }\nprovider: iot\nsims:\n\
         \x20 - iccid: \"89457387300000024177\"\n\
         ---\napiVersion: simfleet/v1\nkind: Fleet\nmetadata: { name: c }\nprovider: iot-us\nsims: []\n",
    );
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: m/"))
        .collect();
    assert_eq!(errors.len(), 5, "{}", run.stderr);
    insta::assert_snapshot!("five_mistakes", errors.join("\n"));
    assert_eq!(ws.emulator().total(), 0, "no HTTP request may be made");
}

#[test]
fn every_example_validates() {
    // Everything in examples/ but the CI recipes (tests/cli/recipes.rs).
    let mut entries: Vec<String> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .flatten()
        .map(|e| format!("examples/{}", e.file_name().to_string_lossy()))
        .filter(|p| p != "examples/ci")
        .collect();
    assert!(entries.len() >= 5, "{entries:?}");
    entries.insert(0, "validate".into());
    let args: Vec<&str> = entries.iter().map(String::as_str).collect();
    let run = simfleet(&repo(), &args, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn inline_secrets_are_refused_without_echo() {
    let ws = Workspace::new();
    ws.file(
        "p.yaml",
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  iot:\n    type: onomondo\n    \
         credentials:\n      token: hunter2-inline-secret\n",
    );
    let run = ws.run(&["validate", "p.yaml"]);
    assert_eq!(run.code, 1);
    run.assert_stderr("p.yaml:7:14: secrets cannot be written inline");
    assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"));
}

#[test]
fn missing_credential_env_is_an_error_before_any_request() {
    let (kind, _, value) = one_credential();
    let ws = Workspace::new().with_emulator(None, &[]).provider(
        "iot",
        kind,
        json!({"credentials": credentials_from(kind, "SIMFLEET_TEST_UNSET_KEY")}),
    );
    ws.fleet("iot", json!([{"iccid": "89457387300000024185"}]));
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(run.code, 1);
    run.assert_stderr("environment variable SIMFLEET_TEST_UNSET_KEY is not set");
    assert_eq!(ws.emulator().total(), 0);

    // With the variable set, the same manifests plan against the emulator.
    let ws = ws.env("SIMFLEET_TEST_UNSET_KEY", value);
    let run = ws.on_manifests(&["plan"]);
    assert_eq!(
        run.code, 1,
        "the SIM is not at the emulator: {}",
        run.stdout
    );
    run.assert_stdout("is not at provider `iot`");
}

#[test]
fn fifos_and_devices_are_refused_unread_as_manifests_and_credential_files() {
    let ws = Workspace::new().with_emulator(None, &[]);
    let fifo = ws.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = ws.run(&["validate", "pipe.yaml", "/dev/zero"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("pipe.yaml: not a regular file");
    run.assert_stderr("/dev/zero: not a regular file");

    let (kind, key, _) = one_credential();
    let ws = ws.provider(
        "iot",
        kind,
        json!({"credentials": {key: {"file": "/dev/zero"}}}),
    );
    ws.fleet("iot", json!([{"iccid": "89457387300000024185"}]));
    // Allowed as a folder by the operator, a device is still no credential.
    let run = ws.on_manifests(&["--credentials-dir", "/dev", "plan"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.assert_stderr("not a regular file");
    assert_eq!(ws.emulator().total(), 0);
}

#[cfg(unix)]
#[test]
fn a_credential_file_others_can_read_gets_a_warning_and_still_works() {
    use std::os::unix::fs::PermissionsExt;
    let (kind, key, value) = one_credential();
    let ws = Workspace::generated(kind, 1, &[]).provider(
        "iot",
        kind,
        json!({"credentials": {key: {"file": "token.txt"}}}),
    );
    let token = ws.file("m/token.txt", value);
    let iccids = ws.emulator().iccids(kind);
    ws.fleet("iot", crate::workspace::sims_of(&iccids, |_| json!({})));
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let shared = ws.on_manifests(&["--credentials-dir", "m", "plan"]);
    assert_eq!(shared.code, 0, "{}", shared.stderr);
    shared.assert_stderr("token.txt can be read by other users (mode 644)");
    shared.assert_stderr("chmod 600");

    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let private = ws.on_manifests(&["--credentials-dir", "m", "plan"]);
    assert_eq!(private.code, 0, "{}", private.stderr);
    assert!(
        !private.stderr.contains("other users"),
        "{}",
        private.stderr
    );
}

#[test]
fn manifest_mistakes_are_said_in_plain_words() {
    let ws = Workspace::new();
    let head = "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n";
    let cases = [
        (
            "dup.yaml",
            format!("{head}  demo:\n    type: onomondo\n    sandbox: s.yaml\n    type: eseye\n"),
            "dup.yaml:7:5: key `type` appears twice (lines 5 and 7)",
        ),
        (
            "tab.yaml",
            format!("{head}\tdemo:\n    type: onomondo\n"),
            "tab.yaml:4:2: YAML does not allow tabs for indentation",
        ),
        (
            "range.yaml",
            format!(
                "{head}  demo:\n    type: onomondo\n    sandbox: s.yaml\n    concurrency: -3\n"
            ),
            "range.yaml:7:18: -3 is out of range: expected a whole number from 0 to 4294967295",
        ),
    ];
    for (name, text, said) in cases {
        ws.file(name, &text);
        let run = ws.run(&["validate", name]);
        assert_eq!(run.code, 1, "{name}");
        run.assert_stderr(said);
        assert!(!run.stderr.contains("DuplicateKeyPolicy"), "{}", run.stderr);
        assert!(!run.stderr.contains("expected u32"), "{}", run.stderr);
    }

    ws.file("empty.yaml", "");
    let empty = ws.run(&["validate", "empty.yaml"]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    empty.assert_stderr("warning: empty.yaml: the file is empty");

    std::fs::create_dir_all(ws.path().join("nothing")).unwrap();
    let none = ws.run(&["validate", "nothing"]);
    assert_eq!(none.code, 1);
    // A problem of the whole folder has no line to point at.
    none.assert_stderr("error: nothing: no *.yaml or *.yml manifests found here");
}

#[test]
fn settings_a_real_account_needs_are_named_with_where_to_find_them() {
    let ws = Workspace::new();
    let head = "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n";
    let cases = [
        (
            "infobip",
            "credentials: {api_key: {env: K}}",
            "infobip providers need `url`: each Infobip account has its own base URL, \
             https://<id>.api.infobip.com",
        ),
        (
            "eseye",
            "credentials: {client_id: {env: A}, client_secret: {env: B}}",
            "eseye providers need `token_url`: Eseye's identity provider, \
             https://eseye-idp-prod.auth.<region>.amazoncognito.com/oauth2/token",
        ),
    ];
    for (kind, credentials, said) in cases {
        let name = format!("{kind}.yaml");
        ws.file(
            &name,
            &format!("{head}  real:\n    type: {kind}\n    {credentials}\n"),
        );
        let run = ws.run(&["validate", &name]);
        assert_eq!(run.code, 1, "{kind}: {}", run.stderr);
        run.assert_stderr(format!("{name}:5:5: {said}"));
    }
    // Eseye's API base is published: only the token endpoint is needed.
    ws.file(
        "eseye.yaml",
        &format!(
            "{head}  real:\n    type: eseye\n    token_url: \
             https://eseye-idp-prod.auth.eu-west-1.amazoncognito.com/oauth2/token\n    \
             credentials: {{client_id: {{env: A}}, client_secret: {{env: B}}}}\n"
        ),
    );
    let run = ws.run(&["validate", "eseye.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_url_without_a_scheme_is_refused_by_validate_before_any_request() {
    let ws = Workspace::new();
    ws.file(
        "m/p.yaml",
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  iot:\n    type: onomondo\n    \
         url: api.onomondo.com\n    credentials: {token: {env: K}}\n  cmo:\n    type: telekom-cmo\n    \
         url: https://api.myiot-t.com\n    tenant: t\n    token_url: auth.myiot-t.com/token\n    \
         credentials: {client_id: {env: A}, client_secret: {env: B}}\n",
    );
    let said = [
        "m/p.yaml:6:5: `url` `api.onomondo.com` is not an absolute http:// or https:// URL",
        "m/p.yaml:12:5: `token_url` `auth.myiot-t.com/token` is not an absolute http:// or \
         https:// URL",
    ];
    for command in ["validate", "plan"] {
        let run = ws.run(&[command, "m"]);
        assert_eq!(run.code, 1, "{command}: {}", run.stderr);
        for line in said {
            run.assert_stderr(line);
        }
        assert!(!run.stderr.contains("builder error"), "{}", run.stderr);
    }
}

#[test]
fn every_unknown_key_is_reported_at_its_place_with_a_suggestion_and_numbers_as_written() {
    let ws = Workspace::new();
    // Literal YAML: what is under test is where each key is written.
    ws.file(
        "m/p.yaml",
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  iot:\n    type: onomondo\n    \
         url: http://127.0.0.1:9/x\n    credentials: {token: {env: K}}\n    rate_limt: 3\n    \
         timeot: 4\n  spare:\n    type: onomondoo\n",
    );
    ws.file(
        "m/f.yaml",
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata: {name: f}\nprovider: iot\nsims:\n\
         \x20 - iccid: 89457387300000024185\n    name: pump-17\n\
         \x20 - iccid: \"89457387300000024193\"\n    nmae: x\n    colour: blue\n    stauts: active\n\
         \x20 - {iccid: \"89457387300000022734\", tgas: [a], lable: x}\n\
         \x20 - iccid: \"89457387300000024177\"\n    name: 17\n",
    );
    let run = ws.run(&["validate", "m"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // As YAML reads it the ICCID loses its last digits; it is never shown so.
    assert!(
        !run.stderr.contains("8945738730000002000"),
        "{}",
        run.stderr
    );
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: m/"))
        .collect();
    insta::assert_snapshot!("every_unknown_key", errors.join("\n"));
}
