//! Carrying a plan out (DESIGN.md section 4).
//!
//! Providers run in parallel; within a provider the phases run in order and a
//! phase with failures stops the later phases of that provider. A failed SIM
//! never stops the others. Afterwards the touched SIMs are read back and any
//! that did not reach the desired state are reported. Batching, pacing and
//! concurrency are the provider's and the HTTP layer's, not this module's.

mod progress;
mod report;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::future::join_all;

use crate::manifest::Manifests;
use crate::model::{Iccid, Phase};
use crate::plan::{Plan, ProviderPlan, diff_sim};
use crate::provider::{Provider, ReadScope};

pub use progress::Progress;
pub use report::{ApplyReport, Failure, ProviderReport};

pub async fn execute(
    plan: &Plan,
    manifests: &Manifests,
    clients: &BTreeMap<String, Arc<dyn Provider>>,
    progress: &Progress,
) -> ApplyReport {
    let runs = plan
        .providers
        .iter()
        .filter(|p| !p.sims.is_empty())
        .filter_map(|p| {
            let client = clients.get(&p.name)?;
            Some(run_provider(p, client.as_ref(), manifests, progress))
        });
    ApplyReport {
        providers: join_all(runs).await,
    }
}

async fn run_provider(
    plan: &ProviderPlan,
    client: &dyn Provider,
    manifests: &Manifests,
    progress: &Progress,
) -> ProviderReport {
    let mut report = ProviderReport::new(&plan.name);
    let mut failed: BTreeSet<Iccid> = BTreeSet::new();
    let mut halted_by: Option<Phase> = None;
    for phase in Phase::ALL {
        let work = plan.work(phase);
        if work.is_empty() {
            continue;
        }
        if let Some(earlier) = halted_by {
            for sim in work.iter().filter(|w| !failed.contains(&w.iccid)) {
                report.skipped.push(Failure {
                    iccid: sim.iccid.clone(),
                    phase,
                    message: format!("not attempted: the {} phase had failures", earlier.as_str()),
                });
            }
            continue;
        }
        let outcomes = client.apply(phase, &work).await;
        let errors = outcomes.iter().filter(|o| o.result.is_err()).count();
        progress.phase_done(&plan.name, phase, outcomes.len(), errors);
        for outcome in outcomes {
            if let (Ok(()), Some(note)) = (&outcome.result, outcome.note) {
                report.notes.push((outcome.iccid.clone(), phase, note));
            }
            if let Err(message) = outcome.result {
                failed.insert(outcome.iccid.clone());
                report.failed.push(Failure {
                    iccid: outcome.iccid,
                    phase,
                    message,
                });
            }
        }
        if errors > 0 {
            halted_by = Some(phase);
        }
    }
    let skipped: BTreeSet<&Iccid> = report.skipped.iter().map(|f| &f.iccid).collect();
    let applied: Vec<Iccid> = plan
        .sims
        .iter()
        .map(|s| s.iccid.clone())
        .filter(|i| !failed.contains(i) && !skipped.contains(i))
        .collect();
    read_back(plan, client, manifests, &applied, &mut report).await;
    report.applied = applied;
    report
}

/// Re-reads the applied SIMs and records any that still differ.
async fn read_back(
    plan: &ProviderPlan,
    client: &dyn Provider,
    manifests: &Manifests,
    applied: &[Iccid],
    report: &mut ProviderReport,
) {
    if applied.is_empty() {
        return;
    }
    let desired_here = manifests.sims.iter().filter(|s| s.provider == plan.name);
    let scope = ReadScope::new(plan.kind, desired_here);
    let live = match client.read_sims(applied, &scope).await {
        Ok(live) => live,
        Err(e) => {
            report.read_back_error = Some(e.to_string());
            return;
        }
    };
    let live: HashMap<&Iccid, _> = live.iter().map(|s| (&s.iccid, s)).collect();
    let desired: HashMap<&Iccid, _> = manifests
        .sims
        .iter()
        .filter(|s| s.provider == plan.name)
        .map(|s| (&s.iccid, s))
        .collect();
    for iccid in applied {
        let (Some(want), Some(have)) = (desired.get(iccid), live.get(iccid)) else {
            report
                .not_converged
                .push((iccid.clone(), vec!["not found when read back".into()]));
            continue;
        };
        let diff = diff_sim(want, have, &BTreeMap::new(), plan.kind.capabilities());
        // Provider steps (e.g. a temporary unsuspend) are means, not goals.
        let differing: Vec<_> = diff.changes.iter().filter(|c| c.step.is_none()).collect();
        if !differing.is_empty() {
            let fields = differing
                .iter()
                .map(|c| {
                    format!(
                        "{} is {} (wanted {})",
                        c.field.manifest_name(),
                        c.before,
                        c.after
                    )
                })
                .collect();
            report.not_converged.push((iccid.clone(), fields));
        }
    }
}
