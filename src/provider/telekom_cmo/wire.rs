//! T IoT Hub CMO v5 shapes (docs/providers.md).
//! Tolerant reader; strict writer: JSON Patch bodies exactly as documented,
//! under their exact media types.

use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: usize = 100;
pub const JSON_PATCH: &str = "application/json-patch+json";
pub const JSON_PATCH_QUERY: &str = "application/json-patch-query+json";

/// A product list page. `entities` is required: a page without it is a
/// shape error, never an empty tenant. The published example has no
/// `statistics.totalCount`; without it the listing ends at a short page.
#[derive(Debug, Deserialize)]
pub struct ProductPage {
    #[serde(default)]
    pub entities: Option<Vec<WireProduct>>,
    #[serde(default)]
    pub statistics: Option<Statistics>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statistics {
    #[serde(default)]
    pub total_count: Option<usize>,
    /// The page size the server used (the published answer echoes it).
    #[serde(default)]
    pub page_size: Option<usize>,
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
    pub entities: Option<Vec<WireProduct>>,
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
    pub id: Option<String>,
    /// Present on every simCard the text shows (`[]` when empty).
    #[serde(default)]
    pub custom_property: Option<Vec<Property>>,
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

/// A monitor poll: `{"sourceHref","state"[,"response"]}`; the published
/// one has no `id`. `state` is required.
#[derive(Debug, Deserialize)]
pub struct Monitor {
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub response: Option<serde_json::Value>,
}

impl Monitor {
    /// What an `InError` monitor says went wrong.
    pub fn failure(&self) -> String {
        let said = |v: &serde_json::Value| {
            ["detail", "message", "title"]
                .iter()
                .find_map(|k| v.get(k).and_then(|d| d.as_str()).map(str::to_owned))
        };
        let found = self.error.iter().chain(&self.response).find_map(said);
        let said = found
            .or_else(|| self.error.as_ref().map(|e| e.to_string()))
            .unwrap_or_else(|| "no detail given".into());
        let cut: String = said.chars().take(300).collect();
        crate::text::inert(&cut).into_owned()
    }
}

/// The monitor of a 202 answer: a monitor link in the `Location` header,
/// in a body `href`, or as the body itself (the text shows "a monitor
/// link"); else a body `id`. A link wins over an `id`, which could be the
/// product's own.
pub fn monitor_id(location: Option<&str>, body: &str) -> Option<String> {
    let last = |link: &str| {
        let link = link.trim().trim_matches(['<', '>', '"']);
        let path = link.split(['?', '#']).next().unwrap_or(link);
        path.rsplit('/')
            .next()
            .filter(|id| !id.is_empty() && path.contains("/monitor/"))
            .map(str::to_owned)
    };
    if let Some(id) = location.and_then(last) {
        return Some(id);
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => {
            let field = |k: &str| {
                map.get(k)
                    .and_then(|v| v.as_str())
                    .filter(|v| !v.is_empty())
            };
            field("href")
                .and_then(last)
                .or_else(|| field("id").map(str::to_owned))
        }
        Ok(serde_json::Value::String(link)) => last(&link),
        _ => last(body),
    }
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
