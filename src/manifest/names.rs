//! The rule that a name is one SIM's within an account, for the kinds whose
//! rows say so (`Capabilities::unique_names`: Super SIM's `unique_name`).
//!
//! Reads only desired state and the capability rows; it must not know a
//! provider by name, and it runs before any network access, so two entries
//! that could never both be applied are refused before anything is sent.

use std::collections::{BTreeMap, HashMap};

use super::diagnostic::Diagnostic;
use crate::config::ProviderConfig;
use crate::model::{DesiredSim, Field, Files, Value};

/// Reports every SIM that declares a name an earlier SIM of the same
/// provider already declares, where that provider's names are unique.
pub(super) fn check_unique_names(
    sims: &[DesiredSim],
    providers: &BTreeMap<String, ProviderConfig>,
    files: &Files,
    problems: &mut Vec<Diagnostic>,
) {
    let mut first: HashMap<(&str, &str), &DesiredSim> = HashMap::new();
    for sim in sims {
        let Some(config) = providers.get(&*sim.provider) else {
            continue;
        };
        if !config.kind.capabilities().unique_names {
            continue;
        }
        let Some(Value::Text(name)) = sim.fields.get(&Field::Name) else {
            continue;
        };
        let key = (&*sim.provider, name.as_str());
        let Some(kept) = first.get(&key) else {
            first.insert(key, sim);
            continue;
        };
        let msg = format!(
            "name {} is also declared for SIM {} at {}; provider `{}` (type {}) holds each \
             name on one SIM only",
            crate::text::inert(&format!("{name:?}")),
            kept.iccid,
            files.show(kept.origin),
            sim.provider,
            config.kind
        );
        let at = super::Pos {
            line: sim.origin.line,
            column: sim.origin.column,
        };
        let problem = Diagnostic::new(files.path(sim.origin), at, msg).at_key("name");
        problems.push(problem.for_sim(Some(sim.iccid.as_str())));
    }
}
