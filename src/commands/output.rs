//! The one door every command goes through to stdout and stderr.
//!
//! stdout carries the result. When its reader has gone (`simfleet plan |
//! head -1`), the run stops at its next write with [`OutputClosed`], which
//! `main` turns into exit [`OUTPUT_CLOSED`] (141, what a shell reports for
//! a program ended by SIGPIPE) without a word: nobody reads the rest, and
//! 0 would tell `--detailed-exitcode` "no changes". `apply` prints its plan
//! (as text) before it writes, so a closed stdout there means nothing is
//! written; its report comes after the writes, which are never cut short
//! by it.
//!
//! stderr carries words for a person. A closed stderr never stops a run
//! (an apply under way must finish and save its state), so what cannot be
//! written there is dropped.
//!
//! This module decides nothing about what is said; it must not format
//! results, only carry them.

use std::io::Write;

/// The exit code of a run whose stdout was closed early (128 + SIGPIPE).
pub const OUTPUT_CLOSED: u8 = 141;

/// stdout's reader went away; nothing more is worth printing.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed before the output was written")]
pub struct OutputClosed;

/// Writes `text` to stdout at once (no buffer hides a closed pipe).
pub fn stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(OutputClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
    }
}

/// Writes `text` to stderr; a failure is dropped (see the module's words).
pub fn stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// `print!` through [`stdout`]: evaluates to `anyhow::Result<()>`.
macro_rules! out {
    ($($arg:tt)*) => { $crate::commands::output::stdout(&format!($($arg)*)) };
}

/// `println!` through [`stdout`]: evaluates to `anyhow::Result<()>`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::commands::output::stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` through [`stderr`], never failing.
macro_rules! err {
    ($($arg:tt)*) => { $crate::commands::output::stderr(&format!($($arg)*)) };
}

/// `eprintln!` through [`stderr`], never failing.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::commands::output::stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {err, errln, out, outln};
