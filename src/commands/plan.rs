//! `simfleet plan`.

use simfleet::cli::{Format, PlanArgs};
use simfleet::plan::render;

pub async fn run(args: PlanArgs) -> anyhow::Result<u8> {
    let session = super::session::open(&args.scope).await?;
    let plan = session.plan().await;
    session.sandboxes.stop(false).await?;
    let plan = plan?;
    match args.format {
        Format::Text => print!("{}", render::text(&plan, super::style(&args.scope))),
        Format::Json => print!("{}", render::json(&plan)),
    }
    Ok(if plan.has_errors() {
        1
    } else if plan.has_changes() && args.detailed_exitcode {
        2
    } else {
        0
    })
}
