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
pub mod pipeline;
pub mod safety;
pub mod select;

use std::collections::{BTreeMap, HashMap};

use serde::{Serialize, Serializer};

use crate::kind::ProviderKind;
use crate::manifest::Manifests;
use crate::model::{Change, Condition, Field, Iccid, LiveSim, Phase, SimWork, Value};
use crate::provider::{Inventory, ReadScope};

pub use diff::{DiffProblem, SimDiff, diff_sim};
pub use pipeline::{PlanError, Selection, read_and_plan};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub format_version: u32,
    pub providers: Vec<ProviderPlan>,
}

#[derive(Debug, Clone, Serialize)]
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
    /// Live at the provider, declared in no manifest.
    pub unmanaged: Vec<UnmanagedSim>,
    /// Declared, but not found at the provider (an error).
    pub missing: Vec<MissingSim>,
    /// SIMs that cannot be planned (an error).
    pub errors: Vec<SimError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimPlan {
    pub iccid: Iccid,
    pub id: String,
    /// Desired name, else the live one, for display.
    pub name: Option<String>,
    pub protect: bool,
    pub changes: Vec<Change>,
    /// The live state the changes were computed from.
    pub live: LiveSim,
    /// The managed fields as declared (after defaults), for read-back.
    pub desired: BTreeMap<Field, Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimNote {
    pub iccid: Iccid,
    pub condition: Condition,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnmanagedSim {
    pub iccid: Iccid,
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissingSim {
    pub iccid: Iccid,
    pub declared_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimError {
    pub iccid: Iccid,
    pub declared_at: String,
    #[serde(rename = "message", serialize_with = "as_text")]
    pub problem: DiffProblem,
}

fn as_text<S: Serializer>(value: &impl std::fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
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
            .any(|p| !p.missing.is_empty() || !p.errors.is_empty())
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
            .filter(|s| &s.provider == name)
            .collect();
        let live: HashMap<&Iccid, &LiveSim> =
            inventory.sims.iter().map(|s| (&s.iccid, s)).collect();
        let mut plan = ProviderPlan {
            name: name.clone(),
            kind: config.kind,
            managed: desired.len(),
            sims: Vec::new(),
            notes: Vec::new(),
            unmanaged: Vec::new(),
            missing: Vec::new(),
            errors: Vec::new(),
        };
        for want in &desired {
            let Some(have) = live.get(&want.iccid) else {
                plan.missing.push(MissingSim {
                    iccid: want.iccid.clone(),
                    declared_at: want.origin.clone(),
                });
                continue;
            };
            let diff = diff_sim(
                &want.fields,
                have,
                &inventory.vocabulary,
                config.kind.capabilities(),
            );
            if let Some(condition) = diff.note {
                plan.notes.push(SimNote {
                    iccid: want.iccid.clone(),
                    condition,
                });
            }
            for problem in diff.errors {
                plan.errors.push(SimError {
                    iccid: want.iccid.clone(),
                    declared_at: want.origin.clone(),
                    problem,
                });
            }
            if !diff.changes.is_empty() {
                let name = text(want.fields.get(&Field::Name))
                    .or_else(|| text(have.fields.get(&Field::Name)));
                plan.sims.push(SimPlan {
                    iccid: want.iccid.clone(),
                    id: have.id.clone(),
                    name,
                    protect: want.protect,
                    changes: diff.changes,
                    live: (*have).clone(),
                    desired: want.fields.clone(),
                });
            }
        }
        let declared: std::collections::HashSet<&Iccid> =
            desired.iter().map(|s| &s.iccid).collect();
        plan.unmanaged = inventory
            .sims
            .iter()
            .filter(|s| !declared.contains(&s.iccid))
            .map(|s| UnmanagedSim {
                iccid: s.iccid.clone(),
                id: s.id.clone(),
                name: text(s.fields.get(&Field::Name)),
            })
            .collect();
        plan.unmanaged.sort_by(|a, b| a.iccid.cmp(&b.iccid));
        plan.sims.sort_by(|a, b| a.iccid.cmp(&b.iccid));
        providers.push(plan);
    }
    Plan {
        format_version: FORMAT_VERSION,
        providers,
    }
}
