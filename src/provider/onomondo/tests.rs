//! Onomondo's wire-to-model and write mappings, on the provider text's own
//! example SIM.

use serde_json::json;

use super::wire::WireSim;
use super::write::tag_ids;
use super::{TagBook, to_live, update_body};
use crate::kind::onomondo::{DATA_LIMIT, IMEI_LOCK};
use crate::model::{Change, Field, Names, Record, Scalar, Status, Value};

/// The text's `GET /sims/{sim_id}` answer, as `get` hands it on.
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
    let sim: WireSim = serde_json::from_value(sim).expect("the documented SIM parses");
    WireSim {
        single: true,
        ..sim
    }
}

/// A SIM as a list or find answer holds it (`sim` over a bare record).
fn listed(sim: serde_json::Value) -> WireSim {
    let mut record =
        json!({"id": "000002418", "iccid": "89457387300000024185", "activated": false});
    if let (Some(base), Some(more)) = (record.as_object_mut(), sim.as_object()) {
        base.extend(more.clone());
    }
    serde_json::from_value(record).expect("the listed SIM parses")
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
    Change::to(field, after)
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
}

#[test]
fn a_data_limit_without_an_alert_leaves_the_alert_out_unless_it_clears_one() {
    // Updating the alert needs the Pro package: a manifest that sets none
    // must not send one to an account that may not have it.
    let body = update_body(&[change(Field::Own(&DATA_LIMIT), limit(5, "daily", None))]);
    assert_eq!(
        json!(body),
        json!({"data_limit": {"total": 5, "type": "daily"}})
    );
    let replaced = Change {
        before: limit(9, "hourly", None),
        ..change(Field::Own(&DATA_LIMIT), limit(5, "daily", None))
    };
    assert_eq!(
        json!(update_body(&[replaced])),
        json!({"data_limit": {"total": 5, "type": "daily"}})
    );
    // A live alert the manifest no longer sets is cleared, as planned.
    let cleared = Change {
        before: limit(5, "daily", Some(4)),
        ..change(Field::Own(&DATA_LIMIT), limit(5, "daily", None))
    };
    assert_eq!(
        json!(update_body(&[cleared])),
        json!({"data_limit": {"total": 5, "type": "daily", "alert_threshold": null}})
    );
}

#[test]
fn a_listed_sim_has_no_data_limit_in_the_model_and_a_single_one_without_a_limit_has_none() {
    // The list and find answers never carry `data_limit`: unknown, not null.
    let live = to_live(&listed(json!({})), &mut TagBook::default());
    assert!(!live.fields.contains_key(&Field::Own(&DATA_LIMIT)));
    // Even where a list record holds one, only the single GET is believed.
    let with = listed(json!({"data_limit": {"total": 1, "type": "hourly"}}));
    let live = to_live(&with, &mut TagBook::default());
    assert!(!live.fields.contains_key(&Field::Own(&DATA_LIMIT)));
    // The single SIM's answer without `data_limit` (or with null): none.
    for record in [json!({}), json!({"data_limit": null})] {
        let single = WireSim {
            single: true,
            ..listed(record)
        };
        let live = to_live(&single, &mut TagBook::default());
        assert_eq!(
            live.fields.get(&Field::Own(&DATA_LIMIT)),
            Some(&Value::Null)
        );
    }
}

#[test]
fn tags_null_read_as_no_tags() {
    let live = to_live(&listed(json!({"tags": null})), &mut TagBook::default());
    assert_eq!(
        live.fields.get(&Field::Tags),
        Some(&Value::Set(Names::default()))
    );
}

#[test]
fn a_tag_without_a_name_is_skipped_and_kept_on_a_tag_update() {
    let sim = listed(json!({"tags": [
        {"id": "t-1", "can_write": true},
        {"id": "t-2", "name": null},
        {"id": "t-3", "name": "pumps", "can_write": true, "color": null},
    ]}));
    let mut book = TagBook::default();
    let live = to_live(&sim, &mut book);
    assert_eq!(
        live.fields.get(&Field::Tags),
        Some(&Value::Set(["pumps".to_owned()].into()))
    );
    // The update replaces the whole list: the unnamed tags go along.
    let tags = change(Field::Tags, Value::Set(Names::default()));
    assert_eq!(
        tag_ids(&tags, "000002418", &book).expect("ids"),
        json!(["t-1", "t-2"])
    );
    assert_eq!(tag_ids(&tags, "000000001", &book).expect("ids"), json!([]));
    // A tag without an id could be neither shown nor kept: a shape error.
    let no_id = json!({"id": "1", "iccid": "89457387300000024185", "tags": [{"name": "x"}]});
    assert!(serde_json::from_value::<WireSim>(no_id).is_err());
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
