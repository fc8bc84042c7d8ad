//! One SIM entry of a Fleet (or its `defaults`) as written: the decoded
//! spec and the positions later messages point at. Made from a SIM's node
//! as soon as the parser has it (`stream`), so the node can go.
//!
//! Nothing here validates beyond decoding; `validate` judges entries.

use super::decode::{DecodeError, decode};
use super::node::{Node, NodeKind, Pos};
use super::types::SimSpec;

/// A SIM entry, or why its node is not one (with its ICCID if readable).
pub type SimItem = Result<SimEntry, (Pos, DecodeError, Option<String>)>;

/// A SIM entry (or a fleet's defaults) as written.
#[derive(Debug, Clone)]
pub struct SimEntry {
    pub spec: SimSpec,
    pub at: Pos,
    /// Position of each top-level key, for field-level messages.
    pub keys: Vec<(String, Pos)>,
    pub iccid_at: Pos,
}

impl SimEntry {
    pub fn key_pos(&self, key: &str) -> Pos {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .map_or(self.at, |(_, p)| *p)
    }
}

/// One SIM's node as an entry, or why it is not one.
pub fn sim_entry(node: &Node) -> SimItem {
    match decode::<SimSpec>(node) {
        Ok(spec) => Ok(SimEntry {
            spec,
            at: node.pos,
            keys: key_positions(node),
            iccid_at: node.get("iccid").map_or(node.pos, |n| n.pos),
        }),
        Err(e) => {
            let iccid = node.get("iccid").and_then(Node::as_str).map(str::to_owned);
            Err((node.pos, e, iccid))
        }
    }
}

/// Each top-level key of a map node and where it is written.
pub fn key_positions(node: &Node) -> Vec<(String, Pos)> {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .filter_map(|(k, _)| k.as_str().map(|s| (s.to_owned(), k.pos)))
            .collect(),
        _ => Vec::new(),
    }
}
