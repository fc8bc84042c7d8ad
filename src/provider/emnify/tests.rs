//! Unit tests of the emnify mappings on the text's own shapes.

use super::read::Known;
use super::wire::{self, WireEndpoint, error_text, tag_names};
use super::{lifetime, plan, status, to_live};
use crate::kind::emnify::{IMEI_LOCK, SERVICE_PROFILE};
use crate::model::{Change, Condition, Field, Names, Status, Value};

/// An endpoint as the text's §5 shows one (trimmed to what is read).
const ENDPOINT: &str = r#"{
    "id": 166,
    "name": "Truck 7",
    "tags": "fleet, north",
    "status": {"id": 0, "description": "Enabled"},
    "service_profile": {"id": 1, "name": "Default"},
    "tariff_profile": {"id": 2, "name": "EU"},
    "imei_lock": true,
    "sim": {"id": 625, "iccid": "8988303000000001000", "iccid_with_luhn": "89883030000000010000",
            "status": {"id": 1, "description": "Activated"}}
}"#;

fn change(field: Field, after: Value) -> Change {
    Change::to(field, after)
}

fn known(sim_status: u64, endpoint_status: u64) -> Known {
    Known {
        endpoint: 166,
        sim: 625,
        sim_status: Some(sim_status),
        endpoint_status: Some(endpoint_status),
    }
}

#[test]
fn an_endpoint_maps_to_its_sims_iccids_name_tags_status_and_block() {
    let e: WireEndpoint = serde_json::from_str(ENDPOINT).unwrap();
    let live = to_live(&e);
    assert_eq!(live.iccid.as_str(), "89883030000000010000");
    assert_eq!(live.aliases.len(), 1);
    assert_eq!(live.aliases[0].as_str(), "8988303000000001000");
    assert_eq!(live.id, "166");
    assert_eq!(live.fields[&Field::Name], Value::Text("Truck 7".into()));
    assert_eq!(
        live.fields[&Field::Tags],
        Value::Set(Names::from(["fleet", "north"]))
    );
    assert_eq!(live.fields[&Field::Status], Value::Status(Status::Active));
    assert_eq!(
        live.fields[&Field::Own(&SERVICE_PROFILE)],
        Value::Text("1".into())
    );
    assert_eq!(
        live.fields[&Field::Own(&IMEI_LOCK)],
        Value::Text("true".into())
    );
}

#[test]
fn statuses_read_as_the_design_says() {
    let s = |sim, ep| status(Some(sim), Some(ep));
    assert_eq!(s(wire::SIM_ACTIVATED, 0).0, Value::Status(Status::Active));
    assert_eq!(
        s(wire::SIM_SUSPENDED, 0).0,
        Value::Status(Status::Suspended)
    );
    assert_eq!(s(wire::SIM_ACTIVATED, 1).0, Value::Status(Status::Inactive));
    assert_eq!(s(wire::SIM_ISSUED, 0).0, Value::Status(Status::Inactive));
    assert!(matches!(
        s(wire::SIM_DELETED, 0).1,
        Some(Condition::Locked(_))
    ));
    assert!(matches!(
        s(wire::SIM_FACTORY_TEST, 0).1,
        Some(Condition::InProgress(_))
    ));
}

#[test]
fn an_issued_sim_is_activated_and_then_its_endpoint_enabled() {
    let want = [change(Field::Status, Value::Status(Status::Active))];
    let p = plan(&want, &known(wire::SIM_ISSUED, 1)).unwrap();
    assert_eq!(p.sim_steps, vec![wire::SIM_ACTIVATED]);
    assert_eq!(p.endpoint["status"], serde_json::json!({"id": 0}));
}

#[test]
fn inactive_disables_the_endpoint_and_leaves_the_sim() {
    let want = [change(Field::Status, Value::Status(Status::Inactive))];
    let p = plan(&want, &known(wire::SIM_ACTIVATED, 0)).unwrap();
    assert!(p.sim_steps.is_empty());
    assert_eq!(p.endpoint["status"], serde_json::json!({"id": 1}));
}

#[test]
fn tags_are_written_as_the_whole_set_and_refuse_a_comma() {
    let want = [change(Field::Tags, Value::Set(Names::from(["b", "a"])))];
    let p = plan(&want, &known(1, 0)).unwrap();
    assert_eq!(p.endpoint["tags"], serde_json::json!("a,b"));
    let bad = [change(Field::Tags, Value::Set(Names::from(["a,b"])))];
    assert!(plan(&bad, &known(1, 0)).is_err());
    assert_eq!(tag_names(Some(" a, ,b ")), vec!["a", "b"]);
    assert!(tag_names(None).is_empty());
}

#[test]
fn a_profile_id_that_is_not_a_number_is_refused() {
    let want = [change(
        Field::Own(&SERVICE_PROFILE),
        Value::Text("x".into()),
    )];
    assert!(plan(&want, &known(1, 0)).is_err());
}

#[test]
fn the_jwt_lifetime_is_read_from_exp() {
    // {"exp":1000}
    let jwt = "e30.eyJleHAiOjEwMDB9.sig";
    assert_eq!(lifetime(jwt, 400), Some(600));
    assert_eq!(lifetime("not-a-jwt", 0), None);
}

#[test]
fn error_bodies_read_with_their_validation_errors() {
    let body = r#"{"error_code":1400,"error_token":"InputValidationFailed","message":"Input validation failed",
        "errors":[{"error_code":1401,"error_token":"InvalidReference","message":"no such profile"}]}"#;
    assert_eq!(
        error_text(body).unwrap(),
        "Input validation failed (InputValidationFailed): no such profile (InvalidReference)"
    );
}

#[test]
fn an_error_body_with_null_errors_keeps_its_message() {
    let body = r#"{"error_code":1400,"error_token":"InputValidationFailed","message":"bad","errors":null}"#;
    assert_eq!(error_text(body).unwrap(), "bad (InputValidationFailed)");
}

#[test]
fn ids_are_whole_numbers_however_written() {
    let endpoint = r#"{"id": 5.0, "status": {"id": "1"}, "service_profile": {"id": 7.0},
        "tariff_profile": {"id": null}, "sim": {"id": "9", "status": {"id": 1.0}}}"#;
    let e: WireEndpoint = serde_json::from_str(endpoint).unwrap();
    assert_eq!(e.id, 5);
    assert_eq!(e.status.and_then(|s| s.id), Some(1));
    assert_eq!(e.service_profile.and_then(|p| p.id), Some(7));
    assert_eq!(e.tariff_profile.and_then(|p| p.id), None);
    let sim = e.sim.unwrap();
    assert_eq!((sim.id, sim.status.and_then(|s| s.id)), (9, Some(1)));
    for bad in [
        r#"{"id": 1.5}"#,
        r#"{"id": -1}"#,
        r#"{"id": "x"}"#,
        r#"{"id": true}"#,
    ] {
        let err = serde_json::from_str::<WireEndpoint>(bad).unwrap_err();
        assert!(
            err.to_string().contains("is not a whole-number id"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn an_endpoint_name_is_never_cleared() {
    let want = [change(Field::Name, Value::Null)];
    assert!(plan(&want, &known(1, 0)).is_err());
}
