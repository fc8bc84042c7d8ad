//! The counts every plan format starts with: per provider and for the
//! whole plan, so a reviewer of ten thousand changes reads the size of a
//! plan before any detail of it, and a machine reads it without counting.
//!
//! Counts are derived from the plan when asked for, never stored beside
//! it: a stored count could disagree with the plan it describes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::{Plan, ProviderPlan};
use crate::model::Phase;

/// What one provider's plan (or the whole plan) holds, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Totals {
    /// SIMs declared in the manifests.
    pub managed: usize,
    pub sims_to_change: usize,
    pub changes: usize,
    pub enable: usize,
    pub configure: usize,
    pub restrict: usize,
    /// SIMs locked at the provider that differ from their manifests.
    pub locked_differing: usize,
    /// SIMs with an operation in progress at the provider, left alone.
    pub in_progress: usize,
    /// Declared SIMs the provider does not have (errors).
    pub missing: usize,
    /// Problems that stop SIMs from being planned (errors); a problem of a
    /// fleet's `defaults` counts once.
    pub errors: usize,
    /// Providers that could not be read (errors): of those nothing else
    /// is known, so their other counts say nothing.
    pub unreadable: usize,
    /// Live SIMs declared in no manifest.
    pub unmanaged: usize,
}

impl Totals {
    /// Problems that make the plan an error: nothing can be applied.
    pub fn problems(&self) -> usize {
        self.errors + self.missing + self.unreadable
    }

    fn add(&mut self, other: &Totals) {
        self.managed += other.managed;
        self.sims_to_change += other.sims_to_change;
        self.changes += other.changes;
        self.enable += other.enable;
        self.configure += other.configure;
        self.restrict += other.restrict;
        self.locked_differing += other.locked_differing;
        self.in_progress += other.in_progress;
        self.missing += other.missing;
        self.errors += other.errors;
        self.unreadable += other.unreadable;
        self.unmanaged += other.unmanaged;
    }
}

/// The totals of a plan as its JSON carries them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanTotals {
    pub all: Totals,
    /// By provider name.
    pub providers: BTreeMap<String, Totals>,
}

impl ProviderPlan {
    pub fn totals(&self) -> Totals {
        let mut phases = [0usize; 3];
        for change in self.sims.iter().flat_map(|s| &s.changes) {
            phases[change.phase as usize] += 1;
        }
        let in_progress = self
            .notes
            .iter()
            .filter(|n| matches!(n.condition, crate::model::Condition::InProgress(_)))
            .count();
        Totals {
            managed: self.managed,
            sims_to_change: self.sims.len(),
            changes: phases.iter().sum(),
            enable: phases[Phase::Enable as usize],
            configure: phases[Phase::Configure as usize],
            restrict: phases[Phase::Restrict as usize],
            locked_differing: self
                .notes
                .iter()
                .filter(|n| !n.differences.is_empty())
                .count(),
            in_progress,
            missing: self.missing.len(),
            errors: self.error_groups().len(),
            unreadable: usize::from(self.unreadable.is_some()),
            unmanaged: self.unmanaged_count,
        }
    }
}

impl Plan {
    pub fn totals(&self) -> PlanTotals {
        let mut all = Totals::default();
        let mut providers = BTreeMap::new();
        for provider in &self.providers {
            let totals = provider.totals();
            all.add(&totals);
            providers.insert(provider.name.clone(), totals);
        }
        PlanTotals { all, providers }
    }
}

/// The JSON plan: the plan and its totals (`plan --format json`,
/// schema/plan.schema.json).
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanDocument<'a> {
    #[serde(flatten)]
    pub plan: &'a Plan,
    pub totals: PlanTotals,
}

impl<'a> PlanDocument<'a> {
    pub fn of(plan: &'a Plan) -> Self {
        PlanDocument {
            plan,
            totals: plan.totals(),
        }
    }
}
