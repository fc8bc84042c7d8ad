//! The emulator against the Infobip text (as docs/providers.md
//! records it), over raw HTTP, independent of simfleet's client.

use serde_json::{Value, json};

use simfleet::kind::ProviderKind::Infobip;

use crate::support::Emulator;
use crate::workspace::Workspace;

/// `Basic base64("simfleet:simfleet-sandbox")`, worked out by hand.
const BASIC: Option<&str> = Some("Basic c2ltZmxlZXQ6c2ltZmxlZXQtc2FuZGJveA==");
const APP: Option<&str> = Some("App simfleet-sandbox");

fn body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Status and `messageId` of an Infobip error body (whose `text` must be set).
fn error(status: u16, text: &str) -> (u16, Value) {
    let b = body(text);
    let exception = &b["requestError"]["serviceException"];
    assert!(exception["text"].is_string(), "{text}");
    (status, exception["messageId"].clone())
}

fn first_iccid(e: &Emulator) -> String {
    e.get("/_emulator/state")["infobip"]["sims"][0]["iccid"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn basic_and_app_auth_are_accepted_and_nothing_else() {
    let ws = Workspace::generated(Infobip, 1, &[]);
    let e = ws.emulator();
    let (status, text) = e.request("GET", "/infobip/iot/2/sims", None, "");
    assert_eq!(error(status, &text), (401, json!("UNAUTHORIZED")));
    assert_eq!(
        e.request("GET", "/infobip/iot/2/sims", Some("App wrong"), "")
            .0,
        401
    );
    assert_eq!(
        e.request(
            "GET",
            "/infobip/iot/2/sims",
            Some("Basic c2ltZmxlZXQ6d3Jvbmc="),
            ""
        )
        .0,
        401
    );
    assert_eq!(e.request("GET", "/infobip/iot/2/sims", BASIC, "").0, 200);
    assert_eq!(e.request("GET", "/infobip/iot/2/sims", APP, "").0, 200);
}

#[test]
fn pages_default_to_20_allow_100_and_end_short() {
    let ws = Workspace::generated(Infobip, 130, &[]);
    let e = ws.emulator();
    let (_, text) = e.request("GET", "/infobip/iot/2/sims", APP, "");
    let page = body(&text);
    assert_eq!(
        (page["page"].clone(), page["limit"].clone()),
        (json!(1), json!(20))
    );
    assert_eq!(page["sims"].as_array().unwrap().len(), 20);
    assert!(page.get("total").is_none());

    let (_, text) = e.request("GET", "/infobip/iot/2/sims?page=2&limit=100", APP, "");
    assert_eq!(body(&text)["sims"].as_array().unwrap().len(), 30);

    for bad in ["limit=101", "limit=0", "page=0", "page=x"] {
        let (status, text) = e.request("GET", &format!("/infobip/iot/2/sims?{bad}"), APP, "");
        assert_eq!(error(status, &text), (400, json!("BAD_REQUEST")), "{bad}");
    }
    let (_, text) = e.request(
        "GET",
        "/infobip/iot/2/sims/usage/monthly?limit=100&page=2",
        APP,
        "",
    );
    let usage = body(&text);
    assert_eq!(usage["usage"].as_array().unwrap().len(), 30);
    assert!(usage["usage"][0]["usedDataBytes"].is_u64());
}

#[test]
fn status_changes_follow_the_documented_rules() {
    let ws = Workspace::generated(Infobip, 1, &[]);
    let e = ws.emulator();
    // Generated SIM 0 is Activation Ready.
    let iccid = first_iccid(e);
    let put = |status: &str| {
        e.request(
            "PUT",
            &format!("/infobip/iot/1/sims/{iccid}/status"),
            APP,
            &json!({ "status": status }).to_string(),
        )
    };
    let (status, text) = put("Suspended");
    assert_eq!(error(status, &text), (400, json!("BAD_REQUEST")));
    let (status, text) = put("Active");
    assert_eq!(status, 200);
    assert!(body(&text)["actionId"].is_string());
    assert_eq!(put("Active").0, 400);
    assert_eq!(put("Suspended").0, 200);
    assert_eq!(put("Active").0, 200);
    assert_eq!(put("Deactivated").0, 400);
    let (_, text) = e.request("GET", &format!("/infobip/iot/2/sims/{iccid}"), APP, "");
    assert_eq!(body(&text)["status"], "Active");
    // Writes live under /iot/1 only.
    let (status, _) = e.request(
        "PUT",
        &format!("/infobip/iot/2/sims/{iccid}/status"),
        APP,
        r#"{"status":"Suspended"}"#,
    );
    assert_ne!(status, 200);
}

#[test]
fn names_sms_and_diagnostics() {
    let ws = Workspace::generated(Infobip, 1, &[]);
    let e = ws.emulator();
    let iccid = first_iccid(e);
    let sim = format!("/infobip/iot/1/sims/{iccid}");
    let (status, text) = e.request("PATCH", &sim, APP, r#"{"name":"1st SIM card"}"#);
    assert_eq!(status, 200);
    assert!(body(&text)["actionId"].is_string());
    let (_, text) = e.request("GET", &format!("/infobip/iot/2/sims/{iccid}"), APP, "");
    assert_eq!(body(&text)["name"], "1st SIM card");
    assert_eq!(e.request("PATCH", &sim, APP, r#"{"name":5}"#).0, 400);

    let sms = format!("{sim}/sms");
    let long = json!({ "text": "a".repeat(161) }).to_string();
    assert_eq!(e.request("POST", &sms, APP, &long).0, 400);
    let max = json!({ "text": "a".repeat(160) }).to_string();
    assert_eq!(e.request("POST", &sms, APP, &max).0, 200);
    assert_eq!(
        e.get("/_emulator/state")["infobip"]["sms"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (status, text) = e.request("POST", &format!("{sim}/diagnostic"), APP, "");
    assert_eq!(status, 200);
    assert!(body(&text)["actionId"].is_string());

    let missing = "/infobip/iot/2/sims/89811000221529677999";
    let (status, text) = e.request("GET", missing, APP, "");
    assert_eq!(error(status, &text), (404, json!("NOT_FOUND")));
}
