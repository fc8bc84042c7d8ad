//! Unit tests of the Super SIM mappings on the text's own examples.

use super::read::{FleetBook, SCHEDULED};
use super::wire::{ICCID, WireSim, below_base, error_text};
use super::{form, status, to_live};
use crate::kind::supersim::FLEET;
use crate::model::{Change, Condition, Field, Status, Value};

/// The text's list item (§4), verbatim but for the layout.
const LISTED: &str = r#"{
    "sid": "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "unique_name": "My SIM",
    "status": "new",
    "fleet_sid": "HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "iccid": "89883070000123456789",
    "date_created": "2015-07-30T20:00:00Z",
    "date_updated": "2015-07-30T20:00:00Z",
    "url": "https://supersim.twilio.com/v1/Sims/HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "links": {}
}"#;

fn change(field: Field, after: Value) -> Change {
    Change::to(field, after)
}

#[test]
fn the_texts_sim_maps_name_status_and_fleet_by_its_unique_name() {
    let sim: WireSim = serde_json::from_str(LISTED).unwrap();
    let mut book = FleetBook::default();
    book.names.insert(
        "HFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
        Some("Pilot Fleet".into()),
    );
    let live = to_live(&sim, |sid| book.shown(sid));
    assert_eq!(live.id, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(live.iccid.as_str(), "89883070000123456789");
    assert_eq!(live.fields[&Field::Name], Value::Text("My SIM".into()));
    // `new` reads as inactive, with no condition: it is never set.
    assert_eq!(live.fields[&Field::Status], Value::Status(Status::Inactive));
    assert_eq!(live.condition, None);
    assert_eq!(
        live.fields[&Field::Own(&FLEET)],
        Value::Text("Pilot Fleet".into())
    );
}

#[test]
fn a_sim_whose_iccid_is_null_is_listed_by_its_sid() {
    let source = crate::provider::record::Source::new(
        "GET http://127.0.0.1:9/supersim/Sims?PageSize=1000".into(),
        crate::provider::http::Where {
            provider: "p".into(),
            origin: "m/providers.yaml:3:3".into(),
        },
    );
    let mut listed: serde_json::Value = serde_json::from_str(LISTED).unwrap();
    let mut absent = listed.clone();
    listed["iccid"] = serde_json::Value::Null;
    absent.as_object_mut().unwrap().remove("iccid");
    let sims: Vec<WireSim> = source
        .typed("sims", vec![listed, absent.clone()], &ICCID)
        .unwrap();
    for sim in &sims {
        let live = to_live(sim, str::to_owned);
        assert_eq!(live.iccid.as_str(), "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(live.id, "HSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(live.fields[&Field::Name], Value::Text("My SIM".into()));
    }
    // A record with neither is still an error, never a SIM left out.
    absent.as_object_mut().unwrap().remove("sid");
    let err = source
        .typed::<WireSim>("sims", vec![absent], &ICCID)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`sims[0]` has no `iccid` nor `sid`"),
        "{err}"
    );
}

#[test]
fn a_fleet_without_a_unique_name_shows_its_sid_and_matches_either_form() {
    let mut book = FleetBook::default();
    book.names.insert("HF01".into(), None);
    book.names.insert("HF02".into(), Some("north".into()));
    assert_eq!(book.shown("HF01"), "HF01");
    assert_eq!(book.shown("HF02"), "north");
    assert!(book.is(Some("HF02"), &Value::Text("north".into())));
    assert!(book.is(Some("HF02"), &Value::Text("HF02".into())));
    assert!(book.is(None, &Value::Null));
    assert!(!book.is(Some("HF01"), &Value::Text("north".into())));
}

#[test]
fn scheduled_is_in_progress_and_an_unknown_status_locked() {
    assert_eq!(
        status(Some("scheduled")),
        (Value::Null, Some(Condition::InProgress(SCHEDULED.into())))
    );
    assert_eq!(status(Some("ready")).0, Value::Status(Status::Active));
    assert!(matches!(status(Some("gone")).1, Some(Condition::Locked(_))));
}

#[test]
fn a_sim_without_a_fleet_is_activated_with_fleet_and_status_in_one_form() {
    let changes = [
        change(Field::Name, Value::Text("MySIM".into())),
        change(Field::Status, Value::Status(Status::Active)),
        change(Field::Own(&FLEET), Value::Text("Pilot Fleet".into())),
    ];
    assert_eq!(
        form(&changes).unwrap(),
        vec![
            ("UniqueName", "MySIM".to_owned()),
            ("Status", "active".to_owned()),
            ("Fleet", "Pilot Fleet".to_owned()),
        ]
    );
    // Suspended has no Super SIM status: never sent.
    assert!(form(&[change(Field::Status, Value::Status(Status::Suspended))]).is_err());
    // No name and no Fleet clear them.
    assert_eq!(
        form(&[change(Field::Name, Value::Null)]).unwrap(),
        vec![("UniqueName", String::new())]
    );
}

#[test]
fn next_pages_are_followed_only_below_the_configured_url() {
    let base = "https://supersim.twilio.com/v1";
    assert_eq!(
        below_base(
            base,
            "https://supersim.twilio.com/v1/Sims?PageSize=50&PageToken=PAx"
        )
        .as_deref(),
        Some("/Sims?PageSize=50&PageToken=PAx")
    );
    assert_eq!(
        below_base(base, "https://evil.example/v1/Sims?PageToken=x"),
        None
    );
    assert_eq!(
        below_base(base, "https://supersim.twilio.com/v10/Sims"),
        None
    );
}

#[test]
fn twilio_and_kore_error_bodies_give_code_and_message() {
    let twilio = r#"{"status": 429, "code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429"}"#;
    assert_eq!(error_text(twilio).unwrap(), "20429: Too Many Requests");
    let kore = r#"{"status": 400, "message": "Super SIM registration failed due to Internal Error", "code": 83000}"#;
    assert_eq!(
        error_text(kore).unwrap(),
        "83000: Super SIM registration failed due to Internal Error"
    );
    assert_eq!(error_text("<html>"), None);
}
