//! Guards that stop an apply from doing something drastic by accident
//! (DESIGN.md section 4). They only read the plan; `--force` skips them.

use crate::model::{Field, Phase};

use super::Plan;

/// Below this many managed SIMs the percentage guard does not apply.
const MIN_MANAGED_FOR_PERCENT: usize = 10;

/// Every reason to refuse, as sentences that say how to override.
pub fn check(plan: &Plan, max_change_percent: f64) -> Vec<String> {
    let mut refusals = Vec::new();
    for provider in &plan.providers {
        let status_changes = provider
            .sims
            .iter()
            .filter(|s| s.status_move().is_some())
            .count();
        let managed = provider.managed;
        if managed >= MIN_MANAGED_FOR_PERCENT
            && status_changes as f64 * 100.0 > max_change_percent * managed as f64
        {
            refusals.push(format!(
                "provider `{}`: {status_changes} of {managed} managed SIMs ({:.0}%) would change status, \
                 more than --max-change-percent {max_change_percent}; raise it or pass --force",
                provider.name,
                status_changes as f64 * 100.0 / managed as f64
            ));
        }
        for sim in provider.sims.iter().filter(|s| s.protect) {
            if let Some((_, after)) = sim.status_move()
                && Phase::of(Field::Status, after) == Phase::Restrict
            {
                refusals.push(format!(
                    "provider `{}`: SIM {} is protected and would become {after}; remove `protect: true` or pass --force",
                    provider.name, sim.iccid
                ));
            }
        }
    }
    refusals
}
