//! Typed decoding from a [`Node`] tree through serde, with positions.
//!
//! Manifest structs derive `Deserialize` (and `JsonSchema`, so the schema and the
//! decoder share one definition). Decoding one SIM entry at a time from its node
//! lets validation continue past a bad entry; the error carries the position of
//! the innermost node that failed. This deserializer is strict on purpose: it
//! never coerces a number into a string, so an unquoted ICCID cannot silently
//! lose digits.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};

use super::node::{Node, NodeKind, Pos};

#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub pos: Option<Pos>,
    pub message: String,
    /// Problems found along with this one: the other unknown keys of the
    /// same mapping, each at its own key.
    pub more: Vec<DecodeError>,
    /// On an unknown key, the keys its mapping takes, until that mapping
    /// has looked for the other unknown keys (`deserialize_struct`).
    unknown_among: Option<&'static [&'static str]>,
}

impl DecodeError {
    fn new(pos: Option<Pos>, message: String) -> Self {
        DecodeError {
            pos,
            message,
            more: Vec::new(),
            unknown_among: None,
        }
    }

    /// A problem at `pos`.
    pub fn placed(pos: Pos, message: String) -> Self {
        DecodeError::new(Some(pos), message)
    }

    /// This problem, followed by `more`.
    pub fn with_more(mut self, more: Vec<DecodeError>) -> Self {
        self.more.extend(more);
        self
    }

    fn at(mut self, pos: Pos) -> Self {
        self.pos.get_or_insert(pos);
        self
    }

    /// This problem and those found with it.
    pub fn all(self) -> impl Iterator<Item = DecodeError> {
        let more = self.more.clone();
        std::iter::once(DecodeError {
            more: Vec::new(),
            ..self
        })
        .chain(more)
    }
}

/// "unknown field `nmae`: did you mean `name`?", or the keys it may be
/// when none is close; for SIM entries and every typed mapping alike.
pub fn unknown(what: &str, found: &str, expected: &[&str]) -> String {
    if let Some(close) = crate::wording::closest(found, expected) {
        return format!("unknown {what} `{found}`: did you mean `{close}`?");
    }
    let quoted: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
    if quoted.is_empty() {
        return format!("unknown {what} `{found}`: none is expected here");
    }
    format!(
        "unknown {what} `{found}`; expected {}",
        crate::wording::words(&quoted, "or")
    )
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError::new(None, msg.to_string())
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DecodeError {
            unknown_among: Some(expected),
            ..DecodeError::new(None, unknown("field", field, expected))
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DecodeError::new(None, unknown("value", variant, expected))
    }

    fn invalid_value(unexpected: de::Unexpected, expected: &dyn de::Expected) -> Self {
        let wanted = expected.to_string();
        let message = match (unexpected, plain_type(&wanted)) {
            (de::Unexpected::Signed(n), Some(plain)) => {
                format!("{n} is out of range: expected {plain}")
            }
            (de::Unexpected::Unsigned(n), Some(plain)) => {
                format!("{n} is out of range: expected {plain}")
            }
            (_, plain) => format!(
                "invalid value: {unexpected}, expected {}",
                plain.unwrap_or(&wanted)
            ),
        };
        DecodeError::new(None, message)
    }

    fn invalid_type(unexpected: de::Unexpected, expected: &dyn de::Expected) -> Self {
        let wanted = expected.to_string();
        let message = format!(
            "expected {}, found {unexpected}",
            plain_type(&wanted).unwrap_or(&wanted)
        );
        DecodeError::new(None, message)
    }
}

/// Rust's number type names in words a manifest author knows.
fn plain_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "usize" => "a whole number of 0 or more",
        "i32" | "i64" => "a whole number",
        "f32" | "f64" => "a number",
        _ => return None,
    })
}

/// Decodes `T` from `node`; errors point at the offending node.
pub fn decode<T: DeserializeOwned>(node: &Node) -> Result<T, DecodeError> {
    T::deserialize(node).map_err(|e| e.at(node.pos))
}

fn type_error(node: &Node, expected: &str) -> DecodeError {
    let hint = match (&node.kind, expected) {
        (NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_), "a string") => {
            "; quote it, e.g. \"...\""
        }
        _ => "",
    };
    let message = format!("expected {expected}, found {}{hint}", node.kind.describe());
    DecodeError::new(Some(node.pos), message)
}

impl Node {
    /// `error` and, when it is about an unknown key of this mapping, every
    /// other unknown key of it too: all are said at once, each at its key.
    fn every_unknown_key(&self, mut error: DecodeError) -> DecodeError {
        let (Some(expected), NodeKind::Map(entries)) = (error.unknown_among.take(), &self.kind)
        else {
            return error;
        };
        let mut found = entries.iter().filter_map(|(key, _)| {
            let name = key.as_str()?;
            let message = unknown("field", name, expected);
            (!expected.contains(&name)).then(|| DecodeError::new(Some(key.pos), message))
        });
        match found.next() {
            Some(first) => DecodeError {
                more: found.collect(),
                ..first
            },
            None => error,
        }
    }
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            self.deserialize_any(visitor)
        })*
    };
}

impl<'de> Deserializer<'de> for &'de Node {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match &self.kind {
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Bool(b) => visitor.visit_bool(*b),
            NodeKind::Int(i) => match i64::try_from(*i) {
                Ok(v) => visitor.visit_i64(v),
                Err(_) => visitor.visit_i128(*i),
            },
            NodeKind::Float(x) => visitor.visit_f64(*x),
            NodeKind::Str(s) => visitor.visit_str(s),
            NodeKind::Seq(items) => visitor.visit_seq(Items { iter: items.iter() }),
            NodeKind::Map(entries) => visitor.visit_map(Entries {
                iter: entries.iter(),
                value: None,
            }),
        };
        result.map_err(|e| e.at(self.pos))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.kind {
            NodeKind::Str(s) => visitor
                .visit_str(s)
                .map_err(|e: DecodeError| e.at(self.pos)),
            _ => Err(type_error(self, "a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.kind {
            NodeKind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.kind {
            NodeKind::Seq(_) => self.deserialize_any(visitor),
            _ => Err(type_error(self, "a list")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.kind {
            NodeKind::Map(_) => self.deserialize_any(visitor),
            _ => Err(type_error(self, "a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
            .map_err(|e| self.every_unknown_key(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match &self.kind {
            NodeKind::Str(s) => visitor
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: DecodeError| e.at(self.pos)),
            _ => Err(type_error(self, "a string")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_any! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }
}

struct Items<'de> {
    iter: std::slice::Iter<'de, Node>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        match self.iter.next() {
            Some(node) => seed.deserialize(node).map(Some).map_err(|e| e.at(node.pos)),
            None => Ok(None),
        }
    }
}

struct Entries<'de> {
    iter: std::slice::Iter<'de, (Node, Node)>,
    value: Option<&'de Node>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key).map(Some).map_err(|e| e.at(key.pos))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        match self.value.take() {
            Some(node) => seed.deserialize(node).map_err(|e| e.at(node.pos)),
            None => Err(de::Error::custom("value requested before key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::parse_documents;
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: Option<u32>,
    }

    fn first(text: &str) -> Node {
        parse_documents(text).unwrap().remove(0)
    }

    #[test]
    fn unknown_field_points_at_key() {
        let err = decode::<Sample>(&first("name: a\n  \nnmae: b\n")).unwrap_err();
        assert_eq!(err.pos, Some(Pos { line: 3, column: 1 }));
        assert!(
            err.message.contains("unknown field `nmae`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn every_unknown_key_is_said_with_a_suggestion() {
        let err = decode::<Sample>(&first("nmae: a\ncolour: b\nname: c\n")).unwrap_err();
        let all: Vec<DecodeError> = err.all().collect();
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].pos, Some(Pos { line: 1, column: 1 }));
        assert_eq!(all[0].message, "unknown field `nmae`: did you mean `name`?");
        assert_eq!(all[1].pos, Some(Pos { line: 2, column: 1 }));
        assert_eq!(
            all[1].message,
            "unknown field `colour`; expected `name` or `count`"
        );
    }

    #[test]
    fn numbers_are_not_strings() {
        let err = decode::<Sample>(&first("name: 123\n")).unwrap_err();
        assert_eq!(err.pos, Some(Pos { line: 1, column: 7 }));
        assert!(err.message.contains("quote it"), "{}", err.message);
    }

    #[test]
    fn missing_field_points_at_mapping() {
        let err = decode::<Sample>(&first("\ncount: 3\n")).unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(2));
        assert!(err.message.contains("missing field `name`"));
    }
}
