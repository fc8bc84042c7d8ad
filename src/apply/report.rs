//! What an apply did, per provider, its totals, and the exit code it
//! implies. Typed: the rendering is `render::report`'s, the JSON document
//! `apply::document`'s.

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::model::{Change, Iccid, Phase};
use crate::plan::ProviderPlan;
use crate::provider::{ProviderError, SimFailure};

/// A SIM whose changes in a phase failed, with the provider's reason.
#[derive(Debug, Clone)]
pub struct Failure {
    pub iccid: Iccid,
    pub phase: Phase,
    pub failure: SimFailure,
}

/// A SIM whose phase was not sent because an earlier phase failed.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub iccid: Iccid,
    pub phase: Phase,
    pub halted_by: Phase,
}

/// Applied without error, yet still different when read back.
#[derive(Debug, Clone)]
pub struct NotConverged {
    pub iccid: Iccid,
    /// What still differs, `before` being the value read back; empty when
    /// the SIM was not found at all.
    pub differing: Vec<Change>,
}

#[derive(Debug)]
pub struct ProviderReport {
    pub provider: String,
    /// SIMs the plan changed at this provider, and their field changes.
    pub planned: usize,
    pub changes: usize,
    pub applied: Vec<Iccid>,
    pub failed: Vec<Failure>,
    /// Answer lost and the SIM could not be re-read: may or may not have
    /// taken effect. Never sent again.
    pub unknown: Vec<Failure>,
    /// Nothing was sent for them: the provider had stopped answering (its
    /// breaker opened). Each carries the one reason.
    pub not_attempted: Vec<Failure>,
    pub skipped: Vec<Skipped>,
    /// Never sent: the run was interrupted first.
    pub interrupted: Vec<Iccid>,
    pub not_converged: Vec<NotConverged>,
    pub read_back_error: Option<ProviderError>,
    /// How SIMs completed, where the provider said (sync, after a monitor).
    pub notes: Vec<(Iccid, Phase, String)>,
    /// When each SIM's last call finished (SIMs something was sent for).
    pub finished: BTreeMap<Iccid, SystemTime>,
}

impl ProviderReport {
    pub fn new(plan: &ProviderPlan) -> Self {
        ProviderReport {
            provider: plan.name.clone(),
            planned: plan.sims.len(),
            changes: plan.sims.iter().map(|s| s.changes.len()).sum(),
            applied: Vec::new(),
            failed: Vec::new(),
            unknown: Vec::new(),
            not_attempted: Vec::new(),
            skipped: Vec::new(),
            interrupted: Vec::new(),
            not_converged: Vec::new(),
            read_back_error: None,
            notes: Vec::new(),
            finished: BTreeMap::new(),
        }
    }

    /// How its SIMs ended, counted: each planned SIM in exactly one count
    /// but `changes`.
    pub fn totals(&self) -> Totals {
        Totals {
            sims: self.planned,
            applied: self.applied.len() - self.not_converged.len(),
            not_converged: self.not_converged.len(),
            failed: self.failed.len(),
            unknown: self.unknown.len(),
            not_attempted: self.not_attempted.len(),
            skipped: self.skipped.len(),
            interrupted: self.interrupted.len(),
            changes: self.changes,
        }
    }
}

/// How the SIMs of a provider, or of a whole run, ended. Every SIM the
/// plan changed is in exactly one of the counts from `applied` to
/// `interrupted`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Totals {
    /// SIMs the plan changed.
    pub sims: usize,
    /// Written, and read back as desired (or not read back: see
    /// `read_back_error`).
    pub applied: usize,
    /// Written, yet read back different from the manifests.
    pub not_converged: usize,
    pub failed: usize,
    /// Answer lost: may or may not have taken effect.
    pub unknown: usize,
    /// Nothing sent: the provider had stopped answering.
    pub not_attempted: usize,
    /// Not sent because an earlier phase of the provider had failures.
    pub skipped: usize,
    /// Never sent: the run was interrupted first.
    pub interrupted: usize,
    /// Field changes the plan held for these SIMs (provider steps included).
    pub changes: usize,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, other: Totals) {
        self.sims += other.sims;
        self.applied += other.applied;
        self.not_converged += other.not_converged;
        self.failed += other.failed;
        self.unknown += other.unknown;
        self.not_attempted += other.not_attempted;
        self.skipped += other.skipped;
        self.interrupted += other.interrupted;
        self.changes += other.changes;
    }
}

#[derive(Debug, Default)]
pub struct ApplyReport {
    pub providers: Vec<ProviderReport>,
    /// A stop was raised during the run: what was not sent by then was
    /// not sent at all, and the applied SIMs were not read back.
    pub interrupted: bool,
}

impl ApplyReport {
    pub fn count(&self, f: impl Fn(&ProviderReport) -> usize) -> usize {
        self.providers.iter().map(f).sum()
    }

    /// SIMs applied and read back as desired.
    pub fn converged(&self) -> usize {
        self.totals().applied
    }

    /// The totals of every provider.
    pub fn totals(&self) -> Totals {
        let mut all = Totals::default();
        for p in &self.providers {
            all += p.totals();
        }
        all
    }

    /// Whether everything planned was applied and read back as desired.
    pub fn complete(&self) -> bool {
        let t = self.totals();
        t.applied == t.sims && !self.providers.iter().any(|p| p.read_back_error.is_some())
    }

    /// 0 all applied, 1 nothing applied, 3 partial failure.
    pub fn exit_code(&self) -> u8 {
        match (self.complete(), self.converged()) {
            (true, _) => 0,
            (false, 0) => 1,
            _ => 3,
        }
    }
}
