//! Super SIM API shapes (docs/providers.md, "Twilio / KORE Super SIM").
//! Tolerant reader: every Sim key but `sid` may be absent or `null` (the
//! text types `iccid` as "string|null"), and unknown keys are ignored.
//! Strict writer: only the form parameters the text documents are sent.

use serde::Deserialize;

use crate::provider::record::Key;

/// SIMs (and Fleets) asked for a page: the text's largest `PageSize`.
pub const PAGE_SIZE: usize = 1000;

/// Where a Sim holds its identity: its ICCID, or its SID where the ICCID
/// is `null` (text §6), so such a Sim is listed (as unmanaged: no
/// manifest can declare a SID), never dropped and never an error.
pub const ICCID: Key = Key {
    paths: &["iccid", "sid"],
    what: "the SIM's ICCID, or its SID where it has none",
};

/// Where a Fleet holds its SID.
pub const FLEET_SID: Key = Key {
    paths: &["sid"],
    what: "the Fleet's SID",
};

/// A Sim resource (text §6). `sid` is the key of its path.
#[derive(Debug, Clone, Deserialize)]
pub struct WireSim {
    pub sid: String,
    #[serde(default)]
    pub iccid: Option<String>,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub fleet_sid: Option<String>,
}

impl WireSim {
    /// What the SIM goes by: its ICCID, or its SID where it has none.
    pub fn identity(&self) -> &str {
        match self.iccid.as_deref() {
            Some(iccid) if !iccid.is_empty() => iccid,
            _ => &self.sid,
        }
    }
}

/// A Fleet resource (text §8): only what turns a SID into a name.
#[derive(Debug, Clone, Deserialize)]
pub struct WireFleet {
    pub sid: String,
    #[serde(default)]
    pub unique_name: Option<String>,
}

/// A list answer's `meta`: only the link to the next page matters. The
/// key must be present (`null` at the end): an answer without it does
/// not say whether more follow.
#[derive(Debug, Clone, Deserialize)]
pub struct Meta {
    pub next_page_url: Option<String>,
}

/// Twilio's and KORE's error body (text §9).
#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    code: Option<u64>,
    #[serde(default)]
    message: Option<String>,
}

/// The provider's words in an error body: `code: message`.
pub fn error_text(body: &str) -> Option<String> {
    let p: Problem = serde_json::from_str(body).ok()?;
    match (p.code, p.message.filter(|m| !m.is_empty())) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (None, Some(message)) => Some(message),
        (Some(code), None) => Some(format!("error {code}")),
        (None, None) => None,
    }
}

/// `next` (an absolute `next_page_url`) as a path below `base`, the
/// client's base URL; `None` when it points anywhere else, where the
/// credentials must not go.
pub fn below_base(base: &str, next: &str) -> Option<String> {
    let rest = next.strip_prefix(base.trim_end_matches('/'))?;
    (rest.starts_with('/') || rest.starts_with('?')).then(|| rest.to_owned())
}
