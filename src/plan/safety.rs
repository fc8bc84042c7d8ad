//! Guards that stop an apply from doing something drastic by accident
//! (docs/architecture.md, "Safety"), like octoDNS's `raise_if_unsafe`.
//! They only read the plan; `--force` skips them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Field, Iccid, Phase, Value};

use super::Plan;

/// The default of `--max-change-percent`.
pub const DEFAULT_MAX_CHANGE_PERCENT: f64 = 30.0;

/// The safety verdict on a plan, as `plan` shows it and `apply` enforces it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Verdict {
    /// The threshold of providers whose manifest sets none: the
    /// `--max-change-percent` given (which then holds for every provider)
    /// or the default.
    pub max_change_percent: f64,
    /// `--force` was given: refusals are shown, not enforced.
    pub forced: bool,
    /// Why apply refuses this plan; empty when it does not.
    pub refusals: Vec<String>,
}

impl Verdict {
    /// The checks of [`check`] on `plan`, under the flags given.
    pub fn of(plan: &Plan, flag: Option<f64>, forced: bool) -> Verdict {
        let refusals = check(plan, flag);
        Verdict {
            max_change_percent: flag.unwrap_or(DEFAULT_MAX_CHANGE_PERCENT),
            forced,
            refusals: refusals.iter().map(ToString::to_string).collect(),
        }
    }

    /// Apply must not go ahead.
    pub fn refuses(&self) -> bool {
        !self.forced && !self.refusals.is_empty()
    }
}

/// Below this many managed SIMs the percentage guard does not apply.
const MIN_MANAGED_FOR_PERCENT: usize = 10;

/// A reason to refuse an apply; each says how to override it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "provider `{provider}`: {changing} of {managed} managed SIMs ({:.0}%) would change status, \
         more than {max_percent}% ({}); if that is meant, raise `max_change_percent` of the \
         provider in its Providers manifest (reviewed with the change), or pass \
         --max-change-percent or --force",
        *changing as f64 * 100.0 / *managed as f64,
        threshold.said()
    )]
    TooManyStatusChanges {
        provider: String,
        changing: usize,
        managed: usize,
        max_percent: f64,
        threshold: ThresholdSource,
    },
    #[error(
        "provider `{provider}`: SIM {iccid} is protected and would become {after}; \
         remove `protect: true` or pass --force"
    )]
    Protected {
        provider: String,
        iccid: Iccid,
        after: Value,
    },
}

/// Where a provider's threshold came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdSource {
    Flag,
    Manifest,
    Default,
}

impl ThresholdSource {
    fn said(self) -> &'static str {
        match self {
            ThresholdSource::Flag => "--max-change-percent",
            ThresholdSource::Manifest => "its Providers manifest",
            ThresholdSource::Default => "the default",
        }
    }
}

/// Every reason to refuse. A provider's threshold is the flag if given,
/// else its manifest's, else the default.
pub fn check(plan: &Plan, flag: Option<f64>) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    for provider in &plan.providers {
        let (max_change_percent, source) = match (flag, provider.max_change_percent) {
            (Some(flag), _) => (flag, ThresholdSource::Flag),
            (None, Some(set)) => (set, ThresholdSource::Manifest),
            (None, None) => (DEFAULT_MAX_CHANGE_PERCENT, ThresholdSource::Default),
        };
        let changing = provider
            .sims
            .iter()
            .filter(|s| s.status_move().is_some())
            .count();
        let managed = provider.managed;
        if managed >= MIN_MANAGED_FOR_PERCENT
            && changing as f64 * 100.0 > max_change_percent * managed as f64
        {
            refusals.push(Refusal::TooManyStatusChanges {
                provider: provider.name.clone(),
                changing,
                managed,
                max_percent: max_change_percent,
                threshold: source,
            });
        }
        for sim in provider.sims.iter().filter(|s| s.protect) {
            if let Some((_, after)) = sim.status_move()
                && Phase::of(Field::Status, after) == Phase::Restrict
            {
                refusals.push(Refusal::Protected {
                    provider: provider.name.clone(),
                    iccid: sim.iccid.clone(),
                    after: after.clone(),
                });
            }
        }
    }
    refusals
}
