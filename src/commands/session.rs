//! What plan, apply and the imperative commands share at the edge: load
//! manifests (printing every problem), start sandboxes, resolve credentials
//! and connect providers. The planning itself is the library's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use simfleet::config::ProviderConfig;
use simfleet::emulator::sandbox::Sandboxes;
use simfleet::manifest::{self, Manifests};
use simfleet::plan::{self, Plan, Selection};
use simfleet::provider::{self, Provider};
use simfleet::render::progress::{self, Stage, Watch};
use simfleet::stop::Stop;
use simfleet::text::{inert, inert_lines};
use simfleet::trust::Trust;

use super::Ui;
use super::output::{err, errln};
use super::signals::{Interrupted, reading};
use simfleet::cli::Scope;

/// Loads manifests, printing every problem to stderr.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Manifests> {
    let manifests = manifest::load(paths).map_err(|problems| {
        // Keys and values quoted in problems came from the manifests.
        err!("{}", inert_lines(&problems.render()));
        anyhow::Error::new(problems)
    })?;
    for warning in &manifests.warnings {
        errln!("warning: {}", inert(&warning.to_string()));
    }
    Ok(manifests)
}

/// Providers connected for one run, with the sandboxes serving some of them.
pub struct Connected {
    pub sandboxes: Sandboxes,
    pub clients: BTreeMap<String, Arc<dyn Provider>>,
}

/// The configurations of the `concerned` providers.
pub fn configs<'a>(
    manifests: &'a Manifests,
    concerned: &BTreeSet<String>,
) -> Vec<&'a ProviderConfig> {
    concerned
        .iter()
        .filter_map(|n| manifests.providers.get(n))
        .collect()
}

/// Resolves credentials (all problems reported before any request), starts
/// the sandboxes and connects each of `configs`.
pub async fn connect(configs: Vec<&ProviderConfig>, trust: &Trust) -> anyhow::Result<Connected> {
    let sandboxes =
        Sandboxes::start(configs.iter().copied(), Path::new(".simfleet/sandbox")).await?;
    let mut connections = Vec::new();
    let mut problems = Vec::new();
    for config in &configs {
        match config.connect(sandboxes.url(&config.name).as_deref(), trust) {
            Ok(c) => connections.push(c),
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            errln!("error: {}", inert(&p.to_string()));
        }
        sandboxes.stop(false).await?;
        bail!("provider configuration refused; nothing was sent to any provider");
    }
    let mut clients = BTreeMap::new();
    for connection in &connections {
        let name = &connection.provider;
        let client = provider::connect(connection).with_context(|| format!("provider `{name}`"))?;
        clients.insert(name.clone(), client);
    }
    Ok(Connected { sandboxes, clients })
}

impl Connected {
    /// Shows the progress of `stage` over every connected provider until
    /// the returned watch is finished.
    pub fn watch(&self, ui: Ui, stage: Stage) -> Watch {
        let tallies = self
            .clients
            .iter()
            .map(|(name, client)| (name.clone(), client.tally()))
            .collect();
        progress::watch(ui.progress, stage, tallies)
    }
}

/// A narrowed, connected run of plan or apply.
pub struct Session {
    pub manifests: Manifests,
    pub selection: Selection,
    pub connected: Connected,
}

pub async fn open(scope: &Scope, trust: &Trust) -> anyhow::Result<Session> {
    let selection = Selection {
        providers: scope.providers.clone(),
        select: scope.select.clone(),
    };
    let manifests = selection.narrow(load(&scope.paths)?)?;
    let connected = connect(configs(&manifests, &selection.concerned(&manifests)), trust).await?;
    Ok(Session {
        manifests,
        selection,
        connected,
    })
}

impl Session {
    /// Reads every provider and plans; a provider that cannot be read is
    /// said here and stays in the plan with its error. A `stop` raised
    /// while reading ends the run: nothing was written.
    pub async fn plan(&self, ui: Ui, stop: &Stop) -> Result<Plan, Interrupted> {
        let watch = self.connected.watch(ui, Stage::Reading);
        let clients = &self.connected.clients;
        let read = plan::read_and_plan(&self.manifests, &self.selection, clients, stop);
        let plan = reading(read, watch).await?;
        for p in &plan.providers {
            if let Some(error) = &p.unreadable {
                errln!("error: cannot read provider `{}`: {}", p.name, inert(error));
            }
        }
        Ok(plan)
    }
}
