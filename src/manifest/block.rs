//! A provider's block in a SIM entry (`<kind>: {<key>: ...}`),
//! decoded from the kind's field table: each key must be one of the
//! kind's own fields, and its value has that field's shape.
//!
//! Nothing here knows a provider: a new kind's block works once its row
//! lists its fields. Like `entry`, it decodes and never judges.

use super::decode::{DecodeError, unknown};
use super::node::{Node, NodeKind};
use super::values::{self, map, set, text};
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
    decode_fields(block, kind.capabilities().fields, node, interner)
}

/// The same for a block named `block` of the own fields among `fields`.
fn decode_fields(
    block: &str,
    fields: &'static [Field],
    node: Node,
    interner: &mut Interner,
) -> Result<Vec<(Field, Value)>, DecodeError> {
    let own = || fields.iter().filter_map(|f| f.spec());
    let pairs = match node.kind {
        NodeKind::Null => return Ok(Vec::new()),
        NodeKind::Map(pairs) => pairs,
        other => {
            let message = format!("`{block}` takes a mapping, found {}", other.describe());
            return Err(DecodeError::placed(node.pos, message));
        }
    };
    let keys: Vec<&str> = own().map(|s| s.key).collect();
    let mut written: Vec<(Field, Value)> = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in pairs {
        let name = key
            .as_str()
            .map_or_else(|| key.kind.describe(), str::to_owned);
        let Some(spec) = own().find(|s| s.key == name) else {
            problems.push(DecodeError::placed(key.pos, unknown("field", &name, &keys)));
            continue;
        };
        let field = Field::Own(spec);
        if written.iter().any(|(f, _)| *f == field) {
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
            Shape::OneOf(words) => values::word(spec.name, value, words),
            Shape::Id => values::id(spec.name, value),
        };
        match decoded {
            Ok(Some(value)) => written.push((field, value)),
            Ok(None) => {}
            Err(error) => problems.extend(error.all()),
        }
    }
    let mut problems = problems.into_iter();
    match problems.next() {
        None => Ok(written),
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
    // A part written with a wrong value is wrong, not also missing.
    let written: Vec<Option<String>> = pairs
        .iter()
        .map(|(k, _)| k.as_str().map(str::to_owned))
        .collect();
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
        if !written.iter().any(|k| k.as_deref() == Some(part.key)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::testing::{LIMIT, NOTE, ROW};
    use crate::manifest::node::parse_documents;

    fn block(yaml: &str) -> Result<Vec<(Field, Value)>, Vec<String>> {
        let node = parse_documents(yaml).unwrap().remove(0);
        decode_fields("test", ROW.fields, node, &mut Interner::default()).map_err(|e| {
            e.all()
                .map(|e| format!("{}: {e}", e.pos.unwrap_or_default()))
                .collect()
        })
    }

    #[test]
    fn a_block_decodes_each_field_in_its_shape() {
        let fields = block("note: hi\nlimit: {total: 5, unit: null}\n").unwrap();
        let limit = Record::new([("total".to_owned(), Scalar::Count(5))]);
        assert_eq!(
            fields,
            vec![
                (Field::Own(&NOTE), Value::Text("hi".into())),
                (Field::Own(&LIMIT), Value::Record(Box::new(limit))),
            ]
        );
        let null = Node {
            pos: Default::default(),
            kind: NodeKind::Null,
        };
        let none = decode_fields("test", ROW.fields, null, &mut Interner::default());
        assert_eq!(none.unwrap(), vec![]);
        let nulls = block("note: null\nlimit: null\n").unwrap();
        assert!(nulls.iter().all(|(_, v)| *v == Value::Null));
    }

    #[test]
    fn every_problem_of_a_block_is_said_at_its_place() {
        let errors = block("nte: x\nlimit: {total: -1, unit: 3, extra: 1}\n").unwrap_err();
        assert_eq!(
            errors,
            vec![
                "1:1: unknown field `nte`: did you mean `note`?",
                "2:16: `limit.total`: expected a whole number of 0 or more, found integer `-1`",
                "2:26: `limit.unit`: expected a string, found integer `3`",
                "2:29: unknown field `extra`; expected `total` or `unit`",
            ]
        );
        let errors = block("limit: {unit: kb}\n").unwrap_err();
        assert_eq!(errors, vec!["1:8: `limit`: missing field `total`"]);
        let errors = block("[note]").unwrap_err();
        assert_eq!(errors, vec!["1:1: `test` takes a mapping, found a list"]);
    }
}
