//! A fleet's `defaults`, factored out of its exported SIMs: each field's
//! most common value is written once, and a SIM states a field only where
//! it differs.
//!
//! The manifests must keep meaning exactly the live state. `defaults` are
//! merged into every SIM (`manifest::merge`): a SIM without the field takes
//! the default, one with its own value keeps it, and tags and attributes
//! are unioned. So:
//!
//! - a SIM with no value where the fleet has a default says `null` (for
//!   tags and attributes: "none"), except where that would change what
//!   plan reads or cannot be written: a field that costs a request per
//!   SIM (`Capabilities::detail_fields`: a `null` would make plan read it)
//!   and the status (a manifest cannot say "no status") get a default only
//!   when every SIM holds a value;
//! - tags are a set a SIM can only add to: their default is the tags every
//!   tagged SIM carries, and a SIM lists the others;
//! - attributes are overlaid: their default is, of the names every SIM
//!   has, the most common value, and a SIM lists what differs.
//!
//! It must not drop or invent a value: [`factor`] is checked against the
//! loader's merge in the tests below.

use std::collections::{BTreeMap, BTreeSet};

use crate::kind::Capabilities;
use crate::manifest::write::inline;
use crate::model::{Attributes, Field, Fields, Names, Value};

/// A fleet's defaults and each SIM's own fields (in the order given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factored {
    pub defaults: Fields,
    pub sims: Vec<Fields>,
}

/// Splits the exported fields of a fleet's SIMs into `defaults` and what
/// each SIM states itself.
pub fn factor(sims: Vec<Fields>, caps: &Capabilities) -> Factored {
    let fields: BTreeSet<Field> = sims.iter().flat_map(|s| s.keys().copied()).collect();
    let defaults: Fields = fields
        .into_iter()
        .filter_map(|field| common(field, &sims, caps).map(|value| (field, value)))
        .collect();
    let sims = sims.into_iter().map(|sim| own(sim, &defaults)).collect();
    Factored { defaults, sims }
}

/// The default of `field`, if one makes the fleet shorter and keeps it
/// exact.
fn common(field: Field, sims: &[Fields], caps: &Capabilities) -> Option<Value> {
    let held: Vec<&Value> = sims.iter().filter_map(|s| s.get(&field)).collect();
    let missing = sims.len() - held.len();
    let null_costs = field == Field::Status || caps.detail_fields.contains(&field);
    if (missing > 0 && null_costs) || held.len() < 2 || held.len() <= missing {
        return None;
    }
    let sets: Option<Vec<&Names>> = held
        .iter()
        .map(|v| match v {
            Value::Set(names) => Some(names),
            _ => None,
        })
        .collect();
    let maps: Option<Vec<&Attributes>> = held
        .iter()
        .map(|v| match v {
            Value::Map(map) => Some(map),
            _ => None,
        })
        .collect();
    match (sets, maps) {
        (Some(sets), _) => common_tags(&sets),
        (_, Some(maps)) => common_attributes(&maps),
        // A collection default next to other values would be unioned
        // into SIMs that do not hold it.
        _ if held
            .iter()
            .any(|v| matches!(v, Value::Set(_) | Value::Map(_))) =>
        {
            None
        }
        _ => most_common(held.iter().copied().map(|v| (inline(v), v)), missing).cloned(),
    }
}

/// The names every set holds.
fn common_tags(sets: &[&Names]) -> Option<Value> {
    let (first, rest) = sets.split_first()?;
    let every: Names = first
        .iter()
        .filter(|name| rest.iter().all(|set| set.contains(name)))
        .collect();
    (!every.is_empty()).then_some(Value::Set(every))
}

/// Of the names every map holds, each one's most common value.
fn common_attributes(maps: &[&Attributes]) -> Option<Value> {
    let (first, rest) = maps.split_first()?;
    let every: Attributes = first
        .iter()
        .filter(|(name, _)| rest.iter().all(|map| map.get(name).is_some()))
        .filter_map(|(name, _)| {
            let values = maps.iter().filter_map(|map| map.get(name));
            let value = most_common(values.map(|v| (v.to_owned(), v)), 0)?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect();
    (!every.is_empty()).then_some(Value::Map(every))
}

/// The value given most often (of equally frequent ones, the first by
/// `key`), if it is given at least twice and more often than `none`, the
/// SIMs that give no value.
fn most_common<T>(values: impl Iterator<Item = (String, T)>, none: usize) -> Option<T> {
    let mut counts: BTreeMap<String, (usize, T)> = BTreeMap::new();
    for (key, value) in values {
        counts.entry(key).or_insert((0, value)).0 += 1;
    }
    // `rev` + `max_by_key` keeps the first key of equal counts.
    let (_, (count, value)) = counts
        .into_iter()
        .rev()
        .max_by_key(|(_, (count, _))| *count)?;
    (count >= 2 && count > none).then_some(value)
}

/// What `sim` states given `defaults`: `null` where it has no value, the
/// tags and attributes beyond the defaults', any other value unlike the
/// default's; nothing where the default says it all.
fn own(mut sim: Fields, defaults: &Fields) -> Fields {
    for (field, default) in defaults {
        let Some(value) = sim.get(field) else {
            sim.insert(*field, Value::Null);
            continue;
        };
        let rest = match (value, default) {
            (Value::Set(mine), Value::Set(common)) => {
                let extra: Names = mine.iter().filter(|t| !common.contains(t)).collect();
                (!extra.is_empty()).then_some(Value::Set(extra))
            }
            (Value::Map(mine), Value::Map(common)) => {
                let unlike: Attributes = mine
                    .iter()
                    .filter(|(name, value)| common.get(name) != Some(value))
                    .collect();
                (!unlike.is_empty()).then_some(Value::Map(unlike))
            }
            (value, default) if value == default => None,
            (value, _) => Some(value.clone()),
        };
        match rest {
            Some(rest) => {
                sim.insert(*field, rest);
            }
            None => {
                sim.remove(field);
            }
        }
    }
    sim
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::testing::{NOTE, ROW};
    use crate::manifest::merge;
    use crate::model::Status;

    fn tags(names: &[&str]) -> Value {
        Value::Set(Names::from_iter(names))
    }

    fn attributes(pairs: &[(&str, &str)]) -> Value {
        Value::Map(pairs.iter().copied().collect())
    }

    fn text(t: &str) -> Value {
        Value::Text(t.to_owned())
    }

    /// Each SIM, merged with the defaults as the loader merges them,
    /// manages every exported value unchanged, and anything more only as
    /// "empty" (which, not exported, it is).
    fn assert_exact(sims: &[Fields], caps: &Capabilities) -> Factored {
        let factored = factor(sims.to_vec(), caps);
        for (sim, own) in sims.iter().zip(&factored.sims) {
            let merged = merge(own.clone(), &factored.defaults);
            for (field, value) in sim {
                assert_eq!(merged.get(field), Some(value), "{field:?} of {sim:?}");
            }
            for (field, value) in &merged {
                if !sim.contains_key(field) {
                    let empty = matches!(value, Value::Null)
                        || *value == tags(&[])
                        || *value == attributes(&[]);
                    assert!(empty, "{field:?} invented: {value:?}");
                }
            }
        }
        factored
    }

    #[test]
    fn the_most_common_value_becomes_the_default() {
        let status = |s| Value::Status(s);
        let sims: Vec<Fields> = (0..5)
            .map(|i| {
                let mut sim = Fields::from([(
                    Field::Status,
                    status(if i < 3 {
                        Status::Active
                    } else {
                        Status::Inactive
                    }),
                )]);
                if i > 0 {
                    sim.insert(Field::Own(&NOTE), text(if i < 4 { "c-1" } else { "c-2" }));
                }
                sim.insert(Field::Name, text(&format!("pump-{i}")));
                sim
            })
            .collect();
        let factored = assert_exact(&sims, &ROW);
        assert_eq!(
            factored.defaults,
            Fields::from([
                (Field::Status, status(Status::Active)),
                (Field::Own(&NOTE), text("c-1")),
            ]),
            "names differ on every SIM: no default"
        );
        assert_eq!(factored.sims[0].get(&Field::Own(&NOTE)), Some(&Value::Null));
        assert_eq!(factored.sims[1].get(&Field::Own(&NOTE)), None);
        assert_eq!(factored.sims[4].get(&Field::Own(&NOTE)), Some(&text("c-2")));
    }

    #[test]
    fn tags_default_to_those_every_tagged_sim_carries() {
        let sims = [
            Fields::from([(Field::Tags, tags(&["fleet", "site-1"]))]),
            Fields::from([(Field::Tags, tags(&["fleet"]))]),
            Fields::from([(Field::Tags, tags(&["fleet", "x"]))]),
            Fields::new(),
        ];
        let factored = assert_exact(&sims, &ROW);
        assert_eq!(factored.defaults.get(&Field::Tags), Some(&tags(&["fleet"])));
        assert_eq!(factored.sims[0].get(&Field::Tags), Some(&tags(&["site-1"])));
        assert_eq!(factored.sims[1].get(&Field::Tags), None);
        assert_eq!(factored.sims[3].get(&Field::Tags), Some(&Value::Null));
        let disjoint = [
            Fields::from([(Field::Tags, tags(&["a"]))]),
            Fields::from([(Field::Tags, tags(&["b"]))]),
        ];
        assert!(assert_exact(&disjoint, &ROW).defaults.is_empty());
    }

    #[test]
    fn attributes_default_only_when_every_sim_has_some() {
        let with = |pairs: &[(&str, &str)]| Fields::from([(Field::Attributes, attributes(pairs))]);
        let all = [
            with(&[("site", "a"), ("kind", "meter")]),
            with(&[("site", "b"), ("kind", "meter")]),
            with(&[("site", "a")]),
        ];
        // Attributes cost a request per SIM to read at this provider.
        let caps = Capabilities {
            detail_fields: &[Field::Attributes],
            ..ROW
        };
        let factored = assert_exact(&all, &caps);
        assert_eq!(
            factored.defaults.get(&Field::Attributes),
            Some(&attributes(&[("site", "a")]))
        );
        assert_eq!(
            factored.sims[1].get(&Field::Attributes),
            Some(&attributes(&[("kind", "meter"), ("site", "b")]))
        );
        // A `null` for the third would make plan read its attributes.
        let some = [
            all[0].clone(),
            all[0].clone(),
            all[0].clone(),
            Fields::new(),
        ];
        let factored = assert_exact(&some, &caps);
        assert!(factored.defaults.is_empty(), "{:?}", factored.defaults);
        assert!(factored.sims[3].is_empty());
    }

    #[test]
    fn a_status_default_needs_every_sim_to_have_one() {
        let active = Fields::from([(Field::Status, Value::Status(Status::Active))]);
        let sims = [active.clone(), active.clone(), active, Fields::new()];
        let factored = assert_exact(&sims, &ROW);
        assert!(
            factored.defaults.is_empty(),
            "a locked SIM cannot say `null`"
        );
    }

    #[test]
    fn all_fields_exports_keep_nulls_and_empty_collections_exact() {
        let sims: Vec<Fields> = (0..4)
            .map(|i| {
                Fields::from([
                    (Field::Name, Value::Null),
                    (Field::Tags, if i == 0 { tags(&["a"]) } else { tags(&[]) }),
                    (
                        Field::Own(&NOTE),
                        if i == 3 { text("3567") } else { Value::Null },
                    ),
                ])
            })
            .collect();
        let factored = assert_exact(&sims, &ROW);
        assert_eq!(
            factored.defaults.get(&Field::Own(&NOTE)),
            Some(&Value::Null)
        );
        assert_eq!(factored.defaults.get(&Field::Tags), None);
    }
}
