//! `simfleet export`: cheap, reviewable manifests from live state, a
//! folder shared by providers, stdout, adoption of unmanaged SIMs and
//! fleets per group. What every kind shares (round trips to `No changes.`)
//! is in the conformance suite.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind::{Eseye, Onomondo};

use crate::support::Emulator;
use crate::workspace::{Workspace, fleet, sims_of};

/// An emulator with `onomondo` Onomondo SIMs (provider `iot`) and `eseye`
/// Eseye SIMs (provider `meters`), each provider in its own Providers file.
fn two_providers(onomondo: usize, eseye: usize) -> Workspace {
    let generate = format!("eseye={eseye}");
    let extra = ["--generate", &generate, "--rate-limit", "1000000"];
    let ws =
        Workspace::generated(Onomondo, onomondo, &extra[..]).provider("iot", Onomondo, json!({}));
    std::fs::rename(
        ws.path().join("m/providers.yaml"),
        ws.path().join("m/iot.yaml"),
    )
    .unwrap();
    // Eseye reads attributes one SIM at a time: allow it a fast pace.
    ws.provider("meters", Eseye, json!({"rate_limit": 2000}))
}

/// Requests the emulator logged since the first `from`: (provider, route).
fn routes_since(e: &Emulator, from: usize) -> BTreeSet<(String, String)> {
    e.requests()[from..]
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (
                text("provider"),
                format!("{} {}", text("method"), text("route")),
            )
        })
        .collect()
}

fn files_in(ws: &Workspace, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(ws.path().join(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(ws: &Workspace, file: &str) -> String {
    std::fs::read_to_string(ws.path().join(file)).unwrap()
}

#[test]
fn two_providers_share_a_folder_and_their_export_plans_without_per_sim_reads() {
    let ws = two_providers(3_000, 500);
    for provider in ["iot", "meters"] {
        let export = ws.on_manifests(&["export", "--provider", provider, "--out", "out"]);
        assert_eq!(export.code, 0, "{}", export.stderr);
    }
    assert_eq!(
        files_in(&ws, "out"),
        [
            "iot.001.yaml",
            "iot.providers.yaml",
            "meters.001.yaml",
            "meters.providers.yaml"
        ]
    );
    for (file, sims) in [("out/iot.001.yaml", 3_000), ("out/meters.001.yaml", 500)] {
        let text = read(&ws, file);
        assert!(text.contains("\ndefaults:\n  status: active\n"), "{text}");
        assert!(
            !text.contains("attributes") && !text.contains("null"),
            "{file}"
        );
        // Every SIM its ICCID, a quarter to a half also their status.
        assert!(text.lines().count() < sims * 3 / 2 + 20, "{file}");
    }
    let e = ws.emulator();
    let before = e.requests().len();
    let plan = ws.run(&["plan", "--detailed-exitcode", "out"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
    assert!(!plan.stderr.contains("costs"), "{}", plan.stderr);
    let routes = routes_since(e, before);
    let listed: BTreeSet<(String, String)> = [
        ("onomondo", "GET /sims"),
        ("eseye", "POST /idp/oauth2/token"),
        ("eseye", "GET /api/v2/sim"),
    ]
    .iter()
    .map(|(p, r)| (p.to_string(), r.to_string()))
    .collect();
    let per_sim: Vec<_> = routes.difference(&listed).collect();
    assert!(
        per_sim.iter().all(|(_, r)| r.starts_with("GET /tags")),
        "{per_sim:?}"
    );
}

#[test]
fn a_second_export_of_a_provider_into_its_folder_is_refused_before_any_request() {
    let ws = two_providers(5, 5);
    let first = ws.on_manifests(&["export", "--provider", "meters", "--out", "out"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let e = ws.emulator();
    let before = e.requests().len();
    let again = ws.on_manifests(&["export", "--provider", "meters", "--out", "out"]);
    assert_eq!(again.code, 1);
    again.assert_stderr("out already holds an export of provider `meters`");
    // A link in a folder counts as there, even one leading nowhere.
    std::fs::create_dir(ws.path().join("linked")).unwrap();
    std::os::unix::fs::symlink("/nowhere", ws.path().join("linked/iot.providers.yaml")).unwrap();
    let linked = ws.on_manifests(&["export", "--provider", "iot", "--out", "linked"]);
    assert_eq!(linked.code, 1);
    linked.assert_stderr("linked already holds an export of provider `iot`");
    assert_eq!(e.requests().len(), before, "nothing was read");
    assert_eq!(files_in(&ws, "linked"), ["iot.providers.yaml"]);
}

#[test]
fn out_dash_prints_a_yaml_stream_of_inert_values_and_makes_no_folder() {
    let hostile = "pump\u{1b}]0;owned\u{7}\u{202e}-1";
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "sims": [
            {"id": "000000001", "iccid": generated_iccid("8945738730", 1), "activated": true,
             "label": hostile},
            {"id": "000000002", "iccid": generated_iccid("8945738730", 2), "activated": true},
        ],
    }});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({}));
    let export = ws.on_manifests(&["export", "--provider", "iot", "--out", "-"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(!ws.path().join("-").exists());
    assert!(
        export.stdout.starts_with("--- # iot.providers.yaml\n"),
        "{}",
        export.stdout
    );
    export.assert_stdout("\n--- # iot.001.yaml\n");
    assert!(
        !export
            .stdout
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "{}",
        export.stdout
    );
    ws.file("streamed/all.yaml", &export.stdout);
    let plan = ws.run(&["plan", "--detailed-exitcode", "streamed"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
}

#[test]
fn unmanaged_only_exports_just_the_sims_no_manifest_declares() {
    let ws = Workspace::generated(Onomondo, 30, &[]).provider("iot", Onomondo, json!({}));
    let live = ws.emulator().iccids(Onomondo);
    let (declared, new) = live.split_at(10);
    ws.fleet("iot", sims_of(declared, |_| json!({})));
    let export = ws.on_manifests(&[
        "export",
        "--provider",
        "iot",
        "--unmanaged-only",
        "--out",
        "m",
    ]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let first = new.iter().min().unwrap();
    let file = format!("iot.unmanaged-{first}.001.yaml");
    assert_eq!(
        files_in(&ws, "m"),
        ["fleet.yaml", file.as_str(), "providers.yaml"]
    );
    let text = read(&ws, &format!("m/{file}"));
    let exported: BTreeSet<&str> = live
        .iter()
        .filter(|i| text.contains(&format!("\"{i}\"")))
        .map(String::as_str)
        .collect();
    assert_eq!(exported, new.iter().map(String::as_str).collect());
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("30 managed, no changes");
    let again = ws.on_manifests(&[
        "export",
        "--provider",
        "iot",
        "--unmanaged-only",
        "--out",
        "m",
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    again.assert_stderr("No unmanaged SIMs at provider `iot`: nothing written.");
    assert_eq!(files_in(&ws, "m").len(), 3);
}

#[test]
fn group_by_tag_writes_one_fleet_per_tag_that_plans_no_changes() {
    let iccid = |n| generated_iccid("8945738730", n);
    let sim = |n: usize, tags: &[&str], activated: bool| json!({"id": format!("{n:09}"), "iccid": iccid(n), "activated": activated, "tags": tags});
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "tags": [{"id": "t-1", "name": "pumps"}, {"id": "t-2", "name": "Site A"},
                 {"id": "t-3", "name": "spare"}],
        "sims": [
            sim(1, &["pumps"], true), sim(2, &["pumps", "Site A"], true),
            sim(3, &["pumps"], false), sim(4, &["Site A", "spare"], true),
            sim(5, &[], true), sim(6, &["spare"], false),
        ],
    }});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({}));
    let export = ws.on_manifests(&["export", "--provider", "iot", "--group-by", "tag"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let files = files_in(&ws, "exported");
    let site = files.iter().find(|f| f.starts_with("iot.tag-site-a-"));
    let site = site.unwrap_or_else(|| panic!("no file for `Site A` in {files:?}"));
    let site = site.clone();
    assert_eq!(
        files,
        [
            "iot.no-tag.001.yaml",
            "iot.providers.yaml",
            "iot.tag-pumps.001.yaml",
            &site,
            "iot.tag-spare.001.yaml",
        ]
    );
    // SIM 2 carries pumps (3 SIMs) and Site A (2): it joins pumps, whose
    // file states the shared tag once.
    let pumps = read(&ws, "exported/iot.tag-pumps.001.yaml");
    assert!(
        pumps.contains(&iccid(2)) && !pumps.contains(&iccid(4)),
        "{pumps}"
    );
    assert!(
        pumps.contains("defaults:\n  status: active\n  tags: [\"pumps\"]\n"),
        "{pumps}"
    );
    assert!(pumps.contains("\n    tags: [\"Site A\"]\n"), "{pumps}");
    let plan = ws.run(&["plan", "--detailed-exitcode", "exported"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
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
        assert_eq!(files_in(&ws, &out), files, "{by}");
        let plan = ws.run(&["plan", "--detailed-exitcode", &out]);
        assert_eq!(plan.code, 0, "{by}: {}\n{}", plan.stdout, plan.stderr);
        plan.assert_stdout("No changes.");
    }
}

#[test]
fn grouping_by_a_field_the_provider_lacks_is_refused_before_any_request() {
    let ws = Workspace::generated(Onomondo, 3, &[]).provider("iot", Onomondo, json!({}));
    let export = ws.on_manifests(&["export", "--provider", "iot", "--group-by", "package"]);
    assert_eq!(export.code, 1);
    export.assert_stderr(
        "--group-by package: provider `iot` (type onomondo) has no package; group it by tag or status",
    );
    assert_eq!(ws.emulator().total(), 0);
    assert!(!ws.path().join("exported").exists());
}

#[test]
fn all_fields_writes_unset_settings_and_empty_attributes_too() {
    let ws = two_providers(4, 4);
    let export = ws.on_manifests(&["export", "--provider", "iot", "--all-fields", "--out", "o"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let text = read(&ws, "o/iot.001.yaml");
    assert!(text.contains("    imei_lock: null\n"), "{text}");
    let export = ws.on_manifests(&[
        "export",
        "--provider",
        "meters",
        "--all-fields",
        "--out",
        "e",
    ]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(read(&ws, "e/meters.001.yaml").contains("attributes: {}"));
}

#[test]
fn the_attribute_cost_warning_says_how_to_avoid_it() {
    let ws = Workspace::generated(Eseye, 1, &[]).provider("meters", Eseye, json!({}));
    // Declared, not live: the warning comes before the read, which then
    // finds them missing and reads no attributes.
    let iccids: Vec<String> = (1_000..1_400)
        .map(|n| generated_iccid("8944538523", n))
        .collect();
    let cases: [(Value, bool); 2] = [(json!({"attributes": {}}), true), (json!({}), false)];
    for (fields, warned) in cases {
        ws.manifest(
            "m/fleet.yaml",
            &[fleet("f", "meters", sims_of(&iccids, |_| fields.clone()))],
        );
        let plan = ws.on_manifests(&["plan"]);
        let warning = "provider `meters`: reading attributes of 400 SIMs costs 400 requests";
        assert_eq!(plan.stderr.contains(warning), warned, "{}", plan.stderr);
        if warned {
            plan.assert_stderr("leave attributes out of the manifests unless you manage them");
        }
    }
}
