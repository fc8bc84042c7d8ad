//! The emnify emulator against the emnify text (as docs/providers.md
//! records it), over raw HTTP, independent of any client.

use base64::Engine as _;
use serde_json::{Value, json};

use simfleet::kind::ProviderKind::Emnify;

use crate::support::{Answer, Emulator};
use crate::workspace::Workspace;

const AUTH: &str = "/emnify/api/v1/authenticate";
const LIST: &str = "/emnify/api/v1/endpoint";
const BULK: &str = "/emnify/api/v2/endpoint/multi";
const JSON: &str = "application/json";
const LOGIN: &str = r#"{"application_token": "simfleet-sandbox"}"#;

/// `Bearer <auth_token>` of a login with the sandbox's application token.
fn login(e: &Emulator) -> String {
    let answer = e.send("POST", AUTH, None, JSON, LOGIN);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let token = answer.json()["auth_token"].as_str().map(str::to_owned);
    format!("Bearer {}", token.expect("auth_token"))
}

fn send(e: &Emulator, bearer: &str, method: &str, path: &str, body: &str) -> Answer {
    e.send(method, path, Some(bearer), JSON, body)
}

/// The value of header `name` (lower case) of an answer.
fn header(answer: &Answer, name: &str) -> Option<String> {
    answer.head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.eq_ignore_ascii_case(name)).then(|| value.trim().to_owned())
    })
}

/// The status and `error_code` of an error answer, checking its shape
/// `{error_code, error_token, message}`.
fn refusal(answer: &Answer) -> (u16, u64) {
    let body = answer.json();
    assert!(body["error_token"].is_string(), "{body}");
    assert!(body["message"].is_string(), "{body}");
    let code = body["error_code"].as_u64();
    (
        answer.status,
        code.unwrap_or_else(|| panic!("no code: {body}")),
    )
}

fn ids(answer: &Answer) -> Vec<u64> {
    let list = answer.json();
    let list = list.as_array().expect("a bare array").clone();
    list.iter().map(|e| e["id"].as_u64().unwrap()).collect()
}

fn endpoint(e: &Emulator, bearer: &str, id: u64) -> Value {
    let answer = send(e, bearer, "GET", &format!("{LIST}/{id}"), "");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn the_application_token_buys_a_jwt_that_ends_at_its_exp() {
    let ws = Workspace::sandbox(Emnify, &["--token-expiry", "1"]);
    let e = ws.emulator();
    assert_eq!(refusal(&e.send("GET", LIST, None, JSON, "")), (401, 1102));
    let bearer = login(e);
    let jwt = bearer.trim_start_matches("Bearer ");
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1])
        .expect("base64url claims");
    let claims: Value = serde_json::from_slice(&claims).expect("JSON claims");
    let (iat, exp) = (claims["iat"].as_u64(), claims["exp"].as_u64());
    assert_eq!(exp.unwrap() - iat.unwrap(), 1, "{claims}");
    assert_eq!(send(e, &bearer, "GET", LIST, "").status, 200);
    // A forged JWT with the same claims opens nothing.
    let forged = format!("Bearer {}.{}.forged", parts[0], parts[1]);
    assert_eq!(refusal(&send(e, &forged, "GET", LIST, "")), (401, 1102));
    // The application token never reaches the request log.
    let logged = e.requests();
    let logins: Vec<&Value> = logged
        .iter()
        .filter(|r| r["route"] == "/api/v1/authenticate")
        .collect();
    assert!(!logins.is_empty() && logins.iter().all(|r| r["body"].is_null()));
    // After `exp`: polled, at most 10 s, until the account refuses it.
    let expired = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        send(e, &bearer, "GET", LIST, "").status == 401
    });
    assert!(expired, "a JWT of 1 s still opens the account after 10 s");
}

#[test]
fn wrong_application_tokens_get_an_empty_401_and_three_lock_logins() {
    let ws = Workspace::sandbox(Emnify, &[]);
    let e = ws.emulator();
    let wrong = r#"{"application_token": "wrong"}"#;
    for _ in 0..3 {
        let answer = e.send("POST", AUTH, None, JSON, wrong);
        assert_eq!((answer.status, answer.body.as_str()), (401, ""));
    }
    // Locked, even for the right token.
    let locked = e.send("POST", AUTH, None, JSON, LOGIN);
    assert_eq!(refusal(&locked), (429, 1105));
    assert_eq!(locked.json()["error_token"], "TooManyRequests");
}

#[test]
fn the_list_is_a_bare_array_paged_in_headers_and_past_the_end_repeats_the_last_page() {
    let ws = Workspace::generated(Emnify, 25, &[]);
    let e = ws.emulator();
    let bearer = login(e);
    // Paced below the list path's 10 a second, which the last test holds.
    let page = |query: &str| {
        std::thread::sleep(std::time::Duration::from_millis(150));
        send(e, &bearer, "GET", &format!("{LIST}?{query}"), "")
    };
    let mut seen = Vec::new();
    for n in 1..=3 {
        let answer = page(&format!("page={n}&per_page=10"));
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(header(&answer, "x-total-count").as_deref(), Some("25"));
        assert_eq!(header(&answer, "x-total-pages").as_deref(), Some("3"));
        assert_eq!(header(&answer, "x-current-page"), Some(n.to_string()));
        assert_eq!(header(&answer, "x-count-per-page").as_deref(), Some("10"));
        let link = header(&answer, "link").expect("a Link header");
        assert!(
            link.contains("rel=\"first\"") && link.contains("rel=\"last\""),
            "{link}"
        );
        assert_eq!(link.contains("rel=\"next\""), n < 3, "{link}");
        assert_eq!(link.contains("rel=\"prev\""), n > 1, "{link}");
        seen.extend(ids(&answer));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        (seen.len(), sorted),
        (25, seen.clone()),
        "ids ascending, each once"
    );
    // Past the end: the last page again, never an empty one.
    let past = page("page=9&per_page=10");
    assert_eq!(header(&past, "x-current-page").as_deref(), Some("3"));
    assert_eq!(ids(&past), seen[20..].to_vec());
    // Below 1: the first page; per_page clamped to 1..=1000.
    assert_eq!(ids(&page("page=0&per_page=10")), seen[..10].to_vec());
    let all = page("per_page=5000");
    assert_eq!(header(&all, "x-count-per-page").as_deref(), Some("1000"));
    assert_eq!(ids(&all).len(), 25);
    assert_eq!(header(&all, "link"), None, "one page has no Link header");
    assert_eq!(
        header(&page("per_page=0"), "x-count-per-page").as_deref(),
        Some("1000")
    );
    assert_eq!(refusal(&page("page=two")), (400, 1000));
}

#[test]
fn endpoints_read_as_the_text_shows_and_a_patch_answers_204_empty() {
    let ws = Workspace::sandbox(Emnify, &[]);
    let e = ws.emulator();
    let bearer = login(e);
    let one = endpoint(e, &bearer, 1);
    assert_eq!(one["status"], json!({"id": 0, "description": "Enabled"}));
    assert_eq!(
        one["sim"]["status"],
        json!({"id": 1, "description": "Activated"})
    );
    assert_eq!(one["sim"]["iccid_with_luhn"].as_str().unwrap().len(), 20);
    assert_eq!(one["sim"]["iccid"].as_str().unwrap().len(), 19);
    assert!(
        endpoint(e, &bearer, 7).get("sim").is_none(),
        "no SIM, no key"
    );
    let patch = |id: u64, body: &str| send(e, &bearer, "PATCH", &format!("{LIST}/{id}"), body);
    let body = r#"{"name": "meter-9", "tags": "a,b", "status": {"id": 1.0, "description": "Disabled"},
                  "service_profile": {"id": 2}, "tariff_profile": {"id": 2}, "imei_lock": false}"#;
    let done = patch(1, body);
    assert_eq!((done.status, done.body.as_str()), (204, ""));
    let after = endpoint(e, &bearer, 1);
    assert_eq!(after["name"], "meter-9");
    assert_eq!(after["tags"], "a,b");
    assert_eq!(after["status"]["description"], "Disabled");
    assert_eq!(after["service_profile"]["id"], 2);
    assert_eq!(after["imei_lock"], false);
    // Refusals change nothing.
    let unknown = patch(1, r#"{"name": "x", "service_profile": {"id": -1}}"#);
    assert_eq!(refusal(&unknown), (422, 1400));
    assert_eq!(unknown.json()["errors"][0]["error_code"], 1401);
    assert_eq!(refusal(&patch(1, r#"{"status": {"id": 2}}"#)), (422, 1400));
    assert_eq!(endpoint(e, &bearer, 1)["name"], "meter-9");
    assert_eq!(refusal(&patch(99, r#"{"name": "x"}"#)), (404, 1401));
    let bad = send(
        e,
        &bearer,
        "PATCH",
        &format!("{LIST}/None"),
        r#"{"name": "x"}"#,
    );
    assert_eq!(refusal(&bad), (400, 1000));
}

#[test]
fn sim_statuses_move_only_along_the_texts_transitions() {
    let ws = Workspace::sandbox(Emnify, &[]);
    let e = ws.emulator();
    let bearer = login(e);
    // SIM ids of sandbox/emnify.yaml: 101 Activated, 103 Issued, 104
    // Suspended, 105 Deleted, 106 Factory Test.
    let to = |sim: u64, status: u64| {
        let body = format!(r#"{{"status": {{"id": {status}}}}}"#);
        send(
            e,
            &bearer,
            "PATCH",
            &format!("/emnify/api/v1/sim/{sim}"),
            &body,
        )
    };
    let status_of = |endpoint_id: u64| {
        endpoint(e, &bearer, endpoint_id)["sim"]["status"]["description"].clone()
    };
    for (sim, status, then) in [
        (101, 2, "Suspended"),
        (101, 1, "Activated"),
        (103, 4, "Factory Test"),
        (103, 1, "Activated"),
        (104, 1, "Activated"),
        (106, 1, "Activated"),
    ] {
        let answer = to(sim, status);
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (204, ""),
            "{sim} -> {status}"
        );
        assert_eq!(status_of(sim - 100), json!(then));
    }
    for (sim, status) in [(101, 0), (101, 4), (105, 1), (101, 3), (101, 9)] {
        assert_eq!(refusal(&to(sim, status)), (422, 1400), "{sim} -> {status}");
    }
    assert_eq!(status_of(5), json!("Deleted"));
    assert_eq!(status_of(1), json!("Activated"));
    assert_eq!(refusal(&to(999, 1)), (404, 1401));
}

#[test]
fn bulk_updates_take_at_most_2000_endpoints_one_call_at_a_time() {
    let ws = Workspace::sandbox(Emnify, &["--provision-delay-ms", "3000"]);
    let e = ws.emulator();
    let bearer = login(e);
    let body = r#"[{"id": 1, "name": "bulk-1"}, {"id": 2, "tags": "x,y", "status": {"id": 0}}]"#;
    // Two calls at once: the one that arrives second meets the first.
    let answers: Vec<Answer> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..2)
            .map(|_| s.spawn(|| send(e, &bearer, "PATCH", BULK, body)))
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [204, 409],
        "{:?}",
        answers.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
    let refused = answers.iter().find(|a| a.status == 409).unwrap();
    assert_eq!(refusal(refused).1, 1600);
    assert_eq!(endpoint(e, &bearer, 1)["name"], "bulk-1");
    assert_eq!(endpoint(e, &bearer, 2)["tags"], "x,y");
    assert_eq!(endpoint(e, &bearer, 2)["status"]["description"], "Enabled");
    // 2,001 endpoints, or one unknown endpoint among them: refused whole.
    let many: Vec<Value> = (0..2001)
        .map(|_| json!({"id": 1, "name": "too-many"}))
        .collect();
    let too_many = send(e, &bearer, "PATCH", BULK, &Value::from(many).to_string());
    assert_eq!(refusal(&too_many), (422, 1400));
    let mixed = r#"[{"id": 1, "name": "mixed"}, {"id": 99, "name": "nobody"}]"#;
    let answer = send(e, &bearer, "PATCH", BULK, mixed);
    assert_eq!(refusal(&answer), (422, 1400));
    assert_eq!(answer.json()["errors"][0]["error_code"], 1401);
    assert_eq!(endpoint(e, &bearer, 1)["name"], "bulk-1");
}

#[test]
fn each_rate_window_answers_429_with_the_documented_body() {
    // The account window: here 4 requests in 300 s (2,000 in emnify's).
    let ws = Workspace::sandbox(Emnify, &["--rate-limit", "4", "--rate-window", "300"]);
    let e = ws.emulator();
    let bearer = login(e);
    let answers: Vec<Answer> = (0..4).map(|_| send(e, &bearer, "GET", LIST, "")).collect();
    assert_eq!(answers.iter().filter(|a| a.status == 200).count(), 3);
    let limited = &answers[3];
    assert_eq!(refusal(limited), (429, 1105));
    assert_eq!(limited.json()["error_token"], "TooManyRequests");
    assert!(header(limited, "retry-after").is_some());

    // The list path: burst 5 at 10 a second; 60 calls in a row outrun it
    // unless each took over 100 ms.
    let ws = Workspace::sandbox(Emnify, &[]);
    let e = ws.emulator();
    let bearer = login(e);
    let answers: Vec<Answer> = (0..60).map(|_| send(e, &bearer, "GET", LIST, "")).collect();
    assert!(answers[..5].iter().all(|a| a.status == 200));
    let limited = answers
        .iter()
        .find(|a| a.status == 429)
        .expect("a 429 on the list path");
    assert_eq!(refusal(limited), (429, 1105));
    // The single endpoint path: burst 25 at 50 a second.
    let singles: Vec<Answer> = (0..200)
        .map(|_| send(e, &bearer, "GET", &format!("{LIST}/1"), ""))
        .collect();
    let limited = singles
        .iter()
        .find(|a| a.status == 429)
        .expect("a 429 on one endpoint");
    assert_eq!(refusal(limited), (429, 1105));
    assert!(singles[..25].iter().all(|a| a.status == 200));
}
