//! The Soracom emulator against the Soracom text (as docs/providers.md
//! records it), over raw HTTP, independent of simfleet's client.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};

use simfleet::kind::ProviderKind::Soracom;

use crate::support::{Answer, Emulator};
use crate::workspace::Workspace;

// SIMs of sandbox/soracom.yaml, by simId.
const ACTIVE: &str = "8942310231000000011";
const READY: &str = "8942310231000000045";
const STANDBY: &str = "8942310231000000052";
const TERMINATED: &str = "8942310231000000060";
const TWO_PROFILES: &str = "8942310231000000078";
const PLAN_D: &str = "8942310231000000094";
const TRACKERS: &str = "7a9b8c7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

const AUTH_KEY: &str = r#"{"authKeyId":"keyId-simfleet","authKey":"simfleet-sandbox"}"#;

/// An API key and token that `POST /auth` issued.
struct Pair {
    key: String,
    token: String,
}

/// A raw HTTP/1.1 request carrying Soracom's two credential headers
/// (`support::Emulator::send` carries only `Authorization`).
fn call(e: &Emulator, method: &str, path: &str, pair: Option<&Pair>, body: &str) -> Answer {
    let mut stream = TcpStream::connect(&e.addr).expect("connect");
    let credentials = pair
        .map(|p| {
            format!(
                "X-Soracom-API-Key: {}\r\nX-Soracom-Token: {}\r\n",
                p.key, p.token
            )
        })
        .unwrap_or_default();
    let content_type = if body.is_empty() {
        ""
    } else {
        "Content-Type: application/json\r\n"
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {}\r\n{credentials}{content_type}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        e.addr,
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("http response");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok());
    Answer {
        status: status.expect("status"),
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

fn header(answer: &Answer, name: &str) -> Option<String> {
    answer.head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn login(e: &Emulator) -> Pair {
    let answer = call(e, "POST", "/soracom/auth", None, AUTH_KEY);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    let text = |key: &str| body[key].as_str().expect(key).to_owned();
    assert!(text("operatorId").starts_with("OP"), "{body}");
    Pair {
        key: text("apiKey"),
        token: text("token"),
    }
}

/// `POST /sims/{sim_id}/{action}`.
fn act(e: &Emulator, pair: &Pair, sim: &str, action: &str, body: &str) -> Answer {
    call(
        e,
        "POST",
        &format!("/soracom/sims/{sim}/{action}"),
        Some(pair),
        body,
    )
}

/// The status and Soracom error body of a refusal.
fn refusal(answer: &Answer) -> (u16, Value) {
    let body = answer.json();
    assert!(body["code"].is_string(), "not Soracom's shape: {body}");
    (answer.status, body["message"].clone())
}

/// SIM `sim_id` as the emulator keeps it.
fn kept(e: &Emulator, sim_id: &str) -> Value {
    let Value::Array(sims) = e.state(Soracom)["sims"].take() else {
        panic!("no Soracom SIM list");
    };
    let found = sims.into_iter().find(|s| s["simId"] == sim_id);
    found.unwrap_or_else(|| panic!("no SIM {sim_id}"))
}

#[test]
fn an_auth_key_buys_a_key_and_token_pair_that_every_call_needs() {
    let ws = Workspace::sandbox(Soracom, &["--token-expiry", "1"]);
    let e = ws.emulator();
    let unauthorised = call(e, "GET", "/soracom/sims", None, "");
    assert_eq!(unauthorised.status, 401);
    assert!(
        unauthorised.json()["code"].is_string(),
        "{}",
        unauthorised.body
    );
    let wrong = r#"{"authKeyId":"keyId-simfleet","authKey":"wrong"}"#;
    let refused = call(e, "POST", "/soracom/auth", None, wrong);
    assert_eq!(refusal(&refused), (401, json!("Authentication failed.")));
    let too_long = r#"{"authKeyId":"keyId-simfleet","authKey":"simfleet-sandbox","tokenTimeoutSeconds":172801}"#;
    assert_eq!(call(e, "POST", "/soracom/auth", None, too_long).status, 400);

    let pair = login(e);
    assert_eq!(call(e, "GET", "/soracom/sims", Some(&pair), "").status, 200);
    let key_only = Pair {
        key: pair.key.clone(),
        token: String::new(),
    };
    assert_eq!(
        call(e, "GET", "/soracom/sims", Some(&key_only), "").status,
        401
    );
    // A key and a token of two different logins are no pair.
    let other = login(e);
    let mixed = Pair {
        key: pair.key.clone(),
        token: other.token.clone(),
    };
    assert_eq!(
        call(e, "GET", "/soracom/sims", Some(&mixed), "").status,
        401
    );
    // The AuthKey never reaches the request log.
    let logged = e.requests();
    let auths = logged.iter().filter(|r| r["route"] == "/auth");
    assert!(auths.clone().count() >= 3);
    assert!(auths.clone().all(|r| r["body"].is_null()), "{logged:?}");

    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(call(e, "GET", "/soracom/sims", Some(&pair), "").status, 401);
}

#[test]
fn sims_come_in_bare_pages_with_the_next_key_twice_and_none_on_the_last() {
    let ws = Workspace::generated(Soracom, 250, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let first = call(e, "GET", "/soracom/sims?limit=100", Some(&pair), "");
    let key = header(&first, "x-soracom-next-key").expect("a next key");
    assert_eq!(
        header(&first, "link"),
        Some(format!(
            "</soracom/sims?last_evaluated_key={key}>; rel=next"
        ))
    );
    let mut sims = first.json().as_array().expect("a bare array").clone();
    assert_eq!(sims.len(), 100);
    // The link is a path the client can follow as it is.
    let second = call(
        e,
        "GET",
        &format!("/soracom/sims?limit=100&last_evaluated_key={key}"),
        Some(&pair),
        "",
    );
    let link = header(&second, "link").expect("a link");
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    sims.extend(second.json().as_array().unwrap().clone());
    let last = call(e, "GET", &format!("{next}&limit=100"), Some(&pair), "");
    assert_eq!(last.status, 200, "{}", last.body);
    assert_eq!(
        (header(&last, "x-soracom-next-key"), header(&last, "link")),
        (None, None)
    );
    sims.extend(last.json().as_array().unwrap().clone());

    let mut ids: Vec<&str> = sims.iter().map(|s| s["simId"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250);
    for sim in &sims {
        let profiles = sim["profiles"].as_object().expect("profiles");
        let (iccid, profile) = profiles.iter().next().expect("a profile");
        assert_eq!(profile["iccid"], *iccid);
        assert_ne!(sim["simId"], *iccid, "a simId is not an ICCID");
        assert_eq!(sim.get("iccid"), None, "ICCIDs live in profiles: {sim}");
        assert_eq!(sim["tags"]["name"], "", "an unnamed SIM's name is empty");
    }
    // A larger limit does not make a larger page; a bad one is refused.
    let big = call(e, "GET", "/soracom/sims?limit=1000", Some(&pair), "");
    assert_eq!(big.json().as_array().unwrap().len(), 100);
    for bad in ["limit=0", "limit=x", "last_evaluated_key=nonsense"] {
        let answer = call(e, "GET", &format!("/soracom/sims?{bad}"), Some(&pair), "");
        assert_eq!(refusal(&answer).0, 400, "{bad}");
    }
}

#[test]
fn one_sim_is_read_by_its_sim_id_with_every_profile() {
    let ws = Workspace::sandbox(Soracom, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let answer = call(
        e,
        "GET",
        &format!("/soracom/sims/{TWO_PROFILES}"),
        Some(&pair),
        "",
    );
    let sim = answer.json();
    let iccids: Vec<&String> = sim["profiles"].as_object().unwrap().keys().collect();
    assert_eq!(iccids, ["8942310221000000077", "8942310221000000085"]);
    assert_eq!(sim["tags"]["name"], "tracker-02");
    // A SIM is addressed by its simId, not by an ICCID.
    let by_iccid = call(
        e,
        "GET",
        "/soracom/sims/8942310221000000077",
        Some(&pair),
        "",
    );
    assert_eq!(refusal(&by_iccid), (404, json!("No such SIM found.")));
}

#[test]
fn tags_are_upserted_together_and_deleted_by_percent_encoded_name() {
    let ws = Workspace::sandbox(Soracom, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let tags = format!("/soracom/sims/{ACTIVE}/tags");
    let body = r#"[{"tagName":"name","tagValue":"gw-1"},{"tagName":"site code","tagValue":"N/1"},{"tagName":"a/b","tagValue":"x"}]"#;
    let answer = call(e, "PUT", &tags, Some(&pair), body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json()["tags"],
        json!({"name": "gw-1", "site code": "N/1", "a/b": "x", "site": "north", "owner": "ops"})
    );
    for name in ["site%20code", "a%2Fb"] {
        let deleted = call(e, "DELETE", &format!("{tags}/{name}"), Some(&pair), "");
        assert_eq!((deleted.status, deleted.body.as_str()), (204, ""), "{name}");
    }
    let again = call(e, "DELETE", &format!("{tags}/site%20code"), Some(&pair), "");
    assert_eq!(
        refusal(&again),
        (404, json!("The specified SIM or tag does not exist."))
    );
    assert_eq!(
        kept(e, ACTIVE)["tags"],
        json!({"name": "gw-1", "site": "north", "owner": "ops"})
    );
    for bad in [
        r#"{"tagName":"a","tagValue":"b"}"#,
        r#"[{"tagName":"a"}]"#,
        r#"[{"tagName":"","tagValue":"b"}]"#,
    ] {
        assert_eq!(call(e, "PUT", &tags, Some(&pair), bad).status, 400, "{bad}");
    }
}

#[test]
fn status_actions_move_sims_as_the_text_allows_and_refuse_the_rest() {
    let ws = Workspace::sandbox(Soracom, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let moves = [
        (READY, "deactivate", "inactive"),
        (READY, "activate", "active"),
        (READY, "suspend", "suspended"),
        (READY, "deactivate", "inactive"),
        (READY, "suspend", "suspended"),
        (READY, "activate", "active"),
        (READY, "deactivate", "inactive"),
        // An action towards the status a SIM is in changes nothing.
        (READY, "deactivate", "inactive"),
        (STANDBY, "activate", "active"),
        (ACTIVE, "set_to_standby", "standby"),
    ];
    for (sim, action, status) in moves {
        let answer = act(e, &pair, sim, action, "");
        assert_eq!(answer.status, 200, "{action}: {}", answer.body);
        assert_eq!(answer.json()["status"], status, "{action}");
        assert_eq!(kept(e, sim)["status"], status, "{action}");
    }
    let standby = act(e, &pair, PLAN_D, "set_to_standby", "");
    assert_eq!(
        refusal(&standby),
        (
            400,
            json!("The specified SIM does not support \"standby.\"")
        )
    );
    assert_eq!(kept(e, PLAN_D)["status"], "active");
    // Termination protection is on until enable_termination.
    assert_eq!(act(e, &pair, PLAN_D, "terminate", "").status, 400);
    assert_eq!(kept(e, PLAN_D)["status"], "active");
    let missing = act(e, &pair, "0000000000000000000", "activate", "");
    assert_eq!(refusal(&missing), (404, json!("No such SIM found.")));
    // The log names the action, so a test can show none was a terminate.
    let log = e.requests();
    let terminates: Vec<_> = log
        .iter()
        .filter(|r| r["route"] == "/sims/{sim_id}/terminate")
        .collect();
    assert_eq!(terminates.len(), 1, "{log:?}");
    assert_eq!(terminates[0]["status"], 400);
}

#[test]
fn a_terminated_sim_refuses_every_write() {
    let ws = Workspace::sandbox(Soracom, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let before = kept(e, TERMINATED);
    let sim = format!("/soracom/sims/{TERMINATED}");
    let mut writes: Vec<(&str, String, &str)> = [
        "activate",
        "deactivate",
        "suspend",
        "set_to_standby",
        "terminate",
        "unset_group",
        "unset_imei_lock",
        "enable_termination",
        "disable_termination",
    ]
    .into_iter()
    .map(|action| ("POST", format!("{sim}/{action}"), ""))
    .collect();
    writes.extend([
        (
            "POST",
            format!("{sim}/set_group"),
            r#"{"groupId":"7a9b8c7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"}"#,
        ),
        (
            "POST",
            format!("{sim}/update_speed_class"),
            r#"{"speedClass":"s1.fast"}"#,
        ),
        (
            "POST",
            format!("{sim}/set_imei_lock"),
            r#"{"imei":"353168044272803"}"#,
        ),
        (
            "PUT",
            format!("{sim}/tags"),
            r#"[{"tagName":"name","tagValue":"back"}]"#,
        ),
        ("DELETE", format!("{sim}/tags/name"), ""),
    ]);
    for (method, path, body) in writes {
        let answer = call(e, method, &path, Some(&pair), body);
        assert_eq!(refusal(&answer).0, 400, "{method} {path}");
    }
    assert_eq!(kept(e, TERMINATED), before);
}

#[test]
fn group_speed_class_and_imei_lock_have_their_own_actions() {
    let ws = Workspace::sandbox(Soracom, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let group = format!(r#"{{"groupId":"{TRACKERS}"}}"#);
    assert_eq!(
        act(e, &pair, ACTIVE, "set_group", &group).json()["groupId"],
        TRACKERS
    );
    let unknown = act(e, &pair, ACTIVE, "set_group", r#"{"groupId":"none"}"#);
    assert_eq!(refusal(&unknown).0, 404);
    assert_eq!(act(e, &pair, ACTIVE, "set_group", "").status, 400);
    assert_eq!(
        act(e, &pair, ACTIVE, "unset_group", "").json()["groupId"],
        Value::Null
    );
    let found = call(
        e,
        "GET",
        "/soracom/groups?tag_name=name&tag_value=trackers",
        Some(&pair),
        "",
    );
    assert_eq!(found.json()[0]["groupId"], TRACKERS);

    let faster = act(
        e,
        &pair,
        ACTIVE,
        "update_speed_class",
        r#"{"speedClass":"s1.4xfast"}"#,
    );
    assert_eq!(faster.json()["speedClass"], "s1.4xfast");
    // plan01s has no s1.8xfast.
    let refused = act(
        e,
        &pair,
        ACTIVE,
        "update_speed_class",
        r#"{"speedClass":"s1.8xfast"}"#,
    );
    let (status, message) = refusal(&refused);
    assert_eq!(status, 400);
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("The specified speed class does not exist")
    );
    assert_eq!(kept(e, ACTIVE)["speedClass"], "s1.4xfast");

    for imei in ["123456789012345", "123456789012345|ANONYMOUS"] {
        let locked = act(
            e,
            &pair,
            ACTIVE,
            "set_imei_lock",
            &json!({"imei": imei}).to_string(),
        );
        assert_eq!(locked.json()["imeiLock"], json!({"imei": imei}));
    }
    let invalid = act(e, &pair, ACTIVE, "set_imei_lock", r#"{"imei":"12345"}"#);
    assert_eq!(
        refusal(&invalid),
        (400, json!("The IMEI string is invalid."))
    );
    let offline = act(e, &pair, READY, "set_imei_lock", r#"{"imei":""}"#);
    assert_eq!(
        refusal(&offline),
        (
            400,
            json!("The IMEI is not specified even though the SIM is offline.")
        )
    );
    // Blank locks an online SIM to the IMEI of its session.
    let online = act(e, &pair, TWO_PROFILES, "set_imei_lock", r#"{"imei":""}"#);
    assert_eq!(
        online.json()["imeiLock"],
        json!({"imei": "860195054148983"})
    );
    assert_eq!(
        act(e, &pair, ACTIVE, "unset_imei_lock", "").json()["imeiLock"],
        Value::Null
    );
}

#[test]
fn rate_limits_count_per_api_path_with_soracoms_headers() {
    let ws = Workspace::generated(Soracom, 2, &["--rate-limit", "3"]);
    let e = ws.emulator();
    // `/auth` counts in a window of its own.
    let pair = login(e);
    for left in ["2", "1", "0"] {
        let answer = call(e, "GET", "/soracom/sims", Some(&pair), "");
        assert_eq!(answer.status, 200);
        assert_eq!(
            header(&answer, "x-soracom-ratelimit-limit").as_deref(),
            Some("3")
        );
        assert_eq!(
            header(&answer, "x-soracom-ratelimit-remaining").as_deref(),
            Some(left)
        );
    }
    let limited = call(e, "GET", "/soracom/sims", Some(&pair), "");
    assert_eq!(refusal(&limited).0, 429);
    assert_eq!(
        header(&limited, "x-soracom-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let refresh = header(&limited, "x-soracom-ratelimit-seconds-before-refresh");
    let refresh: u64 = refresh.expect("seconds before refresh").parse().unwrap();
    assert!((1..=60).contains(&refresh), "{refresh}");
    // Retry-After too (a Soracom page asks clients to check it), saying
    // the same; never the common x-ratelimit-* headers.
    assert_eq!(header(&limited, "retry-after"), Some(refresh.to_string()));
    assert_eq!(header(&limited, "x-ratelimit-limit"), None);
    // Another API path has its own window; two SIMs are one path.
    let sims = ["8942310230000000000", "8942310230000000001"];
    for (sim, left) in sims.iter().zip(["2", "1"]) {
        let answer = call(e, "GET", &format!("/soracom/sims/{sim}"), Some(&pair), "");
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(
            header(&answer, "x-soracom-ratelimit-remaining").as_deref(),
            Some(left)
        );
    }
}

#[test]
fn injected_faults_answer_in_soracoms_error_shape() {
    let ws = Workspace::generated(Soracom, 1, &["--fail-every", "2", "--fail-status", "503"]);
    let e = ws.emulator();
    let pair = login(e);
    assert_eq!(call(e, "GET", "/soracom/sims", Some(&pair), "").status, 200);
    let failed = call(e, "GET", "/soracom/sims", Some(&pair), "");
    assert_eq!(refusal(&failed).0, 503);
}

#[test]
fn the_account_survives_being_saved_and_loaded_as_a_seed() {
    let ws = Workspace::sandbox(Soracom, &[]);
    let e = ws.emulator();
    let pair = login(e);
    let tags = r#"[{"tagName":"site","tagValue":"east"}]"#;
    call(
        e,
        "PUT",
        &format!("/soracom/sims/{ACTIVE}/tags"),
        Some(&pair),
        tags,
    );
    act(e, &pair, READY, "suspend", "");
    let world = e.get("/_emulator/state");
    let read = |e: &Emulator, pair: &Pair| {
        [ACTIVE, READY, TWO_PROFILES]
            .map(|sim| call(e, "GET", &format!("/soracom/sims/{sim}"), Some(pair), "").json())
    };
    let before = read(e, &pair);
    let reloaded = Workspace::seeded(&world, &[]);
    let again = reloaded.emulator();
    assert_eq!(read(again, &login(again)), before);
}
