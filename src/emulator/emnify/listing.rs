//! `GET /api/v1/endpoint` and `GET /api/v1/endpoint/{id}`: the list as a
//! bare array with its paging in headers, and one endpoint.
//!
//! Paging follows the text: `per_page` below 1 is the default (1000) and
//! above 1000 is 1000; `page` below 1 is the first page and past the end
//! the last, never an empty page. It must not change any state.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::limits::{LIST, ONE};
use super::{App, coded, endpoint_id, guarded, render};
use crate::emulator::request::{Params, param};

const DEFAULT_PER_PAGE: i64 = 1000;
const MAX_PER_PAGE: i64 = 1000;

/// A whole number from query parameter `key`, or the 400 emnify gives
/// for a parameter it cannot parse.
fn number(params: &[(String, String)], key: &str) -> Result<Option<i64>, Response> {
    match param(params, key) {
        None => Ok(None),
        Some(raw) => raw.parse::<i64>().map(Some).map_err(|_| {
            let message =
                format!("Cannot parse parameter {key} as Integer: For input string: \"{raw}\"");
            coded(StatusCode::BAD_REQUEST, 1000, "BadRequest", &message)
        }),
    }
}

pub async fn endpoints(State(app): State<App>, headers: HeaderMap, params: Params) -> Response {
    let host = crate::emulator::api::header(&headers, "host").to_owned();
    guarded(&app, &headers, LIST, |state, _| {
        let per_page = match number(&params, "per_page") {
            Ok(n) => n
                .filter(|n| *n >= 1)
                .unwrap_or(DEFAULT_PER_PAGE)
                .min(MAX_PER_PAGE),
            Err(answer) => return answer,
        };
        let asked = match number(&params, "page") {
            Ok(n) => n.unwrap_or(1),
            Err(answer) => return answer,
        };
        // Sorted by id ascending, the documented default.
        let mut order: Vec<usize> = (0..state.endpoints.len()).collect();
        order.sort_by_key(|&i| state.endpoints[i].id);
        let total = order.len() as i64;
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = asked.clamp(1, pages);
        let from = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
        let size = usize::try_from(per_page).unwrap_or(usize::MAX);
        let body: Vec<_> = order
            .iter()
            .skip(from)
            .take(size)
            .map(|&i| render::endpoint(state, &state.endpoints[i], false))
            .collect();
        let mut answer = axum::Json(body).into_response();
        let h = answer.headers_mut();
        for (name, value) in [
            ("x-count-per-page", per_page),
            ("x-current-page", page),
            ("x-total-count", total),
            ("x-total-pages", pages),
        ] {
            h.insert(name, HeaderValue::from(value));
        }
        h.insert("x-sort", HeaderValue::from_static("id"));
        if pages > 1 {
            let link = link(&host, page, pages, per_page);
            if let Ok(value) = HeaderValue::from_str(&link) {
                h.insert("link", value);
            }
        }
        answer
    })
}

/// The `Link` header: first, prev and next where they exist, last. The
/// text's example spells the path `/api/v1/endpoints`; the URLs here name
/// the path that is served.
fn link(host: &str, page: i64, pages: i64, per_page: i64) -> String {
    let url = |n: i64| {
        let base = format!("http://{host}/emnify/api/v1/endpoint");
        if n == 1 {
            format!("<{base}?per_page={per_page}>")
        } else {
            format!("<{base}?page={n}&per_page={per_page}>")
        }
    };
    let mut parts = vec![format!("{};rel=\"first\"", url(1))];
    if page > 1 {
        parts.push(format!("{};rel=\"prev\"", url(page - 1)));
    }
    if page < pages {
        parts.push(format!("{};rel=\"next\"", url(page + 1)));
    }
    parts.push(format!("{};rel=\"last\"", url(pages)));
    parts.join(", ")
}

pub async fn endpoint(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    guarded(&app, &headers, ONE, |state, _| {
        let id = match endpoint_id(&id) {
            Ok(id) => id,
            Err(answer) => return answer,
        };
        match state.find(id) {
            Some(i) => {
                axum::Json(render::endpoint(state, &state.endpoints[i], true)).into_response()
            }
            None => super::not_found(id),
        }
    })
}
