//! Soracom's wire-to-model and write mappings, on the shapes of the text
//! (the Sim schema's skeleton, the TagSet, the tag upsert example, the
//! paging header dump).

use serde_json::json;

use super::wire::{self, TagUpdate, WireSim};
use super::{status, status_action, tag_writes, to_live};
use crate::kind::soracom::{GROUP, IMEI_LOCK, SPEED_CLASS};
use crate::model::{Attributes, Change, Condition, Field, Iccid, Phase, Status, Value};

/// The text's Sim skeleton with values, and `more` on top.
fn sim(more: serde_json::Value) -> WireSim {
    let mut sim = json!({
        "simId": "8981100001234567890", "operatorId": "OPXXXXXXXXXX", "status": "active",
        "speedClass": "s1.standard", "groupId": "g-1",
        "tags": {"name": "pump-17", "site": "north"},
        "imeiLock": {"imei": "353168044272803"}, "terminationEnabled": false,
        "profiles": {"8981100000000000017": {"iccid": "8981100000000000017",
            "primaryImsi": "440101234567890",
            "subscribers": {"440101234567890": {"imsi": "440101234567890",
                "msisdn": "81000000000", "status": "active", "subscription": "plan01s"}}}}
    });
    if let (Some(sim), Some(more)) = (sim.as_object_mut(), more.as_object()) {
        sim.extend(more.clone());
    }
    serde_json::from_value(sim).expect("a Soracom Sim parses")
}

fn named(id: &str) -> String {
    format!("name-of-{id}")
}

#[test]
fn a_sim_maps_name_tags_settings_and_its_profile_iccid() {
    let live = to_live(&sim(json!({})), named);
    assert_eq!(live.iccid, Iccid::from_live("8981100000000000017"));
    assert_eq!(live.id, "8981100001234567890");
    assert!(live.aliases.is_empty());
    let field = |f: Field| live.fields[&f].clone();
    assert_eq!(field(Field::Name), Value::Text("pump-17".into()));
    assert_eq!(field(Field::Status), Value::Status(Status::Active));
    let site: Attributes = [("site", "north")].into_iter().collect();
    assert_eq!(field(Field::Attributes), Value::Map(site));
    assert_eq!(field(Field::Own(&GROUP)), Value::Text("name-of-g-1".into()));
    assert_eq!(
        field(Field::Own(&SPEED_CLASS)),
        Value::Text("s1.standard".into())
    );
    assert_eq!(
        field(Field::Own(&IMEI_LOCK)),
        Value::Text("353168044272803".into())
    );
}

#[test]
fn an_empty_name_and_null_settings_are_no_value() {
    let live = to_live(
        &sim(json!({"tags": {"name": ""}, "groupId": null, "imeiLock": null})),
        named,
    );
    for f in [Field::Name, Field::Own(&GROUP), Field::Own(&IMEI_LOCK)] {
        assert_eq!(live.fields[&f], Value::Null, "{}", f.manifest_name());
    }
    assert_eq!(
        live.fields[&Field::Attributes],
        Value::Map(Attributes::default())
    );
}

#[test]
fn a_sim_with_two_profiles_is_one_sim_with_an_alias() {
    let two = json!({"profiles": {
        "8981100000000000025": {"iccid": "8981100000000000025"},
        "8981100000000000017": {"iccid": "8981100000000000017"},
    }});
    let live = to_live(&sim(two), named);
    assert_eq!(live.iccid, Iccid::from_live("8981100000000000017"));
    assert_eq!(live.aliases, [Iccid::from_live("8981100000000000025")]);
}

#[test]
fn a_profile_without_its_iccid_goes_by_its_key_and_a_sim_without_profiles_by_its_sim_id() {
    let keyed = json!({"profiles": {
        "8981100000000000025": {"primaryImsi": "440101234567891"},
        "8981100000000000017": null,
    }});
    let live = to_live(&sim(keyed), named);
    assert_eq!(live.iccid, Iccid::from_live("8981100000000000017"));
    assert_eq!(live.aliases, [Iccid::from_live("8981100000000000025")]);
    // The text makes every Sim field optional (a virtual SIM may have no
    // profile): such a SIM is still read, under its `simId`.
    for none in [json!({"profiles": null}), json!({"profiles": {}})] {
        let live = to_live(&sim(none.clone()), named);
        assert_eq!(
            live.iccid,
            Iccid::from_live("8981100001234567890"),
            "{none}"
        );
        assert_eq!(live.id, "8981100001234567890");
        assert!(live.aliases.is_empty());
    }
}

#[test]
fn statuses_map_and_terminated_is_locked_never_set() {
    use Status::*;
    for (wire, want) in [
        ("active", Active),
        ("suspended", Suspended),
        ("inactive", Inactive),
        // It goes active by itself on the device's first connection.
        ("ready", Active),
        ("standby", Inactive),
    ] {
        assert_eq!(status(Some(wire)), (Value::Status(want), None), "{wire}");
    }
    for wire in [Some("terminated"), Some("testing"), None] {
        let (value, condition) = status(wire);
        assert_eq!(value, Value::Null);
        assert!(matches!(condition, Some(Condition::Locked(_))), "{wire:?}");
    }
    // The actions: never `terminate`.
    assert_eq!(status_action(&Value::Status(Active)).unwrap(), "activate");
    assert_eq!(
        status_action(&Value::Status(Inactive)).unwrap(),
        "deactivate"
    );
    assert_eq!(status_action(&Value::Status(Suspended)).unwrap(), "suspend");
    assert!(status_action(&Value::Null).is_err());
}

fn change(field: Field, before: Value, after: Value) -> Change {
    Change {
        field,
        phase: Phase::Configure,
        before,
        after,
        step: None,
    }
}

fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Map(pairs.iter().copied().collect())
}

#[test]
fn name_and_changed_tags_go_in_one_upsert_and_each_removed_tag_is_deleted() {
    let name = change(
        Field::Name,
        Value::Text("old".into()),
        Value::Text("{Name of the IoT SIM}".into()),
    );
    let tags = change(
        Field::Attributes,
        map(&[("site", "north"), ("owner", "ops"), ("a b/c", "x")]),
        map(&[("site", "south"), ("floor", "2")]),
    );
    let (upserts, removed) = tag_writes(&[&name, &tags]).unwrap();
    // The text's example body, then the changed and the added tags.
    assert_eq!(
        serde_json::to_value(&upserts).unwrap(),
        json!([
            {"tagName": "name", "tagValue": "{Name of the IoT SIM}"},
            {"tagName": "site", "tagValue": "south"},
            {"tagName": "floor", "tagValue": "2"},
        ])
    );
    assert_eq!(removed, ["a b/c", "owner"]);
    // Removed names are percent-encoded in the path as the text says.
    assert_eq!(wire::path_segment("a b/c"), "a%20b%2Fc");
}

#[test]
fn no_name_is_the_empty_tag_and_a_name_among_attributes_is_refused() {
    let cleared = change(Field::Name, Value::Text("old".into()), Value::Null);
    let (upserts, removed) = tag_writes(&[&cleared]).unwrap();
    assert_eq!(
        upserts,
        [TagUpdate {
            tag_name: "name",
            tag_value: ""
        }]
    );
    assert!(removed.is_empty());
    let named = change(Field::Attributes, map(&[]), map(&[("name", "x")]));
    assert!(tag_writes(&[&named]).is_err());
    // `attributes: null` deletes every custom tag.
    let none = change(Field::Attributes, map(&[("site", "n")]), Value::Null);
    assert_eq!(tag_writes(&[&none]).unwrap().1, ["site"]);
}

#[test]
fn the_next_key_is_read_from_the_link_header_as_the_dump_shows_it() {
    let dump = "</v1/sims?last_evaluated_key=1234567890123456780>; rel=next";
    assert_eq!(
        wire::next_from_link(dump).as_deref(),
        Some("1234567890123456780")
    );
    let quoted = "</v1/sims?limit=10&last_evaluated_key=a%2Bb>; rel=\"next\"";
    assert_eq!(wire::next_from_link(quoted).as_deref(), Some("a+b"));
    assert_eq!(wire::next_from_link("</v1/sims?x=1>; rel=prev"), None);
}

#[test]
fn error_bodies_are_read_message_first() {
    let body = r#"{"code":"ABC1234","message":"Description of the error"}"#;
    assert_eq!(
        wire::error_text(body).as_deref(),
        Some("Description of the error (ABC1234)")
    );
    assert_eq!(wire::error_text(r#"{"other":1}"#), None);
    assert_eq!(wire::error_text("<html>"), None);
}
