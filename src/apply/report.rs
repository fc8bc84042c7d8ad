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
    pub skipped: Vec<Skipped>,
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
            skipped: Vec::new(),
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
                + p.skipped.len()
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
