//! Where a saved plan says other than the plan derived again from the
//! reviewed manifests and a fresh read: the check that protects a saved
//! plan, since its digests are not signatures. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::SavedPlan;
use crate::config::ProviderConfig;
use crate::model::{Change, Iccid};
use crate::plan::{Plan, SimPlan};

/// Where a saved plan differs from the plan the manifests and a fresh read
/// of its SIMs give (`derived`): SIMs, changes, desired values, `protect`,
/// provider configuration. Empty: the saved plan says exactly what the
/// reviewed manifests ask for. Of an `applied` SIM (see [`super::recheck`]) the
/// derived changes are what is left of the planned ones.
pub fn differences(
    saved: &SavedPlan,
    derived: &Plan,
    configs: &BTreeMap<String, ProviderConfig>,
    applied: &BTreeSet<(String, Iccid)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for config in &saved.providers {
        match configs.get(&config.name) {
            Some(from_manifests) if from_manifests == config => {}
            Some(_) => out.push(format!(
                "provider `{}`: its configuration (endpoint, credentials, settings) differs \
                 from the manifests'",
                config.name
            )),
            None => out.push(format!(
                "provider `{}` is in the saved plan but not in the manifests",
                config.name
            )),
        }
    }
    let derived_sims: BTreeMap<(&str, &Iccid), &SimPlan> = derived
        .providers
        .iter()
        .flat_map(|p| p.sims.iter().map(move |s| ((p.name.as_str(), &s.iccid), s)))
        .collect();
    for provider in &saved.plan.providers {
        for sim in &provider.sims {
            let at = format!("provider `{}` SIM {}", provider.name, sim.iccid);
            let done = applied.contains(&(provider.name.clone(), sim.iccid.clone()));
            let Some(want) = derived_sims.get(&(provider.name.as_str(), &sim.iccid)) else {
                if !done {
                    out.push(format!(
                        "{at}: the manifests and its live state give no change for it"
                    ));
                }
                continue;
            };
            let left = if done {
                is_rest_of(&want.changes, &sim.changes)
            } else {
                sim.changes == want.changes
            };
            if !left {
                let shown = |changes: &[Change]| {
                    let each: Vec<String> = changes
                        .iter()
                        .map(|c| format!("{} {} -> {}", c.field.manifest_name(), c.before, c.after))
                        .collect();
                    each.join(", ")
                };
                out.push(format!(
                    "{at}: the plan changes {}; the manifests and live state give {}",
                    shown(&sim.changes),
                    shown(&want.changes)
                ));
            }
            if sim.desired != want.desired {
                out.push(format!(
                    "{at}: its desired values differ from the manifests'"
                ));
            }
            if sim.protect != want.protect {
                out.push(format!(
                    "{at}: `protect` is {} in the plan but {} in the manifests",
                    sim.protect, want.protect
                ));
            }
        }
    }
    let planned: BTreeSet<(&str, &Iccid)> = saved
        .plan
        .providers
        .iter()
        .flat_map(|p| p.sims.iter().map(move |s| (p.name.as_str(), &s.iccid)))
        .collect();
    for key in derived_sims.keys().filter(|k| !planned.contains(*k)) {
        out.push(format!(
            "provider `{}` SIM {}: the manifests change it, the saved plan does not",
            key.0, key.1
        ));
    }
    out
}

/// Whether `rest` is `all` with some changes left out, in order: what a
/// plan applied in part still has to do. Phases are not compared: a SIM's
/// changes share the phase of its status move, which may be done.
fn is_rest_of(rest: &[Change], all: &[Change]) -> bool {
    let same =
        |a: &Change, b: &Change| (a.field, &a.before, &a.after) == (b.field, &b.before, &b.after);
    let mut all = all.iter();
    rest.iter().all(|change| all.any(|c| same(c, change)))
}
