//! The endpoint object as emnify's text shows it: a list item carries
//! `ip_address_space` as `{id}` only, the single read the whole object.
//! An endpoint without a SIM has no `sim` key. Only rendering.

use serde_json::{Map, Value as Json, json};

use super::state::{ENDPOINT_STATUSES, EmnifyState, Endpoint, Profile, SIM_STATUSES, status_id};

/// `{"id": n, "description": d}` of status `description` in `table`.
fn status(table: &[&str], description: &str) -> Json {
    json!({"id": status_id(table, description), "description": description})
}

fn profile(profiles: &[Profile], id: u64) -> Json {
    let name = profiles
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.as_str());
    json!({"id": id, "name": name})
}

/// Endpoint `e`; `full` for the single read.
pub fn endpoint(state: &EmnifyState, e: &Endpoint, full: bool) -> Json {
    let mut object = Map::new();
    object.insert("id".into(), json!(e.id));
    object.insert("name".into(), json!(e.name));
    object.insert("tags".into(), json!(e.tags));
    object.insert("created".into(), json!(e.created));
    object.insert("last_updated".into(), json!(e.last_updated));
    object.insert("status".into(), status(&ENDPOINT_STATUSES, &e.status));
    let service = profile(&state.service_profiles, e.service_profile);
    object.insert("service_profile".into(), service);
    let tariff = profile(&state.tariff_profiles, e.tariff_profile);
    object.insert("tariff_profile".into(), tariff);
    object.insert("imei".into(), json!(e.imei));
    object.insert("imei_lock".into(), json!(e.imei_lock));
    object.insert("ip_address".into(), json!(e.ip_address));
    let space = if full {
        json!({"id": 1, "ip_address_space": "10.0.0.0/16", "ip_address_version": 4})
    } else {
        json!({"id": 1})
    };
    object.insert("ip_address_space".into(), space);
    if let Some(sim) = &e.sim {
        let sim = json!({
            "id": sim.id,
            "iccid": sim.iccid,
            "iccid_with_luhn": sim.iccid_with_luhn,
            "imsi": sim.imsi,
            "msisdn": sim.msisdn,
            "status": status(&SIM_STATUSES, &sim.status),
        });
        object.insert("sim".into(), sim);
    }
    Json::Object(object)
}
