//! The command edge: runs a parsed command and returns its exit code.
//! This is the only place that uses `anyhow`; library modules return typed errors.

mod apply;
mod emulator;
mod operations;
mod plan;
mod session;

use std::io::IsTerminal;

use anyhow::Context;
use simfleet::render::Style;

use crate::cli::{Cli, Command, Scope, SimCommand};

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Validate(args) => {
            let manifests = session::load(&args.paths)?;
            let (providers, sims) = (manifests.providers.len(), manifests.sims.len());
            let s = |n: usize| if n == 1 { "" } else { "s" };
            println!(
                "Manifests are valid: {providers} provider{}, {sims} SIM{}.",
                s(providers),
                s(sims)
            );
            Ok(0)
        }
        Command::Schema => {
            let schema = simfleet::manifest::json_schema();
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(0)
        }
        Command::Plan(args) => runtime()?.block_on(plan::run(args)),
        Command::Apply(args) => runtime()?.block_on(apply::run(args)),
        Command::Sim(SimCommand::Show(args)) => runtime()?.block_on(operations::show(args)),
        Command::Usage(args) => runtime()?.block_on(operations::usage(args)),
        Command::Sms(args) => runtime()?.block_on(operations::sms(args)),
        Command::Diagnose(args) => runtime()?.block_on(operations::diagnose(args)),
        Command::Emulator(args) => runtime()?.block_on(emulator::run(args)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Colour only on a terminal, without NO_COLOR or --no-color.
fn style(scope: &Scope) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: !scope.no_color && !no_color && std::io::stdout().is_terminal(),
    }
}
