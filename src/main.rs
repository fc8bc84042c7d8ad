//! simfleet binary: parse arguments, run the command, map the result to an exit code.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;
use simfleet::render::log::Log;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

mod commands;

use commands::output::{OUTPUT_CLOSED, OutputClosed, errln};

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
    // Log lines go to stderr: coloured only when stderr is a terminal.
    let log = Log::stderr(commands::style(cli.color, std::io::stderr().is_terminal()));
    tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()))
        .with(log.clone())
        .init();
    let result = commands::run(cli);
    log.finish();
    match result {
        Ok(code) => ExitCode::from(code),
        // Already said, in its own words.
        Err(e) if e.is::<commands::Interrupted>() => ExitCode::from(commands::INTERRUPTED),
        // Nobody reads on: no word, the code a shell gives a SIGPIPE.
        Err(e) if e.is::<OutputClosed>() => ExitCode::from(OUTPUT_CLOSED),
        Err(e) => {
            // Messages may carry a provider's words: inert on the terminal.
            errln!("error: {}", simfleet::text::inert_lines(&said_once(&e)));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, each said once: library errors already name
/// their source in their own message, so a cause is added only when its
/// text is not there yet.
fn said_once(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}
