//! Test harness: runs the real `simfleet` binary, and the emulator as a
//! separate process on loopback, and talks to the emulator's control endpoints.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

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
        cmd.args(["emulator", "--listen", "127.0.0.1:0"])
            .args(extra);
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
            .to_owned();
        Emulator { child, addr }
    }

    pub fn url(&self, provider: &str) -> String {
        format!("http://{}/{provider}", self.addr)
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
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
        self.request_with(method, path, auth, "application/json", body)
    }

    /// A raw HTTP/1.1 request; returns status and body.
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> (u16, String) {
        let (status, _, body) = self.raw(method, path, auth, content_type, body);
        (status, body)
    }

    /// A raw JSON request; returns status, response head and body.
    pub fn exchange(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: &str,
    ) -> (u16, String, String) {
        self.raw(method, path, auth, "application/json", body)
    }

    fn raw(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        let auth = auth
            .map(|a| format!("Authorization: {a}\r\n"))
            .unwrap_or_default();
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
        (status, head.to_owned(), body.to_owned())
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

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Providers document pointing at an emulator, key from $ONOMONDO_API_KEY.
pub fn remote_providers(url: &str) -> String {
    format!(
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  iot:\n    type: onomondo\n    url: {url}\n    \
         rate_limit: 200\n    credentials:\n      token: {{ env: ONOMONDO_API_KEY }}\n"
    )
}

pub const KEY: (&str, &str) = ("ONOMONDO_API_KEY", "simfleet-sandbox");

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
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
