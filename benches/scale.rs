//! `cargo bench --locked --bench scale -- <scenario> [options]`: simfleet at
//! scale against its emulator on loopback, printed as figures, never
//! asserted (this machine is shared and noisy; see BENCHMARKS.md).
//!
//! Scenarios:
//! - `apply`: an Onomondo fleet of `--sims` SIMs of which `--changes` change
//!   (names, tags, both, status), emulator at `--rate` requests per
//!   `--window` seconds and `--latency-ms`. Runs `plan`, then `apply`, each
//!   on a fresh emulator with the whole budget, and a naive per-SIM client
//!   on a sample of the same work. Prints wall time, peak RSS, requests per
//!   endpoint, the request floor, 429s and the time bounds.
//! - `validate`: `--sims` SIMs in `--files` files; wall time and peak RSS.
//!
//! Only Onomondo is driven here so far; the other kinds are not measured.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

const BIN: &str = env!("CARGO_BIN_EXE_simfleet");
const KEY: &str = "simfleet-sandbox";
const PAGE: usize = 1000;
const BULK: usize = 20;
const CONCURRENCY: usize = 8;
const TAGS: usize = 5;

struct Args {
    scenario: String,
    sims: usize,
    changes: usize,
    files: usize,
    latency_ms: u64,
    rate: u64,
    window: f64,
    naive_sample: usize,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args {
            scenario: "apply".into(),
            sims: 100_000,
            changes: 10_000,
            files: 10,
            latency_ms: 50,
            rate: 600,
            window: 60.0,
            naive_sample: 300,
        };
        let mut it = std::env::args().skip(1).filter(|a| a != "--bench");
        while let Some(flag) = it.next() {
            let mut value = || it.next().unwrap_or_default();
            match flag.as_str() {
                "--sims" => args.sims = value().parse().expect("--sims N"),
                "--changes" => args.changes = value().parse().expect("--changes N"),
                "--files" => args.files = value().parse().expect("--files N"),
                "--latency-ms" => args.latency_ms = value().parse().expect("--latency-ms N"),
                "--rate" => args.rate = value().parse().expect("--rate N"),
                "--window" => args.window = value().parse().expect("--window SECONDS"),
                "--naive-sample" => args.naive_sample = value().parse().expect("--naive-sample N"),
                "apply" | "validate" => args.scenario = flag,
                other => panic!("unknown argument {other}; see benches/scale.rs"),
            }
        }
        args
    }
}

fn main() {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("simfleet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("simfleet {} on {}", args.scenario, machine());
    match args.scenario.as_str() {
        "validate" => validate(&args, &dir),
        _ => apply(&args, &dir),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cores} cores, {}", std::env::consts::ARCH)
}

/// The ICCID the emulator gives its n-th generated Onomondo SIM.
fn iccid(n: usize) -> String {
    simfleet::emulator::generated_iccid("8945738730", n)
}

/// What the manifest asks of SIM `n`; generated SIMs are active unless n % 4 == 0.
#[derive(Clone, Copy, PartialEq)]
enum Change {
    None,
    Name,
    Tags,
    NameAndTags,
    Status,
}

fn change_of(n: usize, sims: usize, changes: usize) -> Change {
    let every = (sims / changes.max(1)).max(1);
    if changes == 0 || !n.is_multiple_of(every) || n / every >= changes {
        return Change::None;
    }
    match (n / every) % 4 {
        0 => Change::Name,
        1 => Change::Tags,
        2 => Change::NameAndTags,
        _ => Change::Status,
    }
}

/// Writes the manifests into `dir/m`; with `full`, every SIM also declares
/// its name and tags (as it is, for `validate`).
fn write_manifests(dir: &Path, url: &str, args: &Args, files: usize, full: bool) {
    let dir = &dir.join("m");
    std::fs::create_dir_all(dir).expect("manifest dir");
    let providers = format!(
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  ono:\n    type: onomondo\n    \
         url: {url}\n    credentials:\n      token: {{ env: BENCH_KEY }}\n    rate_limit: {}\n    \
         rate_window: {}\n",
        args.rate as f64 / args.window,
        args.window
    );
    std::fs::write(dir.join("providers.yaml"), providers).expect("write");
    let per_file = args.sims.div_ceil(files.max(1));
    for f in 0..files {
        let mut text = format!(
            "apiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: part{f}\nprovider: ono\nsims:\n"
        );
        for n in f * per_file..((f + 1) * per_file).min(args.sims) {
            let active = n % 4 != 0;
            let change = change_of(n, args.sims, args.changes);
            let status = match (active, change == Change::Status) {
                (true, false) | (false, true) => "active",
                _ => "inactive",
            };
            text.push_str(&format!(
                "  - iccid: \"{}\"\n    status: {status}\n",
                iccid(n)
            ));
            if full || matches!(change, Change::Name | Change::NameAndTags) {
                text.push_str(&format!("    name: sensor-{n}\n"));
            }
            if full || matches!(change, Change::Tags | Change::NameAndTags) {
                text.push_str(&format!("    tags: [t{}]\n", n % TAGS));
            }
        }
        std::fs::write(dir.join(format!("fleet{f:02}.yaml")), text).expect("write");
    }
}

struct Emulator {
    child: Child,
    addr: String,
}

impl Emulator {
    fn start(dir: &Path, args: &Args) -> Emulator {
        let tags: Vec<String> = (0..TAGS)
            .map(|t| format!("    - {{ id: tag-{t}, name: t{t} }}"))
            .collect();
        let seed = dir.join("seed.yaml");
        let text = format!("onomondo:\n  tags:\n{}\n  sims: []\n", tags.join("\n"));
        std::fs::write(&seed, text).expect("seed");
        let mut child = Command::new(BIN)
            .args(["emulator", "--listen", "127.0.0.1:0", "-q", "--state"])
            .arg(&seed)
            .arg("--generate")
            .arg(format!("onomondo={}", args.sims))
            .args(["--rate-limit", &args.rate.to_string()])
            .args(["--rate-window", &args.window.to_string()])
            .args(["--latency-ms", &args.latency_ms.to_string()])
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
        }
    }

    fn get(&self, path: &str) -> Json {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        std::io::Write::write_all(&mut stream, request.as_bytes()).expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        serde_json::from_str(body).unwrap_or(Json::Null)
    }

    /// Requests by `METHOD /route`, and how many were answered 429.
    fn traffic(&self) -> (BTreeMap<String, u64>, usize) {
        let stats = self.get("/_emulator/stats");
        let routes = stats["providers"]["onomondo"]
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

/// Runs simfleet; wall time and peak RSS (KiB) of that process alone.
// The child is reaped by `wait4`, which also reports its own peak RSS.
#[allow(clippy::zombie_processes)]
fn run(dir: &Path, args: &[&str]) -> (Duration, i64, bool) {
    let start = Instant::now();
    let child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("BENCH_KEY", KEY)
        .stdout(Stdio::null())
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

fn validate(args: &Args, dir: &Path) {
    write_manifests(dir, "http://127.0.0.1:9", args, args.files, true);
    let (wall, rss, ok) = run(dir, &["validate", "m"]);
    println!(
        "validate {} SIMs (iccid, status, name, tags) in {} files: {:.2} s, peak RSS {} MB{}",
        args.sims,
        args.files,
        wall.as_secs_f64(),
        rss / 1024,
        if ok { "" } else { " (FAILED)" }
    );
}

fn apply(args: &Args, dir: &Path) {
    let pages = args.sims.div_ceil(PAGE);
    let latency = args.latency_ms as f64 / 1000.0;
    let budget = (args.rate as usize).max(1);
    let rate_bound = |requests: usize| args.window * ((requests.max(1) - 1) / budget) as f64;
    let mut per_phase = [0usize; 3]; // enable, configure, restrict
    for n in 0..args.sims {
        match change_of(n, args.sims, args.changes) {
            Change::None => {}
            Change::Status if n % 4 == 0 => per_phase[0] += 1,
            Change::Status => per_phase[2] += 1,
            _ => per_phase[1] += 1,
        }
    }
    let changed: usize = per_phase.iter().sum();
    let calls: Vec<usize> = per_phase.iter().map(|n| n.div_ceil(BULK)).collect();
    println!(
        "fleet {} SIMs, {changed} changing (enable {}, configure {}, restrict {}); emulator {} \
         per {} s, {} ms latency; simfleet concurrency {CONCURRENCY}",
        args.sims,
        per_phase[0],
        per_phase[1],
        per_phase[2],
        args.rate,
        args.window,
        args.latency_ms
    );

    let reads = pages + 1;
    let plan_floor = reads;
    let plan_bound = bound(&[Stage::Chain(pages)], 1, latency, budget, args.window);
    measure(dir, args, &["plan", "m"], plan_floor, plan_bound);

    let writes: usize = calls.iter().sum();
    let readback = pages.min(changed);
    let apply_floor = reads + writes + readback;
    let mut stages = vec![Stage::Chain(pages)];
    stages.extend(calls.iter().map(|&c| Stage::Parallel(c)));
    stages.push(Stage::Chain(readback));
    let apply_bound = bound(&stages, 1, latency, budget, args.window);
    let simfleet_wall = measure(
        dir,
        args,
        &["apply", "m", "--auto-approve"],
        apply_floor,
        apply_bound,
    );

    let emulator = Emulator::start(dir, args);
    let (sample_wall, sample_sims, sample_requests) = naive(&emulator, args);
    let per_sim = sample_requests as f64 / sample_sims.max(1) as f64;
    let naive_requests = per_sim * changed as f64;
    let naive_wall = (sample_wall * changed as f64 / sample_sims.max(1) as f64)
        .max(rate_bound(naive_requests as usize));
    println!(
        "naive  one SIM at a time: {sample_sims} SIMs in {sample_wall:.1} s ({per_sim:.1} \
         requests each); for all {changed}: {naive_requests:.0} requests, at least \
         {naive_wall:.0} s (the larger of the sample scaled and the rate bound)"
    );
    println!(
        "simfleet/naive: {:.1}x faster",
        naive_wall / simfleet_wall.max(0.001)
    );
}

/// Requests that depend on each other: a chain of cursor pages, or calls
/// of one phase that may run side by side.
enum Stage {
    Chain(usize),
    Parallel(usize),
}

/// The earliest finish of `stages` in order, each request taking `latency`,
/// at most `CONCURRENCY` at once, and the n-th request of the run (counting
/// `extra` requests sent alongside) not before window `n / budget` opens.
fn bound(stages: &[Stage], extra: usize, latency: f64, budget: usize, window: f64) -> f64 {
    let opens = |n: usize| window * (n / budget) as f64;
    let (mut t, mut n) = (0.0f64, extra);
    for stage in stages {
        let (count, width) = match *stage {
            Stage::Chain(c) => (c, 1),
            Stage::Parallel(c) => (c, CONCURRENCY),
        };
        let mut left = count;
        while left > 0 {
            let group = left.min(width);
            t = t.max(opens(n + group - 1)) + latency;
            n += group;
            left -= group;
        }
    }
    t
}

/// Runs `command` against a fresh emulator with the whole budget and
/// prints its figures; returns its wall time in seconds.
fn measure(dir: &Path, args: &Args, command: &[&str], floor: usize, bound: f64) -> f64 {
    let emulator = Emulator::start(dir, args);
    let url = format!("http://{}/onomondo", emulator.addr);
    write_manifests(dir, &url, args, 10, false);
    let (wall, rss, ok) = run(dir, command);
    let (routes, limited) = emulator.traffic();
    let total: u64 = routes.values().sum();
    let wall = wall.as_secs_f64();
    println!(
        "{:6} {wall:.1} s (bound {bound:.1} s, {:.2}x), peak RSS {} MB, {total} requests \
         (floor {floor}, {:.3}x), {limited} answered 429{}",
        command[0],
        wall / bound.max(0.001),
        rss / 1024,
        total as f64 / floor.max(1) as f64,
        if ok { "" } else { ", FAILED" }
    );
    for (route, n) in routes {
        println!("         {n:7}  {route}");
    }
    wall
}

/// One SIM at a time: GET it, then one request per changed field.
fn naive(emulator: &Emulator, args: &Args) -> (f64, usize, usize) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let base = format!("http://{}/onomondo", emulator.addr);
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let send = |req: reqwest::RequestBuilder| async move {
            loop {
                let resp = req
                    .try_clone()
                    .expect("plain body")
                    .header("authorization", KEY)
                    .send()
                    .await
                    .expect("emulator");
                if resp.status() != 429 {
                    return resp.json::<Json>().await.unwrap_or(Json::Null);
                }
                let wait = resp.headers().get("retry-after");
                let wait = wait
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .unwrap_or(1);
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
        };
        let (start, mut sims, mut requests) = (Instant::now(), 0, 0);
        for n in 0..args.sims {
            let change = change_of(n, args.sims, args.changes);
            if change == Change::None {
                continue;
            }
            if sims == args.naive_sample {
                break;
            }
            let sim = send(http.get(format!("{base}/sims/{}", iccid(n)))).await;
            let id = sim["id"].as_str().unwrap_or_default().to_owned();
            let url = format!("{base}/sims/{id}");
            let mut bodies = Vec::new();
            if matches!(change, Change::Name | Change::NameAndTags) {
                bodies.push(serde_json::json!({"label": format!("sensor-{n}")}));
            }
            if matches!(change, Change::Tags | Change::NameAndTags) {
                bodies.push(serde_json::json!({"tags": [format!("tag-{}", n % TAGS)]}));
            }
            if change == Change::Status {
                bodies.push(serde_json::json!({"activated": n % 4 == 0}));
            }
            requests += 1 + bodies.len();
            for body in bodies {
                send(http.patch(&url).json(&body)).await;
            }
            sims += 1;
        }
        (start.elapsed().as_secs_f64(), sims, requests)
    })
}
