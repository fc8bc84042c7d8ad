//! The `Workspace` test builder: a temporary folder with manifests written
//! from typed values, the bundled examples and sandbox seeds when asked,
//! an emulator process when asked, and the real binary run inside it.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Emulator, Run, copy_dir, repo, simfleet};

pub struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    pub emulator: Option<Emulator>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
            emulator: None,
        }
    }

    /// With copies of `examples/` and `sandbox/`, so runs can change them.
    pub fn with_examples(self) -> Workspace {
        copy_dir(&repo().join("examples"), &self.path().join("examples"));
        copy_dir(&repo().join("sandbox"), &self.path().join("sandbox"));
        self
    }

    /// With an emulator process seeded from `seed` (relative to the repository).
    pub fn with_emulator(mut self, seed: Option<&str>, extra: &[&str]) -> Workspace {
        let seed = seed.map(|s| repo().join(s));
        self.emulator = Some(Emulator::start(seed.as_deref(), extra));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Workspace {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn emulator(&self) -> &Emulator {
        self.emulator.as_ref().expect("workspace has no emulator")
    }

    /// Writes `docs` as one manifest file (JSON is YAML), a document each.
    pub fn manifest(&self, name: &str, docs: &[Value]) -> &Workspace {
        let text: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().expect("file in a folder")).expect("mkdir");
        std::fs::write(path, text.join("\n---\n")).expect("write manifest");
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        simfleet(self.path(), args, &env)
    }
}

/// A Providers document.
pub fn providers(entries: Value) -> Value {
    json!({"apiVersion": "simfleet/v1", "kind": "Providers", "providers": entries})
}

/// A Fleet document at `provider`.
pub fn fleet(name: &str, provider: &str, sims: Value) -> Value {
    json!({
        "apiVersion": "simfleet/v1",
        "kind": "Fleet",
        "metadata": {"name": name},
        "provider": provider,
        "sims": sims,
    })
}
