//! A secret value that cannot be printed by accident.
//!
//! `Debug` and `Display` show a placeholder; the only way to the text is
//! [`Secret::expose`], which call sites use exactly where a header is built.

use std::fmt;

use base64::Engine as _;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// `text` with every one of `secrets` (and each credential after a
/// `Bearer`/`Basic` scheme word) replaced by `***`: provider error bodies
/// may echo what they were sent.
pub fn redact(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        let value = secret.expose();
        // Very short values would blank out ordinary words.
        if value.len() < 6 {
            continue;
        }
        // As sent in a form or a query, as a JSON string echoes it, and
        // base64-encoded (as a Basic header or a debug dump carries it).
        let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let base64 = base64::engine::general_purpose::STANDARD.encode(value);
        let query = form.replace('+', "%20");
        // A `str` always serialises; were it not to, the plain value below
        // is still blanked out.
        let quoted = serde_json::to_string(value).unwrap_or_default();
        let json = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or(value);
        let unpadded = base64.trim_end_matches('=');
        for form in [value, &form, &query, json, &base64, unpadded] {
            out = out.replace(form, "***");
        }
    }
    for scheme in ["Bearer ", "Basic ", "bearer ", "basic "] {
        let mut from = 0;
        while let Some(at) = out[from..].find(scheme) {
            let start = from + at + scheme.len();
            let end = out[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/=".contains(c)))
                .map_or(out.len(), |n| start + n);
            if end > start && &out[start..end] != "***" {
                out.replace_range(start..end, "***");
            }
            from = start;
        }
    }
    out
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_forms_of_a_secret_are_blanked_too() {
        let secret = Secret::new("p@ss w/rd+\"x\"");
        for echoed in [
            "p%40ss+w%2Frd%2B%22x%22",
            "p%40ss%20w%2Frd%2B%22x%22",
            "p@ss w/rd+\\\"x\\\"",
            "cEBzcyB3L3JkKyJ4Ig==",
            "cEBzcyB3L3JkKyJ4Ig",
        ] {
            let out = redact(&format!("got {echoed}!"), std::slice::from_ref(&secret));
            assert_eq!(out, "got ***!", "{echoed}");
        }
    }

    #[test]
    fn configured_values_and_scheme_credentials_are_blanked() {
        let text =
            r#"{"error":"bad key key-0f1e2d3c","got":"Bearer eyJ.a-b_c","h":"Basic dXNlcjpw=="}"#;
        let out = redact(text, &[Secret::new("key-0f1e2d3c")]);
        assert_eq!(
            out,
            r#"{"error":"bad key ***","got":"Bearer ***","h":"Basic ***"}"#
        );
    }
}
