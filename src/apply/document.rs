//! The JSON apply report (`apply --format json`, `schema/apply.schema.json`):
//! an audit record of a run. Totals per provider and overall; per SIM the
//! fields the run set out to write (before and after), how it ended and
//! when its last call finished; the manifests' digest and the simfleet
//! version. Plain data built from the typed report and the plan it
//! carried out; it must not decide outcomes (`apply` did) and never holds
//! a credential.
//!
//! Fields are only ever added (`format_version` 1): the lists of earlier
//! releases (`applied`, `failed`, ...) stay beside the per-SIM records.

use std::collections::HashMap;

use super::report::{ApplyReport, Failure, ProviderReport, Totals};
use crate::model::{Change, Iccid, Phase};
use crate::plan::Plan;

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ReportDocument {
    pub format_version: u32,
    pub simfleet_version: String,
    /// The digest of the manifest files the plan was made from (the same
    /// as a saved plan's `manifests_digest`).
    pub manifests_digest: String,
    /// The exit code the run ends with (0 all applied, 1 none, 3 partial).
    pub exit_code: u8,
    /// Every provider's totals added up.
    pub totals: Totals,
    pub providers: Vec<ProviderDocument>,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ProviderDocument {
    pub provider: String,
    pub totals: Totals,
    /// Every SIM the plan changed at this provider, by ICCID, with its
    /// outcome.
    pub sims: Vec<SimRecord>,
    pub applied: Vec<Iccid>,
    pub failed: Vec<SimLine>,
    /// Answer lost and not re-readable: may or may not have taken effect.
    pub unknown: Vec<SimLine>,
    /// Nothing sent: the provider had stopped answering.
    pub not_attempted: Vec<SimLine>,
    pub skipped: Vec<SimLine>,
    /// Never sent: the run was interrupted first.
    pub not_sent: Vec<Iccid>,
    pub not_converged: Vec<SimLine>,
    pub completed: Vec<SimLine>,
    pub read_back_error: Option<String>,
}

/// How one SIM ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Written, and read back as desired (or not read back: see the
    /// provider's `read_back_error`).
    Applied,
    /// Written, yet read back different from the manifests.
    NotConverged,
    /// Not (all) applied: the provider refused, or the call certainly did
    /// not land.
    Failed,
    /// The answer was lost: it may or may not have taken effect.
    Unknown,
    /// Nothing was sent: the provider had stopped answering.
    NotAttempted,
    /// Not sent: an earlier phase of its provider had failures.
    Skipped,
    /// Not sent: the run was interrupted first.
    Interrupted,
}

/// One SIM of the plan and what became of it.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct SimRecord {
    pub iccid: Iccid,
    pub outcome: Outcome,
    /// The phase the outcome is about, where it is not the whole SIM's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Why it did not apply, or how it completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The fields the run set out to write: each with its value before and
    /// after (and the phase); `outcome` says whether they were written.
    pub fields: Vec<Change>,
    /// When its last call finished, RFC 3339 UTC; `null` when nothing was
    /// sent for it.
    pub time: Option<String>,
}

/// One SIM in a report list, with the phase and what happened.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct SimLine {
    pub iccid: Iccid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    pub message: String,
}

impl Failure {
    fn line(&self) -> SimLine {
        SimLine {
            iccid: self.iccid.clone(),
            phase: Some(self.phase),
            message: self.failure.to_string(),
        }
    }
}

impl ApplyReport {
    /// The report as JSON data; `plan` is the plan it carried out and
    /// `manifests_digest` the digest of the manifests it came from.
    pub fn document(&self, plan: &Plan, manifests_digest: &str) -> ReportDocument {
        let providers = self.providers.iter().map(|p| {
            let planned = plan.providers.iter().find(|pp| pp.name == p.provider);
            let changes: HashMap<&Iccid, &Vec<Change>> = planned
                .into_iter()
                .flat_map(|pp| &pp.sims)
                .map(|s| (&s.iccid, &s.changes))
                .collect();
            provider_document(p, &changes)
        });
        ReportDocument {
            format_version: crate::plan::FORMAT_VERSION,
            simfleet_version: crate::plan::SIMFLEET_VERSION.into(),
            manifests_digest: manifests_digest.to_owned(),
            exit_code: self.exit_code(),
            totals: self.totals(),
            providers: providers.collect(),
        }
    }
}

fn provider_document(
    p: &ProviderReport,
    changes: &HashMap<&Iccid, &Vec<Change>>,
) -> ProviderDocument {
    let skipped: Vec<SimLine> = p
        .skipped
        .iter()
        .map(|s| SimLine {
            iccid: s.iccid.clone(),
            phase: Some(s.phase),
            message: format!("not sent: the {} phase had failures", s.halted_by.as_str()),
        })
        .collect();
    let not_converged: Vec<SimLine> = p
        .not_converged
        .iter()
        .map(|n| SimLine {
            iccid: n.iccid.clone(),
            phase: None,
            message: if n.differing.is_empty() {
                "not found when read back".into()
            } else {
                let fields: Vec<&str> = n
                    .differing
                    .iter()
                    .map(|c| c.field.manifest_name())
                    .collect();
                format!("still differs: {}", fields.join(", "))
            },
        })
        .collect();
    let completed: Vec<SimLine> = p
        .notes
        .iter()
        .map(|(iccid, phase, note)| SimLine {
            iccid: iccid.clone(),
            phase: Some(*phase),
            message: note.clone(),
        })
        .collect();
    let failed: Vec<SimLine> = p.failed.iter().map(Failure::line).collect();
    let unknown: Vec<SimLine> = p.unknown.iter().map(Failure::line).collect();
    let not_attempted: Vec<SimLine> = p.not_attempted.iter().map(Failure::line).collect();
    let interrupted: Vec<SimLine> = p
        .interrupted
        .iter()
        .map(|iccid| SimLine {
            iccid: iccid.clone(),
            phase: None,
            message: "not sent: the run was interrupted".into(),
        })
        .collect();
    // The SIM's own line in each list, most telling first: a SIM is in one
    // of failed ... interrupted, or applied; a note or a read-back
    // difference adds to applied.
    let mut sims: HashMap<&Iccid, (Outcome, &SimLine)> = HashMap::new();
    let lists = [
        (Outcome::Failed, &failed),
        (Outcome::Unknown, &unknown),
        (Outcome::NotAttempted, &not_attempted),
        (Outcome::Skipped, &skipped),
        (Outcome::Interrupted, &interrupted),
        (Outcome::NotConverged, &not_converged),
        (Outcome::Applied, &completed),
    ];
    for (outcome, list) in lists {
        for line in list.iter() {
            sims.entry(&line.iccid).or_insert((outcome, line));
        }
    }
    let mut records: Vec<SimRecord> = changes
        .iter()
        .map(|(iccid, fields)| {
            let (outcome, line) = match sims.get(iccid) {
                Some((outcome, line)) => (*outcome, Some(*line)),
                None => (Outcome::Applied, None),
            };
            SimRecord {
                iccid: (*iccid).clone(),
                outcome,
                phase: line.and_then(|l| l.phase),
                message: line.map(|l| l.message.clone()),
                fields: (*fields).clone(),
                time: p.finished.get(*iccid).copied().map(crate::clock::rfc3339),
            }
        })
        .collect();
    records.sort_by(|a, b| a.iccid.cmp(&b.iccid));
    ProviderDocument {
        provider: p.provider.clone(),
        totals: p.totals(),
        sims: records,
        applied: p.applied.clone(),
        failed,
        unknown,
        not_attempted,
        skipped,
        not_sent: p.interrupted.clone(),
        not_converged,
        completed,
        read_back_error: p.read_back_error.as_ref().map(ToString::to_string),
    }
}
