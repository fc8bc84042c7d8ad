//! The emulator as a child process, its request counts, and running
//! simfleet against it with the child's own peak RSS.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use simfleet::kind::ProviderKind;

use crate::bench::Bench;

pub const BIN: &str = env!("CARGO_BIN_EXE_simfleet");

pub struct Emulator {
    child: Child,
    pub addr: String,
    kind: ProviderKind,
}

/// How the emulator is set up for a run.
pub struct Setup {
    pub sims: usize,
    pub rate: u64,
    pub window: f64,
    pub latency_ms: u64,
}

impl Emulator {
    /// `setup.sims` generated SIMs of `bench`'s kind on its seed;
    /// activations and monitors settle at once, so waits measure simfleet,
    /// not the emulator's clock.
    pub fn start(dir: &Path, bench: &Bench, setup: &Setup) -> Emulator {
        let kind = bench.kind;
        let seed = dir.join("seed.yaml");
        std::fs::write(&seed, (bench.seed)()).expect("seed");
        let mut child = Command::new(BIN)
            .args(["emulator", "--listen", "127.0.0.1:0", "-q", "--state"])
            .arg(&seed)
            .arg("--generate")
            .arg(format!("{kind}={}", setup.sims))
            .args(["--rate-limit", &setup.rate.to_string()])
            .args(["--rate-window", &setup.window.to_string()])
            .args(["--latency-ms", &setup.latency_ms.to_string()])
            .args(["--provision-delay-ms", "0", "--monitor-delay-ms", "0"])
            .args(["--schedule-delay-ms", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("emulator");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("address");
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let addr = line.trim().trim_start_matches("listening on http://");
        Emulator {
            addr: addr.replace("0.0.0.0:", "127.0.0.1:"),
            child,
            kind,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/{}", self.addr, self.kind.mount())
    }

    fn get(&self, path: &str) -> Json {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        // A figure from an answer that is not the emulator's would be a
        // wrong figure: stop instead.
        assert!(raw.starts_with("HTTP/1.1 200"), "GET {path}: {raw}");
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        serde_json::from_str(body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// Requests by `METHOD /route`, and how many were answered 429.
    pub fn traffic(&self) -> (BTreeMap<String, u64>, usize) {
        let stats = self.get("/_emulator/stats");
        let routes = stats["providers"][self.kind.as_str()]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        let log = self.get("/_emulator/requests");
        let limited = log
            .as_array()
            .map_or(0, |l| l.iter().filter(|r| r["status"] == 429).count());
        (routes, limited)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs simfleet in `dir` with the sandbox credentials in `BENCH_*`; wall
/// time, peak RSS (KiB) of that process alone, and whether it succeeded.
// The child is reaped by `wait4`, which also reports its own peak RSS.
#[allow(clippy::zombie_processes)]
pub fn run(dir: &Path, kind: ProviderKind, args: &[&str]) -> (Duration, i64, bool) {
    let start = Instant::now();
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir);
    for (key, value) in kind.capabilities().sandbox_credentials {
        command.env(format!("BENCH_{}", key.to_uppercase()), value);
    }
    let child = command
        .stdout(std::fs::File::create(dir.join("stdout.log")).expect("log"))
        .stderr(std::fs::File::create(dir.join("stderr.log")).expect("log"))
        .spawn()
        .expect("simfleet");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our
    // own child, not yet waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    // 0: done or no changes; 2: plan found changes.
    let ok = libc::WIFEXITED(status) && matches!(libc::WEXITSTATUS(status), 0 | 2);
    if !ok {
        let log = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
        eprintln!("simfleet {args:?} failed:\n{log}");
    }
    (start.elapsed(), usage.ru_maxrss, ok)
}
