//! A manifest document parsed with its `sims` list turned into entries as
//! the parser reaches each SIM, so a file of millions of SIMs never holds
//! their node trees all at once: each SIM's nodes are dropped as soon as
//! its entry is made.
//!
//! Everything else of the document stays a [`Node`] tree with positions.
//! This module must not interpret anything but the one top-level key
//! `sims`; what a SIM means is `load`'s.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::entry::{SimItem, sim_entry};
use super::node::{KindVisitor, Node, NodeKind, Pos};

/// One YAML document: its tree without the SIMs, and the SIMs.
#[derive(Debug)]
pub struct Document {
    /// The document; a top-level `sims` list is left in place empty.
    pub node: Node,
    /// The entries of a top-level `sims` list, in order.
    pub sims: Vec<SimItem>,
}

/// Parses every document of a YAML stream.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, serde_saphyr::Error> {
    serde_saphyr::from_multiple_with_options::<Document>(
        text,
        crate::yaml::bounded_options(text.len()),
    )
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Body>::deserialize(deserializer)?;
        let at = spanned.referenced;
        let (kind, sims) = spanned.value.0;
        Ok(Document {
            node: Node {
                pos: Pos::at(at.line(), at.column()),
                kind,
            },
            sims,
        })
    }
}

/// A document's top level: a map whose `sims` streams, or anything else.
struct Body((NodeKind, Vec<SimItem>));

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BodyVisitor).map(Body)
    }
}

/// Forwards visitor methods to [`KindVisitor`]: such a document has no SIMs.
macro_rules! plain {
    ($($method:ident($($v:ident: $ty:ty)?)),*) => {
        $(fn $method<E: serde::de::Error>(self $(, $v: $ty)?) -> Result<Self::Value, E> {
            KindVisitor.$method($($v)?).map(|k| (k, Vec::new()))
        })*
    };
}

struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = (NodeKind, Vec<SimItem>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML document")
    }

    plain!(
        visit_unit(),
        visit_none(),
        visit_bool(v: bool),
        visit_i64(v: i64),
        visit_u64(v: u64),
        visit_i128(v: i128),
        visit_u128(v: u128),
        visit_f64(v: f64),
        visit_str(v: &str),
        visit_string(v: String)
    );

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        KindVisitor.visit_seq(seq).map(|k| (k, Vec::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        let mut sims = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            if key.as_str() == Some("sims") {
                let list = map.next_value::<Spanned<SimList>>()?;
                let at = Pos::at(list.referenced.line(), list.referenced.column());
                let kind = match list.value {
                    SimList::Items(items) => {
                        sims = items;
                        NodeKind::Seq(Vec::new())
                    }
                    SimList::Other(kind) => kind,
                };
                entries.push((key, Node { pos: at, kind }));
            } else {
                let value = map.next_value::<Node>()?;
                entries.push((key, value));
            }
        }
        Ok((NodeKind::Map(entries), sims))
    }
}

/// The value of `sims`: a list made into entries as it is read, or any
/// other value kept as it is (for the type error it deserves).
enum SimList {
    Items(Vec<SimItem>),
    Other(NodeKind),
}

impl<'de> Deserialize<'de> for SimList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SimListVisitor)
    }
}

struct SimListVisitor;

impl<'de> Visitor<'de> for SimListVisitor {
    type Value = SimList;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of SIMs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SimList, A::Error> {
        let mut items = Vec::new();
        while let Some(node) = seq.next_element::<Node>()? {
            items.push(sim_entry(&node));
        }
        Ok(SimList::Items(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SimList, A::Error> {
        KindVisitor.visit_map(map).map(SimList::Other)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Null))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Null))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Bool(v)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Int(v.into())))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Int(v.into())))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Float(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SimList, E> {
        Ok(SimList::Other(NodeKind::Str(v.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sims_become_entries_and_the_rest_stays_a_tree() {
        let text = "kind: Fleet\nsims:\n  - iccid: \"8945\"\n    name: a\n  - iccid: \"8946\"\n    nmae: b\nprovider: p\n";
        let docs = parse_documents(text).unwrap();
        let doc = &docs[0];
        assert_eq!(doc.node.get("provider").and_then(Node::as_str), Some("p"));
        // The list is left in place, empty, where it was written.
        let list = doc.node.get("sims").unwrap();
        assert_eq!(
            (list.kind.clone(), list.pos.line),
            (NodeKind::Seq(Vec::new()), 3)
        );
        assert_eq!(doc.sims.len(), 2);
        let first = doc.sims[0].as_ref().unwrap();
        assert_eq!(
            (first.at.line, first.spec.iccid.as_deref()),
            (3, Some("8945"))
        );
        let (at, e, iccid) = doc.sims[1].as_ref().unwrap_err();
        assert_eq!((at.line, iccid.as_deref()), (5, Some("8946")));
        assert!(e.message.contains("nmae"), "{}", e.message);
    }

    #[test]
    fn sims_that_are_not_a_list_are_kept_for_the_type_error() {
        let docs = parse_documents("kind: Fleet\nsims: {a: 1}\n---\n").unwrap();
        let list = docs[0].node.get("sims").unwrap();
        assert!(matches!(list.kind, NodeKind::Map(_)));
        assert!(docs[0].sims.is_empty());
    }
}
