//! Infobip's wire-to-model and write mappings, on the provider text's own
//! example SIM.

use reqwest::Method;
use serde_json::{Value as Json, json};

use super::read::to_live;
use super::wire::WireSim;
use super::write::request;
use crate::model::{Condition, Field, Iccid, Status, Value};

fn sim(status: &str, name: Option<&str>) -> WireSim {
    let sim = json!({
        "iccid": "8981100022152967721",
        "imsi": "310150123456789",
        "name": name,
        "status": status,
        "createdAt": "2019-06-04T11:42:48",
        "msisdn": "8931826018675",
        "model": {"type": "Embedded", "grade": "Industrial"},
    });
    serde_json::from_value(sim).expect("the documented SIM parses")
}

#[test]
fn documented_statuses_map_and_unsettable_ones_are_locked() {
    let cases = [
        ("Active", Value::Status(Status::Active), false),
        ("Suspended", Value::Status(Status::Suspended), false),
        ("Activation Ready", Value::Status(Status::Inactive), false),
        ("Imported", Value::Status(Status::Inactive), true),
        ("Deactivated", Value::Status(Status::Inactive), true),
        ("Something New", Value::Null, true),
    ];
    for (wire, status, locked) in cases {
        let live = to_live(&sim(wire, Some("1st activated")));
        assert_eq!(live.fields[&Field::Status], status, "{wire}");
        assert_eq!(
            matches!(live.condition, Some(Condition::Locked(_))),
            locked,
            "{wire}"
        );
    }
}

#[test]
fn an_empty_name_is_no_name() {
    assert_eq!(
        to_live(&sim("Active", Some(""))).fields[&Field::Name],
        Value::Null
    );
    assert_eq!(
        to_live(&sim("Active", Some("1st activated"))).fields[&Field::Name],
        Value::Text("1st activated".into())
    );
}

fn body(req: &crate::provider::http::Request) -> Json {
    let (_, bytes) = req.body.as_ref().expect("a body");
    serde_json::from_slice(bytes).expect("JSON body")
}

#[test]
fn writes_use_the_v1_resources() {
    let iccid = Iccid::from_live("8981100022152967721");
    let name = request(&iccid, Field::Name, &Value::Text("pump".into())).expect("name");
    assert_eq!(
        (name.method.clone(), name.path.as_str()),
        (Method::PATCH, "/iot/1/sims/8981100022152967721")
    );
    assert_eq!(body(&name), json!({"name": "pump"}));
    let cleared = request(&iccid, Field::Name, &Value::Null).expect("clear");
    assert_eq!(body(&cleared), json!({"name": ""}));

    let status = request(&iccid, Field::Status, &Value::Status(Status::Suspended)).expect("status");
    assert_eq!(
        (status.method.clone(), status.path.as_str()),
        (Method::PUT, "/iot/1/sims/8981100022152967721/status")
    );
    assert_eq!(body(&status), json!({"status": "Suspended"}));
    assert!(request(&iccid, Field::Status, &Value::Status(Status::Inactive)).is_err());
}
