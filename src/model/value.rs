//! [`Value`]: a field's value, desired or live, and [`Record`], the value
//! of a provider field made of named parts.
//!
//! Values compare by content only; how a provider writes them on the wire
//! is its client's business, never this module's.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Attributes, Field, Names, Part, PartKind, Shape, Status};

/// A field's value, desired or live. `Null` is "empty": no label, no connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    Null,
    Status(Status),
    Text(String),
    Set(Names),
    Map(Attributes),
    // Boxed: it is the largest and the rarest value, and every field's
    // value is as large as the largest.
    Record(Box<Record>),
}

/// A record's parts by key; a part left out reads as null.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Record(BTreeMap<String, Scalar>);

/// One part of a [`Record`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Null,
    Count(u64),
    Text(String),
}

impl Record {
    /// A record of the given parts; null parts are left out, so a part
    /// written `null` and one left out are equal.
    pub fn new(parts: impl IntoIterator<Item = (String, Scalar)>) -> Record {
        Record(
            parts
                .into_iter()
                .filter(|(_, v)| *v != Scalar::Null)
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> &Scalar {
        self.0.get(key).unwrap_or(&Scalar::Null)
    }

    pub fn count(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Scalar::Count(n) => Some(*n),
            _ => None,
        }
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Scalar::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The parts given, by key.
    pub fn parts(&self) -> impl Iterator<Item = (&str, &Scalar)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The parts in `parts`' order, nulls included: how a record is shown.
    pub fn ordered<'a>(
        &'a self,
        parts: &'static [Part],
    ) -> impl Iterator<Item = (&'static str, &'a Scalar)> {
        parts.iter().map(|p| (p.key, self.get(p.key)))
    }

    /// Whether every part has its kind and every required part is given.
    pub fn fits(&self, parts: &[Part]) -> bool {
        let known = self.0.keys().all(|k| parts.iter().any(|p| p.key == k));
        known
            && parts.iter().all(|p| match (self.get(p.key), p.kind) {
                (Scalar::Null, _) => !p.required,
                (Scalar::Count(_), PartKind::Count) | (Scalar::Text(_), PartKind::Text) => true,
                _ => false,
            })
    }
}

impl Value {
    /// The attribute map this value holds; empty for null (no attributes)
    /// and for anything that is not a map. Shares the names and values.
    pub fn attributes(&self) -> Attributes {
        match self {
            Value::Map(map) => map.clone(),
            _ => Attributes::default(),
        }
    }

    /// Gives a value read back from untagged JSON the type of its field:
    /// a text such as "active" reads as a status, and is text again here
    /// unless the field is the status; a record whose parts are all text
    /// reads as a map, and is a record again here.
    pub fn retype(&mut self, field: Field) {
        if let (true, Value::Status(s)) = (field != Field::Status, &*self) {
            *self = Value::Text(s.as_str().to_owned());
        }
        if let (Some(Shape::Record(_)), Value::Map(map)) = (field.spec().map(|s| s.shape), &*self) {
            let parts = map
                .iter()
                .map(|(k, v)| (k.to_owned(), Scalar::Text(v.to_owned())));
            *self = Value::Record(Box::new(Record::new(parts)));
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Count(n) => write!(f, "{n}"),
            Scalar::Text(t) => write!(f, "{:?}", crate::text::inert(t)),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Status(s) => f.write_str(s.as_str()),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Set(items) => {
                let list: Vec<std::borrow::Cow<str>> =
                    items.iter().map(crate::text::inert).collect();
                write!(f, "[{}]", list.join(", "))
            }
            Value::Map(map) => {
                let list: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}={v:?}", crate::text::inert(k)))
                    .collect();
                write!(f, "{{{}}}", list.join(", "))
            }
            Value::Record(record) => {
                let list: Vec<String> = record
                    .0
                    .iter()
                    .map(|(k, v)| format!("{}={v}", crate::text::inert(k)))
                    .collect();
                write!(f, "{{{}}}", list.join(", "))
            }
        }
    }
}
