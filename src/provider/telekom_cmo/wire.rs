//! T IoT Hub CMO v5 shapes (docs/providers.md).
//! Tolerant reader; strict writer: JSON Patch bodies exactly as documented,
//! under their exact media types.

use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: usize = 100;
pub const JSON_PATCH: &str = "application/json-patch+json";
pub const JSON_PATCH_QUERY: &str = "application/json-patch-query+json";

#[derive(Debug, Deserialize)]
pub struct ProductPage {
    #[serde(default)]
    pub entities: Vec<WireProduct>,
    #[serde(default)]
    pub statistics: Option<Statistics>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statistics {
    #[serde(default)]
    pub total_count: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireProduct {
    pub id: String,
    #[serde(default)]
    pub connectivity_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct FindAnswer {
    #[serde(default)]
    pub entities: Vec<WireProduct>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindBody<'a> {
    pub iccid_list: &'a [&'a str],
}

/// Product detail: only the bundled simCard's custom properties are read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductDetail {
    #[serde(default)]
    pub product_relationship: Vec<Relationship>,
}

#[derive(Debug, Deserialize)]
pub struct Relationship {
    pub product: SimCard,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimCard {
    #[serde(rename = "@type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub custom_property: Vec<Property>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// One JSON Patch operation.
#[derive(Debug, Serialize)]
pub struct PatchOp {
    pub op: &'static str,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Monitor {
    pub id: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

/// `title: detail` from a problem object, if it is one.
pub fn error_text(body: &str) -> Option<String> {
    let p: Problem = serde_json::from_str(body).ok()?;
    (!p.title.is_empty() || !p.detail.is_empty()).then(|| format!("{}: {}", p.title, p.detail))
}
