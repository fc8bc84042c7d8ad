//! The normalised model shared by manifests, providers, plan and apply.
//!
//! Every provider's live state and every manifest's desired state are expressed
//! as a map of [`Field`] to [`Value`], so that diffing is a generic operation over
//! two maps and lives in exactly one place (`plan::diff`). Provider modules must
//! translate their wire shapes into these types; they must not invent fields or
//! compare values themselves. A provider's own fields are data ([`FieldSpec`],
//! in its row of the kind table), never variants here: this layer names no
//! provider.

mod attributes;
mod delta;
mod field;
mod fields;
mod iccid;
mod names;
mod origin;
mod sim;
mod status;
mod value;
mod vocabulary;

pub use attributes::Attributes;
pub use delta::{MapDelta, SetDelta, map_delta, set_delta};
pub use field::{Field, FieldSpec, Part, PartKind, Shape};
pub use fields::Fields;
pub use iccid::{Iccid, luhn_check_digit};
pub use names::{Interner, Names};
pub use origin::{Files, Origin};
pub use sim::{Change, Condition, DesiredSim, Fleet, LiveSim, SimWork};
pub use status::{Phase, Status};
pub use value::{Record, Scalar, Value};
pub use vocabulary::Vocabulary;
