//! The generated fleets of the benchmark: what the emulator holds for SIM
//! `n` of a kind (mirroring its `--generate`, as the kind's module under
//! `kinds/` describes it), which SIMs change and how, and the manifests
//! that ask for it. Nothing here knows a particular kind.

use std::fmt::Write as _;
use std::path::Path;

use simfleet::emulator::generated_iccid;
use simfleet::model::Field;

use crate::kinds::Bench;

/// Tags the seed of a kind with tags declares: `t0`..`t4`, ids
/// `tag-0`..`tag-4`.
pub const TAGS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Suspended,
    Inactive,
}

impl Status {
    pub fn manifest(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Inactive => "inactive",
        }
    }
}

/// One thing a manifest changes on a SIM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Name,
    Tags,
    Package,
    Attributes,
    /// To this status.
    Status(Status),
}

impl Edit {
    /// 0 enable, 1 configure, 2 restrict (simfleet's phases).
    pub fn phase(self) -> usize {
        match self {
            Edit::Status(Status::Active) => 0,
            Edit::Status(_) => 2,
            _ => 1,
        }
    }
}

use Edit::Status as To;

/// The live status the emulator generates for SIM `n`.
pub fn live_status(bench: &Bench, n: usize) -> Status {
    bench.statuses[n % bench.statuses.len()]
}

/// Writes a status move takes: where an inactive SIM cannot be suspended,
/// it is activated first.
pub fn status_writes(bench: &Bench, from: Status, to: Status) -> usize {
    let first =
        bench.activate_before_suspending && (from, to) == (Status::Inactive, Status::Suspended);
    1 + usize::from(first)
}

pub fn iccid(bench: &Bench, n: usize) -> String {
    generated_iccid(bench.iccid_prefix, n)
}

/// The SIMs that change, in order, with their edits.
pub struct Work {
    pub bench: &'static Bench,
    pub sims: usize,
    pub changes: Vec<(usize, &'static [Edit])>,
}

impl Work {
    /// `changes` SIMs spread evenly over the fleet; a status edit takes the
    /// first SIM of its stretch whose live status differs from the target
    /// (none such: that change is left out, and the figures count what is in).
    pub fn new(bench: &'static Bench, sims: usize, changes: usize) -> Work {
        let every = (sims / changes.max(1)).max(1);
        let mut out = Vec::new();
        for k in 0..changes.min(sims) {
            let edits = bench.mix[k % bench.mix.len()];
            let stretch = k * every..((k + 1) * every).min(sims);
            let target = edits.iter().find_map(|e| match e {
                To(s) => Some(*s),
                _ => None,
            });
            let fits = |n: &usize| target.is_none_or(|t| live_status(bench, *n) != t);
            if let Some(n) = stretch.clone().find(fits) {
                out.push((n, edits));
            }
        }
        Work {
            bench,
            sims,
            changes: out,
        }
    }

    /// The edits of SIM `n` (sorted `changes` make this a binary search).
    pub fn edits(&self, n: usize) -> &'static [Edit] {
        match self.changes.binary_search_by_key(&n, |(m, _)| *m) {
            Ok(i) => self.changes[i].1,
            Err(_) => &[],
        }
    }

    /// Writes `dir/m`: the provider (credentials from `BENCH_*` variables)
    /// and `files` fleets; every SIM declares its status, changing SIMs
    /// also what they change.
    pub fn write_manifests(&self, dir: &Path, url: &str, rate: f64, window: f64, files: usize) {
        let dir = &dir.join("m");
        std::fs::create_dir_all(dir).expect("manifest dir");
        let kind = self.bench.kind;
        let caps = kind.capabilities();
        let mut providers = format!(
            "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  bench:\n    type: {}\n    \
             url: {url}\n    rate_limit: {}\n    rate_window: {window}\n    credentials:\n",
            kind,
            rate / window
        );
        for (key, _) in caps.sandbox_credentials {
            let _ = writeln!(
                providers,
                "      {key}: {{ env: BENCH_{} }}",
                key.to_uppercase()
            );
        }
        for (setting, template) in caps.sandbox_settings {
            let _ = writeln!(
                providers,
                "    {}: {}",
                setting.name(),
                template.replace("{url}", url)
            );
        }
        std::fs::write(dir.join("providers.yaml"), providers).expect("write");
        let per_file = self.sims.div_ceil(files.max(1));
        for f in 0..files {
            let mut text = format!(
                "apiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: part{f}\nprovider: bench\nsims:\n"
            );
            for n in f * per_file..((f + 1) * per_file).min(self.sims) {
                let mut status = live_status(self.bench, n);
                let _ = writeln!(text, "  - iccid: \"{}\"", iccid(self.bench, n));
                for edit in self.edits(n) {
                    let _ = match edit {
                        Edit::Name => writeln!(text, "    name: sensor-{n}"),
                        Edit::Tags => writeln!(text, "    tags: [t{}]", n % TAGS),
                        Edit::Package => writeln!(text, "    package: pkg-premium"),
                        Edit::Attributes => {
                            writeln!(text, "    attributes: {{ site: s{} }}", n % 7)
                        }
                        To(s) => {
                            status = *s;
                            Ok(())
                        }
                    };
                }
                let _ = writeln!(text, "    status: {}", status.manifest());
            }
            std::fs::write(dir.join(format!("fleet{f:02}.yaml")), text).expect("write");
        }
    }
}

/// Every SIM declares its name and tags as well, for `validate`: the
/// first kind of the list that manages both.
pub fn full_manifests_kind() -> &'static Bench {
    let both = |b: &&Bench| {
        let caps = b.kind.capabilities();
        caps.supports(Field::Name) && caps.supports(Field::Tags)
    };
    let found = crate::kinds::ALL.into_iter().find(both);
    found.expect("a kind that manages names and tags")
}

/// `dir/m` for `validate`: provider `bench` of `bench`'s kind (never
/// contacted) and `sims` SIMs in `files` fleets, each declaring its status,
/// name and tags.
pub fn write_full_manifests(dir: &Path, bench: &Bench, sims: usize, files: usize) {
    let dir = &dir.join("m");
    std::fs::create_dir_all(dir).expect("manifest dir");
    let mut providers = format!(
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  bench:\n    \
         type: {}\n    url: http://127.0.0.1:9\n    credentials:\n",
        bench.kind
    );
    for (key, _) in bench.kind.capabilities().sandbox_credentials {
        let _ = writeln!(
            providers,
            "      {key}: {{ env: BENCH_{} }}",
            key.to_uppercase()
        );
    }
    std::fs::write(dir.join("providers.yaml"), providers).expect("write");
    let per_file = sims.div_ceil(files.max(1));
    for f in 0..files {
        let mut text = format!(
            "apiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: part{f}\nprovider: bench\nsims:\n"
        );
        for n in f * per_file..((f + 1) * per_file).min(sims) {
            let status = live_status(bench, n).manifest();
            let _ = write!(
                text,
                "  - iccid: \"{}\"\n    status: {status}\n    name: sensor-{n}\n    tags: [t{}]\n",
                iccid(bench, n),
                n % TAGS
            );
        }
        std::fs::write(dir.join(format!("fleet{f:02}.yaml")), text).expect("write");
    }
}
