//! [`Status`]: the normalised SIM status every provider maps its own to
//! (docs/providers.md), and [`Phase`]: the order apply carries changes out in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Field, Value};

/// Normalised SIM status (docs/providers.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Inactive => "inactive",
        }
    }
}

/// Apply phases, in execution order (docs/architecture.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// To active, unsuspend.
    Enable,
    /// Everything that is not a status change.
    Configure,
    /// To suspended or inactive.
    Restrict,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Enable, Phase::Configure, Phase::Restrict];

    /// The phase a change to `field` with target `after` belongs to.
    pub fn of(field: Field, after: &Value) -> Phase {
        match (field, after) {
            (Field::Status, Value::Status(Status::Active)) => Phase::Enable,
            (Field::Status, _) => Phase::Restrict,
            (Field::Own(spec), _) => spec.phase,
            _ => Phase::Configure,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Enable => "enable",
            Phase::Configure => "configure",
            Phase::Restrict => "restrict",
        }
    }
}
