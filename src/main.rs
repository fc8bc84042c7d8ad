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
        // Already said, in its own words.
        Err(e) if e.is::<commands::Interrupted>() => ExitCode::from(commands::INTERRUPTED),
        Err(e) => {
            // Messages may carry a provider's words: inert on the terminal.
            eprintln!("error: {}", simfleet::text::inert_lines(&said_once(&e)));
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
