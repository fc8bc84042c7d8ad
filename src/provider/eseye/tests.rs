//! Eseye's wire-to-model and write mappings.

use serde_json::json;

use super::read::to_live;
use super::wire::WireSim;
use super::write::status_patch;
use crate::model::{Condition, Field, Status, Value};

fn sim(fields: serde_json::Value) -> WireSim {
    let mut sim = json!({
        "iccid": "89445385230000000017", "simId": 100001,
        "portfolioId": "pf-default", "packageId": "pkg-standard",
        "status": "active", "customerSuspend": "no", "adminSuspend": "no", "systemSuspend": "no",
    });
    if let (Some(sim), Some(more)) = (sim.as_object_mut(), fields.as_object()) {
        sim.extend(more.clone());
    }
    serde_json::from_value(sim).expect("an Eseye SIM parses")
}

#[test]
fn suspension_flags_decide_the_status() {
    let status = |more| {
        let live = to_live(&sim(more));
        (live.fields[&Field::Status].clone(), live.condition)
    };
    assert_eq!(status(json!({})), (Value::Status(Status::Active), None));
    assert_eq!(
        status(json!({"customerSuspend": "yes"})),
        (Value::Status(Status::Suspended), None)
    );
    assert!(matches!(
        status(json!({"adminSuspend": "yes"})),
        (Value::Status(Status::Suspended), Some(Condition::Locked(_)))
    ));
    assert!(matches!(
        status(json!({"status": "pendingProvision"})),
        (
            Value::Status(Status::Active),
            Some(Condition::InProgress(_))
        )
    ));
    assert_eq!(
        status(json!({"status": "available"})),
        (Value::Status(Status::Inactive), None)
    );
}

#[test]
fn package_portfolio_and_numeric_sim_id_map() {
    let live = to_live(&sim(json!({})));
    assert_eq!(live.id, "100001");
    assert_eq!(
        live.fields[&Field::Package],
        Value::Text("pkg-standard".into())
    );
    assert_eq!(
        live.fields[&Field::Portfolio],
        Value::Text("pf-default".into())
    );
}

#[test]
fn status_moves_use_status_or_customer_suspend() {
    let patch = |from, to| {
        status_patch(&Value::Status(from), &Value::Status(to))
            .map(|p| serde_json::to_value(p).expect("serialises"))
    };
    use Status::*;
    assert_eq!(
        patch(Suspended, Active).ok(),
        Some(json!({"customerSuspend": "no"}))
    );
    assert_eq!(
        patch(Active, Suspended).ok(),
        Some(json!({"customerSuspend": "yes"}))
    );
    assert_eq!(
        patch(Inactive, Active).ok(),
        Some(json!({"status": "active"}))
    );
    assert_eq!(
        patch(Active, Inactive).ok(),
        Some(json!({"status": "available"}))
    );
    assert!(patch(Suspended, Inactive).is_err());
}

#[test]
fn attribute_lists_are_read_bare_or_wrapped_and_a_missing_key_is_an_error() {
    use super::wire::AttributeList;
    let item = json!({"id": "a1", "key": "site", "value": "north"});
    for body in [json!([item]), json!({ "attributes": [item] })] {
        let list: AttributeList = serde_json::from_value(body.clone()).expect("parses");
        let list = list.into_vec();
        assert_eq!(
            (list[0].key.as_str(), list[0].value.as_str()),
            ("site", "north"),
            "{body}"
        );
    }
    assert!(serde_json::from_value::<AttributeList>(json!({"items": []})).is_err());
}

#[test]
fn ids_read_as_text_or_numbers_and_attributes_by_either_id_name() {
    let s = sim(json!({"packageId": 42, "portfolioId": "pf-1"}));
    assert_eq!(s.package_id.as_deref(), Some("42"));
    assert_eq!(s.portfolio_id.as_deref(), Some("pf-1"));
    assert!(serde_json::from_value::<WireSim>(json!({"iccid": "1", "packageId": [1]})).is_err());
    let a: super::wire::WireAttribute =
        serde_json::from_value(json!({"iccAttributeId": 7, "key": "site", "value": null})).unwrap();
    assert_eq!(
        (a.id(), a.key.as_str(), a.value.as_str()),
        ("7".into(), "site", "")
    );
}
