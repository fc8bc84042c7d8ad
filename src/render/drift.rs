//! Drift rendering: text for a scheduled job's log and JSON for machines.
//! Markdown lives in `markdown`, the unified diff in `diff`.

use std::fmt::Write as _;

use super::{Style, missing_line, plural, unmanaged_line};
use crate::plan::drift::{Drift, DriftedSim};

fn sim_lines(out: &mut String, style: Style, sim: &DriftedSim, mark: &str) {
    let at = if sim.declared_at.is_empty() {
        String::new()
    } else {
        format!("  ({})", crate::text::inert(&sim.declared_at))
    };
    let locked = sim
        .locked
        .as_deref()
        .map(|why| format!("  locked: {}", crate::text::inert(why)))
        .unwrap_or_default();
    let _ = writeln!(out, "  {mark} {}{at}{locked}", sim.iccid);
    for d in &sim.differences {
        let _ = writeln!(
            out,
            "      {}: live {}, declared {}",
            d.field.manifest_name(),
            style.red(&d.live.to_string()),
            style.green(&d.declared.to_string())
        );
    }
}

pub fn text(drift: &Drift, style: Style) -> String {
    let mut out = String::new();
    for p in &drift.providers {
        let _ = writeln!(
            out,
            "{} {} ({}): {} managed, {} drifted, {} missing, {} locked and different, {} unmanaged",
            style.bold("provider"),
            style.bold(&p.name),
            p.kind,
            p.managed,
            p.drifted.len(),
            p.missing.len(),
            p.locked.len(),
            p.unmanaged_count
        );
        if let Some(error) = &p.unreadable {
            let error = crate::text::inert(error);
            let _ = writeln!(out, "  {} cannot read it: {error}", style.red("error"));
        }
        for sim in &p.drifted {
            sim_lines(&mut out, style, sim, &style.yellow("~"));
        }
        for sim in &p.locked {
            sim_lines(&mut out, style, sim, "!");
        }
        for m in &p.missing {
            let _ = writeln!(out, "  {}", missing_line(style, m, &p.name));
        }
        for u in &p.unmanaged {
            let _ = writeln!(out, "  {}", unmanaged_line(u));
        }
        out.push('\n');
    }
    let t = &drift.totals;
    if drift.has_drift() {
        let _ = writeln!(
            out,
            "Drift: {} drifted, {} missing, {} locked and different.",
            plural(t.drifted, "SIM"),
            plural(t.missing, "SIM"),
            plural(t.locked, "SIM")
        );
    } else if !drift.has_errors() {
        out.push_str("No drift. Live state matches the manifests.\n");
    }
    if t.unmanaged > 0 {
        out.push_str(&unmanaged_hint(t.unmanaged));
        out.push('\n');
    }
    if t.unreadable > 0 {
        let _ = writeln!(
            out,
            "{} {} could not be read; their drift is unknown.",
            style.red("Error:"),
            plural(t.unreadable, "provider")
        );
    }
    out
}

/// What to do about live SIMs in no manifest.
pub(crate) fn unmanaged_hint(count: usize) -> String {
    format!(
        "{} at the provider {} in no manifest: `simfleet export --unmanaged-only` writes \
         manifests for them.",
        plural(count, "SIM"),
        if count == 1 { "is" } else { "are" }
    )
}

/// The JSON drift report (`format_version` 1; schema/drift.schema.json).
pub fn json(drift: &Drift) -> Result<String, super::JsonError> {
    super::pretty_json("drift report", drift)
}
