//! Identical changes grouped, so a plan of ten thousand changes reads as a
//! handful of lines: "500 SIMs: tags +us -eu" instead of 500 entries.
//!
//! Two changes are identical when they touch the same field in the same
//! phase, for the same provider step, and either move the same value to
//! the same value or (sets) add and remove the same members, whatever else
//! each SIM holds. Changes that are each their own (renames) are listed one
//! by one while few, and gathered into one group of their field past
//! [`MAX_SINGLES`]. Grouping only arranges: every change of the plan is in
//! exactly one group, and the groups are in a fixed order.

use std::collections::BTreeMap;

use super::{ProviderPlan, SimPlan};
use crate::model::{Change, Field, Phase, Value, set_delta};

/// Changes of one field that are each their own are listed up to this
/// many; more are one group.
pub const MAX_SINGLES: usize = 3;

/// What the changes of a group have in common.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// The same value to the same value.
    Same { before: Value, after: Value },
    /// The same members added and removed.
    Members {
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// Nothing but the field: each SIM's change is its own.
    Each,
}

/// One change of one SIM, as a group lists it.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub sim: &'a SimPlan,
    pub change: &'a Change,
    /// The change's place in the SIM's list.
    pub index: usize,
}

#[derive(Debug, Clone)]
pub struct Group<'a> {
    pub field: Field,
    pub phase: Phase,
    /// The provider step these changes take, if they are one.
    pub step: Option<&'a str>,
    pub shape: Shape,
    /// In ICCID order.
    pub members: Vec<Member<'a>>,
}

impl Group<'_> {
    /// More than one SIM shares it: a line stands for all of them.
    pub fn is_shared(&self) -> bool {
        self.members.len() > 1 && self.shape != Shape::Each
    }
}

/// The shape of `change` as a group key: sets by their delta.
fn shape_of(change: &Change) -> Shape {
    if matches!(change.before, Value::Set(_)) || matches!(change.after, Value::Set(_)) {
        let delta = set_delta(&change.before, &change.after);
        return Shape::Members {
            added: delta.added.iter().map(|s| (*s).to_owned()).collect(),
            removed: delta.removed.iter().map(|s| (*s).to_owned()).collect(),
        };
    }
    Shape::Same {
        before: change.before.clone(),
        after: change.after.clone(),
    }
}

/// A total order of shapes for grouping: their debug text, which tells
/// every value apart (types included).
fn key(shape: &Shape) -> String {
    format!("{shape:?}")
}

/// The groups of one provider's changes: by field, then the largest first.
pub fn of(provider: &ProviderPlan) -> Vec<Group<'_>> {
    let mut by_key: BTreeMap<(Field, Phase, Option<&str>, String), Group<'_>> = BTreeMap::new();
    for sim in &provider.sims {
        for (index, change) in sim.changes.iter().enumerate() {
            let shape = shape_of(change);
            let step = change.step.as_deref();
            let group = by_key
                .entry((change.field, change.phase, step, key(&shape)))
                .or_insert_with(|| Group {
                    field: change.field,
                    phase: change.phase,
                    step,
                    shape,
                    members: Vec::new(),
                });
            group.members.push(Member { sim, change, index });
        }
    }
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut singles: BTreeMap<(Field, Phase, Option<&str>), Vec<Group<'_>>> = BTreeMap::new();
    for group in by_key.into_values() {
        if group.members.len() == 1 {
            singles
                .entry((group.field, group.phase, group.step))
                .or_default()
                .push(group);
        } else {
            groups.push(group);
        }
    }
    for ((field, phase, step), mut each) in singles {
        if each.len() <= MAX_SINGLES {
            groups.append(&mut each);
            continue;
        }
        let mut members: Vec<Member<'_>> = each.into_iter().flat_map(|g| g.members).collect();
        members.sort_by(|a, b| a.sim.iccid.cmp(&b.sim.iccid));
        groups.push(Group {
            field,
            phase,
            step,
            shape: Shape::Each,
            members,
        });
    }
    groups.sort_by(|a, b| {
        (
            a.field,
            a.phase,
            std::cmp::Reverse(a.members.len()),
            key(&a.shape),
        )
            .cmp(&(
                b.field,
                b.phase,
                std::cmp::Reverse(b.members.len()),
                key(&b.shape),
            ))
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Iccid, LiveSim, Names, Status};

    fn sim(n: usize, changes: Vec<Change>) -> SimPlan {
        let iccid = Iccid::parse_owned(format!("894573873000000{n:05}")).unwrap();
        SimPlan {
            iccid: iccid.clone(),
            id: n.to_string(),
            declared_at: String::new(),
            name: None,
            protect: false,
            changes,
            live: LiveSim {
                iccid,
                id: n.to_string(),
                fields: Default::default(),
                condition: None,
                aliases: Vec::new(),
            },
            desired: Default::default(),
        }
    }

    fn change(field: Field, phase: Phase, before: Value, after: Value) -> Change {
        Change {
            field,
            phase,
            before,
            after,
            step: None,
        }
    }

    fn tags(names: &[&str]) -> Value {
        Value::Set(Names::from_shared(
            names.iter().map(|n| (*n).into()).collect(),
        ))
    }

    #[test]
    fn identical_changes_are_one_group_and_each_their_own_past_a_few() {
        let mut sims = Vec::new();
        for n in 0..500 {
            // Different tags held, the same delta.
            let held = if n % 2 == 0 { "a" } else { "b" };
            let retag = change(
                Field::Tags,
                Phase::Configure,
                tags(&[held, "eu"]),
                tags(&[held, "us"]),
            );
            sims.push(sim(n, vec![retag]));
        }
        for n in 500..550 {
            let name = change(
                Field::Name,
                Phase::Configure,
                Value::Text(format!("old-{n}")),
                Value::Text(format!("new-{n}")),
            );
            sims.push(sim(n, vec![name]));
        }
        for n in 550..560 {
            let suspend = change(
                Field::Status,
                Phase::Restrict,
                Value::Status(Status::Active),
                Value::Status(Status::Suspended),
            );
            sims.push(sim(n, vec![suspend]));
        }
        let provider = ProviderPlan::of_sims(crate::kind::ProviderKind::ALL[0], sims);
        let groups = of(&provider);
        let shown: Vec<(Field, usize, bool)> = groups
            .iter()
            .map(|g| (g.field, g.members.len(), g.shape == Shape::Each))
            .collect();
        assert_eq!(
            shown,
            [
                (Field::Status, 10, false),
                (Field::Name, 50, true),
                (Field::Tags, 500, false)
            ]
        );
        assert_eq!(
            groups[2].shape,
            Shape::Members {
                added: vec!["us".into()],
                removed: vec!["eu".into()]
            }
        );
        let changes: usize = groups.iter().map(|g| g.members.len()).sum();
        assert_eq!(changes, 560, "every change in exactly one group");
    }
}
