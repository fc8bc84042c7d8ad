//! A provider's block in a SIM entry (`onomondo: {imei_lock: ...}`),
//! decoded from the kind's field table: each key must be one of the
//! kind's own fields, and its value has that field's shape.
//!
//! Nothing here knows a provider: a new kind's block works once its row
//! lists its fields. Like `entry`, it decodes and never judges.

use super::decode::{DecodeError, unknown};
use super::entry::{map, set, text};
use super::node::{Node, NodeKind};
use crate::kind::ProviderKind;
use crate::model::{Field, Interner, Part, PartKind, Record, Scalar, Shape, Value};

/// The fields written in `kind`'s block; `null` manages none. Every
/// problem of the block is said at once.
pub fn decode(
    kind: ProviderKind,
    node: Node,
    interner: &mut Interner,
) -> Result<Vec<(Field, Value)>, DecodeError> {
    let block = kind.block().unwrap_or(kind.as_str());
    let pairs = match node.kind {
        NodeKind::Null => return Ok(Vec::new()),
        NodeKind::Map(pairs) => pairs,
        other => {
            let message = format!("`{block}` takes a mapping, found {}", other.describe());
            return Err(DecodeError::placed(node.pos, message));
        }
    };
    let keys: Vec<&str> = kind.own_fields().map(|s| s.key).collect();
    let mut fields: Vec<(Field, Value)> = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let name = key
            .as_str()
            .map_or_else(|| key.kind.describe(), str::to_owned);
        let Some(spec) = kind.own_fields().find(|s| s.key == name) else {
            problems.push(DecodeError::placed(key.pos, unknown("field", &name, &keys)));
            continue;
        };
        let field = Field::Own(spec);
        if fields.iter().any(|(f, _)| *f == field) {
            problems.push(DecodeError::placed(
                key.pos,
                format!("duplicate field `{name}`"),
            ));
            continue;
        }
        let decoded = match spec.shape {
            Shape::Text => text(value),
            Shape::Set => set(&value, interner),
            Shape::Map => map(&value, interner),
            Shape::Record(parts) => record(&name, value, parts).map(Some),
        };
        match decoded {
            Ok(Some(value)) => fields.push((field, value)),
            Ok(None) => {}
            Err(error) => problems.push(error),
        }
    }
    let mut problems = problems.into_iter();
    match problems.next() {
        None => Ok(fields),
        Some(first) => Err(first.with_more(problems.collect())),
    }
}

/// A record of `parts`; `null` is the empty value.
fn record(name: &str, node: Node, parts: &'static [Part]) -> Result<Value, DecodeError> {
    let pairs = match node.kind {
        NodeKind::Null => return Ok(Value::Null),
        NodeKind::Map(pairs) => pairs,
        other => {
            let message = format!("`{name}` takes a mapping, found {}", other.describe());
            return Err(DecodeError::placed(node.pos, message));
        }
    };
    let keys: Vec<&str> = parts.iter().map(|p| p.key).collect();
    let mut given = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let part_name = key
            .as_str()
            .map_or_else(|| key.kind.describe(), str::to_owned);
        let Some(part) = parts.iter().find(|p| p.key == part_name) else {
            problems.push(DecodeError::placed(
                key.pos,
                unknown("field", &part_name, &keys),
            ));
            continue;
        };
        let scalar = match (value.kind, part.kind) {
            (NodeKind::Null, _) if !part.required => Scalar::Null,
            (NodeKind::Str(s), PartKind::Text) => Scalar::Text(s),
            (NodeKind::Int(n), PartKind::Count) if let Ok(n) = u64::try_from(n) => Scalar::Count(n),
            (other, kind) => {
                let wanted = match kind {
                    PartKind::Count => "a whole number of 0 or more",
                    PartKind::Text => "a string",
                };
                let message = format!(
                    "`{name}.{part_name}`: expected {wanted}, found {}",
                    other.describe()
                );
                problems.push(DecodeError::placed(value.pos, message));
                continue;
            }
        };
        given.push((part_name, scalar));
    }
    for part in parts.iter().filter(|p| p.required) {
        if !given.iter().any(|(k, _)| k == part.key) {
            let message = format!("`{name}`: missing field `{}`", part.key);
            problems.push(DecodeError::placed(node.pos, message));
        }
    }
    let mut problems = problems.into_iter();
    match problems.next() {
        None => Ok(Value::Record(Box::new(Record::new(given)))),
        Some(first) => Err(first.with_more(problems.collect())),
    }
}
