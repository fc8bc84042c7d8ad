//! Telekom CMO's wire-to-model and write mappings.

use serde_json::json;

use super::read::{is_sim, to_live};
use super::wire::WireProduct;
use super::write::{property_ops, wire_status};
use crate::model::{Attributes, Condition, Field, Status, Value};

fn product(id: &str, kind: &str, status: &str) -> WireProduct {
    let p = json!({"id": id, "connectivityType": kind, "status": status, "name": "x"});
    serde_json::from_value(p).expect("a product parses")
}

#[test]
fn products_map_to_sims_by_their_iccid() {
    let p = product("JASPER-89490200001640018415", "CELLULAR", "ACTIVE");
    assert!(is_sim(&p));
    let live = to_live(&p);
    assert_eq!(live.iccid.as_str(), "89490200001640018415");
    assert_eq!(live.id, "JASPER-89490200001640018415");
    assert_eq!(live.fields[&Field::Status], Value::Status(Status::Active));
    assert!(!is_sim(&product("INTELSAT-1", "SATELLITE", "ACTIVE")));
}

#[test]
fn blocked_is_locked_and_pending_is_in_progress() {
    let blocked = to_live(&product("JASPER-1", "CELLULAR", "BLOCKED"));
    assert!(matches!(blocked.condition, Some(Condition::Locked(_))));
    let pending = to_live(&product("JASPER-1", "CELLULAR", "PENDING_ACTIVE"));
    assert!(matches!(pending.condition, Some(Condition::InProgress(_))));
    assert_eq!(
        pending.fields[&Field::Status],
        Value::Status(Status::Active)
    );
}

#[test]
fn statuses_and_properties_become_json_patch() {
    assert_eq!(
        wire_status(&Value::Status(Status::Suspended)).ok(),
        Some("SUSPENDED")
    );
    assert!(wire_status(&Value::Null).is_err());

    let map = |pairs: &[(&str, &str)]| pairs.iter().copied().collect::<Attributes>();
    let have = map(&[("costCenter", "1"), ("legacy", "y")]);
    let want = map(&[("costCenter", "4712"), ("site", "hamburg")]);
    assert_eq!(
        json!(property_ops(&have, &want)),
        json!([
            {"op": "replace", "path": "/customProperty/value?customProperty.name=costCenter", "value": "4712"},
            {"op": "remove", "path": "/customProperty?customProperty.name=legacy"},
            {"op": "add", "path": "customProperty", "value": {"name": "site", "value": "hamburg"}},
        ])
    );
    assert!(property_ops(&want, &want).is_empty());
}

#[test]
fn a_monitor_is_found_from_location_id_href_or_a_bare_link() {
    use super::wire::monitor_id;
    let link = "https://api.example/v5/eos/monitor/8949-1686000000001";
    assert_eq!(
        monitor_id(Some(link), "").as_deref(),
        Some("8949-1686000000001")
    );
    assert_eq!(
        monitor_id(None, r#"{"id":"m-1","state":"InProgress"}"#).as_deref(),
        Some("m-1")
    );
    let href = json!({ "href": link }).to_string();
    assert_eq!(
        monitor_id(None, &href).as_deref(),
        Some("8949-1686000000001")
    );
    // The text shows the answer as the link itself, in angle brackets.
    for body in [
        link.to_owned(),
        format!("<{link}>\n"),
        json!(link).to_string(),
    ] {
        assert_eq!(
            monitor_id(None, &body).as_deref(),
            Some("8949-1686000000001"),
            "{body}"
        );
    }
    // A product's own id beside a monitor link is not the monitor.
    let both = json!({"id": "TMSP-8949-simCard", "href": link}).to_string();
    assert_eq!(
        monitor_id(None, &both).as_deref(),
        Some("8949-1686000000001")
    );
    assert_eq!(monitor_id(None, r#"{"state":"InProgress"}"#), None);
    assert_eq!(monitor_id(None, "accepted"), None);
}

#[test]
fn any_pending_status_is_in_progress_toward_its_target() {
    let pending = to_live(&product("TMSP-1", "CELLULAR", "PENDING_SUSPENDED"));
    assert!(matches!(pending.condition, Some(Condition::InProgress(_))));
    assert_eq!(
        pending.fields[&Field::Status],
        Value::Status(Status::Suspended)
    );
    let odd = to_live(&product("TMSP-1", "CELLULAR", "PENDING_REVIEW"));
    assert!(matches!(odd.condition, Some(Condition::Locked(_))));
}

#[test]
fn property_names_are_percent_encoded_in_tmf630_paths() {
    let map = |pairs: &[(&str, &str)]| pairs.iter().copied().collect::<Attributes>();
    let ops = property_ops(&map(&[("cost center/a&b", "1")]), &map(&[]));
    assert_eq!(
        json!(ops),
        json!([{"op": "remove", "path": "/customProperty?customProperty.name=cost%20center%2Fa%26b"}])
    );
}

#[test]
fn a_monitor_state_is_read_whatever_its_case_and_an_unknown_one_is_not_waited_on() {
    use super::write::Stands;
    assert_eq!(Stands::of("InProgress"), Stands::Pending);
    assert_eq!(Stands::of("inProgress"), Stands::Pending);
    assert_eq!(Stands::of("COMPLETED"), Stands::Done);
    assert_eq!(Stands::of("InError"), Stands::Failed);
    assert_eq!(Stands::of("Cancelled"), Stands::Unknown);
}
