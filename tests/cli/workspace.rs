//! The `Workspace` test builder: a temporary folder with manifests written
//! from typed values, the bundled examples and sandbox seeds when asked,
//! an emulator process when asked, and the real binary run inside it.
//!
//! Every integration test sets itself up through here, so a test says what
//! world it needs (`Workspace::sandbox(kind)`, `.provider(..)`, `.fleet(..)`)
//! and not how files and processes are made.

use std::path::Path;

use serde_json::{Map, Value, json};
use simfleet::kind::ProviderKind;

use crate::support::{Emulator, Run, copy_dir, repo, simfleet};

/// The folder `provider` and `fleet` write manifests to.
pub const MANIFESTS: &str = "m";

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

    /// An emulator serving the bundled sandbox seed of `kind`.
    pub fn sandbox(kind: ProviderKind, extra: &[&str]) -> Workspace {
        Workspace::new().with_emulator(Some(&format!("sandbox/{kind}.yaml")), extra)
    }

    /// An emulator with `count` generated SIMs of `kind`.
    pub fn generated(kind: ProviderKind, count: usize, extra: &[&str]) -> Workspace {
        let generate = format!("{kind}={count}");
        let mut args = vec!["--generate", generate.as_str()];
        args.extend_from_slice(extra);
        Workspace::new().with_emulator(None, &args)
    }

    /// An emulator seeded with `seed`, an emulator state document.
    pub fn seeded(seed: &Value, extra: &[&str]) -> Workspace {
        let mut ws = Workspace::new();
        let path = ws.file("seed.yaml", &seed.to_string());
        ws.emulator = Some(Emulator::start(Some(&path), extra));
        ws
    }

    /// The bundled example of `kind` against an emulator serving its
    /// sandbox seed: the example's fleets in `m/`, its provider (by the
    /// name the fleets use) at the emulator.
    pub fn example(kind: ProviderKind, extra: &[&str]) -> Workspace {
        let fleets = std::fs::read_dir(repo().join(format!("examples/{kind}")))
            .expect("example folder")
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).expect("example file"));
        let name = fleets
            .flat_map(|text| {
                let line = text.lines().find(|l| l.starts_with("provider:"));
                line.map(|l| l["provider:".len()..].trim().to_owned())
            })
            .next()
            .expect("an example fleet names its provider");
        let ws = Workspace::sandbox(kind, extra).provider(&name, kind, json!({}));
        ws.example_fleets(kind);
        ws
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

    /// Sets `key` for every run, replacing an earlier value.
    pub fn env(mut self, key: &str, value: &str) -> Workspace {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// `m/providers.yaml` with one provider `name` of `kind` at the
    /// emulator: the sandbox credentials of `kind` as `{env: ...}` references
    /// (the variables set for every run), then `settings` on top.
    pub fn provider(mut self, name: &str, kind: ProviderKind, settings: Value) -> Workspace {
        let mut entry = Map::new();
        entry.insert("type".into(), json!(kind.as_str()));
        entry.insert("url".into(), json!(self.emulator().url(kind.mount())));
        let mut credentials = Map::new();
        for (key, value) in kind.capabilities().sandbox_credentials {
            let var = format!("SIMFLEET_TEST_{}", key.to_ascii_uppercase());
            credentials.insert((*key).into(), json!({ "env": var }));
            self = self.env(&var, value);
        }
        entry.insert("credentials".into(), Value::Object(credentials));
        let url = self.emulator().url(kind.mount());
        for (setting, template) in kind.capabilities().sandbox_settings {
            entry.insert(
                setting.name().into(),
                json!(template.replace("{url}", &url)),
            );
        }
        if let Value::Object(settings) = settings {
            entry.extend(settings);
        }
        self.manifest(
            &format!("{MANIFESTS}/providers.yaml"),
            &[providers(json!({ name: entry }))],
        );
        self
    }

    /// `m/fleet.yaml`: one Fleet of `sims` at `provider`.
    pub fn fleet(&self, provider: &str, sims: Value) -> &Workspace {
        self.manifest(
            &format!("{MANIFESTS}/fleet.yaml"),
            &[fleet("f", provider, sims)],
        )
    }

    /// A copy of the bundled example of `kind` in `m/` (its fleets only).
    pub fn example_fleets(&self, kind: ProviderKind) -> &Workspace {
        let from = repo().join(format!("examples/{kind}"));
        for entry in std::fs::read_dir(from).expect("example folder").flatten() {
            if entry.file_name() != "providers.yaml" {
                let text = std::fs::read_to_string(entry.path()).expect("example file");
                let name = entry.file_name();
                self.file(&format!("{MANIFESTS}/{}", name.to_string_lossy()), &text);
            }
        }
        self
    }

    /// The name of the provider `m/providers.yaml` declares first (the
    /// example's, for `Workspace::example`).
    pub fn provider_name(&self) -> String {
        let path = self.path().join(MANIFESTS).join("providers.yaml");
        let text = std::fs::read_to_string(path).expect("m/providers.yaml");
        let doc: Value = serde_json::from_str(&text).expect("providers written as JSON");
        let names = doc["providers"].as_object().expect("a providers mapping");
        names.keys().next().expect("a provider").clone()
    }

    /// `plan --format json` of the manifests in `m/`, parsed.
    pub fn planned(&self) -> Value {
        let plan = self.on_manifests(&["plan", "--format", "json"]);
        assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
        serde_json::from_str(&plan.stdout).expect("plan JSON")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn emulator(&self) -> &Emulator {
        self.emulator.as_ref().expect("workspace has no emulator")
    }

    /// Writes `docs` as one manifest file (JSON is YAML), a document each.
    pub fn manifest(&self, name: &str, docs: &[Value]) -> &Workspace {
        let text: Vec<String> = docs
            .iter()
            .map(|d| serde_json::to_string_pretty(d).expect("JSON value"))
            .collect();
        self.file(name, &text.join("\n---\n"));
        self
    }

    /// Writes `text` as it is: for tests of how exact bytes are read.
    pub fn file(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().expect("file in a folder")).expect("mkdir");
        std::fs::write(&path, text).expect("write file");
        path
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        // No run of any test calls what simfleet must never call (a
        // kind's `never_called`, such as Soracom's terminate).
        let before = self.emulator.as_ref().map(Emulator::forbidden_counts);
        let run = simfleet(self.path(), args, &env);
        if let (Some(e), Some(before)) = (&self.emulator, before) {
            let after = e.forbidden_counts();
            assert_eq!(
                before, after,
                "simfleet {args:?} called what it must never call"
            );
        }
        run
    }

    /// `simfleet ARGS` ready to run inside the workspace with its
    /// environment, stdin closed; the caller chooses stdout and stderr.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(crate::support::bin());
        command
            .current_dir(self.path())
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env_remove("NO_COLOR")
            .stdin(std::process::Stdio::null());
        command
    }

    /// Starts `simfleet ARGS` in the background, output captured, for
    /// tests that signal it or run several at once.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        std::process::Command::new(crate::support::bin())
            .current_dir(self.path())
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env_remove("NO_COLOR")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start simfleet")
    }

    /// `simfleet COMMAND [ARGS] m`, on the manifests `provider`/`fleet` wrote.
    pub fn on_manifests(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.push(MANIFESTS);
        self.run(&all)
    }

    /// Every output of `runs` is free of the sandbox secrets in the env.
    pub fn assert_no_secret(&self, runs: &[&Run]) {
        for run in runs {
            for (_, secret) in &self.env {
                if secret.len() >= 12 {
                    assert!(!run.stdout.contains(secret.as_str()), "{}", run.stdout);
                    assert!(!run.stderr.contains(secret.as_str()), "{}", run.stderr);
                }
            }
        }
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

/// One manifest entry per ICCID, `fields` of its position merged in.
pub fn sims_of(iccids: &[String], fields: impl Fn(usize) -> Value) -> Value {
    let sims = iccids.iter().enumerate().map(|(i, iccid)| {
        let mut sim = json!({ "iccid": iccid });
        if let (Value::Object(sim), Value::Object(more)) = (&mut sim, fields(i)) {
            sim.extend(more);
        }
        sim
    });
    Value::Array(sims.collect())
}
