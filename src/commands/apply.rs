//! `simfleet apply`: plan, check safety, confirm, execute, report.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;
use simfleet::apply::{self, Progress};
use simfleet::plan::safety;
use simfleet::render;

use crate::cli::ApplyArgs;

pub async fn run(args: ApplyArgs) -> anyhow::Result<u8> {
    let session = super::session::open(&args.scope).await?;
    let result = execute(&args, &session).await;
    // Sandbox state is saved whatever happened, so a partial apply is remembered.
    session.connected.sandboxes.stop(true).await?;
    result
}

async fn execute(args: &ApplyArgs, session: &super::session::Session) -> anyhow::Result<u8> {
    let plan = session.plan().await?;
    print!("{}", render::plan::text(&plan, super::style(&args.scope)));
    if plan.has_errors() {
        bail!("the plan has errors; nothing was applied");
    }
    if !plan.has_changes() {
        return Ok(0);
    }
    if !args.force {
        let refusals = safety::check(&plan, args.max_change_percent);
        if !refusals.is_empty() {
            for r in &refusals {
                eprintln!("refused: {r}");
            }
            bail!(
                "apply refused by {} safety check(s); nothing was applied",
                refusals.len()
            );
        }
    }
    if !args.auto_approve && !confirmed()? {
        eprintln!("Apply cancelled; nothing was applied.");
        return Ok(1);
    }
    let total = plan
        .providers
        .iter()
        .flat_map(|p| &p.sims)
        .map(|s| s.changes.len())
        .sum();
    let progress = Progress::new(total, std::io::stderr().is_terminal());
    let report = apply::execute(&plan, &session.connected.clients, &progress).await;
    progress.finish();
    print!("{}", render::report::text(&report));
    Ok(report.exit_code())
}

fn confirmed() -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal (CI?); \
             pass --auto-approve to apply unattended"
        );
    }
    print!("\nApply these changes? Only 'yes' is accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
