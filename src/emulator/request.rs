//! Request helpers the emulated APIs share: query parameters, JSON bodies,
//! Basic credentials. They only parse; each API decides what is an error and
//! answers in its own error shape.

use axum::body::Bytes;
use axum::extract::Query;
use base64::Engine as _;
use serde_json::{Map, Value as Json};

/// Query parameters in order, repeated keys kept.
pub type Params = Query<Vec<(String, String)>>;

pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The body as a JSON object, or `None` when it is anything else.
pub fn json_object(body: &Bytes) -> Option<Map<String, Json>> {
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(map)) => Some(map),
        _ => None,
    }
}

/// A form-encoded body (token requests), its fields in order.
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `user:password` of an `Authorization: Basic ...` header value.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?.trim();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// A 1-based page number and a page size within `1..=max`, from `page_key`
/// and `size_key`; `Err` names the offending parameter.
pub fn paging(
    params: &[(String, String)],
    page_key: &str,
    size_key: &str,
    default_size: usize,
    max: usize,
) -> Result<(usize, usize), String> {
    let number = |key: &str, default: usize| match param(params, key) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<usize>()
            .map_err(|_| format!("{key} must be a positive integer, got {raw:?}")),
    };
    let page = number(page_key, 1)?;
    let size = number(size_key, default_size)?;
    if page < 1 {
        return Err(format!("{page_key} must be at least 1"));
    }
    if !(1..=max).contains(&size) {
        return Err(format!("{size_key} must be between 1 and {max}"));
    }
    Ok((page, size))
}
