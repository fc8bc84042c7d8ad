//! `simfleet export`: cheap, reviewable manifests from live state, a
//! folder shared by providers, stdout, adoption of unmanaged SIMs and
//! fleets per group. What every kind shares (round trips to `No changes.`)
//! is in the conformance suite.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use simfleet::emulator::generated_iccid;
use simfleet::export::GroupBy;
use simfleet::kind::ProviderKind;
use simfleet::model::Field;

use crate::support::{Emulator, kind_with};
use crate::workspace::{Workspace, fleet, sims_of};

/// The kinds of the two providers: `iot`, the first kind with an
/// auxiliary list (tags), and `meters`, the first whose attributes cost a
/// read per SIM; an export must read neither per SIM.
fn iot_and_meters() -> (ProviderKind, ProviderKind) {
    let iot = kind_with(|caps| caps.supports(Field::Tags));
    let meters = kind_with(|caps| caps.detail_fields.contains(&Field::Attributes));
    (iot, meters)
}

/// An emulator with `iot_sims` SIMs of provider `iot` and `meters_sims`
/// of provider `meters` (see [`iot_and_meters`]), each provider in its own
/// Providers file.
fn two_providers(iot_sims: usize, meters_sims: usize) -> Workspace {
    let (iot, meters) = iot_and_meters();
    let generate = format!("{meters}={meters_sims}");
    let extra = ["--generate", &generate, "--rate-limit", "1000000"];
    // Export reads each SIM's detail fields (Onomondo's data limit): a fast pace.
    let pace = json!({"rate_limit": 2000});
    let ws = Workspace::generated(iot, iot_sims, &extra[..]).provider("iot", iot, pace);
    std::fs::rename(
        ws.path().join("m/providers.yaml"),
        ws.path().join("m/iot.yaml"),
    )
    .unwrap();
    // Attributes are read one SIM at a time: allow it a fast pace.
    ws.provider("meters", meters, json!({"rate_limit": 2000}))
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

pub fn files_in(ws: &Workspace, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(ws.path().join(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn read(ws: &Workspace, file: &str) -> String {
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
    // Listings, tokens and auxiliary lists only, as each kind's fixture
    // names them.
    let (iot, meters) = iot_and_meters();
    let mut listed = BTreeSet::new();
    for kind in [iot, meters] {
        let f = crate::kinds::of(kind);
        let reads = [f.list_route].into_iter().chain(f.token_route);
        for route in reads.chain(f.auxiliary_routes.iter().copied()) {
            listed.insert((kind.as_str().to_owned(), route.to_owned()));
        }
    }
    let per_sim: Vec<_> = routes.difference(&listed).collect();
    assert!(per_sim.is_empty(), "{per_sim:?}");
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
    // Two SIMs, one given the hostile name by an apply: live state holds it.
    let kind = kind_with(|caps| caps.supports(Field::Name));
    let ws = Workspace::generated(kind, 2, &[]).provider("iot", kind, json!({}));
    let iccids = ws.emulator().iccids(kind);
    ws.fleet("iot", json!([{"iccid": iccids[0], "name": hostile}]));
    let named = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(named.code, 0, "{}\n{}", named.stdout, named.stderr);
    std::fs::remove_file(ws.path().join("m/fleet.yaml")).unwrap();
    let export = ws.on_manifests(&["export", "--provider", "iot", "--out", "-"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(!ws.path().join("-").exists());
    assert!(
        export.stdout.starts_with("--- # iot.providers.yaml\n"),
        "{}",
        export.stdout
    );
    export.assert_stdout("\n--- # iot.001.yaml\n");
    // The hostile name is there, made inert.
    export.assert_stdout("owned");
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
    let kind = kind_with(|_| true);
    let ws = Workspace::generated(kind, 30, &[]).provider("iot", kind, json!({}));
    let live = ws.emulator().iccids(kind);
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
fn grouping_by_a_field_the_provider_lacks_is_refused_before_any_request() {
    let kind = kind_with(|caps| !caps.supports(Field::Package));
    let ws = Workspace::generated(kind, 3, &[]).provider("iot", kind, json!({}));
    let export = ws.on_manifests(&["export", "--provider", "iot", "--group-by", "package"]);
    assert_eq!(export.code, 1);
    // The groupings the kind does offer, in the order `--group-by` lists them.
    let offered: Vec<&str> = GroupBy::ALL
        .into_iter()
        .filter(|g| kind.capabilities().supports(g.field()))
        .map(GroupBy::name)
        .collect();
    export.assert_stderr(format!(
        "--group-by package: provider `iot` (type {kind}) has no package; group it by {}",
        offered.join(" or ")
    ));
    assert_eq!(ws.emulator().total(), 0);
    assert!(!ws.path().join("exported").exists());
}

#[test]
fn all_fields_writes_empty_attributes_too() {
    let kind = kind_with(|caps| caps.supports(Field::Attributes));
    let ws = Workspace::generated(kind, 4, &[]).provider("meters", kind, json!({}));
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
    let kind = kind_with(|caps| caps.detail_fields.contains(&Field::Attributes));
    let ws = Workspace::generated(kind, 1, &[]).provider("meters", kind, json!({}));
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
