//! [`Field`]: what a manifest manages on a SIM. The fields every provider
//! shares are variants; a provider's own fields (an IMEI lock, a speed
//! class, a data limit) are [`Field::Own`], described by a
//! [`FieldSpec`] in the provider's row of the kind table, so adding a
//! provider adds data, never a variant here.
//!
//! This module must not know any provider: it defines the shape of a field
//! table, not its rows. Reading a field's name back (saved plans) needs
//! every row, so that lives with the kind table (`kind::fields`).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};

use super::Phase;

/// A managed field. Shared fields come first, in the order plans show
/// them; a provider's own fields follow, in the order of its table.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Status,
    Name,
    Tags,
    Package,
    Portfolio,
    Attributes,
    /// A field of one provider's own block (`<kind>: {<key>: ...}`).
    Own(&'static FieldSpec),
}

/// A provider's own field, as data: how it is written in manifests, what
/// its value is, and where it goes on the wire.
#[derive(Debug)]
pub struct FieldSpec {
    /// `<block>.<key>`, as plans and saved plans name it.
    pub name: &'static str,
    /// The manifest block it is written in: the provider kind's name.
    pub block: &'static str,
    /// Its key inside the block.
    pub key: &'static str,
    /// Its place among the block's fields in plans and exports.
    pub rank: u8,
    pub shape: Shape,
    /// The provider's own name for it on the wire.
    pub wire: &'static str,
    /// The apply phase its changes run in.
    pub phase: Phase,
    /// One line for the JSON Schema and `--help` readers.
    pub doc: &'static str,
}

/// What a provider field's value is. Every shape also takes `null`
/// ("ensure empty").
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// One text.
    Text,
    /// A set of names.
    Set,
    /// Text keys to text values.
    Map,
    /// A fixed set of named parts (Onomondo's data limit).
    Record(&'static [Part]),
    /// One of these words (emnify's IMEI lock: `true` or `false`); an
    /// unquoted YAML boolean is its word.
    OneOf(&'static [&'static str]),
    /// A whole number zero or more, held as text (emnify's profile ids);
    /// an unquoted YAML integer is its digits.
    Id,
}

/// One part of a [`Shape::Record`].
#[derive(Debug)]
pub struct Part {
    pub key: &'static str,
    pub kind: PartKind,
    /// Must be given; otherwise it may be left out and reads as `null`.
    pub required: bool,
    pub doc: &'static str,
}

/// The type of a record part's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A whole number, zero or more.
    Count,
    Text,
}

impl Field {
    /// The shared fields, in plan order.
    pub const SHARED: [Field; 6] = [
        Field::Status,
        Field::Name,
        Field::Tags,
        Field::Package,
        Field::Portfolio,
        Field::Attributes,
    ];

    /// The name as written in manifests (provider blocks prefixed).
    pub fn manifest_name(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Name => "name",
            Field::Tags => "tags",
            Field::Package => "package",
            Field::Portfolio => "portfolio",
            Field::Attributes => "attributes",
            Field::Own(spec) => spec.name,
        }
    }

    /// The shared field named `name`.
    pub fn shared(name: &str) -> Option<Field> {
        Field::SHARED
            .into_iter()
            .find(|f| f.manifest_name() == name)
    }

    /// The provider's own field spec, for a field of a block.
    pub fn spec(self) -> Option<&'static FieldSpec> {
        match self {
            Field::Own(spec) => Some(spec),
            _ => None,
        }
    }

    /// Its place in plan order: shared fields by declaration, then blocks
    /// by name and their fields by rank.
    fn order(self) -> (u8, &'static str, u8) {
        match self {
            Field::Status => (0, "", 0),
            Field::Name => (1, "", 0),
            Field::Tags => (2, "", 0),
            Field::Package => (3, "", 0),
            Field::Portfolio => (4, "", 0),
            Field::Attributes => (5, "", 0),
            Field::Own(spec) => (6, spec.block, spec.rank),
        }
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Field) -> bool {
        self.manifest_name() == other.manifest_name()
    }
}

impl Eq for Field {}

impl Hash for Field {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.manifest_name().hash(state);
    }
}

impl Ord for Field {
    fn cmp(&self, other: &Field) -> Ordering {
        self.order()
            .cmp(&other.order())
            .then_with(|| self.manifest_name().cmp(other.manifest_name()))
    }
}

impl PartialOrd for Field {
    fn partial_cmp(&self, other: &Field) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By its manifest name; read back through the kind table.
impl Serialize for Field {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.manifest_name())
    }
}
