//! Soracom's writes to one SIM: tags (upsert several, delete one), the
//! status actions, group, speed class, IMEI lock and termination
//! protection. Each answers the Sim after the change (a tag deletion 204),
//! or the text's error; a terminated SIM takes none of them.
//!
//! Each change is made to a copy of the SIM and kept only when every rule
//! passed, so a refused call changes nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use serde_json::Value as Json;

use super::rules::{self, Action, Refusal};
use super::state::{ImeiLock, Sim, SoracomState};
use super::{Soracom, error, refused, render};
use crate::emulator::App;
use crate::emulator::api::with_state;
use crate::emulator::request::json_object;

/// What a successful write answers.
#[derive(Clone, Copy)]
enum Answer {
    /// 200 with the Sim after the change.
    Sim,
    /// 204 without a body.
    Nothing,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs `f` on a copy of SIM `sim_id` and keeps it when `f` passes.
fn change(
    app: &App,
    headers: &HeaderMap,
    sim_id: &str,
    answer: Answer,
    f: impl FnOnce(&SoracomState, &mut Sim) -> Result<(), Refusal>,
) -> Response {
    with_state::<Soracom>(app, headers, |state, _| {
        let Some(i) = state.find(sim_id) else {
            return error(StatusCode::NOT_FOUND, "No such SIM found.");
        };
        let mut sim = state.sims[i].clone();
        if let Err(refusal) = rules::writable(&sim).and_then(|()| f(state, &mut sim)) {
            return refused(refusal);
        }
        sim.last_modified_time = now_ms();
        state.sims[i] = sim;
        match answer {
            Answer::Sim => {
                axum::Json(render::sim(&state.sims[i], &state.operator_id)).into_response()
            }
            Answer::Nothing => StatusCode::NO_CONTENT.into_response(),
        }
    })
}

/// The text field `key` of a JSON object body, or the 400 that says so.
fn field(body: &Bytes, key: &str) -> Result<String, Response> {
    match json_object(body).as_ref().and_then(|b| b.get(key)) {
        Some(Json::String(value)) => Ok(value.clone()),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("The request body must be a JSON object with a string {key:?}."),
        )),
    }
}

/// `POST /sims/{sim_id}/<action>`: a status action, by the text's rules.
pub fn status(action: Action) -> MethodRouter<App> {
    post(
        move |State(app): State<App>, headers: HeaderMap, Path(id): Path<String>| async move {
            change(&app, &headers, &id, Answer::Sim, |_, sim| {
                rules::may(sim, action)?;
                sim.status = action.target().to_owned();
                Ok(())
            })
        },
    )
}

/// `PUT /sims/{sim_id}/tags`: `[{"tagName","tagValue"}, ...]`, added or
/// updated; tags not named are kept.
pub async fn put_tags(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
    body: Bytes,
) -> Response {
    let bad = || {
        error(
            StatusCode::BAD_REQUEST,
            "The request body must be an array of {\"tagName\", \"tagValue\"} strings.",
        )
    };
    let Ok(Json::Array(items)) = serde_json::from_slice::<Json>(&body) else {
        return bad();
    };
    let mut tags = Vec::new();
    for item in &items {
        match (item.get("tagName"), item.get("tagValue")) {
            (Some(Json::String(name)), Some(Json::String(value))) if !name.is_empty() => {
                tags.push((name.clone(), value.clone()));
            }
            _ => return bad(),
        }
    }
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        sim.tags.extend(tags);
        Ok(())
    })
}

/// `DELETE /sims/{sim_id}/tags/{tag_name}`; the name arrives
/// percent-encoded and is matched decoded.
pub async fn delete_tag(
    State(app): State<App>,
    headers: HeaderMap,
    Path((sim_id, tag)): Path<(String, String)>,
) -> Response {
    change(
        &app,
        &headers,
        &sim_id,
        Answer::Nothing,
        |_, sim| match sim.tags.remove(&tag) {
            Some(_) => Ok(()),
            None => Err(Refusal::not_found(
                "The specified SIM or tag does not exist.",
            )),
        },
    )
}

/// `POST /sims/{sim_id}/set_group` `{"groupId"}`, a group of the account.
pub async fn set_group(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
    body: Bytes,
) -> Response {
    let group = match field(&body, "groupId") {
        Ok(group) => group,
        Err(r) => return r,
    };
    change(&app, &headers, &sim_id, Answer::Sim, |state, sim| {
        if !state.groups.iter().any(|g| g.group_id == group) {
            return Err(Refusal::not_found("The specified group does not exist."));
        }
        sim.group_id = Some(group);
        Ok(())
    })
}

pub async fn unset_group(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        sim.group_id = None;
        Ok(())
    })
}

/// `POST /sims/{sim_id}/update_speed_class` `{"speedClass"}`.
pub async fn update_speed_class(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
    body: Bytes,
) -> Response {
    let class = match field(&body, "speedClass") {
        Ok(class) => class,
        Err(r) => return r,
    };
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        rules::speed_class(sim, &class)?;
        sim.speed_class = class;
        Ok(())
    })
}

/// `POST /sims/{sim_id}/set_imei_lock` `{"imei"}` (blank: the IMEI of the
/// SIM's session).
pub async fn set_imei_lock(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
    body: Bytes,
) -> Response {
    let imei = match field(&body, "imei") {
        Ok(imei) => imei,
        Err(r) => return r,
    };
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        let imei = rules::imei_lock(sim, &imei)?;
        sim.imei_lock = Some(ImeiLock { imei });
        Ok(())
    })
}

pub async fn unset_imei_lock(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        sim.imei_lock = None;
        Ok(())
    })
}

/// `POST /sims/{sim_id}/enable_termination`: protection off.
pub async fn enable_termination(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        sim.termination_enabled = true;
        Ok(())
    })
}

/// `POST /sims/{sim_id}/disable_termination`: protection on.
pub async fn disable_termination(
    State(app): State<App>,
    headers: HeaderMap,
    Path(sim_id): Path<String>,
) -> Response {
    change(&app, &headers, &sim_id, Answer::Sim, |_, sim| {
        sim.termination_enabled = false;
        Ok(())
    })
}
