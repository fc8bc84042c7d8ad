//! Markdown for a pull-request comment (plan) or an issue (drift): a
//! hidden marker line so a CI job finds and updates its one comment, the
//! verdict and a summary table per provider first, then grouped changes and
//! collapsible per-SIM details. GitHub refuses comments over 65,536
//! characters: grouping keeps large plans short, and past the budget the
//! details are cut last, with a count of what was left out. Every value
//! from a manifest or a provider goes through `text::markdown`.

use std::fmt::Write as _;

use super::{Detail, plural};
use crate::plan::drift::{Drift, DriftedSim};
use crate::plan::groups::{self, Group, Shape};
use crate::plan::{MissingSim, Plan, ProviderPlan, SimPlan, Totals};

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// Kept free for the closing lines after the details.
const RESERVE: usize = 2_000;
/// Example ICCIDs in a group's row.
const EXAMPLES: usize = 3;

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

/// `**could not be read:** ...` or the provider's counts, as table cells.
fn provider_row(p: &ProviderPlan, totals: &Totals) -> String {
    if let Some(error) = &p.unreadable {
        let dash = " – |".repeat(8);
        return format!(
            "| {} | {} | **could not be read:** {} |{dash}\n",
            cell(&p.name),
            p.kind,
            cell(error)
        );
    }
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        cell(&p.name),
        p.kind,
        totals.managed,
        totals.sims_to_change,
        totals.enable,
        totals.configure,
        totals.restrict,
        totals.locked_differing,
        totals.missing,
        totals.errors,
        totals.unmanaged
    )
}

/// The verdict lines: `**Plan:** ...` and `**Safety:** ...`.
fn verdict(plan: &Plan, all: &Totals) -> String {
    let mut out = String::new();
    if all.problems() > 0 {
        let _ = writeln!(
            out,
            "**Errors: nothing can be applied** ({} in the plan; listed below).\n",
            plural(all.problems(), "problem")
        );
    }
    if let Some(outcome) = super::outcome_said(all) {
        let _ = writeln!(out, "**Plan:** {outcome}\n");
    }
    if plan.safety.refusals.is_empty() {
        out.push_str("**Safety:** no refusals.\n\n");
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
        out.push('\n');
    }
    out
}

/// A table row for one group of identical changes.
fn group_row(provider: &str, group: &Group<'_>) -> String {
    let what = match &group.shape {
        Shape::Same { before, after } => {
            format!(
                "{} → {}",
                cell(&before.to_string()),
                cell(&after.to_string())
            )
        }
        Shape::Members { added, removed } => {
            let added = added.iter().map(|t| format!("+{}", cell(t)));
            let removed = removed.iter().map(|t| format!("−{}", cell(t)));
            added.chain(removed).collect::<Vec<_>>().join(" ")
        }
        Shape::Each => "each its own value".to_owned(),
    };
    let examples: Vec<String> = group
        .members
        .iter()
        .take(EXAMPLES)
        .map(|m| {
            let iccid = cell(m.sim.iccid.as_str());
            if group.shape == Shape::Each {
                let (before, after) = (m.change.before.to_string(), m.change.after.to_string());
                format!("{iccid} {} → {}", cell(&before), cell(&after))
            } else {
                iccid
            }
        })
        .collect();
    let more = if group.members.len() > EXAMPLES {
        ", …"
    } else {
        ""
    };
    format!(
        "| {} | {} | {what} | {:?} | {} | {}{more} |\n",
        cell(provider),
        group.field.manifest_name(),
        group.phase,
        group.members.len(),
        examples.join(", ")
    )
}

/// A SIM's changes, collapsed.
fn sim_block(provider: &str, sim: &SimPlan) -> String {
    let name = sim
        .name
        .as_deref()
        .map(|n| format!(" {}", cell(n)))
        .unwrap_or_default();
    let mut block = format!(
        "<details><summary><code>{}</code>{name} at {}: {} change(s)</summary>\n\n| Field | Live | Desired | Phase |\n|---|---|---|---|\n",
        cell(sim.iccid.as_str()),
        cell(provider),
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
}

/// The plan as a pull-request comment: the verdict and totals first, then
/// the groups of identical changes (every change is in one), then SIM by
/// SIM what no shared group already says (all of it with `--expand`), cut
/// last and with a count should it pass GitHub's limit.
pub fn plan(plan: &Plan, detail: Detail) -> String {
    let totals = plan.totals();
    let mut out = format!("{PLAN_MARKER}\n### simfleet plan\n\n");
    out.push_str(&verdict(plan, &totals.all));
    out.push_str("| Provider | Type | Managed | SIMs to change | Enable | Configure | Restrict | Locked | Missing | Errors | Unmanaged |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let empty = Totals::default();
    for p in &plan.providers {
        out.push_str(&provider_row(
            p,
            totals.providers.get(&p.name).unwrap_or(&empty),
        ));
    }
    out.push('\n');
    for p in &plan.providers {
        if let Some(d) = &p.destination {
            let _ = writeln!(out, "- {}: {}", cell(&p.name), said(&d.to_string()));
        }
        for caution in &p.cautions {
            let _ = writeln!(out, "- {}: **caution**: {}", cell(&p.name), said(caution));
        }
    }
    out.push('\n');
    if plan.has_errors() {
        out.push_str("#### Errors\n\n");
        let mut items = Vec::new();
        for p in &plan.providers {
            if let Some(error) = &p.unreadable {
                let (name, error) = (cell(&p.name), said(error));
                items.push(format!("- provider {name} could not be read: {error}\n"));
            }
            for e in p.error_groups() {
                let (at, message) = (cell(e.at), said(e.message));
                let mut iccids = e.sims.iter().map(|i| cell(i.as_str()));
                if e.from_defaults {
                    let examples: Vec<String> = iccids.by_ref().take(EXAMPLES).collect();
                    items.push(format!(
                        "- {at} (a fleet's defaults): {message}; {}, e.g. {}\n",
                        plural(e.sims.len(), "SIM"),
                        examples.join(", ")
                    ));
                } else {
                    let iccid = iccids.next().unwrap_or_default();
                    items.push(format!("- {iccid} ({at}): {message}\n"));
                }
            }
            items.extend(p.missing.iter().map(|m| missing_item(m, &p.name)));
        }
        details(&mut out, items, "errors");
        out.push('\n');
    }
    if totals.all.changes == 0 {
        return out;
    }
    out.push_str("#### Changes\n\n| Provider | Field | Change | Phase | SIMs | Examples |\n|---|---|---|---|---:|---|\n");
    let mut rows = Vec::new();
    let mut blocks = Vec::new();
    for p in &plan.providers {
        let groups = groups::of(p);
        rows.extend(groups.iter().map(|g| group_row(&p.name, g)));
        let said_by_groups: std::collections::HashSet<(&crate::model::Iccid, usize)> = groups
            .iter()
            .filter(|g| g.is_shared())
            .flat_map(|g| g.members.iter())
            .map(|m| (&m.sim.iccid, m.index))
            .collect();
        for sim in &p.sims {
            let own = (0..sim.changes.len()).any(|i| !said_by_groups.contains(&(&sim.iccid, i)));
            let shown = match detail {
                Detail::Expand => true,
                Detail::Auto => own,
                Detail::Summary => false,
            };
            if shown {
                blocks.push(sim_block(&p.name, sim));
            }
        }
    }
    details(&mut out, rows, "groups of changes");
    out.push('\n');
    details(&mut out, blocks, "SIMs");
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
    let mut out = format!(
        "{DRIFT_MARKER}\n### simfleet drift\n\n_Live state as of {}._\n\n",
        cell(&drift.taken_at)
    );
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
    if !drift.has_drift() && !drift.has_errors() {
        out.push_str("\nNo drift. Live state matches the manifests.\n");
    }
    if drift.totals.unmanaged > 0 {
        let _ = writeln!(
            out,
            "\n{}",
            said(&super::drift::unmanaged_hint(drift.totals.unmanaged))
        );
    }
    out
}
