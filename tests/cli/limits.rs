//! Bounds on everything simfleet waits for and reads: the rate budget
//! (never a 429 when the provider says what is left), response sizes,
//! listings that never end, servers that never answer, and errors that say
//! which manifest entry to fix.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use serde_json::json;
use simfleet::kind::ProviderKind;

use simfleet::emulator::generated_iccid;

use crate::support::{each_kind, kind_without_tokens};
use crate::workspace::{Workspace, providers, sims_of};

/// A misbehaving HTTP server on loopback: `answer` gets each request's head
/// and writes whatever it likes to the connection.
pub fn rogue(answer: fn(&str, &mut TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let head = crate::support::read_head(&mut stream);
                answer(&head, &mut stream);
            });
        }
    });
    url
}

pub fn json_reply(stream: &mut TcpStream, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
}

/// A workspace whose one provider `p` of `kind` lives at `url`, each of
/// its sandbox credentials from variable `K`, with one SIM declared.
pub fn at(kind: ProviderKind, url: &str, settings: serde_json::Value) -> Workspace {
    let credentials = crate::support::credentials_from(kind, "K");
    let mut entry = json!({
        "type": kind.as_str(),
        "url": url,
        "credentials": credentials,
    });
    if let (Some(e), Some(s)) = (entry.as_object_mut(), settings.as_object()) {
        e.extend(s.clone());
    }
    let ws = Workspace::new().env("K", "key");
    ws.manifest("m/providers.yaml", &[providers(json!({ "p": entry }))]);
    ws.fleet(
        "p",
        sims_of(&["89457387300000024185".into()], |_| json!({})),
    );
    ws
}

/// Provider `p` at `url` of the first kind that asks no token endpoint:
/// a rogue server's answer to the listing is the first thing it reads.
/// Also the URL that listing starts at.
fn direct_at(url: &str, settings: serde_json::Value) -> (Workspace, String) {
    let kind = kind_without_tokens();
    let list = format!("{url}{}", crate::kinds::of(kind).list_path);
    (at(kind, url, settings), list)
}

#[test]
fn every_kind_draws_no_429_when_the_provider_allows_less_than_configured() {
    each_kind(|f| {
        let kind = f.kind;
        // The provider allows 100 requests per second; the manifest says
        // 150. Safety is not the point: every SIM may change.
        let (count, fields) = (f.three_hundred_requests)();
        let ws = Workspace::generated(kind, count, &["--rate-limit", "100", "--rate-window", "1"])
            .provider(
                "p",
                kind,
                json!({"rate_limit": 150, "concurrency": 8, "max_change_percent": 100}),
            );
        let iccids = ws.emulator().iccids(kind);
        ws.fleet("p", sims_of(&iccids, |_| fields.clone()));
        // Whether the provider says what is left of its budget (emnify
        // documents no rate headers: its emulator sends none).
        let first = ws
            .emulator()
            .send("GET", &f.at(f.past_end.path()), None, "", "");
        let told = first
            .head
            .to_ascii_lowercase()
            .contains("ratelimit-remaining");
        let apply = ws.on_manifests(&["apply", "--auto-approve"]);
        assert_eq!(apply.code, 0, "{kind}: {}\n{}", apply.stdout, apply.stderr);
        let requests = ws.emulator().requests();
        let refused = requests.iter().filter(|r| r["status"] == 429).count();
        assert!(requests.len() >= 300, "{kind}: {} requests", requests.len());
        if told {
            assert_eq!(
                refused,
                0,
                "{kind}: {refused} of {} got 429",
                requests.len()
            );
        } else {
            // Told nothing, simfleet cannot know the provider's limit is
            // below its own: the 429s it draws are waited out and sent
            // again, and every SIM still converges (exit 0 above).
            assert!(refused > 0, "{kind}: no 429 at 150/s against 100/s");
        }
    });
}

#[test]
fn a_body_past_max_response_bytes_is_an_error_naming_the_endpoint_and_setting() {
    // Chunked and endless: nothing announces the size up front.
    let url = rogue(|_, stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        );
        let chunk = vec![b' '; 64 * 1024];
        while stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_ok()
            && stream.write_all(&chunk).is_ok()
            && stream.write_all(b"\r\n").is_ok()
        {}
    });
    let (ws, list) = direct_at(&url, json!({"max_response_bytes": 1_048_576}));
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("the response is larger than 1048576 bytes");
    plan.assert_stderr("`max_response_bytes` of provider `p` at m/providers.yaml:");
    plan.assert_stderr(list);
}

#[test]
fn an_announced_three_gib_body_is_refused_unread() {
    let url = rogue(|_, stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 3221225472\r\n\r\n[",
        );
    });
    let (ws, _) = direct_at(&url, json!({}));
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("the response is larger than 67108864 bytes");
}

#[test]
fn a_server_that_never_answers_costs_the_configured_timeout_and_names_the_entry() {
    let url = rogue(|_, stream| {
        std::thread::sleep(Duration::from_secs(30));
        let _ = stream.flush();
    });
    let (ws, list) = direct_at(&url, json!({"timeout": 1}));
    let started = Instant::now();
    let plan = ws.on_manifests(&["plan"]);
    let took = started.elapsed();
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr(format!("GET {list}"));
    plan.assert_stderr("no answer within the `timeout` of provider `p` at m/providers.yaml:");
    // Two attempts of a second each, a short backoff: far from 30 s.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn an_unreachable_provider_is_said_once_with_its_url_and_entry() {
    // Bound, then closed: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (ws, list) = direct_at(&url, json!({}));
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr(format!(
        "cannot connect to {list} after 5 attempts (provider `p` at m/providers.yaml:"
    ));
    assert_eq!(
        plan.stderr.matches("cannot connect").count(),
        1,
        "{}",
        plan.stderr
    );
}

#[test]
fn a_provider_that_cannot_be_read_is_reported_by_name_and_the_others_still_plan() {
    let ws = Workspace::new().with_examples();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The example's sandbox, plus a second provider nobody answers for.
    ws.manifest(
        "examples/onomondo/down.yaml",
        &[
            providers(json!({"down": {
                "type": "onomondo",
                "url": format!("http://127.0.0.1:{port}"),
                "credentials": {"token": {"env": "K"}},
            }})),
            crate::workspace::fleet(
                "down-fleet",
                "down",
                sims_of(&[generated_iccid("8945738730", 1)], |_| json!({})),
            ),
        ],
    );
    let ws = ws.env("K", "key");
    for format in ["text", "json"] {
        let plan = ws.run(&["plan", "--format", format, "examples/onomondo"]);
        assert_eq!(plan.code, 1, "{}\n{}", plan.stdout, plan.stderr);
        plan.assert_stderr("cannot read provider `down`: cannot connect to");
        if format == "json" {
            let doc: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
            let names: Vec<&str> = doc["providers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["demo", "down"]);
            assert!(!doc["providers"][0]["sims"].as_array().unwrap().is_empty());
            assert!(doc["providers"][1]["unreadable"].is_string());
        } else {
            plan.assert_stdout("provider demo (onomondo):");
            plan.assert_stdout("Plan: ");
        }
    }
    let apply = ws.run(&["apply", "--auto-approve", "examples/onomondo"]);
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    apply.assert_stderr("nothing was applied");
}
