//! Emulator state: what each emulated provider holds, its seed file format,
//! generation for scale tests, and persistence for sandboxes.
//!
//! The seed format is the persisted format: a YAML or JSON document with one
//! key per provider. State changes only through the provider API handlers.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::kind::ProviderKind;

use super::emnify::EmnifyState;
use super::eseye::EseyeState;
use super::infobip::InfobipState;
use super::onomondo::OnomondoState;
use super::soracom::SoracomState;
use super::supersim::SupersimState;
use super::telekom_cmo::CmoState;

/// The whole emulated world: one account per emulated API (the fields go
/// with the list in `api::apis`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldState {
    #[serde(default)]
    pub onomondo: OnomondoState,
    #[serde(default)]
    pub infobip: InfobipState,
    #[serde(default)]
    pub eseye: EseyeState,
    #[serde(default, rename = "telekom-cmo")]
    pub telekom_cmo: CmoState,
    #[serde(default)]
    pub soracom: SoracomState,
    #[serde(default)]
    pub supersim: SupersimState,
    #[serde(default)]
    pub emnify: EmnifyState,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read emulator state {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid emulator state {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot write emulator state {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The state could not be written as JSON: the file is left as it
    /// was, never replaced by an empty one.
    #[error("cannot write emulator state {path} as JSON: {source}")]
    Encode {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "invalid --generate `{}`: expected PROVIDER=COUNT with PROVIDER {}, e.g. onomondo=400000",
        crate::text::inert(.spec),
        kind_names()
    )]
    Generate { spec: String },
}

fn kind_names() -> String {
    let names: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.as_str()).collect();
    crate::wording::words(&names, "or")
}

/// The largest seed or state file read: far above any seed or saved
/// sandbox, it stops a device or an endless file before memory does.
pub const MAX_STATE_BYTES: u64 = 1 << 30;

/// The bytes of `path` if it is a regular file (not a link, device or
/// FIFO) of at most [`MAX_STATE_BYTES`]; checked before reading.
pub fn read_state_file(path: &Path) -> Result<Vec<u8>, StateError> {
    let failed = |source| StateError::Read {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::symlink_metadata(path).map_err(failed)?;
    if !meta.is_file() {
        let what = if meta.file_type().is_symlink() {
            "a symbolic link"
        } else {
            "not a regular file"
        };
        return Err(failed(std::io::Error::other(what)));
    }
    if meta.len() > MAX_STATE_BYTES {
        return Err(failed(std::io::Error::other(format!(
            "{} bytes; at most {MAX_STATE_BYTES} are read",
            meta.len()
        ))));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path).map_err(failed)?, MAX_STATE_BYTES),
        &mut bytes,
    )
    .map_err(failed)?;
    Ok(bytes)
}

impl WorldState {
    /// Reads a seed or saved state (YAML, of which JSON is a subset).
    pub fn load(path: &Path) -> Result<WorldState, StateError> {
        let shown = path.display().to_string();
        let bytes = read_state_file(path)?;
        let text = String::from_utf8(bytes).map_err(|e| StateError::Invalid {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        WorldState::parse(&text, &shown)
    }

    /// A state from its text (`shown` names it in errors), checked by
    /// every emulated API.
    pub fn parse(text: &str, shown: &str) -> Result<WorldState, StateError> {
        let mut state: WorldState =
            serde_saphyr::from_str_with_options(text, crate::yaml::bounded_options(text.len()))
                .map_err(|e| StateError::Invalid {
                    path: shown.to_owned(),
                    message: e.to_string(),
                })?;
        for api in super::registry::apis() {
            (api.check)(&mut state).map_err(|message| StateError::Invalid {
                path: shown.to_owned(),
                message,
            })?;
        }
        Ok(state)
    }

    /// Adds generated SIMs: `onomondo=400000`.
    pub fn generate(&mut self, spec: &str) -> Result<(), StateError> {
        let bad = || StateError::Generate {
            spec: spec.to_owned(),
        };
        let (provider, count) = spec.split_once('=').ok_or_else(bad)?;
        let count: usize = count.trim().parse().map_err(|_| bad())?;
        let kind = ProviderKind::parse(provider.trim()).ok_or_else(bad)?;
        let api = super::registry::api(kind).ok_or_else(bad)?;
        (api.generate)(self, count);
        Ok(())
    }
}

/// Writes `value` as JSON, atomically (temp file then rename), creating the
/// folder. A value that cannot be written leaves the file as it was.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), StateError> {
    let shown = path.display().to_string();
    let json = serde_json::to_vec_pretty(value).map_err(|source| StateError::Encode {
        path: shown.clone(),
        source,
    })?;
    let write = |source| StateError::Write {
        path: shown.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    // Unique per process and call: two writers never share a temp file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("json.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, json).map_err(write)?;
    std::fs::rename(&tmp, path).map_err(write)
}

/// A valid ICCID for generated SIM number `n` (Luhn check digit appended).
pub fn generated_iccid(prefix: &str, n: usize) -> String {
    let body = format!("{prefix}{n:09}");
    let check = crate::model::luhn_check_digit(&body);
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Iccid;

    #[test]
    fn state_that_cannot_be_written_as_json_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_json(&path, &BTreeMap::from([("a", 1)])).unwrap();
        // JSON object keys are strings: a map keyed by pairs cannot be written.
        let unwritable = BTreeMap::from([((1, 2), 3)]);
        let err = write_json(&path, &unwritable).unwrap_err();
        assert!(matches!(err, StateError::Encode { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "cannot write emulator state {} as JSON: key must be a string",
                path.display()
            )
        );
        let kept = std::fs::read_to_string(&path).unwrap();
        assert_eq!(kept, "{\n  \"a\": 1\n}");
        // No temp file left behind either.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn generated_iccids_pass_luhn() {
        for n in [0, 1, 17, 399_999] {
            let iccid = generated_iccid("8945738730", n);
            assert_eq!(iccid.len(), 20);
            assert!(Iccid::parse(&iccid).unwrap().luhn_ok(), "{iccid}");
        }
    }
}
