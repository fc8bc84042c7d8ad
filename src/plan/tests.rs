//! `build` on SIMs with several ICCIDs (Soracom's profiles): a manifest
//! names such a SIM by any of them, the SIM is managed once, and two
//! entries for one SIM are an error naming both.

use std::collections::BTreeMap;

use super::*;
use crate::model::Status;

const FIRST: &str = "89457387300000024185";
const SECOND: &str = "89457387300000024177";
const OTHER: &str = "89457387300000024193";

fn iccid(text: &str) -> Iccid {
    Iccid::from_live(text)
}

/// Manifests declaring `sims` (ICCID, status) at a sandbox provider `p`.
fn manifests(sims: &[(&str, &str)]) -> Manifests {
    let dir = tempfile::tempdir().unwrap();
    let kind = ProviderKind::ALL[0];
    let mut text = format!(
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  p:\n    type: {kind}\n    \
         sandbox: seed.yaml\n---\napiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: f\n\
         provider: p\nsims:\n"
    );
    for (iccid, status) in sims {
        text.push_str(&format!("  - iccid: \"{iccid}\"\n    status: {status}\n"));
    }
    std::fs::write(dir.path().join("m.yaml"), text).unwrap();
    crate::manifest::load(&[dir.path().to_path_buf()]).expect("valid manifests")
}

/// One live SIM holding FIRST and SECOND, active; another holding OTHER.
fn inventory() -> BTreeMap<String, Inventory> {
    let live = |own: &str, aliases: &[&str]| LiveSim {
        iccid: iccid(own),
        id: format!("id-{own}"),
        fields: Fields::from([(Field::Status, Value::Status(Status::Active))]),
        condition: None,
        aliases: aliases.iter().map(|a| iccid(a)).collect(),
    };
    let sims = vec![live(FIRST, &[SECOND]), live(OTHER, &[])];
    BTreeMap::from([(
        "p".to_owned(),
        Inventory {
            sims,
            vocabulary: Default::default(),
        },
    )])
}

#[test]
fn a_sim_named_by_its_second_iccid_is_matched_and_managed_once() {
    let plan = build(
        &manifests(&[(SECOND, "inactive"), (OTHER, "active")]),
        &inventory(),
    );
    let p = &plan.providers[0];
    assert!(p.missing.is_empty() && p.errors.is_empty(), "{p:?}");
    assert_eq!(p.unmanaged_count, 0, "both live SIMs are declared");
    let sim = &p.sims[0];
    assert_eq!(sim.iccid, iccid(SECOND));
    assert_eq!(sim.id, format!("id-{FIRST}"));
    // The live state it was planned from, under the manifest's ICCID.
    assert_eq!(sim.live.iccid, iccid(SECOND));
    assert_eq!(sim.live.aliases, [iccid(FIRST)]);
    assert_eq!(sim.changes.len(), 1);
}

#[test]
fn two_entries_for_one_sim_are_an_error_naming_both_and_plan_nothing() {
    let plan = build(
        &manifests(&[(FIRST, "inactive"), (SECOND, "inactive")]),
        &inventory(),
    );
    let p = &plan.providers[0];
    assert!(p.sims.is_empty(), "{:?}", p.sims);
    assert_eq!(p.errors.len(), 2);
    for error in &p.errors {
        let other = if error.iccid == iccid(FIRST) {
            SECOND
        } else {
            FIRST
        };
        assert!(
            error
                .message
                .contains(&format!("is also declared as {other} at ")),
            "{}",
            error.message
        );
    }
    // OTHER is declared by no entry.
    assert_eq!(p.unmanaged_count, 1);
}

#[test]
fn a_live_sim_is_known_by_an_alias_and_keeps_its_other_iccids() {
    let sim = inventory()["p"].sims[0].clone();
    let all: Vec<&Iccid> = sim.iccids().collect();
    assert_eq!(all, [&iccid(FIRST), &iccid(SECOND)]);
    let known = sim.clone().known_as(&iccid(SECOND));
    assert_eq!(
        (known.iccid.clone(), known.aliases.clone()),
        (iccid(SECOND), vec![iccid(FIRST)])
    );
    assert_eq!(sim.clone().known_as(&iccid(OTHER)), sim);
    // Without aliases nothing is written of them.
    let json = serde_json::to_value(&inventory()["p"].sims[1]).unwrap();
    assert!(json.get("aliases").is_none(), "{json}");
}
