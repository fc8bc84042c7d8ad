//! The `Provider` trait, the capability table and the provider implementations.
//!
//! A provider reads live state into the normalised model and carries out the
//! changes of one phase. It must not diff, order or decide safety: those live
//! once, in `plan`. Wire specifics stay inside each provider's folder.

mod capabilities;
pub mod http;
pub mod infobip;
pub mod onomondo;

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

/// How one SIM's changes in a phase ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOutcome {
    pub iccid: Iccid,
    /// `Err` holds the provider's error text.
    pub result: Result<(), String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Http(#[from] http::HttpError),
    #[error("unexpected response from {endpoint}: {detail}")]
    Protocol { endpoint: String, detail: String },
    #[error("{kind} providers are not implemented yet")]
    NotImplemented { kind: ProviderKind },
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
    fn read_inventory(&self) -> BoxFuture<'_, Result<Inventory, ProviderError>>;

    /// Fresh live state of the given SIMs (read-back, stale-plan checks).
    /// SIMs the provider does not hold are left out.
    fn read_sims<'a>(
        &'a self,
        iccids: &'a [Iccid],
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
        kind => Err(ProviderError::NotImplemented { kind }),
    }
}
