//! `simfleet drift`: exit 0 no drift, 2 drift, 1 error.

use simfleet::plan::drift::Drift;
use simfleet::render;

use super::Ui;
use super::output::out;
use simfleet::cli::{DriftArgs, ReportFormat};

pub async fn run(args: DriftArgs, ui: Ui, trust: &simfleet::trust::Trust) -> anyhow::Result<u8> {
    let session = super::session::open(&args.scope, trust).await?;
    let mut plan = session.plan(ui, &super::signals::hooked()).await?;
    let taken_at = std::time::SystemTime::now();
    session.connected.sandboxes.stop(false).await?;
    if !args.show_unmanaged {
        plan = plan.without_unmanaged_list();
    }
    let drift = Drift::of(&plan, taken_at);
    let text = match args.format {
        ReportFormat::Text => render::drift::text(&drift, ui.style),
        ReportFormat::Json => render::drift::json(&drift)?,
        ReportFormat::Markdown => render::markdown::drift(&drift),
        ReportFormat::Diff => render::diff::drift(&drift, ui.style),
    };
    out!("{text}")?;
    Ok(if drift.has_errors() {
        1
    } else if drift.has_drift() || (args.fail_on_unmanaged && drift.has_unmanaged()) {
        2
    } else {
        0
    })
}
