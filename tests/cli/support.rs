//! Test harness: runs the real `simfleet` binary, and the emulator as a
//! separate process on loopback, and talks to the emulator's control endpoints.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use simfleet::kind::{Capabilities, ProviderKind, Setting};

use crate::fixture::Fixture;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_simfleet")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails the test with the whole output unless stdout holds `text`.
    pub fn assert_stdout(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        assert!(
            self.stdout.contains(text),
            "no {text:?} in:\n{}",
            self.stdout
        );
    }

    /// Fails the test with the whole output unless stderr holds `text`.
    pub fn assert_stderr(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        assert!(
            self.stderr.contains(text),
            "no {text:?} in:\n{}",
            self.stderr
        );
    }
}

/// Runs simfleet in `dir` with `env`, stdin closed (as in CI).
pub fn simfleet(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run simfleet");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// An emulator process; killed on drop.
pub struct Emulator {
    child: Child,
    pub addr: String,
}

impl Emulator {
    pub fn start(state: Option<&Path>, extra: &[&str]) -> Emulator {
        let mut cmd = Command::new(bin());
        cmd.arg("emulator");
        if !extra.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        cmd.args(extra);
        if let Some(state) = state {
            cmd.arg("--state").arg(state);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .expect("address line")
            // Bound to every interface, reached over loopback only.
            .replace("0.0.0.0:", "127.0.0.1:");
        Emulator { child, addr }
    }

    pub fn url(&self, provider: &str) -> String {
        format!("http://{}/{provider}", self.addr)
    }

    pub fn get(&self, path: &str) -> Value {
        let (_, body) = self.request("GET", path, None, "");
        serde_json::from_str(&body).expect("json body")
    }

    /// A raw HTTP/1.1 request with a JSON body; returns status and body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: &str,
    ) -> (u16, String) {
        let answer = self.send(method, path, auth, "application/json", body);
        (answer.status, answer.body)
    }

    /// The same with the auth headers `headers` (a fixture's
    /// `authorization`).
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> (u16, String) {
        let answer = self.send_with(method, path, headers, "application/json", body);
        (answer.status, answer.body)
    }

    /// `Bearer <token>` from an OAuth2 token endpoint of the emulator.
    pub fn bearer(&self, path: &str, auth: Option<&str>, form: &str) -> String {
        let answer = self.send(
            "POST",
            path,
            auth,
            "application/x-www-form-urlencoded",
            form,
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        let token = answer.json()["access_token"].as_str().map(str::to_owned);
        format!("Bearer {}", token.expect("access_token"))
    }

    /// The state the emulator keeps for `kind`.
    pub fn state(&self, kind: ProviderKind) -> Value {
        self.get("/_emulator/state")[kind.as_str()].take()
    }

    /// The records `kind` keeps (SIMs; CMO's products), as its fixture
    /// names the list.
    pub fn records(&self, kind: ProviderKind) -> Vec<Value> {
        let list = crate::kinds::of(kind).records;
        match self.state(kind)[list].take() {
            Value::Array(records) => records,
            other => panic!("no `{list}` list for {kind}: {other}"),
        }
    }

    /// The record of `kind` that is SIM `iccid`.
    pub fn sim(&self, kind: ProviderKind, iccid: &str) -> Value {
        let fixture = crate::kinds::of(kind);
        let records = self.records(kind);
        let found = records
            .into_iter()
            .find(|r| (fixture.iccid)(r).as_deref() == Some(iccid));
        found.unwrap_or_else(|| panic!("{kind} has no SIM {iccid}"))
    }

    /// The ICCIDs of `kind`'s SIMs, in the emulator's order.
    pub fn iccids(&self, kind: ProviderKind) -> Vec<String> {
        crate::kinds::of(kind).iccids(&self.state(kind))
    }

    /// The active SIMs of `kind` whose restriction is one call answered at
    /// once, as its fixture tells them.
    pub fn restrictable(&self, kind: ProviderKind) -> Vec<String> {
        let fixture = crate::kinds::of(kind);
        let records = self.records(kind);
        let restrictable = records.iter().filter(|r| (fixture.restrictable)(r));
        restrictable.filter_map(fixture.iccid).collect()
    }

    /// The emulator's request log.
    pub fn requests(&self) -> Vec<Value> {
        match self.get("/_emulator/requests") {
            Value::Array(log) => log,
            other => panic!("request log: {other}"),
        }
    }

    /// Requests that are not reads (token requests and logins, each
    /// kind's `token_route`, and CMO's POST find, a search, left out).
    pub fn writes(&self) -> usize {
        let log = self.requests();
        log.iter()
            .filter(|r| {
                let route = r["route"].as_str().unwrap_or_default();
                let call = format!("{} {route}", r["method"].as_str().unwrap_or_default());
                let login = crate::kinds::FIXTURES.iter().any(|f| {
                    r["provider"] == f.kind.as_str() && f.token_route == Some(call.as_str())
                });
                r["method"] != "GET"
                    && !login
                    && !route.contains("token")
                    && !route.ends_with("/find")
            })
            .count()
    }

    /// A raw HTTP/1.1 request, with `Authorization: auth` when given.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> Answer {
        let headers: Vec<(String, String)> = auth
            .map(|a| ("Authorization".to_owned(), a.to_owned()))
            .into_iter()
            .collect();
        self.send_with(method, path, &headers, content_type, body)
    }

    /// A raw HTTP/1.1 request with the auth headers `headers`.
    pub fn send_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        content_type: &str,
        body: &str,
    ) -> Answer {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        let auth: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: {content_type}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("http response");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        Answer {
            status,
            head: head.to_owned(),
            body: body.to_owned(),
        }
    }

    /// Requests to `provider` by `METHOD /route`.
    pub fn count(&self, provider: &str, route: &str) -> u64 {
        self.get("/_emulator/stats")["providers"][provider][route]
            .as_u64()
            .unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.get("/_emulator/stats")["total"].as_u64().unwrap_or(0)
    }
}

impl Emulator {
    /// How often each route a kind's fixture says simfleet must never call
    /// (`Fixture::never_called`) was called, by `kind METHOD /route`;
    /// empty when the counts cannot be read.
    pub fn forbidden_counts(&self) -> std::collections::BTreeMap<String, u64> {
        let mut counts = std::collections::BTreeMap::new();
        let Ok(mut stream) = TcpStream::connect(&self.addr) else {
            return counts;
        };
        let request = format!(
            "GET /_emulator/stats HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let mut raw = String::new();
        if stream.write_all(request.as_bytes()).is_err() || stream.read_to_string(&mut raw).is_err()
        {
            return counts;
        }
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let Ok(stats) = serde_json::from_str::<Value>(body) else {
            return counts;
        };
        for fixture in crate::kinds::FIXTURES {
            for route in fixture.never_called {
                let n = stats["providers"][fixture.kind.as_str()][*route].as_u64();
                counts.insert(format!("{} {route}", fixture.kind), n.unwrap_or(0));
            }
        }
        counts
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: status, head (status line and headers) and body.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("json body")
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A scripted HTTP server on loopback: `answer` gets each request's line
/// (`METHOD /path?query HTTP/1.1`) and returns the status and JSON body to
/// send. Returns its base URL and the request lines it has seen.
pub fn scripted(
    answer: impl Fn(&str) -> (u16, String) + Send + Sync + 'static,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    scripted_with(move |line| {
        let (status, body) = answer(line);
        (status, String::new(), body)
    })
}

/// The same, `answer` also giving extra header lines (each ending `\r\n`).
pub fn scripted_with(
    answer: impl Fn(&str) -> (u16, String, String) + Send + Sync + 'static,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::sync::{Arc, Mutex};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (answer, log) = (Arc::new(answer), seen.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (answer, log) = (answer.clone(), log.clone());
            std::thread::spawn(move || {
                let mut stream = stream;
                let head = read_head(&mut stream);
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                let _ = stream.read_exact(&mut body);
                let line = head.lines().next().unwrap_or_default().to_owned();
                log.lock().expect("log").push(line.clone());
                let (status, headers, body) = answer(&line);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{headers}\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    (url, seen)
}

/// A request's head (request line and headers), read byte by byte up to
/// the blank line, so the body stays in the stream.
pub fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// `text` with every RFC 3339 UTC time (`2026-12-01T16:00:00Z`) written
/// as `TIME`, for snapshots of output that says when it was made.
pub fn timeless(text: &str) -> String {
    let is_time = |s: &[u8]| {
        s.len() == 20
            && s.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                10 => c == b'T',
                13 | 16 => c == b':',
                19 => c == b'Z',
                _ => c.is_ascii_digit(),
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i..i + 20).is_some_and(is_time) {
            out.push_str("TIME");
            i += 20;
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

/// Runs `check` for every kind of `ProviderKind::ALL` with its fixtures,
/// each on its own (a panic ends that kind's check only), then fails
/// listing every kind that failed with its message: one kind's failure
/// never hides another's.
pub fn each_kind(check: impl Fn(&'static Fixture)) {
    let mut failures = Vec::new();
    for kind in ProviderKind::ALL {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check(crate::kinds::of(kind))
        }));
        if let Err(payload) = run {
            failures.push(format!("{kind}: {}", panic_message(payload.as_ref())));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} kinds failed:\n\n{}",
        failures.len(),
        ProviderKind::ALL.len(),
        failures.join("\n\n")
    );
}

/// What a panic said, when it said it in text.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload.downcast_ref::<&str>().map(|s| (*s).to_owned());
    let text = text.or_else(|| payload.downcast_ref::<String>().cloned());
    text.unwrap_or_else(|| "a panic without a message".to_owned())
}

/// The first kind of `ProviderKind::ALL` whose capabilities satisfy
/// `wanted`: tests that need "a sandbox that can do X" pick it by data, so
/// they keep working as kinds are added.
pub fn kind_with(wanted: impl Fn(&Capabilities) -> bool) -> ProviderKind {
    let found = ProviderKind::ALL
        .into_iter()
        .find(|k| wanted(k.capabilities()));
    found.expect("no provider kind offers what this test needs")
}

/// The first kind whose every request carries a fixed credential (no
/// token endpoint): a scripted server then answers the listing itself.
pub fn kind_without_tokens() -> ProviderKind {
    kind_with(|caps| !caps.settings.contains(&Setting::TokenUrl))
}

/// The `credentials` of a provider entry of `kind`: each of its sandbox
/// credentials read from variable `var`.
pub fn credentials_from(kind: ProviderKind, var: &str) -> Value {
    let keys = kind.capabilities().sandbox_credentials.iter();
    let entries = keys.map(|(key, _)| ((*key).to_owned(), serde_json::json!({ "env": var })));
    Value::Object(entries.collect())
}

/// `ws` with every sandbox credential of `kind` replaced by a wrong value
/// holding `marker`, so a test can look for it in output.
pub fn wrong_credentials(
    mut ws: crate::workspace::Workspace,
    kind: ProviderKind,
    marker: &str,
) -> crate::workspace::Workspace {
    for (key, _) in kind.capabilities().sandbox_credentials {
        let var = format!("SIMFLEET_TEST_{}", key.to_ascii_uppercase());
        ws = ws.env(&var, &format!("wrong-{key}-{marker}"));
    }
    ws
}

#[test]
fn each_kind_runs_every_kind_and_names_every_one_that_failed() {
    let ran = std::sync::Mutex::new(Vec::new());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        each_kind(|f| {
            ran.lock().unwrap().push(f.kind);
            panic!("check of {} failed", f.kind.as_str().to_uppercase());
        })
    }));
    assert_eq!(*ran.lock().unwrap(), ProviderKind::ALL);
    let payload = outcome.expect_err("every kind failed, so each_kind must fail");
    let said = panic_message(payload.as_ref());
    for kind in ProviderKind::ALL {
        let line = format!("{kind}: check of {} failed", kind.as_str().to_uppercase());
        assert!(said.contains(&line), "no {line:?} in:\n{said}");
    }
    // Nothing failing, nothing said.
    each_kind(|_| {});
}
