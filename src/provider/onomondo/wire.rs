//! Onomondo request and response shapes (docs/providers.md).
//!
//! Tolerant reader: unknown response fields are ignored and documented-but-
//! optional ones default. Strict writer: update bodies carry only the
//! documented properties.

use serde::Deserialize;

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
    #[serde(default)]
    pub tags: Vec<WireTag>,
    #[serde(default)]
    pub data_limit: Option<WireDataLimit>,
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
