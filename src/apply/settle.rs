//! One phase of one provider, carried out so that no call lands twice.
//!
//! A write whose answer was lost ([`SimFailure::Unknown`]) may have taken
//! effect. Its SIMs are read again: what shows the change is applied; what
//! shows no change was certainly not applied, so sending it again is
//! sending it once; what cannot be read stays unknown. A SIM still changing
//! at the provider (a monitor, provisioning) counts as applied. A write
//! that starts an operation (`Capabilities::started_fields`) is never sent
//! again in a run: if re-reads do not show it, it stays unknown. This
//! module must never resend a SIM without that re-read.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::model::{Condition, Iccid, LiveSim, Phase, SimWork, Vocabulary};
use crate::plan::{ProviderPlan, SimPlan, diff_sim};
use crate::provider::{Provider, SimFailure, SimOutcome, Written};
use crate::stop::Stop;

/// Sending rounds per phase: the first, then resends of what a re-read
/// proved absent. Each round costs only the SIMs whose answer was lost.
const ROUNDS: usize = 5;
/// Re-reads of SIMs whose answer was lost, after these pauses, where writes
/// are asynchronous: a change may show only once the provider caught up.
/// Elsewhere one immediate re-read tells.
const REREAD_PAUSES: [Duration; 3] = [
    Duration::from_millis(0),
    Duration::from_millis(1_000),
    Duration::from_millis(3_000),
];

pub(super) async fn phase(
    plan: &ProviderPlan,
    client: &dyn Provider,
    phase: Phase,
    mut pending: Vec<SimWork>,
    stop: &Stop,
) -> Vec<Written> {
    let mut done = Vec::new();
    for round in 1..=ROUNDS {
        let mut lost = Vec::new();
        for written in client.apply(&pending, stop).await {
            match written.outcome.result {
                Err(SimFailure::Unknown { .. }) => lost.push(written),
                _ => done.push(written),
            }
        }
        if lost.is_empty() {
            break;
        }
        tracing::info!(
            provider = %plan.name,
            sims = lost.len(),
            "answers lost; re-reading those SIMs before anything is sent again"
        );
        pending = Vec::new();
        let started = plan.kind.capabilities().started_fields;
        for (Written { outcome, finished }, verdict) in reread(plan, client, phase, lost).await {
            // The write's own time stays: a re-read changes nothing.
            let settled = |outcome| Written { outcome, finished };
            match verdict {
                Verdict::Landed(note) => done.push(settled(SimOutcome {
                    result: Ok(()),
                    note: Some(note),
                    ..outcome
                })),
                // A write that starts an operation may land later than any
                // re-read: sending it again could start a second one.
                Verdict::Absent(work)
                    if work.changes.iter().any(|c| started.contains(&c.field)) =>
                {
                    done.push(settled(SimOutcome {
                        result: not_resent(outcome.result),
                        ..outcome
                    }));
                }
                Verdict::Absent(work) if round < ROUNDS => pending.push(work),
                Verdict::Absent(_) => done.push(settled(SimOutcome {
                    result: Err(SimFailure::NotApplied {
                        detail: format!(
                            "the answer was lost {ROUNDS} times; a re-read shows no change"
                        ),
                    }),
                    ..outcome
                })),
                Verdict::Unknown => done.push(settled(outcome)),
            }
        }
        if pending.is_empty() {
            break;
        }
    }
    done
}

/// The outcome of a write that is not sent again, saying so. Only lost
/// answers (`Unknown`) are re-read, so only those change here.
fn not_resent(lost: Result<(), SimFailure>) -> Result<(), SimFailure> {
    match lost {
        Err(SimFailure::Unknown { call, detail }) => Err(SimFailure::Unsettled { call, detail }),
        other => other,
    }
}

enum Verdict {
    /// The change is there (or under way at the provider).
    Landed(String),
    /// The change is not there: what is left of this phase.
    Absent(SimWork),
    /// The SIM could not be read.
    Unknown,
}

async fn reread(
    plan: &ProviderPlan,
    client: &dyn Provider,
    phase: Phase,
    lost: Vec<Written>,
) -> Vec<(Written, Verdict)> {
    let mut verdicts: BTreeMap<Iccid, Verdict> = BTreeMap::new();
    let mut open: Vec<Iccid> = lost.iter().map(|w| w.outcome.iccid.clone()).collect();
    let planned: HashMap<&Iccid, &SimPlan> = plan.sims.iter().map(|s| (&s.iccid, s)).collect();
    let pauses = if plan.kind.capabilities().asynchronous_writes {
        &REREAD_PAUSES[..]
    } else {
        &REREAD_PAUSES[..1]
    };
    for &pause in pauses {
        if open.is_empty() {
            break;
        }
        tokio::time::sleep(pause).await;
        let Ok(live) = client.read_sims(&open, &plan.read_scope()).await else {
            continue;
        };
        let live: HashMap<&Iccid, &LiveSim> = live.iter().map(|s| (&s.iccid, s)).collect();
        for iccid in &open {
            let verdict = match (live.get(iccid), planned.get(iccid)) {
                (Some(sim), Some(planned)) => judge(plan, planned, phase, sim),
                _ => Verdict::Unknown,
            };
            verdicts.insert(iccid.clone(), verdict);
        }
        // Only an absent change is worth another look: it may be on its way.
        open.retain(|i| matches!(verdicts.get(i), Some(Verdict::Absent(_)) | None));
    }
    lost.into_iter()
        .map(|w| {
            let verdict = verdicts
                .remove(&w.outcome.iccid)
                .unwrap_or(Verdict::Unknown);
            (w, verdict)
        })
        .collect()
}

fn judge(plan: &ProviderPlan, sim: &SimPlan, phase: Phase, live: &LiveSim) -> Verdict {
    // A SIM converging at the provider shows its target values (e.g. CMO's
    // PENDING_ACTIVE reads as active); compare those, not the condition.
    let mut settled = live.clone();
    let progress = match settled.condition.take() {
        Some(Condition::InProgress(why)) => format!(", in progress ({why})"),
        other => {
            settled.condition = other;
            String::new()
        }
    };
    let caps = plan.kind.capabilities();
    let diff = diff_sim(&sim.desired, &settled, &Vocabulary::new(), caps);
    let left: Vec<_> = diff
        .changes
        .into_iter()
        .filter(|c| c.phase == phase)
        .collect();
    // Provider steps count here: in this phase they are the work itself.
    if left.is_empty() {
        return Verdict::Landed(format!("answer lost; re-read shows it applied{progress}"));
    }
    Verdict::Absent(SimWork {
        iccid: live.iccid.clone(),
        id: live.id.clone(),
        changes: left,
    })
}
