//! What an apply did, per provider, and the exit code it implies. Typed:
//! the rendering is `render::report`'s.

use crate::model::{Change, Iccid, Phase};
use crate::provider::{ProviderError, SimFailure};

/// A SIM whose changes in a phase failed, with the provider's reason.
#[derive(Debug, Clone)]
pub struct Failure {
    pub iccid: Iccid,
    pub phase: Phase,
    pub failure: SimFailure,
}

/// A SIM whose phase was not attempted because an earlier phase failed.
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
    pub applied: Vec<Iccid>,
    pub failed: Vec<Failure>,
    /// Answer lost and the SIM could not be re-read: may or may not have
    /// taken effect. Never sent again.
    pub unknown: Vec<Failure>,
    pub skipped: Vec<Skipped>,
    /// Never sent: the run was interrupted first.
    pub interrupted: Vec<Iccid>,
    pub not_converged: Vec<NotConverged>,
    pub read_back_error: Option<ProviderError>,
    /// How SIMs completed, where the provider said (sync, after a monitor).
    pub notes: Vec<(Iccid, Phase, String)>,
}

impl ProviderReport {
    pub fn new(provider: &str) -> Self {
        ProviderReport {
            provider: provider.to_owned(),
            applied: Vec::new(),
            failed: Vec::new(),
            unknown: Vec::new(),
            skipped: Vec::new(),
            interrupted: Vec::new(),
            not_converged: Vec::new(),
            read_back_error: None,
            notes: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
pub struct ApplyReport {
    pub providers: Vec<ProviderReport>,
}

impl ApplyReport {
    pub fn count(&self, f: impl Fn(&ProviderReport) -> usize) -> usize {
        self.providers.iter().map(f).sum()
    }

    /// SIMs applied and read back as desired.
    pub fn converged(&self) -> usize {
        self.count(|p| p.applied.len()) - self.count(|p| p.not_converged.len())
    }

    /// 0 all applied, 1 nothing applied, 3 partial failure.
    pub fn exit_code(&self) -> u8 {
        let problems = self.count(|p| {
            p.failed.len()
                + p.unknown.len()
                + p.skipped.len()
                + p.interrupted.len()
                + p.not_converged.len()
                + usize::from(p.read_back_error.is_some())
        });
        match (problems, self.converged()) {
            (0, _) => 0,
            (_, 0) => 1,
            _ => 3,
        }
    }
}

/// The JSON apply report (`apply --format json`; schema/apply.schema.json):
/// what was done, in plain data.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ReportDocument {
    pub format_version: u32,
    pub simfleet_version: String,
    /// The exit code the run ends with (0 all applied, 1 none, 3 partial).
    pub exit_code: u8,
    pub providers: Vec<ProviderDocument>,
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ProviderDocument {
    pub provider: String,
    pub applied: Vec<Iccid>,
    pub failed: Vec<SimLine>,
    /// Answer lost and not re-readable: may or may not have taken effect.
    pub unknown: Vec<SimLine>,
    pub skipped: Vec<SimLine>,
    /// Never sent: the run was interrupted first.
    pub not_sent: Vec<Iccid>,
    pub not_converged: Vec<SimLine>,
    pub completed: Vec<SimLine>,
    pub read_back_error: Option<String>,
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
    pub fn document(&self) -> ReportDocument {
        let providers = self.providers.iter().map(|p| ProviderDocument {
            provider: p.provider.clone(),
            applied: p.applied.clone(),
            failed: p.failed.iter().map(Failure::line).collect(),
            unknown: p.unknown.iter().map(Failure::line).collect(),
            skipped: p
                .skipped
                .iter()
                .map(|s| SimLine {
                    iccid: s.iccid.clone(),
                    phase: Some(s.phase),
                    message: format!(
                        "not attempted: the {} phase had failures",
                        s.halted_by.as_str()
                    ),
                })
                .collect(),
            not_sent: p.interrupted.clone(),
            not_converged: p
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
                .collect(),
            completed: p
                .notes
                .iter()
                .map(|(iccid, phase, note)| SimLine {
                    iccid: iccid.clone(),
                    phase: Some(*phase),
                    message: note.clone(),
                })
                .collect(),
            read_back_error: p.read_back_error.as_ref().map(ToString::to_string),
        });
        ReportDocument {
            format_version: crate::plan::FORMAT_VERSION,
            simfleet_version: crate::plan::SIMFLEET_VERSION.into(),
            exit_code: self.exit_code(),
            providers: providers.collect(),
        }
    }
}
