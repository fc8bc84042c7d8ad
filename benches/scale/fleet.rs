//! The generated fleets of the benchmark: what the emulator holds for SIM
//! `n` of each kind (mirroring its `--generate`), which SIMs change and how,
//! and the manifests that ask for it.

use std::fmt::Write as _;
use std::path::Path;

use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind;

/// Onomondo tags the seed declares: `t0`..`t4`, ids `tag-0`..`tag-4`.
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

/// The change mix of each kind, cycled over the changing SIMs; a status
/// edit goes to a SIM whose live status differs, so every direction the
/// provider allows is exercised.
fn mix(kind: ProviderKind) -> &'static [&'static [Edit]] {
    match kind {
        ProviderKind::Onomondo => &[
            &[Edit::Name],
            &[Edit::Tags],
            &[Edit::Name, Edit::Tags],
            &[To(Status::Inactive)],
            &[To(Status::Active)],
        ],
        ProviderKind::Infobip => &[
            &[Edit::Name],
            &[To(Status::Active)],
            &[To(Status::Suspended)],
            &[Edit::Name, To(Status::Suspended)],
        ],
        ProviderKind::Eseye => &[
            &[Edit::Attributes],
            &[Edit::Package],
            &[To(Status::Active)],
            &[To(Status::Suspended)],
            &[Edit::Package, Edit::Attributes],
        ],
        ProviderKind::TelekomCmo => &[
            &[Edit::Attributes],
            &[To(Status::Active)],
            &[To(Status::Suspended)],
            &[To(Status::Inactive)],
            &[Edit::Attributes, To(Status::Suspended)],
        ],
    }
}

/// The live status the emulator generates for SIM `n`.
pub fn live_status(kind: ProviderKind, n: usize) -> Status {
    use Status::*;
    match kind {
        ProviderKind::Onomondo => [Inactive, Active, Active, Active][n % 4],
        ProviderKind::Infobip => [Inactive, Active, Suspended][n % 3],
        ProviderKind::Eseye => [Active, Inactive][n % 2],
        ProviderKind::TelekomCmo => [Active, Inactive, Suspended][n % 3],
    }
}

/// Whether a status write to SIM `n` starts an asynchronous monitor (CMO's
/// TMSP backend, odd SIMs).
pub fn asynchronous(kind: ProviderKind, n: usize) -> bool {
    kind == ProviderKind::TelekomCmo && n % 2 == 1
}

/// Writes a status move takes: an inactive SIM cannot be suspended at
/// Infobip (Activation Ready), Eseye or CMO, so it is activated first.
pub fn status_writes(kind: ProviderKind, from: Status, to: Status) -> usize {
    match (kind, from, to) {
        (ProviderKind::Onomondo, _, _) => 1,
        (_, Status::Inactive, Status::Suspended) => 2,
        _ => 1,
    }
}

pub fn iccid(kind: ProviderKind, n: usize) -> String {
    let prefix = match kind {
        ProviderKind::Onomondo => "8945738730",
        ProviderKind::Infobip => "8938100022",
        ProviderKind::Eseye => "8944538523",
        ProviderKind::TelekomCmo => "8949020000",
    };
    generated_iccid(prefix, n)
}

/// The SIMs that change, in order, with their edits.
pub struct Work {
    pub kind: ProviderKind,
    pub sims: usize,
    pub changes: Vec<(usize, &'static [Edit])>,
}

impl Work {
    /// `changes` SIMs spread evenly over the fleet; a status edit takes the
    /// first SIM of its stretch whose live status differs from the target
    /// (none such: that change is left out, and the figures count what is in).
    pub fn new(kind: ProviderKind, sims: usize, changes: usize) -> Work {
        let every = (sims / changes.max(1)).max(1);
        let mut out = Vec::new();
        for k in 0..changes.min(sims) {
            let edits = mix(kind)[k % mix(kind).len()];
            let stretch = k * every..((k + 1) * every).min(sims);
            let target = edits.iter().find_map(|e| match e {
                To(s) => Some(*s),
                _ => None,
            });
            let fits = |n: &usize| target.is_none_or(|t| live_status(kind, *n) != t);
            if let Some(n) = stretch.clone().find(fits) {
                out.push((n, edits));
            }
        }
        Work {
            kind,
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
        let caps = self.kind.capabilities();
        let mut providers = format!(
            "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  bench:\n    type: {}\n    \
             url: {url}\n    rate_limit: {}\n    rate_window: {window}\n    credentials:\n",
            self.kind,
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
                let mut status = live_status(self.kind, n);
                let _ = writeln!(text, "  - iccid: \"{}\"", iccid(self.kind, n));
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

/// Every SIM declares its name and tags as well (Onomondo), for `validate`.
pub fn write_full_manifests(dir: &Path, sims: usize, files: usize) {
    let dir = &dir.join("m");
    std::fs::create_dir_all(dir).expect("manifest dir");
    let providers = "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  bench:\n    \
                     type: onomondo\n    url: http://127.0.0.1:9\n    credentials:\n      \
                     token: { env: BENCH_TOKEN }\n";
    std::fs::write(dir.join("providers.yaml"), providers).expect("write");
    let per_file = sims.div_ceil(files.max(1));
    for f in 0..files {
        let mut text = format!(
            "apiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: part{f}\nprovider: bench\nsims:\n"
        );
        for n in f * per_file..((f + 1) * per_file).min(sims) {
            let status = live_status(ProviderKind::Onomondo, n).manifest();
            let _ = write!(
                text,
                "  - iccid: \"{}\"\n    status: {status}\n    name: sensor-{n}\n    tags: [t{}]\n",
                iccid(ProviderKind::Onomondo, n),
                n % TAGS
            );
        }
        std::fs::write(dir.join(format!("fleet{f:02}.yaml")), text).expect("write");
    }
}
