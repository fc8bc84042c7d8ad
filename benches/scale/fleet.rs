//! The generated fleets of the benchmark: which SIMs of a kind's fleet
//! change and how, and the manifests that ask for it (what the emulator
//! holds for SIM `n` is the kind's `Bench` row, from its module under
//! `kinds/`). Nothing here knows a particular kind or the list of kinds.

use std::fmt::Write as _;
use std::path::Path;

use simfleet::model::Field;

use crate::bench::Bench;
use crate::edits::{Change, Edit, TAGS};

use Edit::Status as To;

/// The SIMs that change, in order, with their edits.
pub struct Work {
    pub bench: &'static Bench,
    pub sims: usize,
    pub changes: Vec<Change>,
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
            let fits = |n: &usize| target.is_none_or(|t| bench.live_status(*n) != t);
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
                let mut status = self.bench.live_status(n);
                let _ = writeln!(text, "  - iccid: \"{}\"", self.bench.iccid(n));
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
/// first kind of `benches` that manages both.
pub fn full_manifests_kind(benches: &[&'static Bench]) -> &'static Bench {
    let both = |b: &&Bench| {
        let caps = b.kind.capabilities();
        caps.supports(Field::Name) && caps.supports(Field::Tags)
    };
    let found = benches.iter().copied().find(both);
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
            let status = bench.live_status(n).manifest();
            let _ = write!(
                text,
                "  - iccid: \"{}\"\n    status: {status}\n    name: sensor-{n}\n    tags: [t{}]\n",
                bench.iccid(n),
                n % TAGS
            );
        }
        std::fs::write(dir.join(format!("fleet{f:02}.yaml")), text).expect("write");
    }
}
