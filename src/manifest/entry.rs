//! One SIM entry of a Fleet (or its `defaults`) as written, already in the
//! compact form desired state keeps: values as [`Fields`] (`null` kept as
//! [`Value::Null`], "ensure empty"), tag names shared through an
//! [`Interner`], which keys are written in a bit set (their positions are
//! found only for messages, by `locate`). Made from a SIM's keys and
//! values as soon as the parser has them (`stream`), so a file of millions
//! of SIMs never holds their node trees.
//!
//! Nothing here validates beyond decoding each value to its type, and
//! nothing written is dropped: `validate` judges entries.

use serde::de::Error as _;

use super::block;
use super::decode::{DecodeError, decode, unknown};
use super::keys::{self, SimKey};
use super::node::{Node, NodeKind, Pos};
use super::values::{map, set, text};
use crate::model::{Field, Fields, Interner, Status, Value};

/// A SIM entry, or why its node is not one.
pub type SimItem = Result<SimEntry, BadSim>;

/// Why a SIM's node is not an entry: every problem found in it.
#[derive(Debug)]
pub struct BadSim {
    /// Where the entry starts; the errors may know better.
    pub at: Pos,
    /// The entry's ICCID, if readable.
    pub iccid: Option<String>,
    pub problems: Vec<KeyProblem>,
}

/// One problem of a SIM entry.
#[derive(Debug)]
pub struct KeyProblem {
    pub error: DecodeError,
    /// The key whose value is wrong, when the error has no position of its own.
    pub key: Option<String>,
    /// The value of `key` is a number where text belongs: its message
    /// should show the number as written, which only the file still has
    /// (a parsed number may have lost digits).
    pub unquoted: bool,
}

/// A fleet's SIMs as parsed: the entries, and apart from them the nodes
/// that are not entries (so the entries need no second, filtered copy).
#[derive(Debug, Default)]
pub struct Sims {
    pub entries: Vec<SimEntry>,
    pub bad: Vec<BadSim>,
}

impl Sims {
    pub fn push(&mut self, item: SimItem) {
        match item {
            Ok(entry) => self.entries.push(entry),
            Err(bad) => self.bad.push(bad),
        }
    }
}

/// A SIM entry (or a fleet's defaults) as written.
#[derive(Debug, Clone, Default)]
pub struct SimEntry {
    pub iccid: Option<String>,
    /// The managed fields written; absent ones are not managed.
    pub fields: Fields,
    pub protect: Option<bool>,
    /// Where the entry starts: its first key.
    pub at: Pos,
    /// The keys written, one bit per [`SimKey`].
    keys: u32,
}

impl SimEntry {
    pub fn has(&self, key: SimKey) -> bool {
        self.keys & key.bit() != 0
    }
}

/// One SIM's node as an entry, or every reason it is not one. The node's
/// nested positions may be `0:0` (see `node::Flat`): errors then point at
/// the key.
pub fn sim_item(node: Node, interner: &mut Interner) -> SimItem {
    let at = node.pos;
    let NodeKind::Map(pairs) = node.kind else {
        let error = DecodeError::custom(format!(
            "expected a SIM entry (a mapping with `iccid`), found {}",
            node.kind.describe()
        ));
        let problem = KeyProblem {
            error,
            key: None,
            unquoted: false,
        };
        return Err(BadSim {
            at,
            iccid: None,
            problems: vec![problem],
        });
    };
    let iccid = pairs.iter().find_map(|(k, v)| match (&k.kind, &v.kind) {
        (NodeKind::Str(k), NodeKind::Str(v)) if k == "iccid" => Some(v.clone()),
        _ => None,
    });
    let mut entry = SimEntry {
        at,
        ..SimEntry::default()
    };
    // Every key is looked at: all of an entry's problems are said at once.
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let name = key.as_str().unwrap_or_default();
        // Values parsed without positions are reported at their key.
        let mut fix = |error: DecodeError| {
            for error in error.all() {
                let placed = error.pos.is_some_and(|p| p != Pos::default());
                let key = (!placed).then(|| name.to_owned());
                problems.push(KeyProblem {
                    error,
                    key,
                    unquoted: false,
                });
            }
        };
        let Some(sim_key) = SimKey::parse(name) else {
            let shown = key
                .as_str()
                .map_or_else(|| key.kind.describe(), str::to_owned);
            fix(DecodeError::custom(unknown(
                "field",
                &shown,
                &keys::expected(),
            )));
            continue;
        };
        if entry.has(sim_key) {
            fix(DecodeError::custom(format!("duplicate field `{name}`")));
            continue;
        }
        entry.keys |= sim_key.bit();
        if sim_key.is_text() && matches!(value.kind, NodeKind::Int(_) | NodeKind::Float(_)) {
            let message = format!("`{name}` is written as a number: quote it");
            problems.push(KeyProblem {
                error: DecodeError::custom(message),
                key: Some(name.to_owned()),
                unquoted: true,
            });
            continue;
        }
        if let Err(error) = entry.set(sim_key, value, interner) {
            fix(error);
        }
    }
    if !problems.is_empty() {
        return Err(BadSim {
            at,
            iccid,
            problems,
        });
    }
    entry.fields.shrink_to_fit();
    Ok(entry)
}

impl SimEntry {
    fn set(
        &mut self,
        key: SimKey,
        value: Node,
        interner: &mut Interner,
    ) -> Result<(), DecodeError> {
        let fields = &mut self.fields;
        match key {
            SimKey::Iccid => self.iccid = decode::<Option<String>>(&value)?,
            SimKey::Name => put(fields, Field::Name, text(value)?),
            SimKey::Status => {
                let status = decode::<Option<Status>>(&value)?;
                put(fields, Field::Status, status.map(Value::Status));
            }
            SimKey::Tags => put(fields, Field::Tags, set(&value, interner)?),
            SimKey::Package => put(fields, Field::Package, text(value)?),
            SimKey::Portfolio => put(fields, Field::Portfolio, text(value)?),
            SimKey::Attributes => put(fields, Field::Attributes, map(&value, interner)?),
            SimKey::Protect => self.protect = decode::<Option<bool>>(&value)?,
            SimKey::Block(kind) => {
                for (field, value) in block::decode(kind, value, interner)? {
                    fields.insert(field, value);
                }
            }
        }
        Ok(())
    }
}

fn put(fields: &mut Fields, field: Field, value: Option<Value>) {
    if let Some(v) = value {
        fields.insert(field, v);
    }
}
