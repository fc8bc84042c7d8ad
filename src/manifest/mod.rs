//! Manifests: loading, positions, defaults merge and validation into desired state.
//!
//! [`load`] turns files into [`Manifests`] or reports every problem with
//! `file:line:column`. It never touches the network and never reads a
//! secret: credentials are resolved by `config::ProviderConfig::connect`, at
//! plan time.

mod block;
mod decode;
mod diagnostic;
mod entry;
mod keys;
mod load;
mod locate;
mod names;
mod node;
mod stream;
pub mod types;
mod validate;
mod values;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use node::Pos;
pub use validate::merge;

use crate::config::ProviderConfig;
use crate::model::{DesiredSim, Files, Fleet};

/// Validated manifests: providers by name and desired SIMs sorted by provider then ICCID.
#[derive(Debug, Clone)]
pub struct Manifests {
    pub providers: BTreeMap<String, ProviderConfig>,
    pub sims: Vec<DesiredSim>,
    /// The files that [`DesiredSim::origin`] points into.
    pub files: Files,
    /// The fleets that [`DesiredSim::fleet`] points into.
    pub fleets: Vec<Fleet>,
    /// Digest of the manifest files (paths and contents), for saved plans.
    pub digest: String,
    /// Worth saying, not wrong: empty files, no SIMs at all.
    pub warnings: Vec<Diagnostic>,
}

/// A provider name (a fleet's `provider`, a `--provider` flag) that no
/// Providers document declares.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", unknown_provider(.name, .declared))]
pub struct UnknownProvider {
    pub name: String,
    /// The names that are declared, sorted.
    pub declared: Vec<String>,
}

fn unknown_provider(name: &str, declared: &[String]) -> String {
    let hint = crate::wording::closest(name, declared)
        .map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
    let quoted: Vec<String> = declared.iter().map(|n| format!("`{n}`")).collect();
    let they = if quoted.is_empty() {
        "they declare none".to_owned()
    } else {
        format!("they declare {}", crate::wording::words(&quoted, "and"))
    };
    format!("no provider `{name}` in the manifests{hint}; {they}")
}

impl UnknownProvider {
    /// `name` among the keys of `providers`.
    pub fn among<V>(name: &str, providers: &BTreeMap<String, V>) -> UnknownProvider {
        UnknownProvider {
            name: name.to_owned(),
            declared: providers.keys().cloned().collect(),
        }
    }
}

impl Manifests {
    /// The provider declared as `name`.
    pub fn provider(&self, name: &str) -> Result<&ProviderConfig, UnknownProvider> {
        self.providers
            .get(name)
            .ok_or_else(|| UnknownProvider::among(name, &self.providers))
    }
}

/// Loads and validates every manifest below `paths`.
pub fn load(paths: &[PathBuf]) -> Result<Manifests, Diagnostics> {
    let (mut manifests, problems) = validate::resolve(load::load_paths(paths));
    if problems.is_empty() {
        if manifests.sims.is_empty() && manifests.warnings.is_empty() {
            for path in paths {
                let msg = "no SIMs are declared here";
                manifests
                    .warnings
                    .push(Diagnostic::new(path, Pos::default(), msg));
            }
        }
        Ok(manifests)
    } else {
        Err(Diagnostics(problems))
    }
}

/// JSON Schema of a manifest document, generated from the types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(types::ManifestDocument);
    serde_json::to_value(schema).unwrap_or_default()
}
