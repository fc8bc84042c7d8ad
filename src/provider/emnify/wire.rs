//! emnify API shapes (docs/providers.md, "emnify"). Tolerant reader: an
//! endpoint's keys but `id` may be absent or `null`, unknown keys are
//! ignored, ids are whole numbers however written (`7`, `7.0`, `"7"`), and
//! an endpoint without a `sim` is kept (it is no SIM, and the listing
//! drops it). Strict writer: only the bodies the text documents.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use crate::provider::record::Key;

/// Endpoints asked for a page: the text's largest `per_page`.
pub const PAGE_SIZE: usize = 1000;

/// Endpoints one `PATCH /api/v2/endpoint/multi` may carry (text §8).
pub const BULK_LIMIT: usize = 2000;

/// The bulk update's path, for calls and messages.
pub const BULK_PATH: &str = "/api/v2/endpoint/multi";

/// Where an endpoint holds its SIM's ICCID: the 20-digit form first.
pub const ICCID: Key = Key {
    paths: &["sim.iccid_with_luhn", "sim.iccid"],
    what: "the ICCID of the endpoint's SIM",
};

/// The paging headers of a list answer (text §3).
pub const TOTAL_PAGES: &str = "x-total-pages";
pub const TOTAL_COUNT: &str = "x-total-count";
pub const PER_PAGE: &str = "x-count-per-page";

/// An endpoint (text §5).
#[derive(Debug, Clone, Deserialize)]
pub struct WireEndpoint {
    #[serde(deserialize_with = "whole")]
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    /// One comma-separated string; `""` or `null` when none.
    #[serde(default)]
    pub tags: Option<String>,
    #[serde(default)]
    pub status: Option<WireStatus>,
    #[serde(default)]
    pub service_profile: Option<Reference>,
    #[serde(default)]
    pub tariff_profile: Option<Reference>,
    #[serde(default)]
    pub imei_lock: Option<bool>,
    #[serde(default)]
    pub sim: Option<WireSim>,
}

/// `{id, description}` of an endpoint or SIM status.
#[derive(Debug, Clone, Deserialize)]
pub struct WireStatus {
    #[serde(default, deserialize_with = "whole_or_null")]
    pub id: Option<u64>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A profile as an endpoint names it.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    #[serde(default, deserialize_with = "whole_or_null")]
    pub id: Option<u64>,
}

/// The SIM of an endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct WireSim {
    #[serde(deserialize_with = "whole")]
    pub id: u64,
    #[serde(default)]
    pub iccid: Option<String>,
    #[serde(default)]
    pub iccid_with_luhn: Option<String>,
    #[serde(default)]
    pub status: Option<WireStatus>,
}

/// An id as a whole number however it is written: `7`, `7.0` (the text's
/// SDK writes `1.0`) or `"7"`.
fn as_whole(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            let f = n.as_f64()?;
            // Below 2^53 a float holds every whole number exactly.
            let exact = f.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&f);
            exact.then_some(f as u64)
        }),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    as_whole(&value).ok_or_else(|| D::Error::custom(format!("`{value}` is not a whole-number id")))
}

fn whole_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    as_whole(&value)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("`{value}` is not a whole-number id")))
}

/// Endpoint statuses (text §5).
pub const ENDPOINT_ENABLED: u64 = 0;
pub const ENDPOINT_DISABLED: u64 = 1;
pub const ENDPOINT_DELETED: u64 = 2;

/// SIM statuses (text §5).
pub const SIM_ISSUED: u64 = 0;
pub const SIM_ACTIVATED: u64 = 1;
pub const SIM_SUSPENDED: u64 = 2;
pub const SIM_DELETED: u64 = 3;
pub const SIM_FACTORY_TEST: u64 = 4;

/// `POST /api/v1/authenticate` with the application token.
#[derive(Debug, Serialize)]
pub struct AuthRequest<'a> {
    pub application_token: &'a str,
}

/// `{"id": n}`, as a status or a profile is written.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Id {
    pub id: u64,
}

/// `PATCH /api/v1/sim/{id}`: only `status` may be sent.
#[derive(Debug, Serialize)]
pub struct SimStatus {
    pub status: Id,
}

/// The error body `{error_code, error_token, message, errors}`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error_token: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Option<Vec<ErrorBody>>,
}

/// The message of an emnify error body (its token after it), with the
/// validation errors it lists, if it is one.
pub fn error_text(body: &str) -> Option<String> {
    let e: ErrorBody = serde_json::from_str(body).ok()?;
    let one = |e: &ErrorBody| {
        let message = e.message.clone().filter(|m| !m.is_empty());
        match (message, e.error_token.clone().filter(|t| !t.is_empty())) {
            (Some(m), Some(t)) => Some(format!("{m} ({t})")),
            (Some(one), None) | (None, Some(one)) => Some(one),
            (None, None) => None,
        }
    };
    let head = one(&e)?;
    let details: Vec<String> = e.errors.iter().flatten().filter_map(one).collect();
    if details.is_empty() {
        Some(head)
    } else {
        Some(format!("{head}: {}", details.join("; ")))
    }
}

/// The tag names of a `tags` string: split at commas, trimmed, empty
/// pieces dropped (the text gives no rule; `"a, b"` is read as `a`, `b`).
pub fn tag_names(tags: Option<&str>) -> Vec<&str> {
    let pieces = tags.unwrap_or("").split(',').map(str::trim);
    pieces.filter(|t| !t.is_empty()).collect()
}
