//! Plans: desired vs live state as an ordered, deterministic list of changes.
//!
//! The pipeline (`pipeline`) narrows manifests, reads every provider
//! concerned and calls [`build`], which is pure: it takes validated
//! manifests and the inventories already read, and returns the same plan,
//! byte for byte, for the same inputs. A plan carries everything apply
//! needs (live and desired values per SIM), so apply never goes back to
//! the manifests. The diff, safety and narrowing live in the submodules,
//! once; rendering lives in `render`.

mod diff;
pub mod drift;
pub mod groups;
pub mod pipeline;
pub mod safety;
pub mod saved;
pub mod select;
mod totals;

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{Destination, ProviderConfig};
use crate::kind::{Capabilities, ProviderKind};
use crate::manifest::Manifests;
use crate::model::{
    Change, Condition, DesiredSim, Field, Fields, Iccid, LiveSim, Origin, Phase, SimWork, Status,
    Value,
};
use crate::provider::{Inventory, ReadScope};

pub use diff::{DiffProblem, Difference, SimDiff, diff_sim, differences};
pub use pipeline::{PlanError, Reads, Selection, read_all, read_and_plan};
pub use totals::{PlanDocument, PlanTotals, Totals};

/// Version of the JSON plan, drift and apply report formats (`schema/`).
pub const FORMAT_VERSION: u32 = 1;

/// The simfleet release that wrote a JSON document.
pub const SIMFLEET_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    pub format_version: u32,
    pub simfleet_version: String,
    pub providers: Vec<ProviderPlan>,
    /// The safety verdict apply would reach with the flags given.
    pub safety: safety::Verdict,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ProviderPlan {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    /// Managed SIMs (declared in manifests) at this provider.
    pub managed: usize,
    /// SIMs with changes, by ICCID.
    pub sims: Vec<SimPlan>,
    /// Live conditions left alone: in progress or locked.
    pub notes: Vec<SimNote>,
    /// How many live SIMs are declared in no manifest.
    pub unmanaged_count: usize,
    /// Those SIMs, when asked for (`--show-unmanaged`).
    pub unmanaged: Vec<UnmanagedSim>,
    /// Declared, but not found at the provider (an error).
    pub missing: Vec<MissingSim>,
    /// SIMs that cannot be planned (an error).
    pub errors: Vec<SimError>,
    /// Why the provider could not be read (an error): nothing else is
    /// known of it then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    /// Where its requests and credentials go (hosts, names of variables
    /// and files): what a reviewer checks before secrets are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<Destination>,
    /// The safety threshold its Providers manifest sets, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_change_percent: Option<f64>,
    /// What the provider's rules say of this plan's status moves that the
    /// statuses' names do not (emnify: an `inactive` SIM stays billed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cautions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SimPlan {
    pub iccid: Iccid,
    pub id: String,
    /// `file:line:column` of the SIM's manifest entry.
    pub declared_at: String,
    /// Desired name, else the live one, for display.
    pub name: Option<String>,
    pub protect: bool,
    pub changes: Vec<Change>,
    /// The live state the changes were computed from.
    pub live: LiveSim,
    /// The managed fields as declared (after defaults), for read-back.
    pub desired: Fields,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SimNote {
    pub iccid: Iccid,
    pub condition: Condition,
    /// Where a locked SIM differs from its manifest (nothing will change it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UnmanagedSim {
    pub iccid: Iccid,
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MissingSim {
    pub iccid: Iccid,
    pub declared_at: String,
}

/// One error as it is reported: a SIM's own, or one of a fleet's
/// `defaults` with every SIM it reaches.
#[derive(Debug, Clone)]
pub struct ErrorGroup<'a> {
    /// Where to fix it: the SIM's entry or the fleet's `defaults`.
    pub at: &'a str,
    pub message: &'a str,
    pub sims: Vec<&'a Iccid>,
    pub from_defaults: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SimError {
    pub iccid: Iccid,
    pub declared_at: String,
    /// Why the SIM cannot be planned.
    pub message: String,
    /// `file:line:column` of its fleet's `defaults` when they wrote what
    /// causes the problem: the one place to fix it for every SIM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults_at: Option<String>,
    /// Where the SIM differs from its manifest.
    pub differences: Vec<Difference>,
}

impl Plan {
    pub fn change_count(&self) -> usize {
        self.providers
            .iter()
            .flat_map(|p| &p.sims)
            .map(|s| s.changes.len())
            .sum()
    }

    pub fn has_changes(&self) -> bool {
        self.change_count() > 0
    }

    pub fn has_errors(&self) -> bool {
        self.providers
            .iter()
            .any(|p| !p.missing.is_empty() || !p.errors.is_empty() || p.unreadable.is_some())
    }

    /// SIMs locked at their provider that differ from their manifests: no
    /// change is planned for them, yet live state does not match.
    pub fn locked_differing(&self) -> usize {
        let notes = self.providers.iter().flat_map(|p| &p.notes);
        notes.filter(|n| !n.differences.is_empty()).count()
    }

    /// Live state differs from the manifests: changes, or locked SIMs that
    /// differ (what `--detailed-exitcode` reports as 2).
    pub fn differs(&self) -> bool {
        self.has_changes() || self.locked_differing() > 0
    }

    /// Keeps the unmanaged counts and drops the lists (`--show-unmanaged`
    /// not given): a small manifest against a large account stays short.
    pub fn without_unmanaged_list(mut self) -> Plan {
        self.providers.iter_mut().for_each(|p| p.unmanaged.clear());
        self
    }
}

impl SimPlan {
    /// The net status move, if the SIM ends in another status than it starts:
    /// provider steps that leave and return to a status do not count.
    pub fn status_move(&self) -> Option<(&Value, &Value)> {
        let mut moves = self.changes.iter().filter(|c| c.field == Field::Status);
        let first = moves.next()?;
        let last = moves.next_back().unwrap_or(first);
        (first.before != last.after).then_some((&first.before, &last.after))
    }
}

impl ProviderPlan {
    /// A plan of `sims` at provider `p` of `kind`, all of them managed,
    /// with nothing else to say: the unit tests' plan.
    #[cfg(test)]
    pub fn of_sims(kind: ProviderKind, sims: Vec<SimPlan>) -> Self {
        ProviderPlan {
            name: "p".into(),
            kind,
            managed: sims.len(),
            sims,
            notes: Vec::new(),
            unmanaged_count: 0,
            unmanaged: Vec::new(),
            missing: Vec::new(),
            errors: Vec::new(),
            unreadable: None,
            destination: None,
            max_change_percent: None,
            cautions: Vec::new(),
        }
    }

    /// The plan of `managed` declared SIMs before anything is known.
    fn empty(config: &ProviderConfig, managed: usize) -> Self {
        let (name, kind) = (config.name.clone(), config.kind);
        ProviderPlan {
            name,
            kind,
            managed,
            sims: Vec::new(),
            notes: Vec::new(),
            unmanaged_count: 0,
            unmanaged: Vec::new(),
            missing: Vec::new(),
            errors: Vec::new(),
            unreadable: None,
            destination: Some(config.destination()),
            max_change_percent: config.max_change_percent,
            cautions: Vec::new(),
        }
    }

    /// A provider that could not be read: its error and nothing else.
    pub fn unreadable(config: &ProviderConfig, managed: usize, error: String) -> Self {
        ProviderPlan {
            unreadable: Some(error),
            ..ProviderPlan::empty(config, managed)
        }
    }

    /// Its errors as people read them: one per problem of a fleet's
    /// `defaults` (with the SIMs it reaches), one per SIM otherwise.
    pub fn error_groups(&self) -> Vec<ErrorGroup<'_>> {
        let mut shared: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut out: Vec<ErrorGroup<'_>> = Vec::new();
        for error in &self.errors {
            let Some(at) = error.defaults_at.as_deref() else {
                out.push(ErrorGroup {
                    at: &error.declared_at,
                    message: &error.message,
                    sims: vec![&error.iccid],
                    from_defaults: false,
                });
                continue;
            };
            let key = (at, error.message.as_str());
            match shared.get(&key) {
                Some(&i) => out[i].sims.push(&error.iccid),
                None => {
                    shared.insert(key, out.len());
                    out.push(ErrorGroup {
                        at,
                        message: &error.message,
                        sims: vec![&error.iccid],
                        from_defaults: true,
                    });
                }
            }
        }
        out
    }

    /// Detail reads needed to read back the SIMs of this plan.
    pub fn read_scope(&self) -> ReadScope {
        ReadScope::of_fields(self.kind, self.sims.iter().map(|s| (&s.iccid, &s.desired)))
    }

    /// The work of one phase, in ICCID order.
    pub fn work(&self, phase: Phase) -> Vec<SimWork> {
        self.sims
            .iter()
            .filter_map(|sim| {
                let changes: Vec<Change> = sim
                    .changes
                    .iter()
                    .filter(|c| c.phase == phase)
                    .cloned()
                    .collect();
                (!changes.is_empty()).then(|| SimWork {
                    iccid: sim.iccid.clone(),
                    id: sim.id.clone(),
                    changes,
                })
            })
            .collect()
    }
}

/// Where a SIM's `problem` is written when its fleet's `defaults` wrote
/// every value that causes it; `None` when the SIM's own entry is the
/// place to fix.
fn from_defaults(problem: &DiffProblem, fleet: Option<&crate::model::Fleet>) -> Option<Origin> {
    let fleet = fleet?;
    let (field, values) = problem.written()?;
    let default = fleet.defaults.get(&field)?;
    let holds = |written: &str| match default {
        Value::Set(names) => names.contains(written),
        Value::Status(status) => status.as_str() == written,
        Value::Text(text) => text == written,
        _ => false,
    };
    values
        .iter()
        .all(|v| holds(v))
        .then_some(fleet.defaults_at?)
}

/// The live SIMs (by their own ICCID) that more than one manifest entry
/// declares, each by another of its ICCIDs, with those entries.
fn declared_twice<'a>(
    desired: &[&'a DesiredSim],
    live: &HashMap<&Iccid, &'a LiveSim>,
) -> HashMap<Iccid, Vec<&'a DesiredSim>> {
    let mut by_sim: HashMap<Iccid, Vec<&'a DesiredSim>> = HashMap::new();
    for want in desired {
        if let Some(have) = live.get(&want.iccid)
            && !have.aliases.is_empty()
        {
            by_sim.entry(have.iccid.clone()).or_default().push(want);
        }
    }
    by_sim.retain(|_, entries| entries.len() > 1);
    by_sim
}

/// The error of `want`, one of several entries for the one SIM `have`:
/// each entry names the others, so either can be removed.
fn twin_error(
    manifests: &Manifests,
    want: &DesiredSim,
    have: &LiveSim,
    entries: &[&DesiredSim],
) -> SimError {
    let others: Vec<String> = entries
        .iter()
        .filter(|e| e.iccid != want.iccid)
        .map(|e| format!("{} at {}", e.iccid, manifests.files.show(e.origin)))
        .collect();
    SimError {
        iccid: want.iccid.clone(),
        declared_at: manifests.files.show(want.origin),
        message: format!(
            "SIM {} (provider id {}) is also declared as {}: the ICCIDs of one SIM's \
             profiles name the same SIM; declare it once",
            want.iccid,
            crate::text::inert(&have.id),
            crate::wording::words(&others, "and")
        ),
        defaults_at: None,
        differences: Vec::new(),
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

/// Diffs every provider's inventory against the manifests.
/// `inventories` holds the providers concerned, by name.
pub fn build(manifests: &Manifests, inventories: &BTreeMap<String, Inventory>) -> Plan {
    let mut providers = Vec::new();
    for (name, inventory) in inventories {
        let Some(config) = manifests.providers.get(name) else {
            continue;
        };
        let desired: Vec<_> = manifests
            .sims
            .iter()
            .filter(|s| *s.provider == **name)
            .collect();
        // A SIM answers to each of its ICCIDs (Soracom's profiles).
        let live: HashMap<&Iccid, &LiveSim> = inventory
            .sims
            .iter()
            .flat_map(|s| s.iccids().map(move |i| (i, s)))
            .collect();
        let twins = declared_twice(&desired, &live);
        let mut plan = ProviderPlan::empty(config, desired.len());
        for want in &desired {
            let Some(have) = live.get(&want.iccid) else {
                plan.missing.push(MissingSim {
                    iccid: want.iccid.clone(),
                    declared_at: manifests.files.show(want.origin),
                });
                continue;
            };
            if let Some(others) = twins.get(&have.iccid) {
                plan.errors.push(twin_error(manifests, want, have, others));
                continue;
            }
            // Under the ICCID its manifest names it by.
            let have = &(*have).clone().known_as(&want.iccid);
            // Values in the provider's own spelling (a Fleet's name for its
            // SID): the plan, its read-back and a saved plan compare them.
            let wanted = inventory.vocabulary.canonical_fields(&want.fields);
            let diff = diff_sim(
                &wanted,
                have,
                &inventory.vocabulary,
                config.kind.capabilities(),
            );
            if let Some(condition) = diff.note {
                plan.notes.push(SimNote {
                    iccid: want.iccid.clone(),
                    condition,
                    differences: diff.locked_differences,
                });
            }
            for problem in diff.errors {
                let fleet = manifests.fleets.get(want.fleet as usize);
                plan.errors.push(SimError {
                    iccid: want.iccid.clone(),
                    declared_at: manifests.files.show(want.origin),
                    message: problem.to_string(),
                    defaults_at: from_defaults(&problem, fleet).map(|at| manifests.files.show(at)),
                    differences: differences(&want.fields, have),
                });
            }
            if !diff.changes.is_empty() {
                let name = text(want.fields.get(&Field::Name))
                    .or_else(|| text(have.fields.get(&Field::Name)));
                plan.sims.push(SimPlan {
                    iccid: want.iccid.clone(),
                    id: have.id.clone(),
                    declared_at: manifests.files.show(want.origin),
                    name,
                    protect: want.protect,
                    changes: diff.changes,
                    live: have.clone(),
                    desired: wanted,
                });
            }
        }
        let declared: std::collections::HashSet<&Iccid> =
            desired.iter().map(|s| &s.iccid).collect();
        plan.unmanaged = inventory
            .sims
            .iter()
            .filter(|s| !s.iccids().any(|i| declared.contains(i)))
            .map(|s| UnmanagedSim {
                iccid: s.iccid.clone(),
                id: s.id.clone(),
                name: text(s.fields.get(&Field::Name)),
            })
            .collect();
        plan.unmanaged.sort_by(|a, b| a.iccid.cmp(&b.iccid));
        plan.unmanaged_count = plan.unmanaged.len();
        plan.sims.sort_by(|a, b| a.iccid.cmp(&b.iccid));
        plan.cautions = cautions(config.kind.capabilities(), &plan.sims);
        providers.push(plan);
    }
    Plan {
        format_version: FORMAT_VERSION,
        simfleet_version: SIMFLEET_VERSION.to_owned(),
        providers,
        safety: safety::Verdict::default(),
    }
}

/// The provider's cautions about the statuses `sims` move to.
fn cautions(caps: &Capabilities, sims: &[SimPlan]) -> Vec<String> {
    let moves_to = |status: Status| {
        let to = Value::Status(status);
        sims.iter()
            .flat_map(|s| &s.changes)
            .any(|c| c.field == Field::Status && c.after == to)
    };
    caps.status_cautions
        .iter()
        .filter(|(status, _)| moves_to(*status))
        .map(|(_, caution)| (*caution).to_owned())
        .collect()
}

#[cfg(test)]
mod tests;
