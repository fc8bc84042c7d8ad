//! Soracom's reads: `GET /sims` and `GET /groups` as bare arrays paged by
//! `limit` and `last_evaluated_key` (the id of the last item of the page
//! before), and `GET /sims/{sim_id}`.
//!
//! Every page but the last names the next key twice, in
//! `x-soracom-next-key` and in `link: <...>; rel=next` (the text's header
//! dump); the last page carries neither. A `limit` only shrinks a page:
//! above the server's own page size it is cut, never refused. Reads
//! only: nothing here changes the account.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value as Json;

use super::{Soracom, error, render};
use crate::emulator::App;
use crate::emulator::api::{Api, with_state};
use crate::emulator::request::{Params, param};

/// The most items a page holds, whatever `limit` asks.
const PAGE_SIZE: usize = 100;

/// The page size `limit` asks for, at most [`PAGE_SIZE`].
fn page_size(params: &[(String, String)]) -> Result<usize, Response> {
    match param(params, "limit") {
        None => Ok(PAGE_SIZE),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n.min(PAGE_SIZE)),
            _ => Err(error(
                StatusCode::BAD_REQUEST,
                &format!("limit must be a positive integer, got {raw:?}."),
            )),
        },
    }
}

/// A list answer: `items` as a bare array and, when more follow, the key
/// of the next page in both headers. `path` is the list's path as a client
/// reaches it (under the emulator's mount, as the real link carries `/v1`).
fn page(items: Vec<Json>, next: Option<&str>, path: &str) -> Response {
    let mut response = axum::Json(Json::Array(items)).into_response();
    if let Some(key) = next {
        let encoded: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
        let link = format!("<{path}?last_evaluated_key={encoded}>; rel=next");
        let (Ok(key), Ok(link)) = (HeaderValue::from_str(key), HeaderValue::from_str(&link)) else {
            // Seeds are checked for header-safe ids; a page without its
            // next key would read as the last one, so never send it.
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The next key cannot be sent as a header.",
            );
        };
        let headers = response.headers_mut();
        headers.insert("x-soracom-next-key", key);
        headers.insert("link", link);
    }
    response
}

fn mounted(path: &str) -> String {
    format!("/{}{path}", Soracom::KIND.mount())
}

fn unknown_key() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "last_evaluated_key must be a value of x-soracom-next-key.",
    )
}

/// `GET /sims`, in the account's order.
pub async fn sims(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let size = match page_size(&params) {
        Ok(size) => size,
        Err(r) => return r,
    };
    let after = param(&params, "last_evaluated_key").map(str::to_owned);
    with_state::<Soracom>(&app, &headers, |state, _| {
        let start = match after.as_deref().map(|key| state.find(key)) {
            None => 0,
            Some(Some(i)) => i + 1,
            Some(None) => return unknown_key(),
        };
        let end = (start + size).min(state.sims.len());
        let sims = &state.sims[start.min(end)..end];
        let next = (end < state.sims.len())
            .then(|| sims.last().map(|s| s.sim_id.as_str()))
            .flatten();
        let items = sims
            .iter()
            .map(|s| render::sim(s, &state.operator_id))
            .collect();
        page(items, next, &mounted("/sims"))
    })
}

/// `GET /sims/{sim_id}`.
pub async fn sim(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    with_state::<Soracom>(&app, &headers, |state, _| match state.find(&sim_id) {
        Some(i) => axum::Json(render::sim(&state.sims[i], &state.operator_id)).into_response(),
        None => error(StatusCode::NOT_FOUND, "No such SIM found."),
    })
}

/// `GET /groups`, filtered by a tag (`tag_name`, `tag_value`,
/// `tag_value_match_mode` `exact` or `prefix`): how a group's name
/// becomes its `groupId`.
pub async fn groups(State(app): State<App>, headers: HeaderMap, Query(params): Params) -> Response {
    let size = match page_size(&params) {
        Ok(size) => size,
        Err(r) => return r,
    };
    let prefix = match param(&params, "tag_value_match_mode") {
        None | Some("exact") => false,
        Some("prefix") => true,
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("tag_value_match_mode must be exact or prefix, got {other:?}."),
            );
        }
    };
    let name = param(&params, "tag_name").map(str::to_owned);
    let value = param(&params, "tag_value").map(str::to_owned);
    let after = param(&params, "last_evaluated_key").map(str::to_owned);
    with_state::<Soracom>(&app, &headers, |state, _| {
        let matches = |tags: &std::collections::BTreeMap<String, String>| {
            let Some(name) = &name else { return true };
            let tag = tags.get(name).map(String::as_str);
            // A group without a name still answers to `name` as "".
            let tag = tag.or((name == "name").then_some(""));
            match (tag, &value) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(tag), Some(value)) if prefix => tag.starts_with(value.as_str()),
                (Some(tag), Some(value)) => tag == value,
            }
        };
        let found: Vec<_> = state.groups.iter().filter(|g| matches(&g.tags)).collect();
        let start = match &after {
            None => 0,
            Some(key) => match found.iter().position(|g| &g.group_id == key) {
                Some(i) => i + 1,
                None => return unknown_key(),
            },
        };
        let end = (start + size).min(found.len());
        let groups = &found[start.min(end)..end];
        let next = (end < found.len())
            .then(|| groups.last().map(|g| g.group_id.as_str()))
            .flatten();
        let items = groups
            .iter()
            .map(|g| render::group(g, &state.operator_id))
            .collect();
        page(items, next, &mounted("/groups"))
    })
}
