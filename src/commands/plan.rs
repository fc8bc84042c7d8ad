//! `simfleet plan` and `simfleet show FILE`.

use std::path::Path;

use anyhow::Context;
use simfleet::manifest::Manifests;
use simfleet::plan::Plan;
use simfleet::plan::safety::Verdict;
use simfleet::plan::saved::{SavedPlan, SavedSelection};
use simfleet::render::{self, Detail};
use simfleet::trust::Trust;

use super::Ui;
use super::output::{errln, out};
use super::session::Session;
use simfleet::cli::{PlanArgs, ReportFormat, Scope, ShowPlanArgs};

pub async fn run(args: PlanArgs, ui: Ui, trust: &Trust) -> anyhow::Result<u8> {
    let session = super::session::open(&args.scope, trust).await?;
    let mut plan = session.plan(ui, &super::signals::hooked()).await?;
    let Session {
        manifests,
        connected,
        ..
    } = session;
    connected.sandboxes.stop(false).await?;
    plan.safety = Verdict::of(&plan, args.safety.max_change_percent, args.safety.force);
    if let Some(out) = &args.out {
        save(out, &plan, &manifests, &args.scope)?;
    }
    if !args.show_unmanaged {
        plan = plan.without_unmanaged_list();
    }
    let detail = args.detail.detail(ui.quiet);
    out!("{}", render_plan(&plan, args.format, ui, detail)?)?;
    if let Some(out) = &args.out
        && !ui.quiet
    {
        let manifests: Vec<String> = args
            .scope
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        errln!(
            "Saved the plan to {}; apply it with `simfleet apply {} {}`.",
            out.display(),
            out.display(),
            manifests.join(" ")
        );
    }
    Ok(if plan.has_errors() {
        1
    } else if plan.differs() && args.detailed_exitcode {
        2
    } else {
        0
    })
}

pub fn render_plan(
    plan: &Plan,
    format: ReportFormat,
    ui: Ui,
    detail: Detail,
) -> Result<String, render::JsonError> {
    Ok(match format {
        ReportFormat::Text => render::plan::text(plan, ui.style, detail),
        ReportFormat::Json => render::plan::json(plan)?,
        ReportFormat::Markdown => render::markdown::plan(plan, detail),
        ReportFormat::Diff => render::diff::plan(plan, ui.style),
    })
}

/// Writes the saved plan next to its final name, then renames it, so a
/// reader never sees half a file.
fn save(out: &Path, plan: &Plan, manifests: &Manifests, scope: &Scope) -> anyhow::Result<()> {
    let providers = plan
        .providers
        .iter()
        .filter_map(|p| manifests.providers.get(&p.name).cloned())
        .collect();
    let saved = SavedPlan::new(
        plan.clone().without_unmanaged_list(),
        providers,
        manifests.digest.clone(),
        scope.paths.clone(),
        SavedSelection {
            providers: scope.providers.clone(),
            select: scope.select.clone(),
        },
    );
    let name = out.file_name().context("--out needs a file name")?;
    let temp = out.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let text = saved.to_json().context("cannot write the saved plan")?;
    std::fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

pub fn show(args: &ShowPlanArgs, ui: Ui) -> anyhow::Result<u8> {
    let saved = SavedPlan::load(&args.file)?;
    let detail = args.detail.detail(ui.quiet);
    out!("{}", render_plan(&saved.plan, args.format, ui, detail)?)?;
    Ok(0)
}
