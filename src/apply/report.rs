//! What an apply did, per provider, and the exit code it implies.

use std::fmt::Write as _;

use crate::model::{Iccid, Phase};

#[derive(Debug, Clone)]
pub struct Failure {
    pub iccid: Iccid,
    pub phase: Phase,
    /// The provider's error text.
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ProviderReport {
    pub provider: String,
    pub applied: Vec<Iccid>,
    pub failed: Vec<Failure>,
    pub skipped: Vec<Failure>,
    /// Applied without error, yet still different when read back.
    pub not_converged: Vec<(Iccid, Vec<String>)>,
    pub read_back_error: Option<String>,
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

#[derive(Debug, Clone, Default)]
pub struct ApplyReport {
    pub providers: Vec<ProviderReport>,
}

impl ApplyReport {
    fn count(&self, f: impl Fn(&ProviderReport) -> usize) -> usize {
        self.providers.iter().map(f).sum()
    }

    /// 0 all applied, 1 nothing applied, 3 partial failure.
    pub fn exit_code(&self) -> u8 {
        let problems = self.count(|p| {
            p.failed.len()
                + p.skipped.len()
                + p.not_converged.len()
                + usize::from(p.read_back_error.is_some())
        });
        let converged = self.count(|p| p.applied.len()) - self.count(|p| p.not_converged.len());
        match (problems, converged) {
            (0, _) => 0,
            (_, 0) => 1,
            _ => 3,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for p in &self.providers {
            for (iccid, phase, note) in &p.notes {
                let _ = writeln!(
                    out,
                    "done: {} {iccid} ({}): {note}",
                    p.provider,
                    phase.as_str()
                );
            }
            for f in &p.failed {
                let _ = writeln!(
                    out,
                    "failed: {} {} ({}): {}",
                    p.provider,
                    f.iccid,
                    f.phase.as_str(),
                    f.message
                );
            }
            for f in &p.skipped {
                let _ = writeln!(
                    out,
                    "skipped: {} {} ({}): {}",
                    p.provider,
                    f.iccid,
                    f.phase.as_str(),
                    f.message
                );
            }
            for (iccid, fields) in &p.not_converged {
                let _ = writeln!(
                    out,
                    "not converged: {} {iccid}: {}",
                    p.provider,
                    fields.join("; ")
                );
            }
            if let Some(e) = &p.read_back_error {
                let _ = writeln!(out, "read-back failed: {}: {e}", p.provider);
            }
        }
        let applied = self.count(|p| p.applied.len()) - self.count(|p| p.not_converged.len());
        let failed = self.count(|p| p.failed.len());
        let skipped = self.count(|p| p.skipped.len());
        let _ = writeln!(
            out,
            "Apply complete: {applied} SIM{} applied, {failed} failed, {skipped} skipped.",
            if applied == 1 { "" } else { "s" }
        );
        out
    }
}
