//! Plan rendering: `text` for people (colour only when asked) and `json` for
//! machines (stable, versioned). Rendering never reorders or filters the
//! plan's content: the plan is already deterministic, and the output must
//! be too. What it chooses is how much detail a person sees ([`Detail`]).
//!
//! The text starts with what a reviewer must see first: each provider's
//! totals (or that it could not be read) and the safety verdict; then the
//! changes, per SIM for small plans and grouped for large ones; then the
//! closing `Plan:` line and, after it, any error line.

use std::fmt::Write as _;

use super::{Detail, Style, changes_said, missing_line, outcome_said, plural, unmanaged_line};
use crate::model::{Change, Condition, Field, Phase, set_delta};
use crate::plan::groups::{self, Group, Shape};
use crate::plan::{Plan, PlanDocument, ProviderPlan, Totals};
use crate::text::inert;

/// Providers with at most this many SIMs to change are shown SIM by SIM
/// unless `--summary`; larger ones grouped unless `--expand`.
pub const DETAIL_LIMIT: usize = 20;
/// Lines of one kind (notes, errors, missing SIMs) shown before a count
/// of the rest, unless `--expand`.
pub const LIST_LIMIT: usize = 10;
/// Example ICCIDs on a group's line.
const EXAMPLES: usize = 3;

/// `  (+added -removed)` for a set-valued change.
fn members(change: &Change) -> String {
    let delta = set_delta(&change.before, &change.after);
    let added = delta.added.iter().map(|t| format!("+{}", inert(t)));
    let removed = delta.removed.iter().map(|t| format!("-{}", inert(t)));
    let all: Vec<String> = added.chain(removed).collect();
    format!("  ({})", all.join(" "))
}

fn phase(style: Style, phase: Phase) -> String {
    match phase {
        Phase::Enable => style.green("enable"),
        Phase::Configure => style.yellow("configure"),
        Phase::Restrict => style.red("restrict"),
    }
}

fn change_line(style: Style, change: &Change, width: usize) -> String {
    let field = format!("{:<width$}", change.field.manifest_name());
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
        .map(|why| format!("  (provider step: {})", inert(why)))
        .unwrap_or_default();
    let phase = phase(style, change.phase);
    format!("      {field} {before} -> {after}{delta}  [{phase}]{step}\n")
}

/// `3 managed, 3 SIMs to change, 8 changes (...)`, or why nothing is known.
fn header(style: Style, provider: &ProviderPlan, totals: &Totals) -> String {
    let name = format!(
        "{} {} ({})",
        style.bold("provider"),
        style.bold(&provider.name),
        provider.kind
    );
    if let Some(error) = &provider.unreadable {
        return format!(
            "{name}: {} {}; nothing of it is planned",
            style.red("could not be read:"),
            inert(error)
        );
    }
    let mut parts = vec![format!("{} managed", totals.managed)];
    if totals.changes == 0 {
        parts.push("no changes".into());
    } else {
        parts.push(changes_said(totals));
    }
    let extra = [
        (totals.errors, "error"),
        (totals.missing, "missing"),
        (totals.locked_differing, "locked and differing"),
        (totals.in_progress, "in progress"),
        (totals.unmanaged, "unmanaged"),
    ];
    for (count, what) in extra {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    format!("{name}: {}", parts.join(", "))
}

/// One group as a line: the change, its phase, how many SIMs and which.
fn group_line(style: Style, group: &Group<'_>, detail: Detail) -> String {
    let field = group.field.manifest_name();
    let what = match &group.shape {
        Shape::Same { before, after } => format!(
            "{} -> {}",
            style.red(&before.to_string()),
            style.green(&after.to_string())
        ),
        Shape::Members { added, removed } => {
            let added = added.iter().map(|t| format!("+{}", inert(t)));
            let removed = removed.iter().map(|t| format!("-{}", inert(t)));
            added.chain(removed).collect::<Vec<_>>().join(" ")
        }
        Shape::Each => "each its own value".to_owned(),
    };
    let step = group
        .step
        .map(|why| format!(" (provider step: {})", inert(why)))
        .unwrap_or_default();
    let count = group.members.len();
    let shown = if detail == Detail::Expand {
        count
    } else {
        EXAMPLES
    };
    let each: Vec<String> = group
        .members
        .iter()
        .take(shown)
        .map(|m| {
            if group.shape == Shape::Each {
                format!("{} {} -> {}", m.sim.iccid, m.change.before, m.change.after)
            } else {
                m.sim.iccid.to_string()
            }
        })
        .collect();
    let more = if count > shown { ", ..." } else { "" };
    let sims = if count == 1 {
        "1 SIM:".to_owned()
    } else if group.shape == Shape::Each || count > shown {
        format!("{count} SIMs, e.g.")
    } else {
        format!("{count} SIMs:")
    };
    let phase = phase(style, group.phase);
    format!(
        "  {field} {what}  [{phase}]{step}  {sims} {}{more}\n",
        each.join(", ")
    )
}

/// Every changed SIM with each of its changes.
fn sim_lines(out: &mut String, style: Style, provider: &ProviderPlan) {
    for sim in &provider.sims {
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
            out.push_str(&change_line(style, change, width));
        }
    }
}

/// `lines`, the first [`LIST_LIMIT`] of them unless `detail` is expand,
/// then a count of the rest.
fn capped(out: &mut String, lines: Vec<String>, detail: Detail, what: &str) {
    let total = lines.len();
    let shown = if detail == Detail::Expand {
        total
    } else {
        LIST_LIMIT
    };
    for line in lines.into_iter().take(shown) {
        let _ = writeln!(out, "  {line}");
    }
    if total > shown {
        let _ = writeln!(
            out,
            "  ... and {} more {what} (--expand lists them)",
            total - shown
        );
    }
}

/// What a provider's plan holds beyond its header.
fn body(out: &mut String, style: Style, provider: &ProviderPlan, detail: Detail) {
    let by_sim = match detail {
        Detail::Expand => true,
        Detail::Auto => provider.sims.len() <= DETAIL_LIMIT,
        Detail::Summary => false,
    };
    if by_sim {
        sim_lines(out, style, provider);
    } else {
        for group in groups::of(provider) {
            out.push_str(&group_line(style, &group, detail));
        }
    }
    for caution in &provider.cautions {
        let _ = writeln!(out, "  caution: {}", inert(caution));
    }
    if detail == Detail::Summary {
        return;
    }
    let notes = provider
        .notes
        .iter()
        .map(|note| {
            let (tag, why) = match &note.condition {
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
            format!("! {} {tag}: {}{differs}", note.iccid, inert(why))
        })
        .collect();
    capped(out, notes, detail, "SIMs left alone");
    let errors = provider
        .error_groups()
        .iter()
        .map(|group| {
            let (at, message) = (inert(group.at), inert(group.message));
            if !group.from_defaults {
                let iccid = group
                    .sims
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                return format!("{} {iccid} ({at}): {message}", style.red("error"));
            }
            let examples: Vec<String> = group
                .sims
                .iter()
                .take(EXAMPLES)
                .map(ToString::to_string)
                .collect();
            format!(
                "{} {at}: {message} (in the fleet's defaults: {}, e.g. {})",
                style.red("error"),
                plural(group.sims.len(), "SIM"),
                examples.join(", ")
            )
        })
        .collect();
    capped(out, errors, detail, "errors");
    let missing = provider
        .missing
        .iter()
        .map(|m| missing_line(style, m, &provider.name))
        .collect();
    capped(out, missing, detail, "missing SIMs");
    if provider.unmanaged_count > 0 && !provider.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "  unmanaged (live, in no manifest): {}",
            provider.unmanaged_count
        );
        for sim in &provider.unmanaged {
            let _ = writeln!(out, "    {}", unmanaged_line(sim));
        }
    }
}

/// The text plan: totals and the safety verdict first, then the changes,
/// then `Plan: ...` (or `No changes.`) and, after it, any error line.
pub fn text(plan: &Plan, style: Style, detail: Detail) -> String {
    let totals = plan.totals();
    let mut out = String::new();
    for provider in &plan.providers {
        let empty = Totals::default();
        let these = totals.providers.get(&provider.name).unwrap_or(&empty);
        let _ = writeln!(out, "{}", header(style, provider, these));
        if let Some(destination) = &provider.destination {
            let _ = writeln!(out, "  {destination}");
        }
    }
    let all = &totals.all;
    if all.changes > 0 || !plan.safety.refusals.is_empty() {
        out.push_str(&safety(plan, style));
    }
    let hidden = plan
        .providers
        .iter()
        .any(|p| p.unmanaged_count > 0 && p.unmanaged.is_empty());
    for provider in plan.providers.iter().filter(|p| p.unreadable.is_none()) {
        let mut body_text = String::new();
        body(&mut body_text, style, provider, detail);
        if !body_text.is_empty() {
            let _ = write!(out, "\n{}:\n{body_text}", style.bold(&provider.name));
        }
    }
    out.push('\n');
    if hidden && detail != Detail::Summary {
        out.push_str("Unmanaged SIMs are counted; --show-unmanaged lists them.\n");
    }
    if let Some(outcome) = outcome_said(all) {
        let plan = if all.changes > 0 { "Plan: " } else { "" };
        let _ = writeln!(out, "{plan}{outcome}");
    }
    if all.problems() > 0 {
        let _ = writeln!(
            out,
            "{} {} in the plan; nothing can be applied.",
            style.red("Error:"),
            plural(all.problems(), "problem")
        );
    }
    out
}

/// The safety verdict.
fn safety(plan: &Plan, style: Style) -> String {
    let verdict = &plan.safety;
    if verdict.refusals.is_empty() {
        return "Safety: no refusals.\n".to_owned();
    }
    let mut out = String::new();
    for refusal in &verdict.refusals {
        let label = if verdict.forced {
            style.yellow("Safety: overridden by --force:")
        } else {
            style.red("Safety: apply would refuse:")
        };
        let _ = writeln!(out, "{label} {}", inert(refusal));
    }
    out
}

/// The JSON plan (`format_version` 1; see schema/plan.schema.json): the
/// plan and its totals.
pub fn json(plan: &Plan) -> Result<String, super::JsonError> {
    super::pretty_json("plan", &PlanDocument::of(plan))
}
