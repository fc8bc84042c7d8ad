//! emnify's rules for writes, as its text gives them (docs/providers.md,
//! "emnify"): what an endpoint update may say, and which SIM status
//! changes are allowed.
//!
//! Pure functions: they judge and describe a change, never apply it or
//! answer a request. A refusal lists the `errors` of emnify's
//! `InputValidationFailed` body.

use serde_json::{Map, Value as Json};

use super::state::{EmnifyState, Endpoint, SIM_STATUSES};

/// One entry of an error body's `errors`: `{error_code, error_token, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub code: u32,
    pub token: &'static str,
    pub message: String,
}

fn invalid(message: String) -> Detail {
    Detail {
        code: 1403,
        token: "InvalidFormat",
        message,
    }
}

fn unknown(message: String) -> Detail {
    Detail {
        code: 1401,
        token: "InvalidReference",
        message,
    }
}

/// The changes one endpoint update asks for; `None` leaves a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub name: Option<String>,
    pub tags: Option<Option<String>>,
    /// `Enabled` or `Disabled`.
    pub status: Option<&'static str>,
    pub service_profile: Option<u64>,
    pub tariff_profile: Option<u64>,
    pub imei: Option<Option<String>>,
    pub imei_lock: Option<bool>,
}

/// The `{"id": n}` of an object field.
fn id_of(value: &Json) -> Option<u64> {
    value.get("id").and_then(Json::as_f64).and_then(|n| {
        // The recorded client sends `1.0`: a whole number in any form.
        (n >= 0.0 && n.fract() == 0.0 && n < 9e15).then_some(n as u64)
    })
}

/// The update `body` asks of an endpoint; `allow_id` for bulk items,
/// which name their endpoint inside.
pub fn update(
    state: &EmnifyState,
    body: &Map<String, Json>,
    allow_id: bool,
) -> Result<Update, Vec<Detail>> {
    let mut out = Update::default();
    let mut errors = Vec::new();
    for (key, value) in body {
        match key.as_str() {
            "id" if allow_id => {}
            "name" => match value.as_str() {
                Some(name) if !name.is_empty() => out.name = Some(name.to_owned()),
                _ => errors.push(invalid(
                    "Endpoint - name has invalid format: expecting a non-empty String.".into(),
                )),
            },
            "tags" => match value {
                Json::Null => out.tags = Some(None),
                Json::String(tags) => out.tags = Some(Some(tags.clone())),
                _ => errors.push(invalid(
                    "Endpoint - tags has invalid format: expecting String.".into(),
                )),
            },
            "status" => match id_of(value) {
                Some(0) => out.status = Some("Enabled"),
                Some(1) => out.status = Some("Disabled"),
                _ => errors.push(invalid(
                    "Endpoint - status must be 0 (Enabled) or 1 (Disabled).".into(),
                )),
            },
            "service_profile" => match id_of(value) {
                Some(id) if state.service_profiles.iter().any(|p| p.id == id) => {
                    out.service_profile = Some(id);
                }
                _ => errors.push(unknown(format!(
                    "Service profile with Id '{}' not found.",
                    shown_id(value)
                ))),
            },
            "tariff_profile" => match id_of(value) {
                Some(id) if state.tariff_profiles.iter().any(|p| p.id == id) => {
                    out.tariff_profile = Some(id);
                }
                _ => errors.push(unknown(format!(
                    "Tariff profile with Id '{}' not found.",
                    shown_id(value)
                ))),
            },
            "imei" => match value {
                Json::Null => out.imei = Some(None),
                Json::String(imei) => out.imei = Some(Some(imei.clone())),
                _ => errors.push(invalid(
                    "Endpoint - imei has invalid format: expecting String.".into(),
                )),
            },
            "imei_lock" => match value.as_bool() {
                Some(lock) => out.imei_lock = Some(lock),
                None => errors.push(invalid(
                    "Endpoint - imei_lock has invalid format: expecting Boolean.".into(),
                )),
            },
            other => errors.push(invalid(format!(
                "Endpoint - {other} cannot be updated here (the emulator serves name, tags, \
                 status, service_profile, tariff_profile, imei and imei_lock)."
            ))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The id a body gave, as it gave it, for messages.
fn shown_id(value: &Json) -> String {
    match value.get("id") {
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "null".into(),
    }
}

/// Applies `update` to `endpoint`.
pub fn apply(endpoint: &mut Endpoint, update: &Update) {
    let u = update.clone();
    if let Some(name) = u.name {
        endpoint.name = name;
    }
    if let Some(tags) = u.tags {
        endpoint.tags = tags;
    }
    if let Some(status) = u.status {
        endpoint.status = status.to_owned();
    }
    if let Some(id) = u.service_profile {
        endpoint.service_profile = id;
    }
    if let Some(id) = u.tariff_profile {
        endpoint.tariff_profile = id;
    }
    if let Some(imei) = u.imei {
        endpoint.imei = imei;
    }
    if let Some(lock) = u.imei_lock {
        endpoint.imei_lock = lock;
    }
}

/// Whether a SIM may go from status `from` to `to` (descriptions): Issued
/// to Activated or Factory Test, Factory Test to Activated, Activated and
/// Suspended either way. Asking for the status a SIM is in changes
/// nothing and is allowed (the text does not say otherwise).
pub fn sim_move(from: &str, to: &str) -> Result<(), Detail> {
    const ALLOWED: [(&str, &str); 5] = [
        ("Issued", "Activated"),
        ("Issued", "Factory Test"),
        ("Factory Test", "Activated"),
        ("Activated", "Suspended"),
        ("Suspended", "Activated"),
    ];
    if from == to && from != "Deleted" || ALLOWED.contains(&(from, to)) {
        return Ok(());
    }
    Err(invalid(format!(
        "SIM - status cannot change from {from} to {to}."
    )))
}

/// The SIM status description of id `id`.
pub fn sim_status(id: u64) -> Option<&'static str> {
    usize::try_from(id)
        .ok()
        .and_then(|i| SIM_STATUSES.get(i).copied())
}

/// The status id a SIM update body asks for.
pub fn sim_target(body: &Map<String, Json>) -> Result<&'static str, Detail> {
    if body.keys().any(|k| k != "status") {
        return Err(invalid("SIM - only status can be updated.".into()));
    }
    let id = body.get("status").and_then(id_of);
    id.and_then(sim_status)
        .ok_or_else(|| invalid("SIM - status must be an object with a known id.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_statuses_move_only_as_the_text_allows() {
        for (from, to) in [
            ("Issued", "Activated"),
            ("Issued", "Factory Test"),
            ("Factory Test", "Activated"),
            ("Activated", "Suspended"),
            ("Suspended", "Activated"),
            ("Activated", "Activated"),
        ] {
            assert_eq!(sim_move(from, to), Ok(()), "{from} -> {to}");
        }
        for (from, to) in [
            ("Activated", "Issued"),
            ("Suspended", "Issued"),
            ("Factory Test", "Suspended"),
            ("Issued", "Suspended"),
            ("Deleted", "Activated"),
            ("Deleted", "Deleted"),
            ("Activated", "Deleted"),
            ("Suspended", "Factory Test"),
        ] {
            assert!(sim_move(from, to).is_err(), "{from} -> {to}");
        }
    }
}
