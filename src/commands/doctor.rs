//! `simfleet doctor`: the first contact with real accounts, read only.
//! Per provider: the credentials resolve, then the provider's own checks
//! (token, first list page, one SIM, auxiliary lists), one line each with
//! the URL and HTTP status of the request that decided it; `--record` saves every
//! answer, redacted. Nothing is written to any provider.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use simfleet::config::{CredentialSource, Endpoint, ProviderConfig};
use simfleet::emulator::sandbox::Sandboxes;
use simfleet::provider::doctor::{Check, Outcome};
use simfleet::provider::http::Recorder;
use simfleet::recording::{self, Recording};
use simfleet::trust::Trust;

use super::Ui;
use super::output::{errln, outln};
use simfleet::cli::DoctorArgs;

pub async fn run(args: DoctorArgs, ui: Ui, trust: &Trust) -> anyhow::Result<u8> {
    if let Some(dir) = &args.record
        && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
    {
        bail!(
            "--record {}: the folder is not empty; give a new one, so the recording holds \
             only this run's answers",
            dir.display()
        );
    }
    let manifests = super::session::load(&args.paths)?;
    for name in &args.providers {
        manifests.provider(name).context("--provider")?;
    }
    let configs: Vec<&ProviderConfig> = manifests
        .providers
        .values()
        .filter(|c| args.providers.is_empty() || args.providers.contains(&c.name))
        .collect();
    if configs.is_empty() {
        bail!("the manifests declare no provider to check");
    }
    let sandboxes =
        Sandboxes::start(configs.iter().copied(), Path::new(".simfleet/sandbox")).await?;
    let width = configs.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut lines = Lines {
        width,
        passed: 0,
        failed: 0,
    };
    let mut recordings = Vec::new();
    for config in &configs {
        let connection = match config.connect(sandboxes.url(&config.name).as_deref(), trust) {
            Ok(connection) => connection,
            Err(problems) => {
                let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
                lines.print(&config.name, "credentials", false, &said.join("; "))?;
                continue;
            }
        };
        lines.print(&config.name, "credentials", true, &sources(config))?;
        let recorder = Arc::new(Recorder::default());
        let provider = match simfleet::provider::connect_recorded(&connection, Some(recorder)) {
            Ok(provider) => provider,
            Err(e) => {
                lines.print(&config.name, "connect", false, &e.to_string())?;
                continue;
            }
        };
        for check in provider.doctor().await {
            lines.check(&config.name, &check)?;
            recordings.extend(check.exchanges.iter().map(|exchange| Recording {
                provider: config.name.clone(),
                kind: config.kind,
                check: check.name.to_owned(),
                exchange: exchange.clone(),
            }));
        }
    }
    sandboxes.stop(false).await?;
    if let Some(dir) = &args.record {
        let written = recording::save(dir, &recordings)
            .with_context(|| format!("cannot record into {}", dir.display()))?;
        if !ui.quiet {
            errln!(
                "Saved {} answers under {} (credentials and tokens blanked out).",
                written.len(),
                dir.display()
            );
        }
    }
    let total = lines.passed + lines.failed;
    if lines.failed == 0 {
        outln!("doctor: all {total} checks passed.")?;
        Ok(0)
    } else {
        outln!("doctor: {} of {total} checks failed.", lines.failed)?;
        Ok(1)
    }
}

/// Where each credential comes from: names, never values.
fn sources(config: &ProviderConfig) -> String {
    match &config.endpoint {
        Endpoint::Sandbox { .. } => "the sandbox's own (built-in emulator)".into(),
        Endpoint::Remote { credentials, .. } => {
            let each: Vec<String> = credentials
                .iter()
                .map(|(key, source)| match source {
                    CredentialSource::Env(var) => format!("`{key}` from env {var}"),
                    CredentialSource::File(path) => format!("`{key}` from {}", path.display()),
                })
                .collect();
            format!("{} resolve", each.join(", "))
        }
    }
}

/// The check lines, aligned, and their count.
struct Lines {
    width: usize,
    passed: usize,
    failed: usize,
}

impl Lines {
    fn print(&mut self, provider: &str, check: &str, ok: bool, said: &str) -> anyhow::Result<()> {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        let mark = if ok { "ok" } else { "FAIL" };
        let width = self.width;
        outln!("{mark:<4}  {provider:<width$}  {check:<11}  {said}")
    }

    fn check(&mut self, provider: &str, check: &Check) -> anyhow::Result<()> {
        // The request that decided it: a failure's last one; a pass's
        // first, the one the check is about (a list check may go on to read
        // the groups or Fleets its SIMs name).
        let decided = match check.outcome {
            Outcome::Passed(_) => check.exchanges.first(),
            _ => check.exchanges.last(),
        };
        let request = decided.map(|e| match e.status {
            Some(status) => format!("{} {} -> {status}", e.method, e.url),
            None => format!("{} {} -> no answer", e.method, e.url),
        });
        let with = |text: &str| match (&request, decided) {
            // An error that names the URL itself says it once.
            (Some(_), Some(e)) if text.contains(&e.url) => text.to_owned(),
            (Some(request), _) => format!("{request}: {text}"),
            (None, _) => text.to_owned(),
        };
        match &check.outcome {
            Outcome::Passed(said) => self.print(provider, check.name, true, &with(said)),
            Outcome::Failed(said) => self.print(provider, check.name, false, &with(said)),
            Outcome::Skipped(why) => {
                let width = self.width;
                outln!("skip  {provider:<width$}  {:<11}  {why}", check.name)
            }
        }
    }
}
