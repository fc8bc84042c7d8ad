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
/// meant for a handful of answers; a 1 MiB body escaped in JSON fits).
const MAX_FILE: u64 = 8 * 1024 * 1024;

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
/// `accessToken`, `refresh_token`, `id_token`, ..., at any depth) replaced;
/// a form-encoded body the same; other text as it is.
fn without_tokens(text: &str) -> String {
    if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(text) {
        if blank_tokens(&mut json) {
            // Serialising a JSON value cannot fail; if it did, say nothing.
            return serde_json::to_string_pretty(&json).unwrap_or_else(|_| "***".into());
        }
        return text.to_owned();
    }
    if text.contains('=') && !text.contains(char::is_whitespace) {
        let pairs = form_urlencoded::parse(text.as_bytes());
        if pairs.clone().any(|(k, _)| token_field(&k)) {
            let kept = pairs.map(|(k, v)| {
                let v = if token_field(&k) { "***".into() } else { v };
                (k, v)
            });
            return form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish();
        }
    }
    text.to_owned()
}

/// Whether a key names a token or a session key: `access_token`,
/// `accessToken`, `refresh_token`, `id_token`, and a login answer's bare
/// `token` and `apiKey` (Soracom's), in any spelling.
fn token_field(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    ["accesstoken", "refreshtoken", "idtoken", "token", "apikey"].contains(&key.as_str())
}

/// Replaces token values in `json`; whether any was found.
fn blank_tokens(json: &mut serde_json::Value) -> bool {
    match json {
        serde_json::Value::Object(map) => {
            let mut found = false;
            for (key, value) in map.iter_mut() {
                if token_field(key) {
                    *value = serde_json::Value::String("***".into());
                    found = true;
                } else {
                    found |= blank_tokens(value);
                }
            }
            found
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, v| blank_tokens(v) | found),
        _ => false,
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
    fn tokens_are_blanked_at_any_depth_in_any_spelling_and_in_forms() {
        let body = br#"{"data":{"accessToken":"eyJdeep"},"items":[{"id_token":"eyJitem"}]}"#;
        let (text, _) = Exchange::redacted_body(body, &[]);
        assert!(!text.contains("eyJ"), "{text}");
        let (text, _) = Exchange::redacted_body(b"access_token=eyJform&expires_in=60", &[]);
        assert_eq!(text, "access_token=***&expires_in=60");
    }

    #[test]
    fn a_login_answer_s_token_and_api_key_are_blanked() {
        let body = br#"{"apiKey":"api-1234","operatorId":"OP1","token":"tok-5678"}"#;
        let (text, _) = Exchange::redacted_body(body, &[]);
        assert!(
            !text.contains("api-1234") && !text.contains("tok-5678"),
            "{text}"
        );
        assert!(text.contains("OP1"), "{text}");
    }

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
