//! Markdown for a pull-request comment (plan) or an issue (drift): a
//! hidden marker line so a CI job finds and updates its one comment, a
//! summary table per provider, collapsible per-SIM details, and the safety
//! verdict. GitHub refuses comments over 65,536 characters: past the budget
//! the details are cut, with a count of what was left out.

use std::fmt::Write as _;

use crate::model::Phase;
use crate::plan::drift::{Drift, DriftedSim};
use crate::plan::{MissingSim, Plan};

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// Kept free for the closing lines after the details.
const RESERVE: usize = 2_000;

pub const PLAN_MARKER: &str = "<!-- simfleet:plan -->";
pub const DRIFT_MARKER: &str = "<!-- simfleet:drift -->";

/// A value from a manifest or a provider, literal in a table cell.
fn cell(text: &str) -> String {
    crate::text::markdown(text)
}

/// A longer message (an error), literal in a list item.
fn said(text: &str) -> String {
    crate::text::markdown_within(text, 1_000)
}

/// A list item for a SIM declared but not at its provider.
fn missing_item(sim: &MissingSim, provider: &str) -> String {
    format!(
        "- missing: {} declared at {} is not at provider {}\n",
        cell(sim.iccid.as_str()),
        cell(&sim.declared_at),
        cell(provider)
    )
}

/// Appends `blocks` while they fit, then a line counting the rest.
fn details(out: &mut String, blocks: Vec<String>, what: &str) {
    let total = blocks.len();
    for (shown, block) in blocks.into_iter().enumerate() {
        if out.chars().count() + block.chars().count() + RESERVE > COMMENT_LIMIT {
            let _ = writeln!(
                out,
                "\n_{} more {what} not shown: the comment would pass GitHub's {COMMENT_LIMIT}-character limit. \
                 Run simfleet locally or see the JSON output for all of them._\n",
                total - shown
            );
            return;
        }
        out.push_str(&block);
    }
}

pub fn plan(plan: &Plan) -> String {
    let mut out = format!("{PLAN_MARKER}\n### simfleet plan\n\n");
    out.push_str("| Provider | Type | SIMs to change | Enable | Configure | Restrict | Locked | Missing | Errors | Unmanaged |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for p in &plan.providers {
        let mut phases = [0usize; 3];
        for change in p.sims.iter().flat_map(|s| &s.changes) {
            phases[change.phase as usize] += 1;
        }
        let locked = p.notes.iter().filter(|n| !n.differences.is_empty()).count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {locked} | {} | {} | {} |",
            cell(&p.name),
            p.kind,
            p.sims.len(),
            phases[Phase::Enable as usize],
            phases[Phase::Configure as usize],
            phases[Phase::Restrict as usize],
            p.missing.len(),
            p.errors.len(),
            p.unmanaged_count
        );
    }
    out.push('\n');
    for p in &plan.providers {
        if let Some(d) = &p.destination {
            let _ = writeln!(out, "- {}: {}", cell(&p.name), said(&d.to_string()));
        }
    }
    out.push('\n');
    if plan.has_errors() {
        out.push_str("**Errors: nothing can be applied.**\n\n");
        let mut items = Vec::new();
        for p in &plan.providers {
            if let Some(error) = &p.unreadable {
                let (name, error) = (cell(&p.name), said(error));
                items.push(format!("- provider {name} cannot be read: {error}\n"));
            }
            for e in &p.errors {
                let (iccid, at) = (cell(e.iccid.as_str()), cell(&e.declared_at));
                items.push(format!("- {iccid} ({at}): {}\n", said(&e.message)));
            }
            items.extend(p.missing.iter().map(|m| missing_item(m, &p.name)));
        }
        details(&mut out, items, "errors");
        out.push('\n');
    }
    let blocks = plan
        .providers
        .iter()
        .flat_map(|p| p.sims.iter().map(move |s| (p, s)))
        .map(|(p, sim)| {
            let name = sim.name.as_deref().map(|n| format!(" {}", cell(n))).unwrap_or_default();
            let mut block = format!(
                "<details><summary><code>{}</code>{name} at {}: {} change(s)</summary>\n\n| Field | Live | Desired | Phase |\n|---|---|---|---|\n",
                cell(sim.iccid.as_str()),
                cell(&p.name),
                sim.changes.len()
            );
            for c in &sim.changes {
                let _ = writeln!(
                    block,
                    "| {} | {} | {} | {:?} |",
                    c.field.manifest_name(),
                    cell(&c.before.to_string()),
                    cell(&c.after.to_string()),
                    c.phase
                );
            }
            block.push_str("\n</details>\n");
            block
        })
        .collect();
    details(&mut out, blocks, "SIMs");
    out.push('\n');
    if plan.safety.refusals.is_empty() {
        out.push_str("**Safety:** no refusals.\n");
    } else {
        let verdict = if plan.safety.forced {
            "overridden by `--force`"
        } else {
            "`apply` will refuse this plan"
        };
        let _ = writeln!(out, "**Safety:** {verdict}:");
        for r in &plan.safety.refusals {
            let _ = writeln!(out, "- {}", said(r));
        }
    }
    if !plan.differs() && !plan.has_errors() {
        out.push_str("\nNo changes. Live state matches the manifests.\n");
    }
    out
}

fn drift_block(provider: &str, sim: &DriftedSim) -> String {
    let locked = sim
        .locked
        .as_deref()
        .map(|w| format!(" (locked: {})", cell(w)))
        .unwrap_or_default();
    let mut block = format!(
        "<details><summary><code>{}</code> at {}{locked}: {} field(s)</summary>\n\n| Field | Live | Declared |\n|---|---|---|\n",
        cell(sim.iccid.as_str()),
        cell(provider),
        sim.differences.len()
    );
    for d in &sim.differences {
        let _ = writeln!(
            block,
            "| {} | {} | {} |",
            d.field.manifest_name(),
            cell(&d.live.to_string()),
            cell(&d.declared.to_string())
        );
    }
    block.push_str("\n</details>\n");
    block
}

pub fn drift(drift: &Drift) -> String {
    let mut out = format!("{DRIFT_MARKER}\n### simfleet drift\n\n");
    out.push_str("| Provider | Type | Managed | Drifted | Missing | Locked | Unmanaged |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    for p in &drift.providers {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&p.name),
            p.kind,
            p.managed,
            p.drifted.len(),
            p.missing.len(),
            p.locked.len(),
            p.unmanaged_count
        );
    }
    out.push('\n');
    let unreadable = drift
        .providers
        .iter()
        .filter_map(|p| {
            let error = p.unreadable.as_ref()?;
            let (name, error) = (cell(&p.name), said(error));
            Some(format!("- provider {name} cannot be read: {error}\n"))
        })
        .collect();
    details(&mut out, unreadable, "errors");
    let missing = drift
        .providers
        .iter()
        .flat_map(|p| p.missing.iter().map(|m| missing_item(m, &p.name)))
        .collect();
    details(&mut out, missing, "missing SIMs");
    let blocks = drift
        .providers
        .iter()
        .flat_map(|p| {
            p.drifted
                .iter()
                .chain(&p.locked)
                .map(move |s| drift_block(&p.name, s))
        })
        .collect();
    details(&mut out, blocks, "SIMs");
    if !drift.has_drift() {
        out.push_str("\nNo drift. Live state matches the manifests.\n");
    }
    out
}
