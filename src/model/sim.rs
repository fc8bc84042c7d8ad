//! One SIM as the run holds it: desired ([`DesiredSim`], with its
//! [`Fleet`]), live ([`LiveSim`], with a [`Condition`]), and the changes
//! between them ([`Change`], [`SimWork`]). Plain data: no behaviour that
//! depends on a provider lives here.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Field, Fields, Iccid, Origin, Phase, Value};

/// Desired state of one SIM after defaults are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSim {
    pub iccid: Iccid,
    /// The provider name from the Providers document.
    pub provider: Arc<str>,
    pub fields: Fields,
    /// Plan refuses to suspend or deactivate this SIM.
    pub protect: bool,
    /// Where the SIM entry is written, for messages (see [`Files::show`]).
    pub origin: Origin,
    /// Its fleet: an index into the run's [`Fleet`] list.
    pub fleet: u32,
}

/// A Fleet document: its name and the defaults its SIMs share, so that a
/// problem of a default is said once, where it is written.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub name: Arc<str>,
    /// Where `defaults` is written, when the fleet has any.
    pub defaults_at: Option<Origin>,
    /// The defaults as written (before any SIM's own values).
    pub defaults: Fields,
}

/// A live state that simfleet must not try to change (docs/providers.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Condition {
    /// Converging toward active by itself: no action, shown as in progress.
    InProgress(String),
    /// A provider state the customer cannot change: reported, never "fixed".
    Locked(String),
}

/// Live state of one SIM as read from its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LiveSim {
    pub iccid: Iccid,
    /// The provider's own identifier (Onomondo's 9-digit SIM id, CMO's product id).
    pub id: String,
    pub fields: Fields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// The SIM's other ICCIDs, where one SIM holds several (Soracom's
    /// profiles): a manifest may name it by any of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Iccid>,
}

impl LiveSim {
    /// Every ICCID the SIM answers to: its own, then its aliases.
    pub fn iccids(&self) -> impl Iterator<Item = &Iccid> {
        std::iter::once(&self.iccid).chain(&self.aliases)
    }

    /// The same SIM under `iccid`, one of its aliases (its own ICCID joins
    /// the aliases), so that code keyed by the ICCID a manifest or a
    /// caller gives finds it; unchanged when `iccid` is its own or none of
    /// its ICCIDs.
    pub fn known_as(mut self, iccid: &Iccid) -> LiveSim {
        if let Some(i) = self.aliases.iter().position(|a| a == iccid) {
            std::mem::swap(&mut self.iccid, &mut self.aliases[i]);
            self.aliases.sort();
        }
        self
    }
}

/// One field of one SIM moving from its live value to its desired value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    pub field: Field,
    pub phase: Phase,
    pub before: Value,
    pub after: Value,
    /// Set when the provider's rules added this change on the way to the
    /// desired state (e.g. unsuspend before a package change); says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

#[cfg(test)]
impl Change {
    /// A change of `field` from nothing to `after`, in the phase the plan
    /// gives it: the change the clients' mapping tests hand their writers.
    pub fn to(field: Field, after: Value) -> Change {
        Change {
            field,
            phase: Phase::of(field, &after),
            before: Value::Null,
            after,
            step: None,
        }
    }
}

/// The changes of one SIM that one provider call set carries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimWork {
    pub iccid: Iccid,
    /// The provider's identifier for the SIM.
    pub id: String,
    pub changes: Vec<Change>,
}
