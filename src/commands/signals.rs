//! Ctrl-C and SIGTERM at the command edge. While a command only reads, a
//! signal ends it at once with a word that nothing was written (exit
//! 130); while apply writes, `apply` itself stops sending and waits for
//! the calls in flight.

use std::future::Future;

use simfleet::render::progress::Watch;

use super::output::errln;

/// The exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;

/// A run interrupted before it wrote anything (said on stderr already).
#[derive(Debug, thiserror::Error)]
#[error("interrupted while reading; nothing was written")]
pub struct Interrupted;

/// Runs `read` unless a signal comes first; either way its progress
/// `watch` is finished (its bar cleared) before anything is said. On a
/// signal the interruption is said and the result is [`Interrupted`].
pub async fn reading<T>(read: impl Future<Output = T>, watch: Watch) -> Result<T, Interrupted> {
    let out = tokio::select! {
        out = read => Ok(out),
        () = signal() => Err(Interrupted),
    };
    watch.finish();
    if out.is_err() {
        errln!("{Interrupted}");
    }
    out
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Installing a handler fails only if the runtime has no signal
        // driver; then Ctrl-C keeps its default effect.
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
