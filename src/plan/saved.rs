//! Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): the plan a
//! reviewer approved, with what applying it needs and nothing secret.
//!
//! A saved plan holds, for every planned SIM, the live values it was
//! computed from and the desired values; the provider configurations with
//! credential references (`{env: NAME}`, `{file: PATH}`), never values; a
//! digest of the manifests; the simfleet version. Before applying, the
//! planned SIMs are read again and any change since the plan makes it
//! stale ([`stale`]): apply then writes nothing.

use std::collections::BTreeMap;
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
    /// The configurations of the providers in the plan (credential
    /// references only).
    pub providers: Vec<ProviderConfig>,
    pub plan: Plan,
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
    pub fn new(plan: Plan, providers: Vec<ProviderConfig>, manifests_digest: String) -> Self {
        SavedPlan {
            kind: SAVED_PLAN_KIND.into(),
            format_version: FORMAT_VERSION,
            simfleet_version: SIMFLEET_VERSION.into(),
            manifests_digest,
            providers,
            plan,
        }
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
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

/// The planned SIMs of `plan` whose fresh state differs from the state the
/// plan was computed from: any managed field or the provider condition.
pub fn stale(plan: &Plan, fresh: &BTreeMap<String, Vec<LiveSim>>) -> Vec<StaleSim> {
    let mut out = Vec::new();
    for provider in &plan.providers {
        let now: BTreeMap<&Iccid, &LiveSim> = fresh
            .get(&provider.name)
            .map(|sims| sims.iter().map(|s| (&s.iccid, s)).collect())
            .unwrap_or_default();
        for sim in &provider.sims {
            let Some(current) = now.get(&sim.iccid) else {
                out.push(StaleSim {
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
            let mut fields: Vec<(Field, Value, Value)> = read
                .into_iter()
                .filter_map(|field| {
                    let then = sim.live.fields.get(field).cloned().unwrap_or(Value::Null);
                    let is = current.fields.get(field).cloned().unwrap_or(Value::Null);
                    (then != is).then_some((*field, then, is))
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
                out.push(StaleSim {
                    provider: provider.name.clone(),
                    iccid: sim.iccid.clone(),
                    fields: Some(fields),
                });
            }
        }
    }
    out
}
