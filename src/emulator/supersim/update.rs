//! `POST /Sims/{Sid}`: form-encoded parameters read strictly, the text's
//! rules applied (`rules`), then a unique name set at once (200) or a
//! Status or Fleet change scheduled (202 with `status: scheduled`,
//! settling after the configured delay). An account whose seed says
//! `fleet_update_status: 200` answers a Fleet change alone with 200 and
//! the SIM as it then is.
//!
//! `CallbackUrl` is accepted and never called: the emulator contacts no
//! address of a request's choosing.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::rules::{Asked, decide};
use super::state::{Scheduled, now_ms};
use super::{App, coded, not_found, with_state};

const FORM: &str = "application/x-www-form-urlencoded";

/// The parameters of the update, all optional (the text's list).
const PARAMETERS: [&str; 6] = [
    "UniqueName",
    "Status",
    "Fleet",
    "CallbackUrl",
    "CallbackMethod",
    "AccountSid",
];

/// What the body asks, or the refusal of a body the API would not read.
fn asked(headers: &HeaderMap, body: &Bytes) -> Result<Asked, Response> {
    let bad = |message: String| coded(StatusCode::BAD_REQUEST, 20001, &message);
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim();
    if !body.is_empty() && !content_type.eq_ignore_ascii_case(FORM) {
        return Err(bad(format!(
            "parameters are form-encoded ({FORM}), not {content_type:?}"
        )));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    if let Some((key, _)) = pairs
        .iter()
        .find(|(k, _)| !PARAMETERS.contains(&k.as_str()))
    {
        return Err(bad(format!(
            "unknown parameter {key}; parameters are case-sensitive: {}",
            PARAMETERS.join(", ")
        )));
    }
    let get = |key: &str| {
        let mut values = pairs.iter().filter(|(k, _)| k == key);
        values.next().map(|(_, v)| v.clone())
    };
    if get("AccountSid").is_some() {
        return Err(bad(
            "moving a Sim to another account (AccountSid) is not emulated".to_owned(),
        ));
    }
    if let Some(method) = get("CallbackMethod")
        && method != "GET"
        && method != "POST"
    {
        return Err(bad(format!(
            "CallbackMethod must be GET or POST, not {method}"
        )));
    }
    Ok(Asked {
        unique_name: get("UniqueName"),
        status: get("Status"),
        fleet: get("Fleet"),
    })
}

pub async fn update(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sid): Path<String>,
    body: Bytes,
) -> Response {
    let asked = asked(&headers, &body);
    // Credentials first: a request is judged only once it may be.
    with_state(&app, &headers, |state, settings, base| {
        let asked = match asked {
            Ok(asked) => asked,
            Err(refused) => return refused,
        };
        let Some(i) = state.find_sim(&sid) else {
            return not_found(&format!("/Sims/{sid}"));
        };
        let decision = match decide(state, i, &asked) {
            Ok(decision) => decision,
            Err(r) => return coded(r.status, r.code, &r.message),
        };
        if let Some(name) = decision.unique_name {
            let sim = &mut state.sims[i];
            sim.unique_name = name;
            sim.date_updated = super::state::now_date();
        }
        let status = match decision.settles {
            Some((status, fleet_sid)) => {
                let fleet_only = status == state.sims[i].status;
                let delay = u64::try_from(settings.schedule_delay.as_millis());
                let change = Scheduled {
                    status,
                    fleet_sid,
                    due_ms: Some(now_ms().saturating_add(delay.unwrap_or(u64::MAX))),
                };
                state.schedule(i, change);
                if fleet_only && state.fleet_update_status == 200 {
                    // The SIM as it is now: settled if no delay is set.
                    state.settle(now_ms(), settings.schedule_delay);
                    StatusCode::OK
                } else {
                    StatusCode::ACCEPTED
                }
            }
            None => StatusCode::OK,
        };
        let rendered = super::render::sim(&state.sims[i], &state.account_sid, base);
        (status, axum::Json(rendered)).into_response()
    })
}
