//! `cargo bench --locked --bench scale -- <scenario> [options]`: simfleet at
//! scale against its emulator on loopback, printed as figures, never
//! asserted (this machine is shared and noisy; see BENCHMARKS.md).
//!
//! Scenarios:
//! - `apply`: for each `--provider` (default: all four kinds), a fleet of
//!   `--sims` generated SIMs of which `--changes` change (the kind's mix of
//!   names, tags, package, attributes and status moves in every direction
//!   it allows), emulator at `--rate` requests per `--window` seconds and
//!   `--latency-ms`. Runs `plan`, then `apply`, each on a fresh emulator
//!   with the whole budget, and a naive per-SIM client on a sample of the
//!   same work. Prints wall time, peak RSS, requests per endpoint against
//!   the request floor, 429s, and wall time against the time bound.
//! - `validate`: `--sims` SIMs in `--files` files; wall time and peak RSS.

mod bench;
mod edits;
mod emulator;
mod fleet;
mod floor;
mod kinds;
mod naive;
mod steps;

use std::path::Path;

use simfleet::kind::ProviderKind;

use emulator::{Emulator, Setup, run};
use fleet::Work;
use floor::{Floor, bound};

struct Args {
    scenario: String,
    kinds: Vec<ProviderKind>,
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
            kinds: ProviderKind::ALL.to_vec(),
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
                "--provider" => {
                    let v = value();
                    args.kinds = match v.as_str() {
                        "all" => ProviderKind::ALL.to_vec(),
                        _ => v
                            .split(',')
                            .map(|k| {
                                let kind = ProviderKind::ALL.into_iter().find(|p| p.as_str() == k);
                                kind.expect("--provider onomondo|infobip|eseye|telekom-cmo|all")
                            })
                            .collect(),
                    }
                }
                "--sims" => args.sims = value().parse().expect("--sims N"),
                "--changes" => args.changes = value().parse().expect("--changes N"),
                "--files" => args.files = value().parse().expect("--files N"),
                "--latency-ms" => args.latency_ms = value().parse().expect("--latency-ms N"),
                "--rate" => args.rate = value().parse().expect("--rate N"),
                "--window" => args.window = value().parse().expect("--window SECONDS"),
                "--naive-sample" => args.naive_sample = value().parse().expect("--naive-sample N"),
                "apply" | "validate" => args.scenario = flag,
                other => panic!("unknown argument {other}; see benches/scale/main.rs"),
            }
        }
        args
    }

    fn setup(&self) -> Setup {
        Setup {
            sims: self.sims,
            rate: self.rate,
            window: self.window,
            latency_ms: self.latency_ms,
        }
    }
}

fn main() {
    kinds::check();
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("simfleet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!("simfleet {} on {}", args.scenario, machine());
    match args.scenario.as_str() {
        "validate" => validate(&args, &dir),
        _ => {
            for &kind in &args.kinds {
                apply(&args, &dir, kind);
            }
        }
    }
    // BENCH_KEEP=1 keeps the manifests and simfleet's output of the last run.
    if std::env::var_os("BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", dir.display());
    }
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cores} cores, {}", std::env::consts::ARCH)
}

fn validate(args: &Args, dir: &Path) {
    let bench = fleet::full_manifests_kind(&kinds::ALL);
    fleet::write_full_manifests(dir, bench, args.sims, args.files);
    let (wall, rss, ok) = run(dir, bench.kind, &["validate", "m"]);
    println!(
        "validate {} SIMs (iccid, status, name, tags) in {} files: {:.2} s, peak RSS {} MB{}",
        args.sims,
        args.files,
        wall.as_secs_f64(),
        rss / 1024,
        if ok { "" } else { " (FAILED)" }
    );
}

fn apply(args: &Args, dir: &Path, kind: ProviderKind) {
    let bench = kinds::of(kind);
    let work = Work::new(bench, args.sims, args.changes);
    let mut phases = [0usize; 3];
    for (_, edits) in &work.changes {
        for (p, count) in phases.iter_mut().enumerate() {
            *count += usize::from(edits.iter().any(|e| e.phase() == p));
        }
    }
    let concurrency = kind.capabilities().default_concurrency as usize;
    println!(
        "\n{kind}: {} SIMs, {} changing (SIMs per phase: enable {}, configure {}, restrict {}); \
         emulator {} per {} s, {} ms latency; simfleet concurrency {concurrency}",
        args.sims,
        work.changes.len(),
        phases[0],
        phases[1],
        phases[2],
        args.rate,
        args.window,
        args.latency_ms
    );
    let timed = |floor: &Floor| {
        let t = bound(
            floor,
            args.latency_ms as f64 / 1000.0,
            concurrency,
            args.rate as usize,
            args.window,
        );
        (floor.requests, t)
    };
    measure(dir, args, &work, &["plan", "m"], timed(&floor::plan(&work)));
    let simfleet_wall = measure(
        dir,
        args,
        &work,
        &["apply", "m", "--auto-approve"],
        timed(&floor::apply(&work)),
    );

    let emulator = Emulator::start(dir, bench, &args.setup());
    let (sample_wall, sample_sims, sample_requests) =
        naive::run(&emulator, &work, args.naive_sample);
    let changed = work.changes.len();
    let per_sim = sample_requests as f64 / sample_sims.max(1) as f64;
    let naive_requests = per_sim * changed as f64;
    let rate_bound =
        args.window * ((naive_requests as usize).max(1) - 1) as f64 / args.rate.max(1) as f64;
    let naive_wall = (sample_wall * changed as f64 / sample_sims.max(1) as f64).max(rate_bound);
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

/// Runs `command` against a fresh emulator with the whole budget and
/// prints its figures against `(floor, bound)`; returns its wall seconds.
fn measure(
    dir: &Path,
    args: &Args,
    work: &Work,
    command: &[&str],
    (floor, bound): (usize, f64),
) -> f64 {
    let emulator = Emulator::start(dir, work.bench, &args.setup());
    work.write_manifests(dir, &emulator.url(), args.rate as f64, args.window, 10);
    let (wall, rss, ok) = run(dir, work.bench.kind, command);
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
