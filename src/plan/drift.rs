//! Drift: where live state has left the manifests, read off a plan.
//!
//! A drift report is a view of the same comparison `plan` makes (the diff
//! exists once), arranged for a scheduled job: every drifted SIM with each
//! field live vs declared, SIMs missing at the provider, locked SIMs that
//! differ, and the unmanaged SIMs counted. It never decides what to write.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Difference, MissingSim, Plan, UnmanagedSim, differences};
use crate::kind::ProviderKind;
use crate::model::{Condition, Iccid};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Drift {
    pub format_version: u32,
    pub simfleet_version: String,
    /// When live state was read (RFC 3339, UTC): a scheduled report says
    /// how old it is.
    pub taken_at: String,
    pub providers: Vec<ProviderDrift>,
    /// Summed over the providers.
    pub totals: DriftTotals,
}

/// What a drift report (or one provider's part of it) holds, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftTotals {
    pub managed: usize,
    pub drifted: usize,
    pub locked: usize,
    pub missing: usize,
    pub unmanaged: usize,
    /// Providers that could not be read: their drift is unknown.
    pub unreadable: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ProviderDrift {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    pub managed: usize,
    /// Managed SIMs whose live fields differ from the manifests.
    pub drifted: Vec<DriftedSim>,
    /// SIMs locked at the provider that differ; simfleet cannot change them.
    pub locked: Vec<DriftedSim>,
    /// Declared, but not at the provider.
    pub missing: Vec<MissingSim>,
    pub unmanaged_count: usize,
    /// Listed with `--show-unmanaged`.
    pub unmanaged: Vec<UnmanagedSim>,
    /// Why the provider could not be read: its drift is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    pub totals: DriftTotals,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DriftedSim {
    pub iccid: Iccid,
    /// `file:line:column` of the manifest entry; empty for locked SIMs.
    pub declared_at: String,
    /// Why simfleet leaves it alone (locked SIMs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<String>,
    pub differences: Vec<Difference>,
}

impl Drift {
    /// The drift in `plan`, whose live state was read at `taken_at`.
    pub fn of(plan: &Plan, taken_at: std::time::SystemTime) -> Drift {
        let providers = plan.providers.iter().map(|p| {
            let changed = p.sims.iter().map(|s| DriftedSim {
                iccid: s.iccid.clone(),
                declared_at: s.declared_at.clone(),
                locked: None,
                differences: differences(&s.desired, &s.live),
            });
            let unplannable = p.errors.iter().map(|e| DriftedSim {
                iccid: e.iccid.clone(),
                declared_at: e.declared_at.clone(),
                locked: None,
                differences: e.differences.clone(),
            });
            let mut drifted: Vec<DriftedSim> = changed
                .chain(unplannable)
                .filter(|d| !d.differences.is_empty())
                .collect();
            drifted.sort_by(|a, b| a.iccid.cmp(&b.iccid));
            drifted.dedup_by(|a, b| a.iccid == b.iccid);
            let locked: Vec<DriftedSim> = p
                .notes
                .iter()
                .filter(|n| !n.differences.is_empty())
                .map(|n| DriftedSim {
                    iccid: n.iccid.clone(),
                    declared_at: String::new(),
                    locked: match &n.condition {
                        Condition::Locked(why) | Condition::InProgress(why) => Some(why.clone()),
                    },
                    differences: n.differences.clone(),
                })
                .collect();
            let totals = DriftTotals {
                managed: p.managed,
                drifted: drifted.len(),
                locked: locked.len(),
                missing: p.missing.len(),
                unmanaged: p.unmanaged_count,
                unreadable: usize::from(p.unreadable.is_some()),
            };
            ProviderDrift {
                name: p.name.clone(),
                kind: p.kind,
                managed: p.managed,
                drifted,
                locked,
                missing: p.missing.clone(),
                unmanaged_count: p.unmanaged_count,
                unmanaged: p.unmanaged.clone(),
                unreadable: p.unreadable.clone(),
                totals,
            }
        });
        let providers: Vec<ProviderDrift> = providers.collect();
        let mut totals = DriftTotals::default();
        for p in &providers {
            totals.managed += p.totals.managed;
            totals.drifted += p.totals.drifted;
            totals.locked += p.totals.locked;
            totals.missing += p.totals.missing;
            totals.unmanaged += p.totals.unmanaged;
            totals.unreadable += p.totals.unreadable;
        }
        Drift {
            format_version: plan.format_version,
            simfleet_version: plan.simfleet_version.clone(),
            taken_at: crate::clock::rfc3339(taken_at),
            providers,
            totals,
        }
    }

    /// Some provider could not be read, so its drift is unknown.
    pub fn has_errors(&self) -> bool {
        self.providers.iter().any(|p| p.unreadable.is_some())
    }

    /// Live SIMs that no manifest declares: new at the provider, perhaps,
    /// and not yet in git (`drift --fail-on-unmanaged`).
    pub fn has_unmanaged(&self) -> bool {
        self.totals.unmanaged > 0
    }

    /// Live state has left the manifests (unmanaged SIMs alone are not drift).
    pub fn has_drift(&self) -> bool {
        self.providers
            .iter()
            .any(|p| !p.drifted.is_empty() || !p.locked.is_empty() || !p.missing.is_empty())
    }
}
