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
//! ([`recheck`]) and derives the plan again: any difference ([`differences`])
//! refuses the plan and nothing is written ([`confirm`] does all three).
//! The digests notice edits; the derivation is what protects, so they need
//! not be signatures. This module holds the file; it never writes to a
//! provider.

mod confirm;
mod differences;
mod recheck;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use confirm::{Confirmation, confirm};
pub use differences::differences;
pub use recheck::{Recheck, StaleSim, recheck};

use super::{FORMAT_VERSION, Plan, SIMFLEET_VERSION};
use crate::config::ProviderConfig;
use crate::model::Fields;

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
