//! simfleet binary: parse arguments, run the command, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser as _;

mod commands;

fn main() -> ExitCode {
    // Usage errors exit 1, never clap's 2: CI reads 2 as "changes".
    let cli = match simfleet::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    let filter = match cli.verbose {
        0 if cli.quiet => "error",
        0 => "warn",
        1 => "info,simfleet=debug",
        _ => "debug,simfleet=trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
