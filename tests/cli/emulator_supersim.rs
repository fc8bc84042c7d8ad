//! The Super SIM emulator against the Twilio / KORE Super SIM text (as
//! docs/providers.md records it), over raw HTTP, independent of any
//! client.

use std::time::Duration;

use serde_json::{Value, json};

use simfleet::kind::ProviderKind::Supersim;

use crate::support::{Answer, Emulator};
use crate::workspace::Workspace;

/// `Basic base64("AC5a9db0c0de5a9db0c0de5a9db0c0de00:simfleet-sandbox")`:
/// the sandbox account's SID and auth token.
const BASIC: &str = "Basic QUM1YTlkYjBjMGRlNWE5ZGIwYzBkZTVhOWRiMGMwZGUwMDpzaW1mbGVldC1zYW5kYm94";
/// The same account SID with another auth token.
const WRONG: &str = "Basic QUM1YTlkYjBjMGRlNWE5ZGIwYzBkZTVhOWRiMGMwZGUwMDp3cm9uZw==";
const TOKEN: &str = "/supersim/api-services/v1/auth/token";
const FORM: &str = "application/x-www-form-urlencoded";

// SIMs and Fleets of sandbox/supersim.yaml.
const NEW: &str = "HS5a9d0000000000000000000000000001";
const PUMP_1: &str = "HS5a9d0000000000000000000000000003";
const PUMP_2: &str = "HS5a9d0000000000000000000000000004";
const TRACKER_1: &str = "HS5a9d0000000000000000000000000005";
const SCHEDULED: &str = "HS5a9d0000000000000000000000000006";
const READY: &str = "HS5a9d0000000000000000000000000007";
const PUMPS: &str = "HF5a9d0000000000000000000000000001";
const TRACKERS: &str = "HF5a9d0000000000000000000000000002";

/// A scheduled change that outlives any test.
const NEVER: [&str; 2] = ["--schedule-delay-ms", "600000"];

fn get(e: &Emulator, path: &str) -> Answer {
    e.send("GET", path, Some(BASIC), FORM, "")
}

/// `POST` of form parameters `form` to `/Sims/{sim}`.
fn update(e: &Emulator, sim: &str, form: &str) -> Answer {
    e.send(
        "POST",
        &format!("/supersim/Sims/{sim}"),
        Some(BASIC),
        FORM,
        form,
    )
}

/// The status and Twilio code of an error answer, checking its shape:
/// `{code, message, more_info, status}` with `status` the HTTP status.
fn refusal(answer: &Answer) -> (u16, u64) {
    let body = answer.json();
    let code = body["code"]
        .as_u64()
        .unwrap_or_else(|| panic!("no code: {body}"));
    assert!(body["message"].is_string(), "{body}");
    assert_eq!(
        body["more_info"],
        json!(format!("https://www.twilio.com/docs/errors/{code}"))
    );
    assert_eq!(body["status"], json!(answer.status), "{body}");
    (answer.status, code)
}

/// An absolute URL of the emulator's answer as the path to request.
fn path_of(e: &Emulator, url: &Value) -> String {
    let url = url.as_str().unwrap_or_else(|| panic!("not a URL: {url}"));
    let origin = format!("http://{}", e.addr);
    url.strip_prefix(&origin)
        .unwrap_or_else(|| panic!("{url} is not at {origin}"))
        .to_owned()
}

/// The SIDs of a list answer's `sims`.
fn sids(page: &Value) -> Vec<String> {
    let sims = page["sims"].as_array().expect("a sims list");
    sims.iter()
        .map(|s| s["sid"].as_str().unwrap().to_owned())
        .collect()
}

/// SIM `sim` once it has left `scheduled`, polled for at most 10 s.
fn settled(e: &Emulator, sim: &str) -> Value {
    for _ in 0..200 {
        let answer = get(e, &format!("/supersim/Sims/{sim}"));
        assert_eq!(answer.status, 200, "{}", answer.body);
        if answer.json()["status"] != "scheduled" {
            return answer.json();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{sim} is still scheduled after 10 s");
}

#[test]
fn twilio_basic_auth_and_kore_bearer_tokens_open_the_account() {
    let ws = Workspace::sandbox(Supersim, &["--token-expiry", "1"]);
    let e = ws.emulator();
    let anonymous = e.send("GET", "/supersim/Sims", None, FORM, "");
    assert_eq!(refusal(&anonymous), (401, 20003));
    assert_eq!(
        refusal(&e.send("GET", "/supersim/Sims", Some(WRONG), FORM, "")).0,
        401
    );
    assert_eq!(get(e, "/supersim/Sims").status, 200);
    // Credentials are judged before anything else the request says.
    let unknown = e.send("GET", "/supersim/Sims?Colour=red", None, FORM, "");
    assert_eq!(refusal(&unknown), (401, 20003));
    let (status, _) = e.request("POST", &format!("/supersim/Sims/{PUMP_1}"), None, "{}");
    assert_eq!(status, 401);

    // KORE: client credentials in the form, a bearer token back.
    let ask = |form: &str| e.send("POST", TOKEN, None, FORM, form);
    let refused = ask("grant_type=client_credentials&client_id=simfleet&client_secret=no");
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["error"], "unauthorized_client");
    let grant = ask("grant_type=password&client_id=simfleet&client_secret=simfleet-sandbox");
    assert_eq!(
        (grant.status, grant.json()["code"].clone()),
        (400, json!(400))
    );
    let form = "grant_type=client_credentials&client_id=simfleet&client_secret=simfleet-sandbox";
    let issued = ask(form);
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.json()["token_type"], "Bearer");
    assert_eq!(issued.json()["expires_in"], json!(1));
    let bearer = e.bearer(TOKEN, None, form);
    let listed = e.send("GET", "/supersim/Sims", Some(&bearer), FORM, "");
    assert_eq!(listed.status, 200, "{}", listed.body);
    let forged = e.send("GET", "/supersim/Sims", Some("Bearer forged"), FORM, "");
    assert_eq!(refusal(&forged), (401, 20003));
    // The client secret never reaches the request log.
    let logged = e.requests();
    let tokens: Vec<&Value> = logged
        .iter()
        .filter(|r| r["route"] == "/api-services/v1/auth/token")
        .collect();
    assert!(tokens.len() >= 4, "{logged:?}");
    assert!(tokens.iter().all(|r| r["body"].is_null()), "{tokens:?}");
    // Tokens expire: polled, at most 10 s, until the account refuses it.
    let expired = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        e.send("GET", "/supersim/Sims", Some(&bearer), FORM, "")
            .status
            == 401
    });
    assert!(expired, "a token of 1 s still opens the account after 10 s");
}

#[test]
fn sims_page_through_next_page_urls_until_it_is_null() {
    let ws = Workspace::generated(Supersim, 130, &[]);
    let e = ws.emulator();
    let mut path = "/supersim/Sims?PageSize=50".to_owned();
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    while pages.len() < 10 {
        let answer = get(e, &path);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = answer.json();
        seen.extend(sids(&page));
        pages.push(page.clone());
        let next = &page["meta"]["next_page_url"];
        if next.is_null() {
            break;
        }
        path = path_of(e, next);
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen.len(), 130);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 130, "a SIM listed twice");
    let metas: Vec<&Value> = pages.iter().map(|p| &p["meta"]).collect();
    for (n, meta) in metas.iter().enumerate() {
        assert_eq!(meta["page"], json!(n), "{meta}");
        assert_eq!(meta["page_size"], 50);
        assert_eq!(meta["key"], "sims");
        assert_eq!(
            path_of(e, &meta["first_page_url"]),
            "/supersim/Sims?PageSize=50&Page=0"
        );
        // `url` is this page: requested again, it gives the same SIMs.
        assert_eq!(
            sids(&get(e, &path_of(e, &meta["url"])).json()),
            sids(&pages[n])
        );
    }
    assert!(metas[0]["previous_page_url"].is_null());
    let back = get(e, &path_of(e, &metas[2]["previous_page_url"]));
    assert_eq!(sids(&back.json()), sids(&pages[1]));
    assert_eq!(pages[2]["sims"].as_array().unwrap().len(), 30);

    // 50 a page unless asked; `Page` is client state and moves nothing.
    let default = get(e, "/supersim/Sims").json();
    assert_eq!(default["meta"]["page_size"], 50);
    let echoed = get(e, "/supersim/Sims?Page=2").json();
    assert_eq!(
        (sids(&echoed), &echoed["meta"]["page"]),
        (sids(&pages[0]), &json!(2))
    );
    let most = get(e, "/supersim/Sims?PageSize=1000").json();
    assert_eq!(
        (sids(&most).len(), &most["meta"]["next_page_url"]),
        (130, &Value::Null)
    );
    for (query, code) in [
        ("PageSize=1001", 20001),
        ("PageSize=0", 20001),
        ("Page=-1", 20001),
        ("pageSize=10", 20001),
        ("PageToken=nonsense", 21481),
    ] {
        let answer = get(e, &format!("/supersim/Sims?{query}"));
        assert_eq!(refusal(&answer), (400, code), "{query}");
    }
}

#[test]
fn filters_pick_sims_by_status_fleet_and_iccid() {
    let ws = Workspace::sandbox(Supersim, &NEVER);
    let e = ws.emulator();
    let listed = |query: &str| {
        let answer = get(e, &format!("/supersim/Sims?{query}"));
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        sids(&answer.json())
    };
    assert_eq!(listed("Status=active"), [PUMP_1, PUMP_2]);
    assert_eq!(listed("Status=scheduled"), [SCHEDULED]);
    assert_eq!(listed("Fleet=pumps"), [PUMP_1, PUMP_2, READY]);
    assert_eq!(listed(&format!("Fleet={PUMPS}")), [PUMP_1, PUMP_2, READY]);
    assert_eq!(listed("Fleet=pumps&Status=ready"), [READY]);
    assert_eq!(listed("Fleet=nobody"), Vec::<String>::new());
    assert_eq!(listed("Iccid=89883070000012340053"), [TRACKER_1]);
    assert_eq!(listed("Iccid=89883070000012340999"), Vec::<String>::new());
    // The filters travel in the paging URLs.
    let first = get(e, "/supersim/Sims?Fleet=pumps&PageSize=2").json();
    let next = path_of(e, &first["meta"]["next_page_url"]);
    assert!(
        next.starts_with("/supersim/Sims?Fleet=pumps&PageSize=2&Page=1&PageToken="),
        "{next}"
    );
    assert_eq!(sids(&get(e, &next).json()), [READY]);
    let status = get(e, "/supersim/Sims?Status=suspended");
    assert_eq!(refusal(&status), (400, 20001));
}

#[test]
fn a_sim_is_fetched_by_its_sid_or_its_unique_name() {
    let ws = Workspace::sandbox(Supersim, &NEVER);
    let e = ws.emulator();
    let by_sid = get(e, &format!("/supersim/Sims/{PUMP_1}")).json();
    assert_eq!(get(e, "/supersim/Sims/pump-1").json(), by_sid);
    assert_eq!(by_sid["unique_name"], "pump-1");
    assert_eq!(by_sid["fleet_sid"], PUMPS);
    assert_eq!(by_sid["iccid"], "89883070000012340038");
    assert_eq!(by_sid["account_sid"], "AC5a9db0c0de5a9db0c0de5a9db0c0de00");
    assert_eq!(
        path_of(e, &by_sid["url"]),
        format!("/supersim/Sims/{PUMP_1}")
    );
    let missing = get(e, "/supersim/Sims/no-such-sim");
    assert_eq!(refusal(&missing), (404, 20404));
}

#[test]
fn a_unique_name_changes_at_once_and_stays_the_accounts_only_one() {
    let ws = Workspace::sandbox(Supersim, &NEVER);
    let e = ws.emulator();
    let renamed = update(e, PUMP_1, "UniqueName=pump-9");
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["unique_name"], "pump-9");
    assert_eq!(renamed.json()["status"], "active");
    assert_eq!(get(e, "/supersim/Sims/pump-9").json()["sid"], PUMP_1);
    assert_eq!(get(e, "/supersim/Sims/pump-1").status, 404);
    let before = e.state(Supersim);
    let duplicate = update(e, "pump-9", "UniqueName=pump-2");
    assert_eq!(refusal(&duplicate), (409, 20409));
    let json = e.send(
        "POST",
        &format!("/supersim/Sims/{PUMP_1}"),
        Some(BASIC),
        "application/json",
        r#"{"UniqueName":"x"}"#,
    );
    assert_eq!(refusal(&json), (400, 20001));
    assert_eq!(refusal(&update(e, PUMP_1, "uniqueName=x")), (400, 20001));
    assert_eq!(
        e.state(Supersim),
        before,
        "a refused update changed the account"
    );
    let cleared = update(e, PUMP_1, "UniqueName=");
    assert_eq!(
        (cleared.status, cleared.json()["unique_name"].clone()),
        (200, Value::Null)
    );
}

#[test]
fn status_and_fleet_changes_answer_scheduled_and_settle_later() {
    let ws = Workspace::sandbox(Supersim, &["--schedule-delay-ms", "100"]);
    let e = ws.emulator();
    let off = update(e, PUMP_2, "Status=inactive");
    assert_eq!(off.status, 202, "{}", off.body);
    assert_eq!(
        (
            off.json()["status"].clone(),
            off.json()["fleet_sid"].clone()
        ),
        (json!("scheduled"), json!(PUMPS))
    );
    let sim = settled(e, PUMP_2);
    assert_eq!(
        (sim["status"].clone(), sim["fleet_sid"].clone()),
        (json!("inactive"), json!(PUMPS))
    );

    // A Fleet change alone is scheduled too and keeps the status.
    let moved = update(e, PUMP_2, &format!("Fleet={TRACKERS}"));
    assert_eq!(
        (moved.status, moved.json()["status"].clone()),
        (202, json!("scheduled"))
    );
    let sim = settled(e, PUMP_2);
    assert_eq!(
        (sim["status"].clone(), sim["fleet_sid"].clone()),
        (json!("inactive"), json!(TRACKERS))
    );

    // A SIM without a Fleet is activated with its Fleet in one request.
    let both = update(e, NEW, "Fleet=pumps&Status=active");
    assert_eq!(both.status, 202, "{}", both.body);
    let sim = settled(e, NEW);
    assert_eq!(
        (sim["status"].clone(), sim["fleet_sid"].clone()),
        (json!("active"), json!(PUMPS))
    );

    // The seed's scheduled SIM settles in what its seed says.
    let sim = settled(e, SCHEDULED);
    assert_eq!(
        (sim["status"].clone(), sim["fleet_sid"].clone()),
        (json!("active"), json!(TRACKERS))
    );
    // Nothing to change: answered at once.
    let same = update(e, PUMP_1, "Status=active&Fleet=pumps");
    assert_eq!(
        (same.status, same.json()["status"].clone()),
        (200, json!("active"))
    );
}

#[test]
fn each_documented_error_code_refuses_and_changes_nothing() {
    let ws = Workspace::sandbox(Supersim, &NEVER);
    let e = ws.emulator();
    // The first request gives the seed's scheduled change its time.
    assert_eq!(get(e, "/supersim/Sims").status, 200);
    let before = e.state(Supersim);
    // 83007: no activation without a Fleet.
    assert_eq!(refusal(&update(e, NEW, "Status=active")), (400, 83007));
    // 83008: ready and active SIMs keep a Fleet.
    assert_eq!(refusal(&update(e, NEW, "Status=ready")), (400, 83008));
    assert_eq!(refusal(&update(e, PUMP_1, "Fleet=")), (400, 83008));
    // 83010: ready only from new; never back to new.
    assert_eq!(refusal(&update(e, PUMP_1, "Status=ready")), (400, 83010));
    assert_eq!(refusal(&update(e, TRACKER_1, "Status=ready")), (400, 83010));
    assert_eq!(refusal(&update(e, PUMP_1, "Status=new")), (400, 20001));
    // 83009 and 83010 while a change is scheduled.
    assert_eq!(refusal(&update(e, SCHEDULED, "Fleet=pumps")), (400, 83009));
    assert_eq!(
        refusal(&update(e, SCHEDULED, "Status=inactive")),
        (400, 83010)
    );
    assert_eq!(
        refusal(&update(e, "no-such-sim", "Status=active")),
        (404, 20404)
    );
    assert_eq!(
        e.state(Supersim),
        before,
        "a refused update changed the account"
    );

    // Inactive first, then the Fleet may go: in one request or two.
    let off = update(e, PUMP_1, "Status=inactive&Fleet=");
    assert_eq!(off.status, 202, "{}", off.body);
    assert_eq!(refusal(&update(e, PUMP_1, "Fleet=trackers")), (400, 83009));
    let renamed = update(e, PUMP_1, "UniqueName=retired");
    assert_eq!(
        (renamed.status, renamed.json()["status"].clone()),
        (200, json!("scheduled"))
    );
}

#[test]
fn fleets_are_listed_in_pages_and_fetched_by_sid_or_unique_name() {
    let ws = Workspace::sandbox(Supersim, &NEVER);
    let e = ws.emulator();
    let all = get(e, "/supersim/Fleets").json();
    let names: Vec<&Value> = all["fleets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["unique_name"])
        .collect();
    assert_eq!(names, [&json!("pumps"), &json!("trackers")]);
    assert_eq!(
        (
            all["meta"]["key"].clone(),
            all["meta"]["next_page_url"].clone()
        ),
        (json!("fleets"), Value::Null)
    );
    let first = get(e, "/supersim/Fleets?PageSize=1").json();
    let second = get(e, &path_of(e, &first["meta"]["next_page_url"])).json();
    assert_eq!(second["fleets"][0]["sid"], TRACKERS);
    assert!(second["meta"]["next_page_url"].is_null());
    let by_name = get(e, "/supersim/Fleets/pumps").json();
    assert_eq!(get(e, &format!("/supersim/Fleets/{PUMPS}")).json(), by_name);
    assert_eq!(by_name["data_metering"], "payg");
    assert_eq!(
        path_of(e, &by_name["url"]),
        format!("/supersim/Fleets/{PUMPS}")
    );
    let profile = get(
        e,
        "/supersim/Fleets?NetworkAccessProfile=HA5a9d0000000000000000000000000002",
    )
    .json();
    assert_eq!(profile["fleets"].as_array().unwrap().len(), 1);
    assert_eq!(refusal(&get(e, "/supersim/Fleets/nobody")), (404, 20404));
}

#[test]
fn too_many_requests_are_429_with_code_20429() {
    let ws = Workspace::sandbox(Supersim, &["--rate-limit", "2", "--rate-window", "60"]);
    let e = ws.emulator();
    assert_eq!(get(e, "/supersim/Sims").status, 200);
    assert_eq!(get(e, "/supersim/Fleets").status, 200);
    let limited = get(e, "/supersim/Sims");
    assert_eq!(refusal(&limited), (429, 20429));
    let head = limited.head.to_ascii_lowercase();
    assert!(head.contains("retry-after:"), "{head}");

    // Injected faults answer in the same shape, and change nothing.
    let ws = Workspace::sandbox(Supersim, &["--fault-rate", "1", "--faults", "429"]);
    let e = ws.emulator();
    let before = e.state(Supersim);
    assert_eq!(refusal(&update(e, PUMP_1, "Status=inactive")), (429, 20429));
    assert_eq!(e.state(Supersim), before);
}

/// An account of the sandbox's two Fleets, SIM `PUMP_1` (ICCID
/// 89883070000012340038, as in the sandbox) active in `pumps`, SIM `NEW`
/// without an ICCID, and `extra` keys on top.
pub fn small(extra: Value) -> Value {
    let mut account = json!({
        "fleets": [
            {"sid": PUMPS, "unique_name": "pumps"},
            {"sid": TRACKERS, "unique_name": "trackers"},
        ],
        "sims": [
            {"sid": PUMP_1, "iccid": "89883070000012340038", "status": "active",
             "fleet_sid": "pumps"},
            {"sid": NEW, "iccid": null, "status": "new"},
        ],
    });
    if let (Value::Object(account), Value::Object(extra)) = (&mut account, extra) {
        account.extend(extra);
    }
    json!({ "supersim": account })
}

#[test]
fn a_sim_without_an_iccid_is_served_with_iccid_null() {
    let ws = Workspace::seeded(&small(json!({})), &[]);
    let e = ws.emulator();
    let all = get(e, "/supersim/Sims").json();
    assert_eq!(sids(&all), [PUMP_1, NEW]);
    assert_eq!(all["sims"][1]["iccid"], Value::Null);
    let one = get(e, &format!("/supersim/Sims/{NEW}")).json();
    assert_eq!(
        (one["sid"].clone(), one["iccid"].clone()),
        (json!(NEW), Value::Null)
    );
    let by_iccid = get(e, "/supersim/Sims?Iccid=89883070000012340038").json();
    assert_eq!(sids(&by_iccid), [PUMP_1]);
}

#[test]
fn an_account_that_answers_fleet_changes_200_shows_the_sim_as_it_then_is() {
    // No delay: the Fleet change has settled by the time it is answered.
    let seed = small(json!({"fleet_update_status": 200}));
    let ws = Workspace::seeded(&seed, &["--schedule-delay-ms", "0"]);
    let e = ws.emulator();
    let moved = update(e, PUMP_1, "Fleet=trackers");
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        (
            moved.json()["status"].clone(),
            moved.json()["fleet_sid"].clone()
        ),
        (json!("active"), json!(TRACKERS))
    );
    // A status change is still 202, Fleet or not.
    let off = update(e, PUMP_1, "Status=inactive&Fleet=pumps");
    assert_eq!(
        (off.status, off.json()["status"].clone()),
        (202, json!("scheduled"))
    );

    // A delay: answered 200 while the SIM is still scheduled.
    let ws = Workspace::seeded(&seed, &NEVER);
    let e = ws.emulator();
    let moved = update(e, PUMP_1, "Fleet=trackers");
    assert_eq!(
        (
            moved.status,
            moved.json()["status"].clone(),
            moved.json()["fleet_sid"].clone()
        ),
        (200, json!("scheduled"), json!(PUMPS))
    );

    // Without the seed's word, a Fleet change is 202.
    let ws = Workspace::seeded(&small(json!({})), &["--schedule-delay-ms", "0"]);
    let moved = update(ws.emulator(), PUMP_1, "Fleet=trackers");
    assert_eq!(moved.status, 202, "{}", moved.body);
}
