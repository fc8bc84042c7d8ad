//! The `Provider` trait, the capability table and the provider implementations.
//!
//! A provider reads live state into the normalised model and carries out the
//! changes of one phase. It must not diff, order or decide safety: those live
//! once, in `plan`. Wire specifics stay inside each provider's folder.

mod capabilities;
pub mod eseye;
pub mod http;
pub mod infobip;
pub mod onomondo;
mod pick;
pub mod telekom_cmo;
pub mod token;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use capabilities::{Capabilities, Operation, ProviderKind, Setting};

use crate::manifest::{Endpoint, ProviderConfig};
use crate::model::{Field, Iccid, LiveSim, Phase, SimWork};
use crate::secret::Secret;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything a provider holds, as read at plan time.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub sims: Vec<LiveSim>,
    /// The values a provider accepts for enumerated fields (Onomondo's tag
    /// names): the plan refuses desired values outside them.
    pub vocabulary: BTreeMap<Field, BTreeSet<String>>,
}

/// What a read must include beyond what list calls give. Per-SIM details
/// (Eseye attributes) cost a request per SIM, so they are read only for the
/// SIMs whose manifests manage them.
#[derive(Debug, Clone, Default)]
pub struct ReadScope {
    pub details: BTreeSet<Iccid>,
}

impl ReadScope {
    /// Details for the SIMs of `desired` that manage a detail field of `kind`.
    pub fn new<'a>(
        kind: ProviderKind,
        desired: impl IntoIterator<Item = &'a crate::model::DesiredSim>,
    ) -> ReadScope {
        let fields = kind.capabilities().detail_fields;
        let details = desired
            .into_iter()
            .filter(|s| fields.iter().any(|f| s.fields.contains_key(f)))
            .map(|s| s.iccid.clone())
            .collect();
        ReadScope { details }
    }
}

/// How one SIM's changes in a phase ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOutcome {
    pub iccid: Iccid,
    /// `Err` holds the provider's error text.
    pub result: Result<(), String>,
    /// How it completed, when that is worth reporting (e.g. "after monitor M").
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Http(#[from] http::HttpError),
    #[error("unexpected response from {endpoint}: {detail}")]
    Protocol { endpoint: String, detail: String },
    #[error("`{command}` is not offered by this provider")]
    Unsupported { command: &'static str },
    #[error("SIM {iccid} is not at this provider")]
    NotFound { iccid: Iccid },
}

/// Current-period usage of one SIM; `None` where the provider reports none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsageRecord {
    pub iccid: Iccid,
    pub data_bytes: Option<u64>,
    pub sms_sent: Option<u64>,
    pub sms_received: Option<u64>,
    pub calls_sent: Option<u64>,
    pub calls_received: Option<u64>,
}

fn unsupported<'a, T: Send + 'a>(operation: Operation) -> BoxFuture<'a, Result<T, ProviderError>> {
    Box::pin(async move {
        Err(ProviderError::Unsupported {
            command: operation.command(),
        })
    })
}

pub trait Provider: Send + Sync {
    /// Every SIM at the provider, plus the vocabulary of enumerated fields.
    fn read_inventory<'a>(
        &'a self,
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Inventory, ProviderError>>;

    /// Fresh live state of the given SIMs (read-back, stale-plan checks).
    /// SIMs the provider does not hold are left out.
    fn read_sims<'a>(
        &'a self,
        iccids: &'a [Iccid],
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Vec<LiveSim>, ProviderError>>;

    /// Carries out one phase's changes; one outcome per SIM in `work`.
    fn apply<'a>(&'a self, phase: Phase, work: &'a [SimWork]) -> BoxFuture<'a, Vec<SimOutcome>>;

    // Imperative operations (DESIGN.md 5). Callers check `Capabilities::offers`
    // first, so the defaults are a safety net, never a user-facing path.

    /// Usage of the given SIMs, or of every SIM when `iccids` is empty.
    fn usage<'a>(
        &'a self,
        _iccids: &'a [Iccid],
    ) -> BoxFuture<'a, Result<Vec<UsageRecord>, ProviderError>> {
        unsupported(Operation::Usage)
    }

    fn send_sms<'a>(
        &'a self,
        _iccid: &'a Iccid,
        _text: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        unsupported(Operation::Sms)
    }

    /// Starts diagnostics; returns the provider's reference for it.
    fn diagnose<'a>(&'a self, _iccid: &'a Iccid) -> BoxFuture<'a, Result<String, ProviderError>> {
        unsupported(Operation::Diagnose)
    }
}

/// `client_id` and `client_secret`; a sandbox's defaults when not given.
fn client_credentials(credentials: &BTreeMap<String, Secret>, sandbox: bool) -> (Secret, Secret) {
    let get = |key: &str, sandbox_value: &str| match credentials.get(key) {
        Some(s) => s.clone(),
        None if sandbox => Secret::new(sandbox_value),
        None => Secret::new(""),
    };
    (
        get("client_id", "simfleet"),
        get("client_secret", crate::emulator::SANDBOX_KEY),
    )
}

/// Builds the client for a provider. `base_url` replaces the configured URL
/// (sandboxes are served on a loopback port chosen at run time).
pub fn connect(
    config: &ProviderConfig,
    base_url: &str,
    credentials: &BTreeMap<String, Secret>,
) -> Result<Arc<dyn Provider>, ProviderError> {
    let sandbox = matches!(config.endpoint, Endpoint::Sandbox { .. });
    match config.kind {
        ProviderKind::Onomondo => {
            let token = match credentials.get("token") {
                Some(t) => t.clone(),
                None if sandbox => Secret::new(crate::emulator::SANDBOX_KEY),
                None => Secret::new(""),
            };
            let client = onomondo::Onomondo::new(config, base_url, token)?;
            Ok(Arc::new(client))
        }
        ProviderKind::Infobip => {
            let auth = match (
                credentials.get("username"),
                credentials.get("password"),
                credentials.get("api_key"),
            ) {
                (Some(user), Some(password), _) => infobip::Auth::Basic {
                    username: user.clone(),
                    password: password.clone(),
                },
                (_, _, Some(key)) => infobip::Auth::ApiKey(key.clone()),
                _ if sandbox => infobip::Auth::ApiKey(Secret::new(crate::emulator::SANDBOX_KEY)),
                _ => infobip::Auth::ApiKey(Secret::new("")),
            };
            Ok(Arc::new(infobip::Infobip::new(config, base_url, &auth)?))
        }
        ProviderKind::Eseye => {
            let (id, secret) = client_credentials(credentials, sandbox);
            Ok(Arc::new(eseye::Eseye::new(config, base_url, &id, &secret)?))
        }
        ProviderKind::TelekomCmo => {
            let (id, secret) = client_credentials(credentials, sandbox);
            // A sandbox serves the tenant `sandbox` and its token endpoint
            // next to the API.
            let tenant = config.tenant.clone().unwrap_or_else(|| "sandbox".into());
            let token_url = match &config.token_url {
                Some(url) => url.clone(),
                None => format!("{}/token", base_url.trim_end_matches('/')),
            };
            let client =
                telekom_cmo::TelekomCmo::new(config, base_url, &tenant, &token_url, &id, &secret)?;
            Ok(Arc::new(client))
        }
    }
}
