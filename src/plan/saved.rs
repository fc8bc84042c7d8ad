//! Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): the plan a
//! reviewer approved, with what applying it needs and nothing secret.
//!
//! A saved plan holds, for every planned SIM, the live values it was
//! computed from and the desired values; the manifest paths and selection
//! it was made from and their digest; the provider configurations with
//! credential references, never values; a digest of all that.
//!
//! The file is a claim to be checked, never an instruction: whoever could
//! push to the pull request could edit it. Applying it loads the manifests
//! the operator names (their digest must match), takes provider
//! configuration, `protect` and safety from them, re-reads live state
//! ([`stale`]) and derives the plan again: any difference ([`differences`])
//! refuses the plan and nothing is written. The digests notice edits; the
//! derivation is what protects, so they need not be signatures.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{FORMAT_VERSION, Plan, SIMFLEET_VERSION};
use crate::config::ProviderConfig;
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Value};

/// The `kind` of a saved plan file.
pub const SAVED_PLAN_KIND: &str = "SavedPlan";
/// Larger files are refused unread: a plan of a million SIMs is far below.
const MAX_SAVED_PLAN_BYTES: u64 = 1 << 30;

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SavedPlan {
    pub kind: String,
    pub format_version: u32,
    pub simfleet_version: String,
    /// Digest (`fnv1a64:...`) of the manifest files the plan was made
    /// from, paths and contents in load order.
    pub manifests_digest: String,
    /// The manifest paths `plan` was given, as given.
    #[serde(default)]
    pub manifests: Vec<PathBuf>,
    /// `--provider` and `--select` of the plan.
    #[serde(default)]
    pub selection: SavedSelection,
    /// Digest of everything else in the file: a file edited after `plan`
    /// wrote it no longer matches. Not a signature (anyone can compute
    /// it); the checks against the manifests and live state are what
    /// protect.
    #[serde(default)]
    pub content_digest: String,
    /// The configurations of the providers in the plan (credential
    /// references only).
    pub providers: Vec<ProviderConfig>,
    pub plan: Plan,
}

/// The narrowing a saved plan was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SavedSelection {
    #[serde(default)]
    pub providers: Vec<String>,
    #[serde(default)]
    pub select: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("cannot read saved plan {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is larger than {MAX_SAVED_PLAN_BYTES} bytes; not a saved plan")]
    TooLarge { path: PathBuf },
    #[error("{path} is not a simfleet saved plan: {detail}")]
    Malformed { path: PathBuf, detail: String },
    #[error(
        "{path} was written by simfleet {written} in plan format {format}; this simfleet \
         ({SIMFLEET_VERSION}) reads format {FORMAT_VERSION}: plan again"
    )]
    Version {
        path: PathBuf,
        written: String,
        format: u32,
    },
    #[error(
        "{path} was changed after `simfleet plan` wrote it (its content digest does not \
         match); nothing was applied: plan again"
    )]
    Edited { path: PathBuf },
}

/// A planned SIM whose live state changed since the plan was made.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleSim {
    pub provider: String,
    pub iccid: Iccid,
    /// `None`: the SIM is no longer at the provider.
    pub fields: Option<Vec<(Field, Value, Value)>>,
}

impl std::fmt::Display for StaleSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "provider `{}` SIM {}: ", self.provider, self.iccid)?;
        let Some(fields) = &self.fields else {
            return f.write_str("no longer at the provider");
        };
        let changed: Vec<String> = fields
            .iter()
            .map(|(field, then, now)| format!("{} was {then}, is now {now}", field.manifest_name()))
            .collect();
        f.write_str(&changed.join("; "))
    }
}

impl SavedPlan {
    pub fn new(
        plan: Plan,
        providers: Vec<ProviderConfig>,
        manifests_digest: String,
        manifests: Vec<PathBuf>,
        selection: SavedSelection,
    ) -> Self {
        SavedPlan {
            kind: SAVED_PLAN_KIND.into(),
            format_version: FORMAT_VERSION,
            simfleet_version: SIMFLEET_VERSION.into(),
            manifests_digest,
            manifests,
            selection,
            content_digest: String::new(),
            providers,
            plan,
        }
    }

    /// The file's text, its content digest filled in.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut value = serde_json::to_value(self)?;
        let digest = content_digest(&value);
        value["content_digest"] = serde_json::Value::String(digest);
        let mut text = serde_json::to_string_pretty(&value)?;
        text.push('\n');
        Ok(text)
    }

    /// Reads and checks a saved plan (bounded in size).
    pub fn load(path: &Path) -> Result<SavedPlan, SavedPlanError> {
        let read = |source| SavedPlanError::Read {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read)?;
        let mut bytes = Vec::new();
        file.take(MAX_SAVED_PLAN_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read)?;
        if bytes.len() as u64 > MAX_SAVED_PLAN_BYTES {
            return Err(SavedPlanError::TooLarge {
                path: path.to_owned(),
            });
        }
        let malformed = |detail: String| SavedPlanError::Malformed {
            path: path.to_owned(),
            detail,
        };
        let head: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
        if head["kind"] != SAVED_PLAN_KIND {
            return Err(malformed(format!("no `\"kind\": \"{SAVED_PLAN_KIND}\"`")));
        }
        if head["format_version"] != FORMAT_VERSION {
            return Err(SavedPlanError::Version {
                path: path.to_owned(),
                written: head["simfleet_version"].as_str().unwrap_or("?").into(),
                format: head["format_version"].as_u64().unwrap_or(0) as u32,
            });
        }
        if head["content_digest"] != content_digest(&head).as_str() {
            return Err(SavedPlanError::Edited {
                path: path.to_owned(),
            });
        }
        let mut saved: SavedPlan =
            serde_json::from_value(head).map_err(|e| malformed(e.to_string()))?;
        saved.retype();
        Ok(saved)
    }

    /// Values are written untagged: a name "active" reads back as a status.
    /// Each value takes the type of its field again.
    fn retype(&mut self) {
        let fix = |fields: &mut Fields| {
            for (field, value) in fields.iter_mut() {
                value.retype(*field);
            }
        };
        for provider in &mut self.plan.providers {
            for sim in &mut provider.sims {
                fix(&mut sim.desired);
                fix(&mut sim.live.fields);
                for change in &mut sim.changes {
                    change.before.retype(change.field);
                    change.after.retype(change.field);
                }
            }
        }
    }
}

/// The digest of a saved plan's JSON without its `content_digest` (keys
/// sorted: `serde_json::Value` keeps them in a sorted map).
fn content_digest(value: &serde_json::Value) -> String {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        map.remove("content_digest");
    }
    crate::digest::Digest::of(value.to_string().as_bytes())
}

/// Where a saved plan differs from the plan the manifests and a fresh read
/// of its SIMs give (`derived`): SIMs, changes, desired values, `protect`,
/// provider configuration. Empty: the saved plan says exactly what the
/// reviewed manifests ask for. Of an `applied` SIM (see [`recheck`]) the
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
    let derived_sims: BTreeMap<(&str, &Iccid), &super::SimPlan> = derived
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
                let shown = |changes: &[crate::model::Change]| {
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
fn is_rest_of(rest: &[crate::model::Change], all: &[crate::model::Change]) -> bool {
    let same = |a: &crate::model::Change, b: &crate::model::Change| {
        (a.field, &a.before, &a.after) == (b.field, &b.before, &b.after)
    };
    let mut all = all.iter();
    rest.iter().all(|change| all.any(|c| same(c, change)))
}

/// A saved plan's SIMs read again: which moved away from the plan, which
/// already hold what it asks for.
#[derive(Debug, Default)]
pub struct Recheck {
    /// SIMs whose state is neither what the plan was computed from nor,
    /// field by field, what it asks for: the plan no longer applies.
    pub stale: Vec<StaleSim>,
    /// SIMs with at least one planned field already at its planned value
    /// (an apply of this plan ran before, whole or in part).
    pub applied: BTreeSet<(String, Iccid)>,
}

/// Compares every planned SIM's fresh state with the state the plan was
/// computed from. A field that moved to the value the plan asks for is
/// applied, not stale: a retried apply finds its own work done.
pub fn recheck(plan: &Plan, fresh: &BTreeMap<String, Vec<LiveSim>>) -> Recheck {
    let mut out = Recheck::default();
    for provider in &plan.providers {
        let now: BTreeMap<&Iccid, &LiveSim> = fresh
            .get(&provider.name)
            .map(|sims| sims.iter().map(|s| (&s.iccid, s)).collect())
            .unwrap_or_default();
        for sim in &provider.sims {
            let Some(current) = now.get(&sim.iccid) else {
                out.stale.push(StaleSim {
                    provider: provider.name.clone(),
                    iccid: sim.iccid.clone(),
                    fields: None,
                });
                continue;
            };
            // Every field read, managed here or not: the reviewer approved
            // the plan against the whole SIM as it was.
            let read: std::collections::BTreeSet<&Field> = sim
                .live
                .fields
                .keys()
                .chain(current.fields.keys())
                .collect();
            let planned = |field: &Field| {
                let last = sim.changes.iter().rev().find(|c| c.field == *field);
                last.map(|c| &c.after)
            };
            let mut applied = false;
            let mut fields: Vec<(Field, Value, Value)> = read
                .into_iter()
                .filter_map(|field| {
                    let then = sim.live.fields.get(field).cloned().unwrap_or(Value::Null);
                    let is = current.fields.get(field).cloned().unwrap_or(Value::Null);
                    if then == is {
                        return None;
                    }
                    if planned(field) == Some(&is) {
                        applied = true;
                        return None;
                    }
                    Some((*field, then, is))
                })
                .collect();
            if current.condition != sim.live.condition {
                // Shown on the status line: a lock or an operation in flight.
                let describe = |c: &Option<Condition>| match c {
                    None => Value::Null,
                    Some(Condition::InProgress(why)) => Value::Text(format!("in progress: {why}")),
                    Some(Condition::Locked(why)) => Value::Text(format!("locked: {why}")),
                };
                fields.push((
                    Field::Status,
                    describe(&sim.live.condition),
                    describe(&current.condition),
                ));
            }
            if !fields.is_empty() {
                out.stale.push(StaleSim {
                    provider: provider.name.clone(),
                    iccid: sim.iccid.clone(),
                    fields: Some(fields),
                });
            } else if applied {
                out.applied
                    .insert((provider.name.clone(), sim.iccid.clone()));
            }
        }
    }
    out
}
