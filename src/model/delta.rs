//! What turns one set or map into another, for rendering and grouping
//! changes; computing them never decides what to change (that is `plan`).

use std::collections::BTreeSet;

use super::{Attributes, Value};

/// What turns one set into another: members added and removed, in order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SetDelta<'a> {
    pub added: Vec<&'a str>,
    pub removed: Vec<&'a str>,
}

/// The delta from `before` to `after`; values that are not sets count as empty.
pub fn set_delta<'a>(before: &'a Value, after: &'a Value) -> SetDelta<'a> {
    let empty = |v: &'a Value| match v {
        Value::Set(s) => s.iter().collect(),
        _ => BTreeSet::new(),
    };
    let (before, after): (BTreeSet<&str>, BTreeSet<&str>) = (empty(before), empty(after));
    SetDelta {
        added: after.difference(&before).copied().collect(),
        removed: before.difference(&after).copied().collect(),
    }
}

/// What turns one key/value map into another, in key order: keys removed
/// or changed (from the old map), then keys added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MapDelta<'a> {
    pub removed: Vec<&'a str>,
    pub changed: Vec<(&'a str, &'a str)>,
    pub added: Vec<(&'a str, &'a str)>,
}

pub fn map_delta<'a>(have: &'a Attributes, want: &'a Attributes) -> MapDelta<'a> {
    let mut delta = MapDelta::default();
    for (key, old) in have.iter() {
        match want.get(key) {
            None => delta.removed.push(key),
            Some(new) if new != old => delta.changed.push((key, new)),
            Some(_) => {}
        }
    }
    delta.added = want.iter().filter(|(k, _)| have.get(k).is_none()).collect();
    delta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_list_what_to_add_change_and_remove() {
        let set = |items: &[&str]| Value::Set(items.iter().collect());
        let (before, after) = (set(&["a", "b"]), set(&["b", "c"]));
        let d = set_delta(&before, &after);
        assert_eq!((d.added, d.removed), (vec!["c"], vec!["a"]));
        let map = |pairs: &[(&str, &str)]| pairs.iter().copied().collect::<Attributes>();
        let (have, want) = (
            map(&[("cost", "1"), ("legacy", "x"), ("same", "s")]),
            map(&[("cost", "2"), ("same", "s"), ("site", "hh")]),
        );
        let d = map_delta(&have, &want);
        assert_eq!(d.removed, vec!["legacy"]);
        assert_eq!(d.changed, vec![("cost", "2")]);
        assert_eq!(d.added, vec![("site", "hh")]);
    }
}
