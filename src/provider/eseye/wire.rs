//! Eseye Infinity SIM API v2 shapes (docs/providers.md). Tolerant reader, strict writer: PATCH bodies carry only the
//! documented fields being changed.

use serde::{Deserialize, Serialize};

use crate::provider::record::Key;

/// Page size asked for: the documented maximum.
pub const PAGE_SIZE: usize = 100;

/// Where a SIM record holds its ICCID: `iccid`, or `iccId` as the
/// published overview spells it. A record without it is an error naming
/// the record, never a SIM dropped from the listing.
pub const ICCID: Key = Key {
    paths: &["iccid", "iccId"],
    what: "the SIM's ICCID",
};

/// A `GET /api/v2/sim` page: `sims` and, in the published form, a
/// `nextPageToken` while more follow; the older form numbers its pages
/// and gives a `total`. `sims` is required: a page without it is a shape
/// error, never an empty account. Its records are read as [`WireSim`]
/// once they show their [`ICCID`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimPage {
    #[serde(default)]
    pub sims: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    pub next_page_token: Option<String>,
    #[serde(default)]
    pub total: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSim {
    /// `iccid`, or `iccId` as the published overview spells it.
    #[serde(alias = "iccId")]
    pub iccid: String,
    #[serde(default)]
    pub sim_id: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "id_text")]
    pub portfolio_id: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
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
    /// `id`, or `iccAttributeId` as the text's path names it.
    #[serde(alias = "iccAttributeId")]
    pub id: serde_json::Value,
    pub key: String,
    /// `null` reads as the empty value.
    #[serde(default, deserialize_with = "text_or_null")]
    pub value: String,
}

/// A package or portfolio id as text, written as text or as a number (no
/// published example shows which).
fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error as _;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(D::Error::custom(format!(
            "an id as {other}, not as text or a number"
        ))),
    }
}

fn text_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
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

/// An Eseye error body: the published fields are `errorCode`,
/// `errorTag`, `message` and `additionalDetails`; the older `errorMessage`
/// is read too.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error_code: Option<serde_json::Value>,
    #[serde(default)]
    error_tag: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    additional_details: Option<serde_json::Value>,
}

/// `CODE: message (details)` from an Eseye error body, if it is one.
pub fn error_text(body: &str) -> Option<String> {
    let e: ErrorBody = serde_json::from_str(body).ok()?;
    let code = match e.error_code {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    let code = code.or(e.error_tag);
    let message = e.message.or(e.error_message).filter(|m| !m.is_empty());
    let details = match e.additional_details {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    };
    let text = match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => return None,
    };
    Some(match details {
        Some(details) => format!("{text} ({details})"),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::error_text;

    #[test]
    fn published_and_older_error_bodies_are_read() {
        let published = r#"{"errorCode":"SIM_SUSPENDED","errorTag":"sim","message":"You cannot update a suspended SIM","additionalDetails":"iccid 8944"}"#;
        assert_eq!(
            error_text(published).as_deref(),
            Some("SIM_SUSPENDED: You cannot update a suspended SIM (iccid 8944)")
        );
        let older = r#"{"status":"ERR","errorCode":"UNKNOWN_PACKAGE","errorMessage":"Package does not exist"}"#;
        assert_eq!(
            error_text(older).as_deref(),
            Some("UNKNOWN_PACKAGE: Package does not exist")
        );
        assert_eq!(
            error_text(r#"{"message":"Forbidden"}"#).as_deref(),
            Some("Forbidden")
        );
        assert_eq!(error_text(r#"{"other":1}"#), None);
        assert_eq!(error_text("<html>"), None);
    }
}
