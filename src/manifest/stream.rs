//! A manifest document parsed with its `sims` list turned into entries as
//! the parser reaches each SIM, so a file of millions of SIMs never holds
//! their node trees all at once: each SIM's nodes are dropped as soon as
//! its entry is made.
//!
//! Everything else of the document stays a [`Node`] tree with positions.
//! This module must not interpret anything but the one top-level key
//! `sims`; what a SIM means is `load`'s.

use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::entry::{Sims, sim_item};
use super::node::{Flat, KindVisitor, Node, NodeKind, Pos};
use crate::model::Interner;

/// One YAML document: its tree without the SIMs, and the SIMs.
#[derive(Debug)]
pub struct Document {
    /// The document; a top-level `sims` list is left in place empty.
    pub node: Node,
    /// The entries of a top-level `sims` list, in order.
    pub sims: Sims,
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
struct Body((NodeKind, Sims));

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BodyVisitor).map(Body)
    }
}

/// Forwards the visitor methods of values that are not mappings to a
/// [`KindVisitor`], mapping its result with `$wrap`.
macro_rules! forward {
    ($visitor:expr, $wrap:expr; $($method:ident($($v:ident: $ty:ty)?)),*) => {
        $(fn $method<E: serde::de::Error>(self $(, $v: $ty)?) -> Result<Self::Value, E> {
            $visitor.$method($($v)?).map($wrap)
        })*
    };
}

struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = (NodeKind, Sims);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML document")
    }

    forward!(KindVisitor::SPANNED, |k| (k, Sims::default());
        visit_unit(), visit_none(), visit_bool(v: bool), visit_i64(v: i64), visit_u64(v: u64),
        visit_i128(v: i128), visit_u128(v: u128), visit_f64(v: f64), visit_str(v: &str),
        visit_string(v: String));

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        KindVisitor::SPANNED
            .visit_seq(seq)
            .map(|k| (k, Sims::default()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        let mut sims = Sims::default();
        while let Some(key) = map.next_key::<Node>()? {
            if key.as_str() == Some("sims") {
                // One interner per document: its SIMs share tag names.
                let mut interner = Interner::default();
                let list = map.next_value_seed(SimList(&mut interner))?;
                let kind = match list {
                    Listed::Sims(items) => {
                        sims = items;
                        NodeKind::Seq(Vec::new())
                    }
                    Listed::Other(kind) => kind,
                };
                let pos = key.pos;
                entries.push((key, Node { pos, kind }));
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
enum Listed {
    Sims(Sims),
    Other(NodeKind),
}

struct SimList<'a>(&'a mut Interner);

impl<'de> DeserializeSeed<'de> for SimList<'_> {
    type Value = Listed;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Listed, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SimList<'_> {
    type Value = Listed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of SIMs")
    }

    forward!(KindVisitor::SPANNED, Listed::Other;
        visit_unit(), visit_none(), visit_bool(v: bool), visit_i64(v: i64), visit_u64(v: u64),
        visit_f64(v: f64), visit_str(v: &str));

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Listed, A::Error> {
        let mut sims = Sims::default();
        while let Some(raw) = seq.next_element::<Spanned<RawSim>>()? {
            let at = raw.referenced;
            let node = Node {
                pos: Pos::at(at.line(), at.column()),
                kind: raw.value.0,
            };
            sims.push(sim_item(node, self.0));
        }
        Ok(Listed::Sims(sims))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Listed, A::Error> {
        KindVisitor::SPANNED.visit_map(map).map(Listed::Other)
    }
}

/// One SIM as parsed: where it starts, and its keys and values without
/// positions (`locate` finds a key's when a message needs it).
struct RawSim(NodeKind);

impl<'de> Deserialize<'de> for RawSim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawSimVisitor).map(RawSim)
    }
}

struct RawSimVisitor;

const FLAT: KindVisitor = KindVisitor { spanned: false };

impl<'de> Visitor<'de> for RawSimVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SIM entry")
    }

    forward!(FLAT, |k| k;
        visit_unit(), visit_none(), visit_bool(v: bool), visit_i64(v: i64), visit_u64(v: u64),
        visit_i128(v: i128), visit_u128(v: u128), visit_f64(v: f64), visit_str(v: &str),
        visit_string(v: String));

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<NodeKind, A::Error> {
        FLAT.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::with_capacity(4);
        while let Some(Flat(key)) = map.next_key::<Flat>()? {
            let Flat(value) = map.next_value::<Flat>()?;
            let unplaced = |kind| Node {
                pos: Pos::default(),
                kind,
            };
            entries.push((unplaced(key), unplaced(value)));
        }
        Ok(NodeKind::Map(entries))
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
        // The list is left in place, empty, at its key.
        let list = doc.node.get("sims").unwrap();
        assert_eq!(
            (list.kind.clone(), list.pos.line),
            (NodeKind::Seq(Vec::new()), 2)
        );
        assert_eq!((doc.sims.entries.len(), doc.sims.bad.len()), (1, 1));
        let first = &doc.sims.entries[0];
        assert_eq!((first.at.line, first.iccid.as_deref()), (3, Some("8945")));
        let bad = &doc.sims.bad[0];
        assert_eq!((bad.at.line, bad.iccid.as_deref()), (5, Some("8946")));
        let problem = &bad.problems[0];
        assert_eq!(problem.key.as_deref(), Some("nmae"));
        assert!(
            problem.error.message.contains("nmae"),
            "{}",
            problem.error.message
        );
    }

    #[test]
    fn sims_that_are_not_a_list_are_kept_for_the_type_error() {
        let docs = parse_documents("kind: Fleet\nsims: {a: 1}\n---\n").unwrap();
        let list = docs[0].node.get("sims").unwrap();
        assert!(matches!(list.kind, NodeKind::Map(_)));
        assert!(docs[0].sims.entries.is_empty());
    }
}
