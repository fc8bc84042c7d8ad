//! Soracom API shapes (docs/providers.md, "Soracom"). Tolerant reader:
//! every Sim key but `simId` may be absent or `null` (the text makes all
//! optional; `simId` is the key of every SIM path), and unknown keys are
//! ignored. Strict writer: only the bodies the text documents are sent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::provider::record::Key;

/// SIMs asked for a page. `limit` only shrinks a page (the text); the
/// emulator's pages hold at most this many.
pub const PAGE_SIZE: usize = 100;

/// Where a Sim holds its identity: its profiles' ICCIDs (a profile's map
/// key where it gives no `iccid`), else, for a SIM without profiles (all
/// Sim fields are optional, and a virtual SIM may have none), its `simId`.
/// The lowest ICCID is the SIM's own; the others are its aliases.
pub const ICCID: Key = Key {
    paths: &["profiles.*.iccid", "profiles.~", "simId"],
    what: "the SIM's ICCIDs in its profiles, else its `simId`",
};

/// The response header that carries the next page's key.
pub const NEXT_KEY: &str = "x-soracom-next-key";

/// A Sim object. `simId` is required: it is the key of every SIM path.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSim {
    pub sim_id: String,
    #[serde(default)]
    pub status: Option<String>,
    /// A TagSet: `name` and the custom tags.
    #[serde(default)]
    pub tags: Option<BTreeMap<String, TagValue>>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub speed_class: Option<String>,
    #[serde(default)]
    pub imei_lock: Option<ImeiLock>,
    /// Keyed by ICCID; absent, `null` or empty for a SIM without one.
    #[serde(default)]
    pub profiles: Option<BTreeMap<String, Option<Profile>>>,
}

/// A tag's value: text, as the TagSet schema says; anything else is kept
/// as its JSON text rather than dropped (dropping it would plan to add it).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TagValue {
    Text(String),
    Other(serde_json::Value),
}

impl TagValue {
    pub fn text(&self) -> String {
        match self {
            TagValue::Text(text) => text.clone(),
            TagValue::Other(serde_json::Value::Null) => String::new(),
            TagValue::Other(other) => other.to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ImeiLock {
    #[serde(default)]
    pub imei: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub iccid: Option<String>,
}

/// A Group object: its id, and its name as its tag `name`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireGroup {
    pub group_id: String,
    #[serde(default)]
    pub tags: BTreeMap<String, TagValue>,
}

impl WireGroup {
    /// The group's name; `None` when it has none (`""`).
    pub fn name(&self) -> Option<String> {
        let name = self.tags.get("name").map(TagValue::text)?;
        (!name.is_empty()).then_some(name)
    }
}

/// `POST /auth` with an AuthKey.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest<'a> {
    pub auth_key_id: &'a str,
    pub auth_key: &'a str,
}

/// One element of `PUT /sims/{sim_id}/tags`.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TagUpdate<'a> {
    pub tag_name: &'a str,
    pub tag_value: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetGroup<'a> {
    pub group_id: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeedClass<'a> {
    pub speed_class: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SetImeiLock<'a> {
    pub imei: &'a str,
}

/// The error body `{"code","message"}`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// The message of a Soracom error body (its code after it), if it is one.
/// Codes are not published: the message is what says what went wrong.
pub fn error_text(body: &str) -> Option<String> {
    let e: ErrorBody = serde_json::from_str(body).ok()?;
    let message = e.message.filter(|m| !m.is_empty());
    match (message, e.code.filter(|c| !c.is_empty())) {
        (Some(message), Some(code)) => Some(format!("{message} ({code})")),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    }
}

/// Whether `body` is a Soracom error: an object with a `message` text and
/// a `code` (text in `APICallErrorMessage`, a number in the spec's other
/// `Error` schema), as the API itself answers, not a proxy or a wrong host.
pub fn is_error_body(body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
        return false;
    };
    let code = map
        .get("code")
        .is_some_and(|c| c.is_string() || c.is_number());
    code && map.get("message").is_some_and(serde_json::Value::is_string)
}

/// A name as one path segment, percent-encoded as `encodeURIComponent`
/// does (space `%20`, `/` `%2F`): the text's rule for a tag name in a path.
pub fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The next page's key from a `link` header: the `last_evaluated_key` of
/// the link marked `rel=next`, decoded; `None` without one.
pub fn next_from_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let next = params
            .split(';')
            .any(|p| p.trim().trim_matches('"') == "rel=next" || p.trim() == "rel=\"next\"");
        if !next {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let (_, query) = target.split_once('?')?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "last_evaluated_key")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    })
}
