//! Plan rendering: `text` for people (colour only when asked) and `json` for
//! machines (stable, versioned). Rendering never reorders or filters: the plan
//! is already deterministic, and the output must be too.

use std::fmt::Write as _;

use super::{Style, missing_line, plural, unmanaged_line};
use crate::model::{Change, Condition, Field, Phase, set_delta};
use crate::plan::Plan;
use crate::text::inert;

/// `  (+added -removed)` for a set-valued change.
fn members(change: &Change) -> String {
    let delta = set_delta(&change.before, &change.after);
    let added = delta.added.iter().map(|t| format!("+{}", inert(t)));
    let removed = delta.removed.iter().map(|t| format!("-{}", inert(t)));
    let all: Vec<String> = added.chain(removed).collect();
    format!("  ({})", all.join(" "))
}

fn change_line(style: Style, change: &Change, width: usize) -> String {
    let field = format!("{:<width$}", change.field.manifest_name());
    let phase = match change.phase {
        Phase::Enable => style.green("enable"),
        Phase::Configure => style.yellow("configure"),
        Phase::Restrict => style.red("restrict"),
    };
    let before = style.red(&change.before.to_string());
    let after = style.green(&change.after.to_string());
    let delta = if change.field == Field::Tags {
        members(change)
    } else {
        String::new()
    };
    let step = change
        .step
        .as_deref()
        .map(|why| format!("  (provider step: {why})"))
        .unwrap_or_default();
    format!("      {field} {before} -> {after}{delta}  [{phase}]{step}\n")
}

/// The text plan. `Plan: ...` or `No changes.` closes it.
pub fn text(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let mut sims = 0;
    let mut per_phase = [0usize; 3];
    for provider in &plan.providers {
        let _ = writeln!(
            out,
            "{} {} ({}): {} managed, {} to change",
            style.bold("provider"),
            style.bold(&provider.name),
            provider.kind,
            provider.managed,
            provider.sims.len()
        );
        if let Some(destination) = &provider.destination {
            let _ = writeln!(out, "  {destination}");
        }
        for sim in &provider.sims {
            sims += 1;
            let name = sim
                .name
                .as_deref()
                .map(|n| format!(" {n:?}"))
                .unwrap_or_default();
            let protect = if sim.protect { " (protected)" } else { "" };
            let _ = writeln!(
                out,
                "  {} {}{name}  id {}{protect}",
                style.yellow("~"),
                sim.iccid,
                inert(&sim.id)
            );
            let width = sim
                .changes
                .iter()
                .map(|c| c.field.manifest_name().len())
                .max()
                .unwrap_or(0);
            for change in &sim.changes {
                per_phase[change.phase as usize] += 1;
                out.push_str(&change_line(style, change, width));
            }
        }
        for note in &provider.notes {
            let (tag, detail) = match &note.condition {
                Condition::InProgress(d) => ("in progress", d),
                Condition::Locked(d) => ("locked, not touched", d),
            };
            let differs = if note.differences.is_empty() {
                String::new()
            } else {
                let fields: Vec<&str> = note
                    .differences
                    .iter()
                    .map(|d| d.field.manifest_name())
                    .collect();
                format!(" (differs from the manifest: {})", fields.join(", "))
            };
            let detail = crate::text::inert(detail);
            let _ = writeln!(out, "  ! {} {tag}: {detail}{differs}", note.iccid);
        }
        if let Some(error) = &provider.unreadable {
            let error = crate::text::inert(error);
            let _ = writeln!(out, "  {} cannot read it: {error}", style.red("error"));
        }
        for err in &provider.errors {
            let _ = writeln!(
                out,
                "  {} {} ({}): {}",
                style.red("error"),
                err.iccid,
                crate::text::inert(&err.declared_at),
                crate::text::inert(&err.message)
            );
        }
        for missing in &provider.missing {
            let _ = writeln!(out, "  {}", missing_line(style, missing, &provider.name));
        }
        if provider.unmanaged_count > 0 {
            let hint = if provider.unmanaged.is_empty() {
                " (list them with --show-unmanaged)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  unmanaged (live, in no manifest): {}{hint}",
                provider.unmanaged_count
            );
            for sim in &provider.unmanaged {
                let _ = writeln!(out, "    {}", unmanaged_line(sim));
            }
        }
        out.push('\n');
    }
    let errors: usize = plan
        .providers
        .iter()
        .map(|p| p.errors.len() + p.missing.len() + usize::from(p.unreadable.is_some()))
        .sum();
    if errors > 0 {
        let _ = writeln!(
            out,
            "{} {} in the plan; nothing can be applied.",
            style.red("Error:"),
            plural(errors, "problem")
        );
    }
    if plan.has_changes() {
        let _ = writeln!(
            out,
            "Plan: {} to change, {} ({} enable, {} configure, {} restrict).",
            plural(sims, "SIM"),
            plural(plan.change_count(), "change"),
            per_phase[0],
            per_phase[1],
            per_phase[2]
        );
    } else if errors == 0 && plan.locked_differing() > 0 {
        let _ = writeln!(
            out,
            "No changes can be applied, but {} locked at the provider {} from the manifests.",
            plural(plan.locked_differing(), "SIM"),
            if plan.locked_differing() == 1 {
                "differs"
            } else {
                "differ"
            }
        );
    } else if errors == 0 {
        out.push_str("No changes. Live state matches the manifests.\n");
    }
    out.push_str(&safety(plan, style));
    out
}

/// The safety verdict, when it has something to say.
fn safety(plan: &Plan, style: Style) -> String {
    let verdict = &plan.safety;
    let mut out = String::new();
    for refusal in &verdict.refusals {
        let label = if verdict.forced {
            style.yellow("overridden by --force:")
        } else {
            style.red("apply would refuse:")
        };
        let _ = writeln!(out, "{label} {refusal}");
    }
    out
}

/// The JSON plan (`format_version` 1; see schema/plan.schema.json).
pub fn json(plan: &Plan) -> String {
    super::pretty_json(plan)
}
