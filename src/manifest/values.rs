//! One written value decoded to its model type: text, a set of names, a
//! map, each `null`-aware ("ensure empty") and sharing names through the
//! run's interner. Entries and provider blocks both decode through here;
//! nothing here judges a value beyond its type (a word from a fixed list
//! and an id are types of their own).

use std::collections::BTreeMap;

use super::decode::{DecodeError, decode};
use super::node::{Node, NodeKind};
use super::types::Tri;
use crate::model::{Attributes, Interner, Names, Value};

/// A written set of names, shared through `interner`.
pub(super) fn set(node: &Node, interner: &mut Interner) -> Result<Option<Value>, DecodeError> {
    let list = decode::<Tri<Vec<String>>>(node)?;
    Ok(tri(list, |list| {
        Value::Set(Names::from_shared(
            list.iter().map(|t| interner.intern(t)).collect(),
        ))
    }))
}

/// A written map of text to text, shared through `interner`.
pub(super) fn map(node: &Node, interner: &mut Interner) -> Result<Option<Value>, DecodeError> {
    let map = decode::<Tri<BTreeMap<String, String>>>(node)?;
    Ok(tri(map, |pairs| {
        Value::Map(Attributes::from_shared(
            pairs
                .iter()
                .map(|(k, v)| (interner.intern(k), interner.intern(v)))
                .collect(),
        ))
    }))
}

/// A written text: the common case without the typed decoder's detour.
pub(super) fn text(node: Node) -> Result<Option<Value>, DecodeError> {
    match node.kind {
        NodeKind::Str(s) => Ok(Some(Value::Text(s))),
        NodeKind::Null => Ok(Some(Value::Null)),
        _ => decode::<Tri<String>>(&node).map(|t| tri(t, Value::Text)),
    }
}

/// A written text that must be one of `words`: a YAML boolean is its word.
pub(super) fn word(name: &str, node: Node, words: &[&str]) -> Result<Option<Value>, DecodeError> {
    let pos = node.pos;
    let written = match node.kind {
        NodeKind::Bool(b) => Some(Value::Text(b.to_string())),
        _ => text(node)?,
    };
    match &written {
        Some(Value::Text(t)) if !words.contains(&t.as_str()) => {
            let words: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
            let message = format!(
                "`{name}` is one of {}, not `{}`",
                words.join(", "),
                crate::text::inert(t)
            );
            Err(DecodeError::placed(pos, message))
        }
        _ => Ok(written),
    }
}

/// A written id: digits, or a YAML integer zero or more.
pub(super) fn id(name: &str, node: Node) -> Result<Option<Value>, DecodeError> {
    let pos = node.pos;
    let written = match node.kind {
        NodeKind::Int(n) if n >= 0 => Some(Value::Text(n.to_string())),
        _ => text(node)?,
    };
    match &written {
        Some(Value::Text(t)) if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) => {
            let message = format!(
                "`{name}` is an id, a whole number, not `{}`",
                crate::text::inert(t)
            );
            Err(DecodeError::placed(pos, message))
        }
        _ => Ok(written),
    }
}

pub(super) fn tri<T>(value: Tri<T>, set: impl FnOnce(T) -> Value) -> Option<Value> {
    match value {
        Tri::Absent => None,
        Tri::Null => Some(Value::Null),
        Tri::Set(v) => Some(set(v)),
    }
}
