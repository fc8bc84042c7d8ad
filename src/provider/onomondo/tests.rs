//! Onomondo's wire-to-model and write mappings, on the provider text's own
//! example SIM.

use serde_json::json;

use super::wire::WireSim;
use super::{to_live, update_body};
use crate::kind::onomondo::{DATA_LIMIT, IMEI_LOCK};
use crate::model::{Change, Field, Phase, Record, Scalar, Status, Value};

fn example() -> WireSim {
    let sim = json!({
        "id": "000000001",
        "iccid": "89457387300002791013",
        "label": "Bene-getting-started-device",
        "network_whitelist": "bene-excellent-testing-whitelist",
        "imei_lock": null,
        "connector": "getting-started",
        "activated": true,
        "usage": 97606,
        "tags": [{"name": "ConnectivityCheck Success", "id": "8ebab849", "can_write": false, "color": null}],
        "data_limit": {"used": 248, "total": 10000000, "type": "hourly", "period": "2021110112",
                       "alert_threshold": null, "resets_at": "2021-11-01T13:00:00.000Z"},
    });
    serde_json::from_value(sim).expect("the documented SIM parses")
}

#[test]
fn a_documented_sim_maps_every_managed_field() {
    let live = to_live(&example(), &mut Default::default());
    assert_eq!(live.iccid.as_str(), "89457387300002791013");
    assert_eq!(live.id, "000000001");
    let field = |f| live.fields.get(&f).cloned();
    assert_eq!(field(Field::Status), Some(Value::Status(Status::Active)));
    assert_eq!(
        field(Field::Name),
        Some(Value::Text("Bene-getting-started-device".into()))
    );
    assert_eq!(field(Field::Own(&IMEI_LOCK)), Some(Value::Null));
    assert_eq!(
        field(Field::Tags),
        Some(Value::Set(["ConnectivityCheck Success".to_owned()].into()))
    );
    // Usage counters (`used`, `period`) are not managed; the limit is.
    assert_eq!(
        field(Field::Own(&DATA_LIMIT)),
        Some(limit(10_000_000, "hourly", None))
    );
}

fn change(field: Field, after: Value) -> Change {
    Change {
        field,
        phase: Phase::Configure,
        before: Value::Null,
        after,
        step: None,
    }
}

#[test]
fn updates_use_the_wire_names_and_null_clears() {
    let body = update_body(&[
        change(Field::Name, Value::Text("pump-1".into())),
        change(Field::Status, Value::Status(Status::Inactive)),
        change(Field::Own(&IMEI_LOCK), Value::Null),
    ])
    .expect("fields to update");
    assert_eq!(
        json!(body),
        json!({"label": "pump-1", "activated": false, "imei_lock": null})
    );
}

#[test]
fn a_data_limit_is_sent_without_usage_counters() {
    let body = update_body(&[change(
        Field::Own(&DATA_LIMIT),
        limit(1000, "monthly", Some(800)),
    )]);
    assert_eq!(
        json!(body),
        json!({"data_limit": {"total": 1000, "type": "monthly", "alert_threshold": 800}})
    );
    let body = update_body(&[change(Field::Own(&DATA_LIMIT), limit(5, "daily", None))]);
    assert_eq!(
        json!(body),
        json!({"data_limit": {"total": 5, "type": "daily", "alert_threshold": null}})
    );
}

fn limit(total: u64, period: &str, alert: Option<u64>) -> Value {
    Value::Record(Box::new(Record::new([
        ("total".to_owned(), Scalar::Count(total)),
        ("type".to_owned(), Scalar::Text(period.to_owned())),
        (
            "alert_threshold".to_owned(),
            alert.map_or(Scalar::Null, Scalar::Count),
        ),
    ])))
}
