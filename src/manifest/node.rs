//! A YAML document as a tree of nodes, each with its source position.
//!
//! serde-saphyr does the parsing (bounded by `yaml::bounded_options`); this module
//! only keeps the shape and positions so that later stages can report every
//! problem with `file:line:column` instead of stopping at the first one.
//! Nothing here interprets manifest semantics.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// 1-based line and column; `0:0` when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    /// From the parser's 1-based line and column.
    pub fn at(line: u64, column: u64) -> Pos {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl NodeKind {
    /// How a value is named in type errors ("found a list").
    pub fn describe(&self) -> String {
        match self {
            NodeKind::Null => "null".into(),
            NodeKind::Bool(b) => format!("boolean `{b}`"),
            NodeKind::Int(i) => format!("integer `{i}`"),
            NodeKind::Float(x) => format!("number `{x}`"),
            NodeKind::Str(s) => format!("string {s:?}"),
            NodeKind::Seq(_) => "a list".into(),
            NodeKind::Map(_) => "a mapping".into(),
        }
    }
}

impl Node {
    /// Value of `key` in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Key and value nodes of `key` in a mapping node.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, NodeKind::Str(s) if s == key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Largest manifest file read, checked before parsing.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Parses every document of a YAML stream into whole trees (tests; the
/// loader streams SIM lists through `stream::parse_documents`).
#[cfg(test)]
pub fn parse_documents(text: &str) -> Result<Vec<Node>, serde_saphyr::Error> {
    serde_saphyr::from_multiple_with_options::<Node>(text, crate::yaml::bounded_options(text.len()))
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeKind>::deserialize(deserializer)?;
        let at = spanned.referenced;
        Ok(Node {
            pos: Pos::at(at.line(), at.column()),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindVisitor::SPANNED)
    }
}

/// A value whose nested nodes are not given positions (they read `0:0`):
/// parsing a position costs as much as parsing a small value, and a SIM's
/// field values are reported at their key.
pub struct Flat(pub NodeKind);

impl<'de> Deserialize<'de> for Flat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let flat = KindVisitor { spanned: false };
        deserializer.deserialize_any(flat).map(Flat)
    }
}

/// Builds a [`NodeKind`]; `spanned` says whether nested nodes get positions.
#[derive(Clone, Copy)]
pub(super) struct KindVisitor {
    pub spanned: bool,
}

impl KindVisitor {
    pub const SPANNED: KindVisitor = KindVisitor { spanned: true };

    fn element<'de, D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        if self.spanned {
            Node::deserialize(d)
        } else {
            Flat::deserialize(d).map(|f| Node {
                pos: Pos::default(),
                kind: f.0,
            })
        }
    }
}

/// Reads one nested node the way its [`KindVisitor`] says.
struct Element(KindVisitor);

impl<'de> serde::de::DeserializeSeed<'de> for Element {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        self.0.element(d)
    }
}

impl<'de> Visitor<'de> for KindVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_none<E>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<NodeKind, E> {
        Ok(NodeKind::Int(v))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<NodeKind, E> {
        i128::try_from(v)
            .map(NodeKind::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Element(self))? {
            items.push(item);
        }
        Ok(NodeKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(Element(self))? {
            let value = map.next_value_seed(Element(self))?;
            entries.push((key, value));
        }
        Ok(NodeKind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_kept_for_keys_values_and_items() {
        let docs = parse_documents("a: 1\nlist:\n  - x: \"y\"\n---\nb: null\n").unwrap();
        assert_eq!(docs.len(), 2);
        let (key, value) = docs[0].entry("list").unwrap();
        assert_eq!(key.pos, Pos { line: 2, column: 1 });
        let NodeKind::Seq(items) = &value.kind else {
            panic!("{value:?}")
        };
        let (k, v) = items[0].entry("x").unwrap();
        assert_eq!((k.pos.line, k.pos.column), (3, 5));
        assert_eq!(v.kind, NodeKind::Str("y".into()));
        assert_eq!(docs[1].get("b").unwrap().kind, NodeKind::Null);
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse_documents(&text).is_err());
    }
}
