//! Manifests: loading, positions, defaults merge and validation into desired state.
//!
//! [`load`] turns files into [`Manifests`] or reports every problem with
//! `file:line:column`. It never touches the network; credentials are only
//! resolved by [`resolve_credentials`], at plan time.

mod decode;
mod diagnostic;
mod load;
mod node;
pub mod types;
mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use node::{Pos, budget_options as yaml_options};

use crate::model::DesiredSim;
use crate::provider::ProviderKind;
use crate::secret::Secret;

/// Validated manifests: providers by name and desired SIMs sorted by provider then ICCID.
#[derive(Debug, Clone)]
pub struct Manifests {
    pub providers: BTreeMap<String, ProviderConfig>,
    pub sims: Vec<DesiredSim>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    pub name: String,
    pub kind: ProviderKind,
    pub endpoint: Endpoint,
    pub rate_limit: f64,
    pub concurrency: u32,
    pub tenant: Option<String>,
    pub token_url: Option<String>,
    pub iccid_luhn: bool,
    /// `file:line:column` of the provider's entry.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Remote {
        url: String,
        credentials: BTreeMap<String, CredentialSource>,
    },
    /// Served by the built-in emulator, seeded from this file.
    Sandbox { seed: PathBuf },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    Env(String),
    File(PathBuf),
}

/// Loads and validates every manifest below `paths`.
pub fn load(paths: &[PathBuf]) -> Result<Manifests, Diagnostics> {
    let (manifests, problems) = validate::resolve(load::load_paths(paths));
    if problems.is_empty() {
        Ok(manifests)
    } else {
        Err(Diagnostics(problems))
    }
}

/// Reads the secrets of one provider from the environment or files.
/// Messages name the variable or file, never a value.
pub fn resolve_credentials(
    provider: &ProviderConfig,
) -> Result<BTreeMap<String, Secret>, Vec<String>> {
    let Endpoint::Remote { credentials, .. } = &provider.endpoint else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (key, source) in credentials {
        let value = match source {
            CredentialSource::Env(var) => std::env::var(var).map_err(|_| {
                format!(
                    "{}: credential `{key}` of provider `{}`: environment variable {var} is not set",
                    provider.origin, provider.name
                )
            }),
            CredentialSource::File(path) => std::fs::read_to_string(path)
                .map(|s| s.trim_end_matches(['\r', '\n']).to_owned())
                .map_err(|e| {
                    format!(
                        "{}: credential `{key}` of provider `{}`: cannot read {}: {e}",
                        provider.origin,
                        provider.name,
                        path.display()
                    )
                }),
        };
        match value {
            Ok(v) if v.is_empty() => problems.push(format!(
                "{}: credential `{key}` of provider `{}` is empty",
                provider.origin, provider.name
            )),
            Ok(v) => {
                out.insert(key.clone(), Secret::new(v));
            }
            Err(msg) => problems.push(msg),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// JSON Schema of a manifest document, generated from the types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(types::ManifestDocument);
    serde_json::to_value(schema).unwrap_or_default()
}
