//! The apply report as text: how SIMs completed, what failed, was skipped
//! or did not converge, and a closing count.

use std::fmt::Write as _;

use crate::apply::ApplyReport;
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
        for s in &p.skipped {
            let _ = writeln!(
                out,
                "skipped: {name} {} ({}): not attempted: the {} phase had failures",
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
        if let Some(e) = &p.read_back_error {
            let e = inert(&e.to_string()).into_owned();
            let _ = writeln!(out, "read-back failed: {name}: {e}");
        }
    }
    let applied = report.converged();
    let not_sent = report.count(|p| p.interrupted.len());
    if crate::interrupt::requested() {
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
    let failed = report.count(|p| p.failed.len());
    let skipped = report.count(|p| p.skipped.len());
    let unknown = report.count(|p| p.unknown.len());
    let unknown = if unknown == 0 {
        String::new()
    } else {
        format!(", {unknown} unknown (answer lost, may have taken effect: plan again to see)")
    };
    let _ = writeln!(
        out,
        "Apply complete: {applied} SIM{} applied, {failed} failed, {skipped} skipped{unknown}.",
        if applied == 1 { "" } else { "s" }
    );
    out
}
