//! The one place where desired and live state are compared.
//!
//! Providers never diff: they report live state in the normalised model and
//! this module decides what changes, in which phase, and what cannot be done.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Change, Condition, DesiredSim, Field, LiveSim, Phase, Value};

/// What the diff of one SIM found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SimDiff {
    pub changes: Vec<Change>,
    /// Reasons the SIM cannot be planned (the plan is then an error).
    pub errors: Vec<String>,
    /// Live conditions simfleet leaves alone (in progress, locked).
    pub note: Option<Condition>,
}

/// A live value as compared: absent fields and empty collections are "empty".
fn normalised(field: Field, value: Option<&Value>) -> Value {
    match (field, value) {
        (Field::Tags, None | Some(Value::Null)) => Value::Set(BTreeSet::new()),
        (Field::Attributes, None | Some(Value::Null)) => Value::Map(BTreeMap::new()),
        (_, Some(v)) => v.clone(),
        (_, None) => Value::Null,
    }
}

pub fn diff_sim(
    desired: &DesiredSim,
    live: &LiveSim,
    vocabulary: &BTreeMap<Field, BTreeSet<String>>,
) -> SimDiff {
    let mut out = SimDiff {
        note: live.condition.clone(),
        ..SimDiff::default()
    };
    if matches!(live.condition, Some(Condition::Locked(_))) {
        return out; // reported, never written to
    }
    for (&field, want) in &desired.fields {
        let want = normalised(field, Some(want));
        let have = normalised(field, live.fields.get(&field));
        if want == have {
            continue;
        }
        if field == Field::Status && matches!(live.condition, Some(Condition::InProgress(_))) {
            continue; // converging by itself
        }
        if let (Some(known), Value::Set(items)) = (vocabulary.get(&field), &want) {
            let unknown: Vec<&str> = items
                .iter()
                .filter(|i| !known.contains(*i))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                out.errors.push(format!(
                    "{} {} not exist at the provider: {}",
                    field.manifest_name(),
                    if unknown.len() == 1 { "does" } else { "do" },
                    unknown.join(", ")
                ));
                continue;
            }
        }
        out.changes.push(Change {
            field,
            phase: Phase::of(field, &want),
            before: have,
            after: want,
        });
    }
    out.changes.sort_by_key(|c| (c.phase, c.field));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Iccid, Status};

    fn desired(fields: &[(Field, Value)]) -> DesiredSim {
        DesiredSim {
            iccid: Iccid::from_live("89457387300000024185"),
            provider: "p".into(),
            fields: fields.iter().cloned().collect(),
            protect: false,
            origin: "f:1:1".into(),
            fleet: "f".into(),
        }
    }

    fn live(fields: &[(Field, Value)]) -> LiveSim {
        LiveSim {
            iccid: Iccid::from_live("89457387300000024185"),
            id: "000002418".into(),
            fields: fields.iter().cloned().collect(),
            condition: None,
        }
    }

    #[test]
    fn unmanaged_fields_are_ignored_and_changes_ordered_by_phase() {
        let d = desired(&[
            (Field::Status, Value::Status(Status::Inactive)),
            (Field::Name, Value::Text("pump".into())),
        ]);
        let l = live(&[
            (Field::Status, Value::Status(Status::Active)),
            (Field::Name, Value::Null),
            (Field::Connector, Value::Text("c".into())),
        ]);
        let diff = diff_sim(&d, &l, &BTreeMap::new());
        let phases: Vec<(Phase, Field)> = diff.changes.iter().map(|c| (c.phase, c.field)).collect();
        assert_eq!(
            phases,
            vec![
                (Phase::Configure, Field::Name),
                (Phase::Restrict, Field::Status)
            ]
        );
    }

    #[test]
    fn null_tags_equal_empty_and_unknown_tags_are_errors() {
        let d = desired(&[(Field::Tags, Value::Set(BTreeSet::new()))]);
        assert!(
            diff_sim(&d, &live(&[]), &BTreeMap::new())
                .changes
                .is_empty()
        );
        let d = desired(&[(Field::Tags, Value::Set(["nope".to_owned()].into()))]);
        let vocab = BTreeMap::from([(Field::Tags, BTreeSet::from(["pumps".to_owned()]))]);
        let diff = diff_sim(&d, &live(&[]), &vocab);
        assert!(diff.changes.is_empty());
        assert_eq!(
            diff.errors,
            vec!["tags does not exist at the provider: nope"]
        );
    }

    #[test]
    fn locked_sims_get_no_changes() {
        let d = desired(&[(Field::Status, Value::Status(Status::Active))]);
        let mut l = live(&[(Field::Status, Value::Status(Status::Suspended))]);
        l.condition = Some(Condition::Locked("admin suspended".into()));
        let diff = diff_sim(&d, &l, &BTreeMap::new());
        assert!(diff.changes.is_empty());
        assert!(diff.note.is_some());
    }
}
