//! What plan and apply share: load and narrow manifests, resolve credentials,
//! start sandboxes, connect providers and read their inventories.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use futures_util::future::join_all;
use simfleet::cli::Scope;
use simfleet::manifest::{self, Endpoint, Manifests};
use simfleet::plan::{self, Plan, select::selected};
use simfleet::provider::{self, Inventory, Provider, ReadScope};
use simfleet::sandbox::Sandboxes;

/// Loads manifests, printing every problem to stderr.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Manifests> {
    manifest::load(paths).map_err(|problems| {
        eprint!("{}", problems.render());
        anyhow::Error::new(problems)
    })
}

pub struct Session {
    pub manifests: Manifests,
    pub sandboxes: Sandboxes,
    pub clients: BTreeMap<String, Arc<dyn Provider>>,
    narrowed: bool,
}

pub async fn open(scope: &Scope) -> anyhow::Result<Session> {
    let mut manifests = load(&scope.paths)?;
    for name in &scope.providers {
        if !manifests.providers.contains_key(name) {
            let known: Vec<&String> = manifests.providers.keys().collect();
            bail!("--provider {name}: no such provider; known: {known:?}");
        }
    }
    let wanted = |p: &str| scope.providers.is_empty() || scope.providers.iter().any(|n| n == p);
    manifests
        .sims
        .retain(|s| wanted(&s.provider) && selected(s, &scope.select));
    let concerned: BTreeSet<String> = manifests
        .sims
        .iter()
        .map(|s| s.provider.clone())
        .chain(scope.providers.iter().cloned())
        .collect();
    let (sandboxes, clients) = connect(&manifests, &concerned).await?;
    let narrowed = !scope.select.is_empty();
    Ok(Session {
        manifests,
        sandboxes,
        clients,
        narrowed,
    })
}

/// Resolves credentials (all problems reported before any request), starts
/// the sandboxes and builds a client for each of `concerned`.
pub async fn connect(
    manifests: &Manifests,
    concerned: &BTreeSet<String>,
) -> anyhow::Result<(Sandboxes, BTreeMap<String, Arc<dyn Provider>>)> {
    let mut credentials = BTreeMap::new();
    let mut problems = Vec::new();
    for name in concerned {
        match manifest::resolve_credentials(&manifests.providers[name]) {
            Ok(c) => {
                credentials.insert(name.clone(), c);
            }
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {p}");
        }
        bail!("missing credentials; nothing was sent to any provider");
    }
    let configs = concerned.iter().map(|n| &manifests.providers[n]);
    let sandboxes = Sandboxes::start(configs, Path::new(".simfleet/sandbox")).await?;
    let mut clients = BTreeMap::new();
    for name in concerned {
        let config = &manifests.providers[name];
        let url = match &config.endpoint {
            Endpoint::Remote { url, .. } => url.clone(),
            Endpoint::Sandbox { .. } => sandboxes.url(name).unwrap_or_default(),
        };
        let client = provider::connect(config, &url, &credentials[name])
            .with_context(|| format!("provider `{name}`"))?;
        clients.insert(name.clone(), client);
    }
    Ok((sandboxes, clients))
}

impl Session {
    /// Reads every provider concurrently and builds the plan.
    pub async fn plan(&self) -> anyhow::Result<Plan> {
        let scopes: BTreeMap<&String, ReadScope> = self
            .clients
            .keys()
            .map(|name| {
                let kind = self.manifests.providers[name].kind;
                let desired = self.manifests.sims.iter().filter(|s| &s.provider == name);
                (name, ReadScope::new(kind, desired))
            })
            .collect();
        let reads = self.clients.iter().map(|(name, client)| {
            let scope = &scopes[name];
            async move { (name.clone(), client.read_inventory(scope).await) }
        });
        let mut inventories: BTreeMap<String, Inventory> = BTreeMap::new();
        for (name, result) in join_all(reads).await {
            let inventory = result.with_context(|| format!("reading provider `{name}`"))?;
            inventories.insert(name, inventory);
        }
        let mut plan = plan::build(&self.manifests, &inventories);
        if self.narrowed {
            // With --select, SIMs outside the selection are not "unmanaged".
            plan.providers.iter_mut().for_each(|p| p.unmanaged.clear());
        }
        Ok(plan)
    }
}
