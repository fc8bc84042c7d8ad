//! `simfleet apply`: plan (or load a saved plan and check it is not stale),
//! check safety, confirm, execute, report.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::path::PathBuf;

use anyhow::bail;
use simfleet::apply;
use simfleet::plan::safety::Verdict;
use simfleet::plan::saved::{self, Confirmation, SavedPlan};
use simfleet::plan::{Plan, Selection};
use simfleet::render;
use simfleet::text::inert;
use simfleet::trust::Trust;

use super::Ui;
use super::output::{errln, out};
use super::session::{Connected, configs, connect, load};
use super::signals::{INTERRUPTED, hooked, reading, signal};
use simfleet::cli::{ApplyArgs, Format};
use simfleet::render::progress::Stage;
use simfleet::stop::Stop;

pub async fn run(args: ApplyArgs, ui: Ui, trust: &Trust) -> anyhow::Result<u8> {
    if let Some((file, manifests)) = saved_plan(&args.scope.paths) {
        return apply_saved(file, manifests, &args, ui, trust).await;
    }
    let session = super::session::open(&args.scope, trust).await?;
    let stop = hooked();
    let result = async {
        let plan = session.plan(ui, &stop).await?.without_unmanaged_list();
        let digest = &session.manifests.digest;
        carry_out(plan, &session.connected, &args, ui, digest, &stop).await
    }
    .await;
    // Sandbox state is saved whatever happened, so a partial apply is remembered.
    session.connected.sandboxes.stop(true).await?;
    result
}

/// A first path that is a file but not a manifest (`*.yaml`, `*.yml`): a
/// saved plan, and the manifest paths after it.
fn saved_plan(paths: &[PathBuf]) -> Option<(&Path, &[PathBuf])> {
    let (path, rest) = paths.split_first()?;
    let manifest = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    (path.is_file() && !manifest).then_some((path.as_path(), rest))
}

/// Applies a saved plan only as far as the reviewed manifests and a fresh
/// read confirm it: the file is a claim, not an instruction. The operator
/// names the manifests (the file may not choose them), and what is applied
/// is the plan those manifests and live state give, which must be the file's.
async fn apply_saved(
    file: &Path,
    given: &[PathBuf],
    args: &ApplyArgs,
    ui: Ui,
    trust: &Trust,
) -> anyhow::Result<u8> {
    let saved = SavedPlan::load(file)?;
    if !args.scope.providers.is_empty() || !args.scope.select.is_empty() {
        bail!(
            "--provider and --select narrow a plan when it is made; a saved plan applies as it \
             was planned"
        );
    }
    let planned_from: Vec<String> = saved
        .manifests
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if given.is_empty() {
        bail!(
            "name the manifests {} was planned from after it: `simfleet apply {} {}`",
            file.display(),
            file.display(),
            planned_from.join(" ")
        );
    }
    if saved.plan.has_errors() {
        bail!("the saved plan has errors; nothing was applied");
    }
    let manifests = load(given)?;
    if manifests.digest != saved.manifests_digest {
        bail!(
            "{} was planned from manifests ({}) that differ from those given; nothing was \
             applied: plan again",
            file.display(),
            planned_from.join(" ")
        );
    }
    let selection = Selection {
        providers: saved.selection.providers.clone(),
        select: saved.selection.select.clone(),
    };
    let manifests = selection.narrow(manifests)?;
    // Configuration from the manifests and the operator's flags, never
    // from the file.
    let concerned = selection.concerned(&manifests);
    let connected = connect(configs(&manifests, &concerned), trust).await?;
    let stop = hooked();
    let result = async {
        let watch = connected.watch(ui, Stage::Reading);
        let confirm = saved::confirm(&saved, &manifests, &connected.clients, &stop);
        let (derived, done) = match reading(confirm, watch).await? {
            Confirmation::Confirmed { plan, done } => (plan, done),
            Confirmation::Unreadable(providers) => {
                for (name, error) in &providers {
                    errln!("error: cannot read provider `{name}`: {}", inert(error));
                }
                bail!("a provider could not be read; nothing was applied");
            }
            Confirmation::Stale(stale) => {
                for sim in &stale {
                    errln!("changed since the plan: {}", inert(&sim.to_string()));
                }
                bail!(
                    "the saved plan is stale: {} planned SIM(s) changed since {} was made; \
                     nothing was applied. Plan again.",
                    stale.len(),
                    file.display()
                );
            }
            Confirmation::Differs(differences) => {
                for difference in &differences {
                    errln!("differs: {}", inert(difference));
                }
                bail!(
                    "{} does not say what the manifests ask for ({} difference(s)); nothing \
                     was applied. Plan again.",
                    file.display(),
                    differences.len()
                );
            }
        };
        if done > 0 {
            if derived.has_changes() {
                errln!(
                    "{done} planned SIM(s) already hold what {} asks for (an earlier apply of \
                     it); applying the rest.",
                    file.display()
                );
            } else {
                errln!(
                    "Already applied: every SIM in {} already holds its planned values; nothing to \
                     do.",
                    file.display()
                );
            }
        }
        let digest = &manifests.digest;
        carry_out(
            derived.without_unmanaged_list(),
            &connected,
            args,
            ui,
            digest,
            &stop,
        )
        .await
    }
    .await;
    connected.sandboxes.stop(true).await?;
    result
}

/// Checks, confirms and applies `plan`; `digest` is the digest of the
/// manifests it came from, for the JSON report. A raised `stop` cancels
/// the confirmation, or stops the apply from sending more.
async fn carry_out(
    mut plan: Plan,
    connected: &Connected,
    args: &ApplyArgs,
    ui: Ui,
    digest: &str,
    stop: &Stop,
) -> anyhow::Result<u8> {
    plan.safety = Verdict::of(&plan, args.safety.max_change_percent, args.safety.force);
    let json = args.format == Format::Json;
    if !json && !ui.quiet {
        let detail = args.detail.detail(ui.quiet);
        out!("{}", render::plan::text(&plan, ui.style, detail))?;
    }
    if plan.has_errors() {
        bail!("the plan has errors; nothing was applied");
    }
    if plan.safety.refuses() {
        for r in &plan.safety.refusals {
            errln!("refused: {}", inert(&r.to_string()));
        }
        bail!(
            "apply refused by {} safety check(s); nothing was applied",
            plan.safety.refusals.len()
        );
    }
    if plan.has_changes() && !args.auto_approve {
        // The signal handler installed before reading keeps Ctrl-C from
        // ending the process by default: the prompt listens to the stop.
        let answer = tokio::select! {
            answer = tokio::task::spawn_blocking(confirmed) => answer?,
            () = stop.raised() => {
                // The prompt's thread stays blocked on the terminal and would
                // hold the runtime open: nothing was written, so leave now.
                errln!("\nApply cancelled; nothing was applied.");
                std::process::exit(i32::from(INTERRUPTED));
            }
        };
        if !answer? {
            errln!("Apply cancelled; nothing was applied.");
            return Ok(1);
        }
    }
    let watch = connected.watch(
        ui,
        Stage::Applying {
            changes: plan.change_count(),
        },
    );
    let stopping = tokio::spawn(stop_on_signal(stop.clone()));
    let report = tokio::select! {
        report = apply::execute(&plan, &connected.clients, stop) => report,
        () = grace_over(stop) => {
            watch.finish();
            errln!(
                "Calls still in flight {} s after the interrupt; stopped without them. \
                 What they did is unknown: run `simfleet plan` to see.",
                GRACE.as_secs()
            );
            return Ok(INTERRUPTED);
        }
    };
    stopping.abort();
    watch.finish();
    if json {
        let document = report.document(&plan, digest);
        out!("{}", render::pretty_json("apply report", &document)?)?;
    } else if plan.has_changes() {
        out!("{}", render::report::text(&report))?;
    }
    Ok(if report.interrupted {
        INTERRUPTED
    } else {
        report.exit_code()
    })
}

/// How long an interrupted apply waits for the calls it already sent.
const GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// The first Ctrl-C or SIGTERM raised `stop`: apply sends nothing more.
/// Said once it is; the next signal stops the process at once.
async fn stop_on_signal(stop: Stop) {
    stop.raised().await;
    let second = signal();
    errln!(
        "Interrupted: sending nothing more, waiting up to {} s for the calls in flight. \
         Press Ctrl-C again to stop at once.",
        GRACE.as_secs()
    );
    second.await;
    errln!("Stopped at once; calls in flight may have taken effect.");
    std::process::exit(i32::from(INTERRUPTED));
}

/// Completes `GRACE` after `stop` was raised; never before.
async fn grace_over(stop: &Stop) {
    stop.raised().await;
    tokio::time::sleep(GRACE).await;
}

fn confirmed() -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal (CI?); \
             pass --auto-approve to apply unattended"
        );
    }
    out!("\nApply these changes? Only 'yes' is accepted: ")?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
