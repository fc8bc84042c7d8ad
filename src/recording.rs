//! Recorded exchanges with a provider: what `simfleet doctor --record DIR`
//! saves so a user can attach the real shapes of a provider's answers to a
//! bug report, and what `simfleet emulator --replay DIR` serves back.
//!
//! Plain data and files. An exchange is redacted before it is stored here:
//! nothing in this module may hold a credential or a token, and every
//! stored body is bounded ([`MAX_BODY`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::kind::ProviderKind;
use crate::secret::{Secret, redact};

/// The largest answer body kept, after redaction.
pub const MAX_BODY: usize = 1024 * 1024;
/// Recordings larger than this are not read back (a replay folder is
/// meant for a handful of answers).
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// One request and its answer, redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub method: String,
    /// The full URL asked, query included.
    pub url: String,
    /// The request target relative to the provider's base URL, query
    /// included; absolute for requests elsewhere (token endpoints).
    pub target: String,
    /// `None` when no answer came (a transport error, in `error`).
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Answer headers (cookies left out), values redacted.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
    /// Whether `body` was cut at [`MAX_BODY`].
    #[serde(default)]
    pub truncated: bool,
}

impl Exchange {
    /// `body` with `secrets` and every token value blanked out, then cut
    /// to [`MAX_BODY`] (redaction first, so no prefix of a secret stays).
    pub fn redacted_body(body: &[u8], secrets: &[Secret]) -> (String, bool) {
        let text = String::from_utf8_lossy(body);
        let text = redact(&without_tokens(&text), secrets);
        if text.len() <= MAX_BODY {
            return (text, false);
        }
        let mut end = MAX_BODY;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (text[..end].to_owned(), true)
    }
}

/// A JSON body with the values of token fields (`access_token`,
/// `refresh_token`, `id_token`) replaced; other text as it is.
fn without_tokens(text: &str) -> String {
    const FIELDS: [&str; 3] = ["access_token", "refresh_token", "id_token"];
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.to_owned();
    };
    let Some(map) = json.as_object_mut() else {
        return text.to_owned();
    };
    let mut changed = false;
    for field in FIELDS {
        if let Some(value) = map.get_mut(field) {
            *value = serde_json::Value::String("***".into());
            changed = true;
        }
    }
    if changed {
        serde_json::to_string_pretty(&json).unwrap_or_else(|_| "***".into())
    } else {
        text.to_owned()
    }
}

/// One saved exchange and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub provider: String,
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    /// The doctor check that made it.
    pub check: String,
    #[serde(flatten)]
    pub exchange: Exchange,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}: {detail}")]
    Read { path: PathBuf, detail: String },
}

/// A file-name-safe form of a provider name.
fn safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if safe.is_empty() { "_".into() } else { safe }
}

/// Writes `recordings` under `dir`, one JSON file each
/// (`<provider>/<n>-<check>.json`); returns the files written.
pub fn save(dir: &Path, recordings: &[Recording]) -> Result<Vec<PathBuf>, RecordingError> {
    let mut written = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for recording in recordings {
        let n = counts.entry(recording.provider.as_str()).or_default();
        *n += 1;
        let folder = dir.join(safe(&recording.provider));
        let path = folder.join(format!("{:02}-{}.json", n, safe(&recording.check)));
        let text = serde_json::to_string_pretty(recording).map_err(|e| RecordingError::Write {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(&path, text + "\n"))
            .map_err(|source| RecordingError::Write {
                path: path.clone(),
                source,
            })?;
        written.push(path);
    }
    Ok(written)
}

/// Every recording in `dir` and the folders below it.
pub fn load(dir: &Path) -> Result<Vec<Recording>, RecordingError> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    let failed = |path: &Path, detail: String| RecordingError::Read {
        path: path.to_path_buf(),
        detail,
    };
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| failed(&folder, e.to_string()))?;
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let meta =
                std::fs::symlink_metadata(&path).map_err(|e| failed(&path, e.to_string()))?;
            if meta.is_dir() {
                folders.push(path);
            } else if meta.is_file() && path.extension().is_some_and(|e| e == "json") {
                if meta.len() > MAX_FILE {
                    return Err(failed(&path, format!("larger than {MAX_FILE} bytes")));
                }
                let text =
                    std::fs::read_to_string(&path).map_err(|e| failed(&path, e.to_string()))?;
                let recording =
                    serde_json::from_str(&text).map_err(|e| failed(&path, e.to_string()))?;
                out.push(recording);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_and_secrets_are_blanked_before_the_body_is_cut() {
        let body = br#"{"access_token":"eyJabc.def","token_type":"Bearer","expires_in":3600}"#;
        let (text, cut) = Exchange::redacted_body(body, &[]);
        assert!(
            !text.contains("eyJabc") && text.contains("3600") && !cut,
            "{text}"
        );
        let secret = "s3cr3t-value-123";
        // Cut first, the body would keep the secret's first four bytes.
        let long = format!("{}{secret}{}", "x".repeat(MAX_BODY - 4), "y".repeat(100));
        let (text, cut) = Exchange::redacted_body(long.as_bytes(), &[Secret::new(secret)]);
        assert!(cut, "the body is bounded");
        assert!(!text.contains("s3cr"), "a prefix of the secret survived");
    }
}
