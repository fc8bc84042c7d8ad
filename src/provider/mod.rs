//! Reading live state into the normalised model and carrying out changes.
//!
//! Each provider folder implements the narrow [`Client`] trait (list, get,
//! wire-to-model, per-SIM details, write a batch, error text); one generic
//! [`Adapter`] does the rest once (read cut-over, details fan-out,
//! concurrency, batching, HTTP settings) and presents it as a [`Provider`]
//! to plan and apply. A provider must not diff, order or decide safety:
//! those live once, in `plan`. Wire specifics stay inside its folder.

mod adapter;
mod client;
pub mod doctor;
pub mod emnify;
pub mod eseye;
pub mod follow;
pub mod http;
pub mod infobip;
pub mod listing;
pub mod onomondo;
mod outcome;
pub mod record;
pub mod registry;
pub mod soracom;
pub mod supersim;
pub mod telekom_cmo;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use adapter::Adapter;
pub use client::Client;
pub use outcome::{SimFailure, SimOutcome, Written};

use crate::config::Connection;
use crate::kind::{Operation, ProviderKind};
use crate::model::{DesiredSim, Field, Fields, Iccid, LiveSim, SimWork, Value, Vocabulary};
use crate::stop::Stop;
use crate::tally::Tally;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything a provider holds, as read at plan time.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub sims: Vec<LiveSim>,
    /// The values a provider accepts for enumerated fields (Onomondo's tag
    /// names) and which it will not remove: the plan refuses the rest.
    pub vocabulary: Vocabulary,
}

/// What a read must include beyond what list calls give. Per-SIM details
/// (Eseye attributes) cost a request per SIM, so they are read only for the
/// SIMs whose manifests manage them; the values declared for set fields
/// (Onomondo tags) tell a client whether an auxiliary list is needed.
#[derive(Debug, Clone, Default)]
pub struct ReadScope {
    pub details: BTreeSet<Iccid>,
    pub wanted: Wanted,
}

/// The values the manifests declare for each set field (tag names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted(pub BTreeMap<Field, BTreeSet<String>>);

impl Wanted {
    /// The declared values of `field`.
    pub fn of(&self, field: Field) -> impl Iterator<Item = &str> {
        self.0.get(&field).into_iter().flatten().map(String::as_str)
    }
}

impl ReadScope {
    /// Details for the SIMs of `desired` that manage a detail field of `kind`.
    pub fn new<'a>(kind: ProviderKind, desired: impl IntoIterator<Item = &'a DesiredSim>) -> Self {
        Self::of_fields(kind, desired.into_iter().map(|s| (&s.iccid, &s.fields)))
    }

    /// The same from (ICCID, desired fields) pairs.
    pub fn of_fields<'a>(
        kind: ProviderKind,
        sims: impl IntoIterator<Item = (&'a Iccid, &'a Fields)>,
    ) -> ReadScope {
        let fields = kind.capabilities().detail_fields;
        let mut scope = ReadScope::default();
        for (iccid, desired) in sims {
            if fields.iter().any(|f| desired.contains_key(f)) {
                scope.details.insert(iccid.clone());
            }
            for (field, value) in desired.iter() {
                if let Value::Set(names) = value {
                    let known = scope.wanted.0.entry(*field).or_default();
                    for name in names.iter() {
                        if !known.contains(name) {
                            known.insert(name.to_owned());
                        }
                    }
                }
            }
        }
        scope
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Http(#[from] http::HttpError),
    /// The provider refused the call, in its own words.
    #[error(transparent)]
    Refused(#[from] SimFailure),
    #[error("`{command}` is not offered by this provider")]
    Unsupported { command: &'static str },
    /// A kind in the kind table without a registered client: a build
    /// mistake the registry's test catches first.
    #[error("no client is registered for provider type `{kind}`")]
    Unregistered { kind: ProviderKind },
    #[error("SIM {iccid} is not at this provider")]
    NotFound { iccid: Iccid },
}

impl ProviderError {
    pub(crate) fn unsupported(op: Operation) -> Self {
        ProviderError::Unsupported {
            command: op.command(),
        }
    }
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

/// A connected provider as plan, apply and the imperative commands use it.
/// Only [`Adapter`] implements it.
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// Counters of this provider's requests and writes, for progress display.
    fn tally(&self) -> Arc<Tally>;

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

    /// Carries out one phase's changes; one outcome per SIM in `work`,
    /// with when its last call finished. Once the provider's breaker is
    /// open, what is left is not attempted; once `stop` is raised, what is
    /// left is interrupted: nothing more is sent either way.
    fn apply<'a>(&'a self, work: &'a [SimWork], stop: &'a Stop) -> BoxFuture<'a, Vec<Written>>;

    // Imperative operations (docs/architecture.md). Callers check
    // `Capabilities::offers` first, so a client's refusal is a safety net.

    /// Usage of the given SIMs, or of every SIM when `iccids` is empty.
    fn usage<'a>(
        &'a self,
        iccids: &'a [Iccid],
    ) -> BoxFuture<'a, Result<Vec<UsageRecord>, ProviderError>>;

    fn send_sms<'a>(
        &'a self,
        iccid: &'a Iccid,
        text: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;

    /// Starts diagnostics; returns the provider's reference for it.
    fn diagnose<'a>(&'a self, iccid: &'a Iccid) -> BoxFuture<'a, Result<String, ProviderError>>;

    /// The first-contact checks of `simfleet doctor`, read only.
    fn doctor<'a>(&'a self) -> BoxFuture<'a, Vec<doctor::Check>>;
}

/// A client for `connection`'s kind, from the registry.
pub fn connect(connection: &Connection) -> Result<Arc<dyn Provider>, ProviderError> {
    connect_recorded(connection, None)
}

/// The same, keeping every exchange in `recorder` (`doctor`).
pub fn connect_recorded(
    connection: &Connection,
    recorder: Option<Arc<http::Recorder>>,
) -> Result<Arc<dyn Provider>, ProviderError> {
    let entry = registry::client(connection.kind).ok_or(ProviderError::Unregistered {
        kind: connection.kind,
    })?;
    (entry.connect)(connection, recorder)
}
