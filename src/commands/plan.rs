//! `simfleet plan`.

use simfleet::render;

use crate::cli::{Format, PlanArgs};

pub async fn run(args: PlanArgs) -> anyhow::Result<u8> {
    let session = super::session::open(&args.scope).await?;
    let plan = session.plan().await;
    session.connected.sandboxes.stop(false).await?;
    let plan = plan?;
    match args.format {
        Format::Text => print!("{}", render::plan::text(&plan, super::style(&args.scope))),
        Format::Json => print!("{}", render::plan::json(&plan)),
    }
    Ok(if plan.has_errors() {
        1
    } else if plan.has_changes() && args.detailed_exitcode {
        2
    } else {
        0
    })
}
