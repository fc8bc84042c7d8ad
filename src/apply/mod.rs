//! Carrying a plan out (docs/architecture.md, "The pipeline").
//!
//! Providers run in parallel; within a provider the phases run in order and a
//! phase with failures stops the later phases of that provider, except the
//! status changes of SIMs a provider step already moved (a temporary
//! unsuspend is always undone: no SIM is left live that its manifest
//! restricts). A failed SIM
//! never stops the others; a provider that stopped answering (its breaker
//! opened) gets nothing more, and its remaining work is not attempted. Afterwards the touched SIMs are read back and any
//! that did not reach the desired state are reported. Batching, pacing and
//! concurrency are the provider's and the HTTP layer's, not this module's.
//! It works from the plan alone: desired values travel in it.

mod document;
mod report;
mod settle;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::future::join_all;

use crate::model::{Change, Field, Iccid, Phase, SimWork, Vocabulary};
use crate::plan::{Plan, ProviderPlan, diff_sim};
use crate::provider::{Provider, SimFailure, Written};
use crate::stop::Stop;

pub use document::{Outcome, ReportDocument};
pub use report::{ApplyReport, Failure, NotConverged, ProviderReport, Skipped, Totals};

/// Carries `plan` out at `clients`. Once `stop` is raised nothing more is
/// sent: batches, phases and resends not started are interrupted, calls
/// in flight are awaited, and the report says it was interrupted.
pub async fn execute(
    plan: &Plan,
    clients: &BTreeMap<String, Arc<dyn Provider>>,
    stop: &Stop,
) -> ApplyReport {
    let runs = plan
        .providers
        .iter()
        .filter(|p| !p.sims.is_empty())
        .filter_map(|p| {
            let client = clients.get(&p.name)?;
            Some(run_provider(p, client.as_ref(), stop))
        });
    let providers = join_all(runs).await;
    ApplyReport {
        providers,
        interrupted: stop.is_raised(),
    }
}

async fn run_provider(plan: &ProviderPlan, client: &dyn Provider, stop: &Stop) -> ProviderReport {
    let mut report = ProviderReport::new(plan);
    let mut failed: BTreeSet<Iccid> = BTreeSet::new();
    let mut halted_by: Option<Phase> = None;
    // Set once the provider's breaker opened: why nothing more is sent.
    let mut down: Option<SimFailure> = None;
    // SIMs an earlier phase moved through a provider step (Eseye's
    // temporary unsuspend, Infobip's activation on the way to suspended):
    // their later status changes are sent even once a failure halts the
    // later phases, so none is left live that its manifest restricts.
    let mut stepped: BTreeSet<Iccid> = BTreeSet::new();
    for phase in Phase::ALL {
        let mut work = plan.work(phase);
        if work.is_empty() {
            continue;
        }
        if stop.is_raised() {
            for sim in &work {
                if failed.insert(sim.iccid.clone()) {
                    report.interrupted.push(sim.iccid.clone());
                }
            }
            continue;
        }
        if let Some(failure) = &down {
            for sim in work.iter().filter(|w| failed.insert(w.iccid.clone())) {
                report.not_attempted.push(Failure {
                    iccid: sim.iccid.clone(),
                    phase,
                    failure: failure.clone(),
                });
            }
            continue;
        }
        if let Some(earlier) = halted_by {
            let (returning, halted) = returning(work, &stepped);
            // Each SIM once, however many later phases it has.
            for sim in halted.iter().filter(|w| failed.insert(w.iccid.clone())) {
                report.skipped.push(Skipped {
                    iccid: sim.iccid.clone(),
                    phase,
                    halted_by: earlier,
                });
            }
            if returning.is_empty() {
                continue;
            }
            work = returning;
        }
        let stepping: BTreeSet<Iccid> = work
            .iter()
            .filter(|w| w.changes.iter().any(|c| c.step.is_some()))
            .map(|w| w.iccid.clone())
            .collect();
        let outcomes = settle::phase(plan, client, phase, work, stop).await;
        for outcome in outcomes.iter().map(|w| &w.outcome) {
            let moved = match &outcome.result {
                Ok(()) => true,
                Err(failure) => failure.may_have_landed(),
            };
            if moved && stepping.contains(&outcome.iccid) {
                stepped.insert(outcome.iccid.clone());
            }
        }
        let errors = record(outcomes, phase, &mut report, &mut failed, &mut down);
        if errors > 0 && halted_by.is_none() {
            halted_by = Some(phase);
        }
    }
    // Every SIM that failed, was not sent or was skipped is in `failed`.
    let applied: Vec<Iccid> = plan
        .sims
        .iter()
        .map(|s| s.iccid.clone())
        .filter(|i| !failed.contains(i))
        .collect();
    // After an interrupt the user wants out: the summary says what was
    // sent, and the next plan reads the rest.
    if !stop.is_raised() {
        read_back(plan, client, &applied, &mut report).await;
    }
    report.applied = applied;
    report
}

/// Of a halted phase's `work`, the status changes of SIMs an earlier
/// phase moved through a provider step (sent still), and the rest
/// (skipped). A SIM with other changes in the phase is in both: those
/// others are skipped.
fn returning(work: Vec<SimWork>, stepped: &BTreeSet<Iccid>) -> (Vec<SimWork>, Vec<SimWork>) {
    let mut returning = Vec::new();
    let mut halted = Vec::new();
    for mut sim in work {
        if !stepped.contains(&sim.iccid) {
            halted.push(sim);
            continue;
        }
        let status: Vec<Change> = sim
            .changes
            .iter()
            .filter(|c| c.field == Field::Status)
            .cloned()
            .collect();
        let others = status.len() < sim.changes.len();
        if !status.is_empty() {
            let mut back = sim.clone();
            back.changes = status;
            returning.push(back);
        }
        if others {
            sim.changes.retain(|c| c.field != Field::Status);
            halted.push(sim);
        }
    }
    (returning, halted)
}

/// Files one phase's outcomes in `report` and `failed` (and `down`, once
/// the provider stopped answering); the number of errors among them.
fn record(
    outcomes: Vec<Written>,
    phase: Phase,
    report: &mut ProviderReport,
    failed: &mut BTreeSet<Iccid>,
    down: &mut Option<SimFailure>,
) -> usize {
    let errors = outcomes
        .iter()
        .map(|w| &w.outcome.result)
        .filter(|r| r.is_err() && **r != Err(SimFailure::Interrupted))
        .count();
    for Written { outcome, finished } in outcomes {
        if let Some(at) = finished {
            let last = report.finished.entry(outcome.iccid.clone()).or_insert(at);
            *last = (*last).max(at);
        }
        match outcome.result {
            Err(SimFailure::Interrupted) => {
                failed.insert(outcome.iccid.clone());
                report.interrupted.push(outcome.iccid);
            }
            Ok(()) => {
                if let Some(note) = outcome.note {
                    report.notes.push((outcome.iccid, phase, note));
                }
            }
            Err(failure @ SimFailure::NotAttempted { .. }) => {
                failed.insert(outcome.iccid.clone());
                down.get_or_insert_with(|| failure.clone());
                report.not_attempted.push(Failure {
                    iccid: outcome.iccid,
                    phase,
                    failure,
                });
            }
            Err(failure) => {
                failed.insert(outcome.iccid.clone());
                let list = if failure.may_have_landed() {
                    &mut report.unknown
                } else {
                    &mut report.failed
                };
                list.push(Failure {
                    iccid: outcome.iccid,
                    phase,
                    failure,
                });
            }
        }
    }
    errors
}

/// Re-reads the applied SIMs and records any that still differ from the
/// desired values the plan carries.
async fn read_back(
    plan: &ProviderPlan,
    client: &dyn Provider,
    applied: &[Iccid],
    report: &mut ProviderReport,
) {
    if applied.is_empty() {
        return;
    }
    let live = match client.read_sims(applied, &plan.read_scope()).await {
        Ok(live) => live,
        Err(e) => {
            report.read_back_error = Some(e);
            return;
        }
    };
    let live: HashMap<&Iccid, _> = live.iter().map(|s| (&s.iccid, s)).collect();
    let desired: HashMap<&Iccid, _> = plan.sims.iter().map(|s| (&s.iccid, &s.desired)).collect();
    for iccid in applied {
        let (Some(want), Some(have)) = (desired.get(iccid), live.get(iccid)) else {
            report.not_converged.push(NotConverged {
                iccid: iccid.clone(),
                differing: Vec::new(),
            });
            continue;
        };
        let diff = diff_sim(want, have, &Vocabulary::new(), plan.kind.capabilities());
        // Provider steps (e.g. a temporary unsuspend) are means, not goals.
        let differing: Vec<_> = diff
            .changes
            .into_iter()
            .filter(|c| c.step.is_none())
            .collect();
        if !differing.is_empty() {
            report.not_converged.push(NotConverged {
                iccid: iccid.clone(),
                differing,
            });
        }
    }
}
