//! The Onomondo emulator against the Onomondo text (as docs/providers.md
//! records it), over raw HTTP, independent of simfleet's client.

use serde_json::{Value, json};

use simfleet::kind::ProviderKind::Onomondo;

use crate::workspace::Workspace;

const AUTH: Option<&str> = Some("simfleet-sandbox");

fn body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[test]
fn auth_is_required_and_bearer_is_accepted() {
    let ws = Workspace::generated(Onomondo, 1, &[]);
    let e = ws.emulator();
    let (status, text) = e.request("GET", "/onomondo/sims", None, "");
    assert_eq!(
        (status, body(&text)),
        (401, json!({"error": "unauthorized"}))
    );
    assert_eq!(e.request("GET", "/onomondo/sims", Some("wrong"), "").0, 401);
    assert_eq!(
        e.request("GET", "/onomondo/sims", Some("Bearer simfleet-sandbox"), "")
            .0,
        200
    );
}

#[test]
fn list_follows_cursors_within_limits() {
    let ws = Workspace::generated(Onomondo, 5, &[]);
    let e = ws.emulator();
    let mut seen = Vec::new();
    let mut path = "/onomondo/sims?limit=2".to_owned();
    loop {
        let (status, text) = e.request("GET", &path, AUTH, "");
        assert_eq!(status, 200, "{text}");
        let page = body(&text);
        seen.extend(
            page["sims"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone()),
        );
        if !page["pagination"]["has_more"].as_bool().unwrap() {
            assert!(page["pagination"]["next_page"].is_null());
            break;
        }
        path = format!(
            "/onomondo/sims?limit=2&next_page={}",
            page["pagination"]["next_page"].as_str().unwrap()
        );
    }
    assert_eq!(seen.len(), 5);
    for bad in ["0", "1001", "x"] {
        let (status, text) = e.request("GET", &format!("/onomondo/sims?limit={bad}"), AUTH, "");
        assert_eq!(
            (status, body(&text)["error"].as_str()),
            (400, Some("invalid_limit"))
        );
    }
    let (_, text) = e.request("GET", "/onomondo/sims?filter[]=activated:false", AUTH, "");
    assert!(
        body(&text)["sims"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["activated"] == false)
    );
}

#[test]
fn get_by_id_or_iccid_and_find() {
    let ws = Workspace::generated(Onomondo, 3, &[]);
    let e = ws.emulator();
    let iccid = e.get("/_emulator/state")["onomondo"]["sims"][1]["iccid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, text) = e.request("GET", "/onomondo/sims/000000002", AUTH, "");
    assert_eq!(
        (status, body(&text)["iccid"].as_str()),
        (200, Some(iccid.as_str()))
    );
    assert_eq!(
        body(
            &e.request("GET", &format!("/onomondo/sims/{iccid}"), AUTH, "")
                .1
        )["id"],
        "000000002"
    );
    let (status, text) = e.request("GET", "/onomondo/sims/999999999", AUTH, "");
    assert_eq!(
        (status, body(&text)),
        (404, json!({"error": "sim_not_found"}))
    );
    let (_, text) = e.request(
        "GET",
        &format!("/onomondo/sims/find?search={iccid}"),
        AUTH,
        "",
    );
    assert_eq!(body(&text)["total"], 1);
}

#[test]
fn bulk_allows_twenty_and_reports_per_sim() {
    let ws = Workspace::generated(Onomondo, 21, &[]);
    let e = ws.emulator();
    let sims = |n: usize| {
        let list: Vec<Value> = (1..=n)
            .map(|i| json!({"id": format!("{i:09}"), "label": format!("l{i}")}))
            .collect();
        json!({ "sims": list }).to_string()
    };
    let (status, text) = e.request("PATCH", "/onomondo/sims/bulk", AUTH, &sims(21));
    assert_eq!(
        (status, body(&text)),
        (400, json!({"error": "too_many_sims"}))
    );
    let (status, text) = e.request("PATCH", "/onomondo/sims/bulk", AUTH, &sims(20));
    assert_eq!(status, 200);
    let lines: Vec<Value> = text.lines().map(body).collect();
    assert_eq!(lines.len(), 20);
    assert!(lines.iter().all(|l| l["success"] == true));
    let mixed =
        json!({"sims": [{"id": "000000021", "activated": true}, {"id": "nope"}]}).to_string();
    let (_, text) = e.request("PATCH", "/onomondo/sims/bulk", AUTH, &mixed);
    let lines: Vec<Value> = text.lines().map(body).collect();
    assert_eq!(lines[0], json!({"id": "000000021", "success": true}));
    assert_eq!(
        lines[1],
        json!({"id": "nope", "success": false, "error": "sim_not_found"})
    );
}

#[test]
fn tags_400_on_duplicate_add_and_absent_remove() {
    let seed = json!({"onomondo": {
        "tags": [{"id": "t-1", "name": "pumps"}],
        "sims": [{"id": "000000001", "iccid": "89457387300000024185"}],
    }});
    let ws = Workspace::seeded(&seed, &[]);
    let e = ws.emulator();
    let path = "/onomondo/sims/000000001/tags/t-1";
    assert_eq!(e.request("PUT", path, AUTH, "").0, 200);
    let (status, text) = e.request("PUT", path, AUTH, "");
    assert_eq!(
        (status, body(&text)),
        (400, json!({"error": "tag_already_on_sim"}))
    );
    assert_eq!(e.request("DELETE", path, AUTH, "").0, 200);
    let (status, text) = e.request("DELETE", path, AUTH, "");
    assert_eq!(
        (status, body(&text)),
        (400, json!({"error": "tag_not_on_sim"}))
    );
    let (_, text) = e.request("GET", "/onomondo/tags", AUTH, "");
    assert_eq!(body(&text)[0]["name"], "pumps");
}

#[test]
fn rate_limit_answers_429_when_spent() {
    let ws = Workspace::generated(Onomondo, 1, &["--rate-limit", "3"]);
    let e = ws.emulator();
    for _ in 0..3 {
        assert_eq!(e.request("GET", "/onomondo/tags", AUTH, "").0, 200);
    }
    assert_eq!(e.request("GET", "/onomondo/tags", AUTH, "").0, 429);
}

#[test]
fn only_the_single_sim_and_patch_answers_carry_the_data_limit() {
    let iccid = "89457387300000024185";
    let seed = |pro: bool| {
        json!({"onomondo": {"pro": pro, "sims": [{"id": "000000001", "iccid": iccid,
            "data_limit": {"total": 1000, "type": "hourly", "alert_threshold": 800}}]}})
    };
    let ws = Workspace::seeded(&seed(true), &[]);
    let e = ws.emulator();
    // As the text's examples show: list and find without it.
    let (_, list) = e.request("GET", "/onomondo/sims", AUTH, "");
    let (_, found) = e.request(
        "GET",
        &format!("/onomondo/sims/find?search={iccid}"),
        AUTH,
        "",
    );
    for answer in [&list, &found] {
        let sim = &body(answer)["sims"][0];
        assert_eq!(sim["iccid"], iccid, "{answer}");
        assert!(sim.get("data_limit").is_none(), "{answer}");
    }
    let (_, one) = e.request("GET", "/onomondo/sims/000000001", AUTH, "");
    assert_eq!(body(&one)["data_limit"]["total"], 1000, "{one}");
    assert_eq!(body(&one)["data_limit"]["alert_threshold"], 800, "{one}");
    // A limit sent without its alert keeps the alert (assumed).
    let update = r#"{"data_limit":{"total":5,"type":"daily"}}"#;
    let (status, patched) = e.request("PATCH", "/onomondo/sims/000000001", AUTH, update);
    assert_eq!(status, 200, "{patched}");
    let limit = &body(&patched)["data_limit"];
    assert_eq!(
        (&limit["total"], &limit["alert_threshold"]),
        (&json!(5), &json!(800))
    );

    // Without the Pro package the alert reads null and cannot be updated.
    let ws = Workspace::seeded(&seed(false), &[]);
    let e = ws.emulator();
    let (_, one) = e.request("GET", "/onomondo/sims/000000001", AUTH, "");
    assert_eq!(
        body(&one)["data_limit"]["alert_threshold"],
        Value::Null,
        "{one}"
    );
    let (status, _) = e.request("PATCH", "/onomondo/sims/000000001", AUTH, update);
    assert_eq!(status, 200);
    for alert in ["null", "10"] {
        let update =
            format!(r#"{{"data_limit":{{"total":5,"type":"daily","alert_threshold":{alert}}}}}"#);
        let (status, text) = e.request("PATCH", "/onomondo/sims/000000001", AUTH, &update);
        assert_eq!(
            (status, body(&text)),
            (400, json!({"error": "package_required"})),
            "{alert}"
        );
    }
}
