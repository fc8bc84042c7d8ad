//! Eseye Infinity SIM API v2 shapes (docs/providers.md). Tolerant reader, strict writer: PATCH bodies carry only the
//! documented fields being changed.

use serde::{Deserialize, Serialize};

/// Page size asked for: the documented maximum.
pub const PAGE_SIZE: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimPage {
    #[serde(default)]
    pub sims: Vec<WireSim>,
    #[serde(default)]
    pub total: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSim {
    pub iccid: String,
    #[serde(default)]
    pub sim_id: Option<serde_json::Value>,
    #[serde(default)]
    pub portfolio_id: Option<String>,
    #[serde(default)]
    pub package_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub customer_suspend: Option<String>,
    #[serde(default)]
    pub admin_suspend: Option<String>,
    #[serde(default)]
    pub system_suspend: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireAttribute {
    pub id: serde_json::Value,
    pub key: String,
    #[serde(default)]
    pub value: String,
}

impl WireAttribute {
    /// The id as it goes into a path (numbers and strings alike).
    pub fn id(&self) -> String {
        match &self.id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// A SIM's attributes. The provider text does not show this response, so
/// both plausible shapes are read: a bare array, or an object wrapping it
/// as `attributes`. An object without that key is an error, never "no
/// attributes" (that would plan to add them all again).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AttributeList {
    Bare(Vec<WireAttribute>),
    Wrapped { attributes: Vec<WireAttribute> },
}

impl AttributeList {
    pub fn into_vec(self) -> Vec<WireAttribute> {
        match self {
            AttributeList::Bare(list) | AttributeList::Wrapped { attributes: list } => list,
        }
    }
}

/// A SIM PATCH: only the fields being changed are sent.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimPatch<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_suspend: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portfolio_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct NewAttribute<'a> {
    pub key: &'a str,
    pub value: &'a str,
}

#[derive(Debug, Serialize)]
pub struct NewAttributes<'a> {
    pub attributes: Vec<NewAttribute<'a>>,
}

#[derive(Debug, Serialize)]
pub struct AttributeValue<'a> {
    pub value: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    error_code: String,
    #[serde(default)]
    error_message: String,
}

/// `CODE: message` from an Eseye error body, if it is one.
pub fn error_text(body: &str) -> Option<String> {
    let e: ErrorBody = serde_json::from_str(body).ok()?;
    Some(format!("{}: {}", e.error_code, e.error_message))
}
