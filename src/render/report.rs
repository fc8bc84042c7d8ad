//! The apply report as text: how SIMs completed, what failed, was skipped,
//! not attempted or did not converge, and a closing count. "Apply
//! complete" is said only when every planned SIM was applied and read
//! back as desired.

use std::fmt::Write as _;

use crate::apply::ApplyReport;
use crate::provider::http::HttpError;
use crate::provider::{ProviderError, SimFailure};
use crate::text::inert;

pub fn text(report: &ApplyReport) -> String {
    let mut out = String::new();
    for p in &report.providers {
        let name = &p.provider;
        for (iccid, phase, note) in &p.notes {
            let note = inert(note);
            let _ = writeln!(out, "done: {name} {iccid} ({}): {note}", phase.as_str());
        }
        for f in &p.failed {
            let (iccid, phase) = (&f.iccid, f.phase.as_str());
            let failure = inert(&f.failure.to_string()).into_owned();
            let _ = writeln!(out, "failed: {name} {iccid} ({phase}): {failure}");
        }
        for f in &p.unknown {
            let (iccid, phase) = (&f.iccid, f.phase.as_str());
            let failure = inert(&f.failure.to_string()).into_owned();
            let _ = writeln!(out, "unknown: {name} {iccid} ({phase}): {failure}");
        }
        // One line for the provider, not one per SIM: they share the reason.
        if let Some(first) = p.not_attempted.first() {
            let n = p.not_attempted.len();
            let reason = match &first.failure {
                SimFailure::NotAttempted { reason } => reason.clone(),
                other => other.to_string(),
            };
            let reason = inert(&reason).into_owned();
            let s = if n == 1 { "" } else { "s" };
            let _ = writeln!(
                out,
                "not attempted: {name}: {n} SIM{s}, nothing sent: {reason}"
            );
        }
        for s in &p.skipped {
            let _ = writeln!(
                out,
                "skipped: {name} {} ({}): not sent: the {} phase had failures",
                s.iccid,
                s.phase.as_str(),
                s.halted_by.as_str()
            );
        }
        for n in &p.not_converged {
            let fields: Vec<String> = if n.differing.is_empty() {
                vec!["not found when read back".into()]
            } else {
                n.differing
                    .iter()
                    .map(|c| {
                        let field = c.field.manifest_name();
                        format!("{field} is {} (wanted {})", c.before, c.after)
                    })
                    .collect()
            };
            let _ = writeln!(
                out,
                "not converged: {name} {}: {}",
                n.iccid,
                fields.join("; ")
            );
        }
        match &p.read_back_error {
            // Said once already, with the SIMs it left unsent.
            Some(ProviderError::Http(HttpError::ProviderDown(_)))
                if !p.not_attempted.is_empty() =>
            {
                let _ = writeln!(
                    out,
                    "read-back failed: {name}: the provider is down (above); the applied SIMs \
                     were not read back"
                );
            }
            Some(e) => {
                let e = inert(&e.to_string()).into_owned();
                let _ = writeln!(out, "read-back failed: {name}: {e}");
            }
            None => {}
        }
    }
    let applied = report.converged();
    let not_sent = report.count(|p| p.interrupted.len() + p.not_attempted.len());
    if report.interrupted {
        let _ = writeln!(
            out,
            "Apply interrupted: {applied} SIM{} applied, {} failed, {not_sent} not applied \
             (never sent), {} unknown (answer lost: plan again to see).",
            if applied == 1 { "" } else { "s" },
            report.count(|p| p.failed.len() + p.skipped.len()),
            report.count(|p| p.unknown.len()),
        );
        return out;
    }
    let t = report.totals();
    let plural = if t.applied == 1 { "" } else { "s" };
    if report.complete() {
        let _ = writeln!(
            out,
            "Apply complete: {} SIM{plural} applied, 0 failed, 0 skipped.",
            t.applied
        );
        return out;
    }
    let unknown = match t.unknown {
        0 => "0 unknown".to_owned(),
        n => format!("{n} unknown (answer lost, may have taken effect: plan again to see)"),
    };
    let not_converged = match t.not_converged {
        0 => String::new(),
        n => format!(", {n} not converged"),
    };
    let _ = writeln!(
        out,
        "Apply finished with failures: {} applied, {} failed, {unknown}, {} not attempted, {} \
         skipped{not_converged}.",
        t.applied, t.failed, t.not_attempted, t.skipped
    );
    out
}
