//! Onomondo request and response shapes (docs/providers.md).
//!
//! Tolerant reader: unknown response fields are ignored and documented-but-
//! optional ones default; a SIM's `tags: null` is no tags, and a tag object
//! without a name is set aside rather than failing the listing. Strict
//! writer: update bodies carry only the documented properties.

use serde::{Deserialize, Deserializer};

/// A `GET /sims` page. `sims` is required: a page without it is a shape
/// error, never an empty account.
#[derive(Debug, Deserialize)]
pub struct SimPage {
    #[serde(default)]
    pub sims: Option<Vec<WireSim>>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default)]
    pub total: Option<usize>,
}

#[derive(Debug, Deserialize)]
pub struct Pagination {
    #[serde(default)]
    pub has_more: Option<bool>,
    #[serde(default)]
    pub next_page: Option<String>,
}

/// The tag list as real clients read it (`GET /tags/search/tags`, paged
/// by offset) or as the provider text shows `GET /tags` (a bare array).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TagAnswer {
    Bare(Vec<WireTag>),
    Page(TagPage),
}

/// `{"count","limit","offset","total","result":[...]}`.
#[derive(Debug, Deserialize)]
pub struct TagPage {
    #[serde(default, alias = "tags")]
    pub result: Option<Vec<WireTag>>,
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub total: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireSim {
    pub id: String,
    pub iccid: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub network_whitelist: Option<String>,
    #[serde(default)]
    pub imei_lock: Option<String>,
    #[serde(default)]
    pub connector: Option<String>,
    #[serde(default)]
    pub activated: bool,
    /// Data used, in bytes.
    #[serde(default)]
    pub usage: Option<u64>,
    #[serde(default, deserialize_with = "tags")]
    pub tags: SimTags,
    /// Only the single SIM's answer (`GET /sims/{id}`, and the PATCH
    /// answer) carries it: the list and find answers do not, so a listed
    /// SIM's limit is unknown, never `null`.
    #[serde(default)]
    pub data_limit: Option<WireDataLimit>,
    /// Whether this record came from `GET /sims/{id}`, whose answer holds
    /// the SIM's data limit (absent there: the SIM has none).
    #[serde(skip)]
    pub single: bool,
}

/// A SIM's tags: those simfleet can name, and the ids of those it cannot
/// (no `name`), which a tag update must carry along or it removes them.
#[derive(Debug, Clone, Default)]
pub struct SimTags {
    pub named: Vec<WireTag>,
    pub unnamed: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireTag {
    pub id: String,
    pub name: String,
    /// False for tags this account may not take off a SIM; absent means
    /// nothing forbids it, and Onomondo would refuse the write itself.
    #[serde(default = "writable")]
    pub can_write: bool,
}

fn writable() -> bool {
    true
}

/// A tag object as a SIM carries it, before it is known to have a name.
#[derive(Deserialize)]
struct LooseTag {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "writable")]
    can_write: bool,
}

/// `tags` read tolerantly: `null` is none; a tag without a name (or with
/// `name: null`) cannot be declared in a manifest, so it is left out of
/// the SIM's tags and only its id is kept. A tag without an id is still a
/// shape error: it could be neither shown nor kept.
fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<SimTags, D::Error> {
    let list: Option<Vec<LooseTag>> = Option::deserialize(d)?;
    let mut out = SimTags::default();
    for tag in list.into_iter().flatten() {
        match tag.name {
            Some(name) => out.named.push(WireTag {
                id: tag.id,
                name,
                can_write: tag.can_write,
            }),
            None => out.unnamed.push(tag.id),
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireDataLimit {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub alert_threshold: Option<u64>,
}

/// One line of a `PATCH /sims/bulk` response.
#[derive(Debug, Deserialize)]
pub struct BulkResult {
    pub id: String,
    pub success: bool,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

/// `{"error":"code"}` error bodies.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// Maximum SIMs in one `PATCH /sims/bulk` call.
pub const BULK_LIMIT: usize = 20;
/// Maximum `limit` of `GET /sims`.
pub const PAGE_LIMIT: usize = 1000;
/// Tags asked for per page of the tag search; the answer's own count
/// decides the next offset, so a server that gives fewer is followed.
pub const TAG_PAGE: usize = 100;
