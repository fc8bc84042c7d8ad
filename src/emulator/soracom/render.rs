//! The Sim and Group objects as Soracom answers them, from the account's
//! state: field names of the text's Sim schema, a TagSet that always holds
//! `name`, and `null` for a SIM without a group or an IMEI lock (as the
//! subscriber answers published with Soracom's tools show them). Pure:
//! it never changes the account.

use serde_json::{Map, Value as Json, json};

use super::state::{Group, Sim};

/// A TagSet: the tags, with `name` always present (`""` when unnamed).
fn tag_set(tags: &std::collections::BTreeMap<String, String>) -> Json {
    let mut set: Map<String, Json> = tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    set.entry("name").or_insert_with(|| json!(""));
    Json::Object(set)
}

/// The Sim object of `sim` at operator `operator`.
pub fn sim(sim: &Sim, operator: &str) -> Json {
    let profiles: Map<String, Json> = sim
        .profiles
        .iter()
        .map(|(iccid, profile)| {
            let subscribers: Map<String, Json> = profile
                .subscribers
                .iter()
                .map(|(imsi, s)| {
                    // Subscribers follow their SIM's status here; the text
                    // gives them one each but no rule that parts them.
                    let subscriber = json!({
                        "imsi": s.imsi,
                        "msisdn": s.msisdn,
                        "status": sim.status,
                        "subscription": s.subscription,
                    });
                    (imsi.clone(), subscriber)
                })
                .collect();
            let profile = json!({
                "iccid": profile.iccid,
                "primaryImsi": profile.primary_imsi,
                "otaSupported": profile.ota_supported,
                "subscribers": subscribers,
            });
            (iccid.clone(), profile)
        })
        .collect();
    json!({
        "simId": sim.sim_id,
        "operatorId": operator,
        "status": sim.status,
        "tags": tag_set(&sim.tags),
        "groupId": sim.group_id,
        "speedClass": sim.speed_class,
        "imeiLock": sim.imei_lock.as_ref().map(|l| json!({"imei": l.imei})),
        "terminationEnabled": sim.termination_enabled,
        "type": sim.sim_type,
        "moduleType": sim.module_type,
        "activeProfileId": sim.active_profile_id,
        "profiles": profiles,
        "sessionStatus": sim.session_status.as_ref().map(|s| json!({
            "online": s.online,
            "imei": s.imei,
        })),
        "capabilities": {"data": true, "sms": true},
        "createdTime": sim.created_time,
        "lastModifiedTime": sim.last_modified_time,
    })
}

/// The Group object of `group`.
pub fn group(group: &Group, operator: &str) -> Json {
    json!({
        "groupId": group.group_id,
        "operatorId": operator,
        "tags": tag_set(&group.tags),
        "configuration": {},
    })
}
