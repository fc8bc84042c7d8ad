//! Ctrl-C and SIGTERM at the command edge: the one place a signal becomes
//! a [`Stop`]. While a command only reads, a stop ends it at once with a
//! word that nothing was written (exit 130); while apply writes, apply
//! itself stops sending and waits for the calls in flight.

use std::future::Future;
use std::pin::Pin;

use simfleet::render::progress::Watch;
use simfleet::stop::{Stop, Stopped};

use super::output::errln;

/// The exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;

/// A run interrupted before it wrote anything (said on stderr already).
#[derive(Debug, thiserror::Error)]
#[error("interrupted while reading; nothing was written")]
pub struct Interrupted;

/// A stop raised by the first Ctrl-C or SIGTERM from now on. From this
/// call the signals no longer end the process by default: whoever holds
/// the stop decides what a raised one means.
pub fn hooked() -> Stop {
    let stop = Stop::new();
    let raise = stop.clone();
    let first = signal();
    tokio::spawn(async move {
        first.await;
        raise.raise();
    });
    stop
}

/// Awaits `read`, a read the stop may cut short; either way its progress
/// `watch` is finished (its bar cleared) before anything is said. Cut
/// short, the interruption is said and the result is [`Interrupted`].
pub async fn reading<T>(
    read: impl Future<Output = Result<T, Stopped>>,
    watch: Watch,
) -> Result<T, Interrupted> {
    let out = read.await;
    watch.finish();
    out.map_err(|Stopped| {
        errln!("{Interrupted}");
        Interrupted
    })
}

/// Completes on the next Ctrl-C or SIGTERM. The handlers are installed
/// by this call, not when the future is first polled, so a signal right
/// after it is not missed.
pub fn signal() -> Pin<Box<dyn Future<Output = ()> + Send>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Installing a handler fails only if the runtime has no signal
        // driver; then Ctrl-C keeps its default effect.
        if let (Ok(mut interrupt), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            return Box::pin(async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = term.recv() => {}
                }
            });
        }
    }
    Box::pin(async {
        // No handler: a signal keeps its default effect, and this never
        // completes (completing would raise a stop nobody asked for).
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
}
