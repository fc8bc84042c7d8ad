//! The command edge: runs a parsed command and returns its exit code.
//! This is the only place that uses `anyhow`; library modules return typed errors.

mod apply;
mod doctor;
mod drift;
mod emulator;
mod export;
mod man;
mod operations;
pub mod output;
mod plan;
mod session;
mod signals;

pub use signals::{INTERRUPTED, Interrupted};

use std::io::IsTerminal;

use anyhow::Context;
use simfleet::render::Style;
use simfleet::render::progress::Display;

use simfleet::cli::{Cli, ColorChoice, Command, SimCommand};

/// How a run talks to its user, from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub style: Style,
    /// `--quiet`: only the result.
    pub quiet: bool,
    /// How progress is shown while reading and applying.
    pub progress: Display,
}

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let trust = &cli.trust();
    let ui = Ui {
        style: style(cli.color, std::io::stdout().is_terminal()),
        quiet: cli.quiet,
        progress: if cli.quiet {
            Display::Silent
        } else if std::io::stderr().is_terminal() {
            Display::Bar
        } else {
            Display::Lines(std::time::Duration::from_secs_f64(cli.progress_interval))
        },
    };
    match cli.command {
        Command::Validate(args) => {
            let manifests = session::load(&args.paths)?;
            let (providers, sims) = (manifests.providers.len(), manifests.sims.len());
            let s = |n: usize| if n == 1 { "" } else { "s" };
            output::outln!(
                "Manifests are valid: {providers} provider{}, {sims} SIM{}.",
                s(providers),
                s(sims)
            )?;
            Ok(0)
        }
        Command::Schema(args) => {
            let schema = simfleet::schema::of(&args.name).context("unknown schema")?;
            output::outln!("{}", serde_json::to_string_pretty(&schema)?)?;
            Ok(0)
        }
        Command::Plan(args) => runtime()?.block_on(plan::run(args, ui, trust)),
        Command::Apply(args) => runtime()?.block_on(apply::run(args, ui, trust)),
        Command::Drift(args) => runtime()?.block_on(drift::run(args, ui, trust)),
        Command::Show(args) => plan::show(&args, ui),
        Command::Export(args) => runtime()?.block_on(export::run(args, ui, trust)),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a failed write
            // (a closed pipe), writing to a Vec cannot fail.
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "simfleet", &mut script);
            output::stdout(&String::from_utf8_lossy(&script))?;
            Ok(0)
        }
        Command::Man(args) => man::run(&args),
        Command::Sim(SimCommand::Show(args)) => runtime()?.block_on(operations::show(args, trust)),
        Command::Usage(args) => runtime()?.block_on(operations::usage(args, trust)),
        Command::Sms(args) => runtime()?.block_on(operations::sms(args, trust)),
        Command::Diagnose(args) => runtime()?.block_on(operations::diagnose(args, trust)),
        Command::Doctor(args) => runtime()?.block_on(doctor::run(args, ui, trust)),
        Command::Emulator(args) => runtime()?.block_on(emulator::run(args)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// `--color auto`: only when the stream written to is a `terminal`, and
/// without NO_COLOR.
pub fn style(choice: ColorChoice, terminal: bool) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && terminal,
    };
    Style { color }
}
