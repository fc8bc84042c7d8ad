//! The emulator against the Eseye text (as docs/providers.md
//! records it), over raw HTTP, independent of simfleet's client.

use serde_json::{Value, json};

use simfleet::kind::ProviderKind::Eseye;

use crate::support::Emulator;
use crate::workspace::Workspace;

/// `Basic base64("simfleet:simfleet-sandbox")`.
const CLIENT: &str = "Basic c2ltZmxlZXQ6c2ltZmxlZXQtc2FuZGJveA==";

fn body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Eseye's identity provider, as the emulator serves it.
const TOKEN: &str = "/eseye/idp/oauth2/token";

fn token(e: &Emulator) -> String {
    e.bearer(
        TOKEN,
        Some(CLIENT),
        "grant_type=client_credentials&scope=api%2Fapi",
    )
}

#[test]
fn tokens_come_from_the_identity_provider_with_scope_and_expire() {
    let ws = Workspace::generated(Eseye, 3, &["--token-expiry", "1"]);
    let e = ws.emulator();
    let (status, text) = e.request("GET", "/eseye/api/v2/sim", None, "");
    assert_eq!(status, 401);
    assert!(body(&text)["errorCode"].is_string(), "{text}");
    assert!(body(&text)["message"].is_string(), "{text}");
    // Refusals are 400 with an OAuth2 error, as the published page says.
    let form = "application/x-www-form-urlencoded";
    let refused = |auth: &str, form_body: &str| {
        let answer = e.send("POST", TOKEN, Some(auth), form, form_body);
        (answer.status, answer.json()["error"].clone())
    };
    let scoped = "grant_type=client_credentials&scope=api%2Fapi";
    assert_eq!(
        refused("Basic c2ltZmxlZXQ6bm8=", scoped),
        (400, json!("invalid_client"))
    );
    assert_eq!(
        refused(CLIENT, "grant_type=client_credentials"),
        (400, json!("invalid_scope"))
    );
    assert_eq!(
        refused(CLIENT, "grant_type=client_credentials&scope=openid"),
        (400, json!("invalid_scope"))
    );
    // The API base serves no token endpoint of its own.
    assert_eq!(
        e.send("POST", "/eseye/oauth/token", Some(CLIENT), form, scoped)
            .status,
        404
    );
    let bearer = token(e);
    assert_eq!(
        e.request("GET", "/eseye/api/v2/sim", Some(&bearer), "").0,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        e.request("GET", "/eseye/api/v2/sim", Some(&bearer), "").0,
        401
    );
}

#[test]
fn lists_follow_opaque_page_tokens_without_totals_and_filter() {
    let ws = Workspace::generated(Eseye, 150, &[]);
    let e = ws.emulator();
    let auth = token(e);
    let (_, text) = e.request("GET", "/eseye/api/v2/sim?pageSize=100", Some(&auth), "");
    let first = body(&text);
    assert_eq!(first["sims"].as_array().unwrap().len(), 100);
    assert_eq!(first.get("total"), None, "no total: {first}");
    let next = first["nextPageToken"].as_str().expect("a next page token");
    let (_, text) = e.request(
        "GET",
        &format!("/eseye/api/v2/sim?pageSize=100&pageToken={next}"),
        Some(&auth),
        "",
    );
    let last = body(&text);
    assert_eq!(last["sims"].as_array().unwrap().len(), 50);
    assert_eq!(last.get("nextPageToken"), None, "the last page: {last}");
    for bad in ["pageSize=101", "pageToken=nonsense", "page=2", "colour=red"] {
        let (status, _) = e.request("GET", &format!("/eseye/api/v2/sim?{bad}"), Some(&auth), "");
        assert_eq!(status, 400, "{bad}");
    }
    let (_, text) = e.request(
        "GET",
        "/eseye/api/v2/sim?status=available&pageSize=100",
        Some(&auth),
        "",
    );
    let available = body(&text)["sims"].as_array().unwrap().clone();
    assert!(!available.is_empty());
    assert!(available.iter().all(|s| s["status"] == "available"));
}

#[test]
fn suspended_sims_accept_only_unsuspension() {
    let ws = Workspace::sandbox(Eseye, &[]);
    let e = ws.emulator();
    let auth = Some(token(e));
    let auth = auth.as_deref();
    let suspended = "/eseye/api/v2/sim/89445385230000000041";
    let (status, text) = e.request("PATCH", suspended, auth, r#"{"packageId":"pkg-premium"}"#);
    assert_eq!(
        (status, body(&text)["errorCode"].clone()),
        (409, json!("SIM_SUSPENDED"))
    );
    assert_eq!(
        e.request("PATCH", suspended, auth, r#"{"customerSuspend":"no"}"#)
            .0,
        200
    );
    let (status, text) = e.request("PATCH", suspended, auth, r#"{"packageId":"nope"}"#);
    assert_eq!(
        (status, body(&text)["errorCode"].clone()),
        (400, json!("UNKNOWN_PACKAGE"))
    );
    assert_eq!(
        e.request("PATCH", suspended, auth, r#"{"portfolioId":"pf-archive"}"#)
            .0,
        200
    );

    let admin = "/eseye/api/v2/sim/89445385230000000066";
    assert_eq!(
        e.request("PATCH", admin, auth, r#"{"customerSuspend":"no"}"#)
            .0,
        409
    );
    assert_eq!(
        e.request(
            "POST",
            &format!("{admin}/attribute"),
            auth,
            r#"{"attributes":[{"key":"a","value":"b"}]}"#
        )
        .0,
        409
    );
}

#[test]
fn activation_passes_through_pending_provision() {
    let ws = Workspace::sandbox(Eseye, &["--provision-delay-ms", "300"]);
    let e = ws.emulator();
    let auth = Some(token(e));
    let sim = "/eseye/api/v2/sim/89445385230000000017";
    let (_, text) = e.request("PATCH", sim, auth.as_deref(), r#"{"status":"active"}"#);
    assert_eq!(body(&text)["status"], "pendingProvision");
    std::thread::sleep(std::time::Duration::from_millis(400));
    let (_, text) = e.request("GET", sim, auth.as_deref(), "");
    assert_eq!(body(&text)["status"], "active");
}

#[test]
fn attributes_are_created_listed_updated_and_deleted() {
    let ws = Workspace::sandbox(Eseye, &[]);
    let e = ws.emulator();
    let auth = Some(token(e));
    let auth = auth.as_deref();
    let base = "/eseye/api/v2/sim/89445385230000000025/attribute";
    let (status, text) = e.request(
        "POST",
        base,
        auth,
        r#"{"attributes":[{"key":"site","value":"a"},{"key":"floor","value":"1"}]}"#,
    );
    assert_eq!(status, 201, "{text}");
    let id = body(&text)["attributes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        e.request(
            "POST",
            base,
            auth,
            r#"{"attributes":[{"key":"site","value":"b"}]}"#
        )
        .0,
        409
    );
    let (_, text) = e.request("PATCH", &format!("{base}/{id}"), auth, r#"{"value":"z"}"#);
    assert_eq!(body(&text), json!({"id": id, "key": "site", "value": "z"}));
    assert_eq!(
        e.request("DELETE", &format!("{base}/{id}"), auth, "").0,
        200
    );
    assert_eq!(e.request("GET", &format!("{base}/{id}"), auth, "").0, 404);
    let (_, text) = e.request("GET", base, auth, "");
    assert_eq!(body(&text)["attributes"].as_array().unwrap().len(), 1);
}
