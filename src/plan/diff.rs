//! The one place where desired and live state are compared.
//!
//! Providers never diff: they report live state in the normalised model and
//! this module decides what changes, in which phase, and what cannot be done.

use crate::kind::Capabilities;
use crate::model::{
    Attributes, Change, Condition, Field, Fields, LiveSim, Names, Phase, Status, Value, Vocabulary,
};

/// Why a SIM cannot be planned (the plan is then an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffProblem {
    #[error("status cannot change from {} to {}: {rule}", from.as_str(), to.as_str())]
    StatusRoute {
        from: Status,
        to: Status,
        rule: &'static str,
    },
    #[error(
        "{} {} not exist at the provider: {}",
        field.manifest_name(),
        if values.len() == 1 { "does" } else { "do" },
        values.join(", ")
    )]
    UnknownValues { field: Field, values: Vec<String> },
    #[error(
        "{} {} cannot be removed: the provider marks {} read-only; keep {} in the manifest",
        field.manifest_name(),
        values.join(", "),
        if values.len() == 1 { "it" } else { "them" },
        if values.len() == 1 { "it" } else { "them" }
    )]
    FixedValues { field: Field, values: Vec<String> },
}

impl DiffProblem {
    /// The field and the values the manifest asked for that caused this
    /// problem; `None` when the cause is at the provider (values it will
    /// not remove).
    pub fn written(&self) -> Option<(Field, Vec<&str>)> {
        match self {
            DiffProblem::StatusRoute { to, .. } => Some((Field::Status, vec![to.as_str()])),
            DiffProblem::UnknownValues { field, values } => {
                Some((*field, values.iter().map(String::as_str).collect()))
            }
            DiffProblem::FixedValues { .. } => None,
        }
    }
}

/// What the diff of one SIM found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SimDiff {
    pub changes: Vec<Change>,
    /// Reasons the SIM cannot be planned (the plan is then an error).
    pub errors: Vec<DiffProblem>,
    /// Live conditions simfleet leaves alone (in progress, locked).
    pub note: Option<Condition>,
    /// Fields where a locked SIM differs from its manifest: reported, never
    /// written.
    pub locked_differences: Vec<Difference>,
}

/// One managed field whose live value is not the declared one.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Difference {
    pub field: Field,
    pub live: Value,
    pub declared: Value,
}

/// Every managed field (those in `desired`) whose live value differs, as
/// compared by the diff: absent collections are empty.
pub fn differences(desired: &Fields, live: &LiveSim) -> Vec<Difference> {
    desired
        .iter()
        .filter_map(|(&field, want)| {
            let declared = normalised(field, Some(want));
            let live = normalised(field, live.fields.get(&field));
            (declared != live).then_some(Difference {
                field,
                live,
                declared,
            })
        })
        .collect()
}

/// A live value as compared: absent fields and empty collections are "empty".
fn normalised(field: Field, value: Option<&Value>) -> Value {
    match (field, value) {
        (Field::Tags, None | Some(Value::Null)) => Value::Set(Names::default()),
        (Field::Attributes, None | Some(Value::Null)) => Value::Map(Attributes::default()),
        (_, Some(v)) => v.clone(),
        (_, None) => Value::Null,
    }
}

fn change(field: Field, before: Value, after: Value, step: Option<&str>) -> Change {
    Change {
        field,
        phase: Phase::of(field, &after),
        before,
        after,
        step: step.map(str::to_owned),
    }
}

/// The status changes that take a SIM from `from` to `to` with the moves the
/// provider allows: one direct move, or two through an intermediate status
/// (the first shown as a provider step). `Err` says why it cannot be done.
fn status_route(caps: &Capabilities, from: Status, to: Status) -> Result<Vec<Change>, DiffProblem> {
    let status = |s: Status| Value::Status(s);
    if caps.can_move(from, to) {
        return Ok(vec![change(Field::Status, status(from), status(to), None)]);
    }
    let via = [Status::Active, Status::Suspended, Status::Inactive]
        .into_iter()
        .find(|&m| caps.can_move(from, m) && caps.can_move(m, to));
    match via {
        Some(m) => Ok(vec![
            change(
                Field::Status,
                status(from),
                status(m),
                Some(&format!(
                    "{from} cannot become {to} directly",
                    from = from.as_str(),
                    to = to.as_str()
                )),
            ),
            change(Field::Status, status(m), status(to), None),
        ]),
        None => Err(DiffProblem::StatusRoute {
            from,
            to,
            rule: caps.status_rule,
        }),
    }
}

/// Wraps the changes of a SIM in a frozen status (Eseye's suspension) in
/// "leave the status, change, return to it" when nothing else leaves it.
fn release_frozen(caps: &Capabilities, live: Option<&Value>, changes: &mut Vec<Change>) {
    let Some((frozen, why)) = caps.frozen else {
        return;
    };
    if live != Some(&Value::Status(frozen))
        || changes.iter().all(|c| c.field == Field::Status)
        || changes.iter().any(|c| c.field == Field::Status)
    {
        return;
    }
    let (f, a) = (Value::Status(frozen), Value::Status(Status::Active));
    changes.push(change(Field::Status, f.clone(), a.clone(), Some(why)));
    changes.push(change(Field::Status, a, f, Some(why)));
}

/// Why the provider would refuse to take a set field from `have` to
/// `want`: values it does not know, or values it will not remove.
fn refused_values(
    field: Field,
    have: &Value,
    want: &Value,
    vocabulary: &Vocabulary,
) -> Option<DiffProblem> {
    let Value::Set(wanted) = want else {
        return None;
    };
    let unknown: Vec<String> = wanted
        .iter()
        .filter(|v| !vocabulary.accepts(field, v))
        .map(str::to_owned)
        .collect();
    if !unknown.is_empty() {
        return Some(DiffProblem::UnknownValues {
            field,
            values: unknown,
        });
    }
    let Value::Set(held) = have else {
        return None;
    };
    let fixed: Vec<String> = held
        .iter()
        .filter(|v| !wanted.contains(v) && !vocabulary.removable(field, v))
        .map(str::to_owned)
        .collect();
    (!fixed.is_empty()).then_some(DiffProblem::FixedValues {
        field,
        values: fixed,
    })
}

/// The changes that take `live` to the `desired` fields (absent fields are
/// not managed), under the provider's rules.
pub fn diff_sim(
    desired: &Fields,
    live: &LiveSim,
    vocabulary: &Vocabulary,
    caps: &Capabilities,
) -> SimDiff {
    let mut out = SimDiff {
        note: live.condition.clone(),
        ..SimDiff::default()
    };
    if matches!(live.condition, Some(Condition::Locked(_))) {
        // Reported, never written to.
        out.locked_differences = differences(desired, live);
        return out;
    }
    for (&field, want) in desired {
        let want = normalised(field, Some(want));
        let have = normalised(field, live.fields.get(&field));
        if want == have {
            continue;
        }
        let in_progress = matches!(live.condition, Some(Condition::InProgress(_)));
        if in_progress && caps.started_fields.contains(&field) {
            // An operation is under way: another one now would be refused
            // or race it (Super SIM's 83009); the next plan sees it settled.
            continue;
        }
        if field == Field::Status {
            if in_progress {
                continue; // converging by itself
            }
            match (&have, &want) {
                (Value::Status(from), Value::Status(to)) => match status_route(caps, *from, *to) {
                    Ok(changes) => out.changes.extend(changes),
                    Err(message) => out.errors.push(message),
                },
                _ => out.changes.push(change(field, have, want, None)),
            }
            continue;
        }
        if let Some(problem) = refused_values(field, &have, &want, vocabulary) {
            out.errors.push(problem);
            continue;
        }
        out.changes.push(change(field, have, want, None));
    }
    release_frozen(caps, live.fields.get(&Field::Status), &mut out.changes);
    if caps.one_write_per_sim {
        travel_together(&mut out.changes);
    }
    // Stable: two status changes of one SIM keep their route order.
    out.changes.sort_by_key(|c| (c.phase, c.field));
    out
}

/// Where one write carries every change of a SIM atomically, its other
/// changes travel in the phase of its (single) status change: one write
/// per SIM and run instead of one per phase.
fn travel_together(changes: &mut [Change]) {
    let mut moves = changes.iter().filter(|c| c.field == Field::Status);
    let (Some(status), None) = (moves.next(), moves.next()) else {
        return;
    };
    let phase = status.phase;
    for change in changes.iter_mut() {
        change.phase = phase;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::testing::{NOTE, ROW};
    use crate::model::{Iccid, Status};
    use Status::{Active, Inactive, Suspended};

    /// One write carries all of a SIM's changes; SIMs are on or off.
    const ONE_WRITE: Capabilities = Capabilities {
        one_write_per_sim: true,
        statuses: &[Active, Inactive],
        transitions: &[(Inactive, Active), (Active, Inactive)],
        ..ROW
    };

    /// Suspends only active SIMs, and activates only from never-active
    /// or suspended.
    const STEPPED: Capabilities = Capabilities {
        transitions: &[(Inactive, Active), (Active, Suspended), (Suspended, Active)],
        ..ROW
    };

    /// Accepts no change of a suspended SIM.
    const FROZEN: Capabilities = Capabilities {
        frozen: Some((Suspended, "the test provider cannot update a suspended SIM")),
        ..ROW
    };

    fn caps() -> &'static Capabilities {
        &ONE_WRITE
    }

    fn desired(fields: &[(Field, Value)]) -> Fields {
        fields.iter().cloned().collect()
    }

    fn live(fields: &[(Field, Value)]) -> LiveSim {
        LiveSim {
            iccid: Iccid::from_live("89457387300000024185"),
            id: "000002418".into(),
            fields: fields.iter().cloned().collect(),
            condition: None,
            aliases: Vec::new(),
        }
    }

    #[test]
    fn unmanaged_fields_are_ignored_and_changes_ordered_by_phase() {
        let d = desired(&[
            (Field::Status, Value::Status(Status::Suspended)),
            (Field::Name, Value::Text("pump".into())),
        ]);
        let l = live(&[
            (Field::Status, Value::Status(Status::Active)),
            (Field::Name, Value::Null),
            (Field::Own(&NOTE), Value::Text("c".into())),
        ]);
        let caps = &STEPPED;
        let diff = diff_sim(&d, &l, &Vocabulary::new(), caps);
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
        let d = desired(&[(Field::Tags, Value::Set(Names::default()))]);
        assert!(
            diff_sim(&d, &live(&[]), &Vocabulary::new(), caps())
                .changes
                .is_empty()
        );
        let d = desired(&[(Field::Tags, Value::Set(["nope".to_owned()].into()))]);
        let mut vocab = Vocabulary::new();
        vocab.insert(Field::Tags, "pumps", true);
        let diff = diff_sim(&d, &live(&[]), &vocab, caps());
        assert!(diff.changes.is_empty());
        assert_eq!(
            diff.errors[0].to_string(),
            "tags does not exist at the provider: nope"
        );
    }

    #[test]
    fn removing_a_read_only_tag_is_an_error_and_keeping_it_is_not() {
        let mut vocab = Vocabulary::new();
        vocab.insert(Field::Tags, "pumps", true);
        vocab.insert(Field::Tags, "Supplier", false);
        let set = |names: &[&str]| Value::Set(names.iter().map(|n| n.to_string()).collect());
        let l = live(&[(Field::Tags, set(&["Supplier", "pumps"]))]);
        let wanting =
            |names: &[&str]| diff_sim(&desired(&[(Field::Tags, set(names))]), &l, &vocab, caps());
        let diff = wanting(&["pumps"]);
        assert!(diff.changes.is_empty());
        assert_eq!(
            diff.errors[0].to_string(),
            "tags Supplier cannot be removed: the provider marks it read-only; keep it in the manifest"
        );
        let diff = wanting(&["Supplier"]);
        assert!(diff.errors.is_empty());
        assert_eq!(diff.changes.len(), 1, "pumps goes, Supplier stays");
    }

    #[test]
    fn one_write_per_sim_carries_a_sims_changes_in_its_status_phase() {
        let d = desired(&[
            (Field::Status, Value::Status(Status::Active)),
            (Field::Name, Value::Text("pump".into())),
        ]);
        let l = live(&[
            (Field::Status, Value::Status(Status::Inactive)),
            (Field::Name, Value::Null),
        ]);
        let onomondo = diff_sim(&d, &l, &Vocabulary::new(), caps());
        let phases: Vec<Phase> = onomondo.changes.iter().map(|c| c.phase).collect();
        assert_eq!(phases, vec![Phase::Enable, Phase::Enable]);
        let infobip = diff_sim(&d, &l, &Vocabulary::new(), &STEPPED);
        let phases: Vec<Phase> = infobip.changes.iter().map(|c| c.phase).collect();
        assert_eq!(phases, vec![Phase::Enable, Phase::Configure]);
    }

    #[test]
    fn a_sim_in_progress_gets_no_change_that_starts_an_operation() {
        let started = Capabilities {
            started_fields: &[Field::Status, Field::Own(&NOTE)],
            ..ONE_WRITE
        };
        let d = desired(&[
            (Field::Own(&NOTE), Value::Text("b".into())),
            (Field::Name, Value::Text("pump".into())),
        ]);
        let mut l = live(&[(Field::Own(&NOTE), Value::Text("a".into()))]);
        l.condition = Some(Condition::InProgress("scheduled".into()));
        let fields = |caps: &Capabilities| -> Vec<Field> {
            let diff = diff_sim(&d, &l, &Vocabulary::new(), caps);
            diff.changes.iter().map(|c| c.field).collect()
        };
        assert_eq!(fields(&started), vec![Field::Name]);
        assert_eq!(fields(&ONE_WRITE), vec![Field::Name, Field::Own(&NOTE)]);
    }

    #[test]
    fn locked_sims_get_no_changes() {
        let d = desired(&[(Field::Status, Value::Status(Status::Active))]);
        let mut l = live(&[(Field::Status, Value::Status(Status::Suspended))]);
        l.condition = Some(Condition::Locked("admin suspended".into()));
        let diff = diff_sim(&d, &l, &Vocabulary::new(), caps());
        assert!(diff.changes.is_empty());
        assert!(diff.note.is_some());
    }

    fn status(s: Status) -> (Field, Value) {
        (Field::Status, Value::Status(s))
    }

    fn route(caps: &Capabilities, from: Status, to: Status) -> SimDiff {
        let d = desired(&[status(to)]);
        diff_sim(&d, &live(&[status(from)]), &Vocabulary::new(), caps)
    }

    #[test]
    fn status_moves_follow_the_provider_transitions() {
        let direct = route(&STEPPED, Status::Active, Status::Suspended);
        assert_eq!(direct.changes.len(), 1);
        assert!(direct.changes[0].step.is_none());

        let via = route(&STEPPED, Status::Inactive, Status::Suspended);
        let moves: Vec<(Phase, String)> = via
            .changes
            .iter()
            .map(|c| (c.phase, c.after.to_string()))
            .collect();
        assert_eq!(
            moves,
            vec![
                (Phase::Enable, "active".into()),
                (Phase::Restrict, "suspended".into())
            ]
        );
        assert!(via.changes[0].step.is_some());

        let impossible = route(&STEPPED, Status::Active, Status::Inactive);
        assert!(impossible.changes.is_empty());
        assert!(
            impossible.errors[0]
                .to_string()
                .contains("from active to inactive")
        );
    }

    #[test]
    fn frozen_sims_are_released_changed_and_put_back() {
        let d = desired(&[(Field::Package, Value::Text("p2".into()))]);
        let l = live(&[
            status(Status::Suspended),
            (Field::Package, Value::Text("p1".into())),
        ]);
        let diff = diff_sim(&d, &l, &Vocabulary::new(), &FROZEN);
        let steps: Vec<(Phase, Field, bool)> = diff
            .changes
            .iter()
            .map(|c| (c.phase, c.field, c.step.is_some()))
            .collect();
        assert_eq!(
            steps,
            vec![
                (Phase::Enable, Field::Status, true),
                (Phase::Configure, Field::Package, false),
                (Phase::Restrict, Field::Status, true),
            ]
        );
    }
}
