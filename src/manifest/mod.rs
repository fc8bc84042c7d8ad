//! Manifests: loading, positions, defaults merge and validation into desired state.
//!
//! [`load`] turns files into [`Manifests`] or reports every problem with
//! `file:line:column`. It never touches the network and never reads a
//! secret: credentials are resolved by `config::ProviderConfig::connect`, at
//! plan time.

mod decode;
mod diagnostic;
mod entry;
mod load;
mod locate;
mod node;
mod stream;
pub mod types;
mod validate;
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
