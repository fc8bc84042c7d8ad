//! Progress of a long run, on stderr: an indicatif bar on a terminal; in CI
//! (no terminal) one plain line at most every interval with the counts, so
//! a ten-minute apply is never silent; nothing with `--quiet`.
//!
//! It only reads provider tallies. It must never print to stdout (the
//! result goes there, often into a file) and must never slow the work it
//! watches: it samples on a timer instead of being called per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::tally::{Counts, Tally};

/// Where progress goes, chosen by the caller from the terminal and flags.
#[derive(Debug, Clone, Copy)]
pub enum Display {
    Bar,
    /// A plain line at most this often.
    Lines(Duration),
    Silent,
}

/// What is being watched.
#[derive(Debug, Clone, Copy)]
pub enum Stage {
    /// Reading live state: requests answered of those known to be needed.
    Reading,
    /// Applying this many SIM-phase changes.
    Applying { changes: usize },
}

/// A running display; [`Watch::finish`] (or dropping it) stops it.
pub struct Watch {
    task: Option<tokio::task::JoinHandle<()>>,
    bar: Option<ProgressBar>,
}

/// Starts watching `tallies` (provider name, its tally). Needs a Tokio runtime.
pub fn watch(display: Display, stage: Stage, tallies: Vec<(String, Arc<Tally>)>) -> Watch {
    let start: Vec<Counts> = tallies.iter().map(|(_, t)| t.counts()).collect();
    let began = Instant::now();
    let sample = move || -> Vec<(String, Counts)> {
        tallies
            .iter()
            .zip(&start)
            .map(|((name, t), base)| (name.clone(), since(t.counts(), *base)))
            .collect()
    };
    match display {
        Display::Silent => Watch {
            task: None,
            bar: None,
        },
        Display::Lines(every) => {
            let task = tokio::spawn(async move {
                let mut ticks =
                    tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    ticks.tick().await;
                    // A closed stderr loses the line, never the run.
                    let text = format!("{}\n", line(stage, &sample(), began.elapsed()));
                    let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
                }
            });
            Watch {
                task: Some(task),
                bar: None,
            }
        }
        Display::Bar => {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            let shown = bar.clone();
            let task = tokio::spawn(async move {
                let mut ticks = tokio::time::interval(Duration::from_millis(100));
                loop {
                    ticks.tick().await;
                    let counts = sample();
                    let (pos, len, msg) = bar_state(stage, &counts);
                    shown.set_length(len);
                    shown.set_position(pos);
                    shown.set_message(msg);
                }
            });
            Watch {
                task: Some(task),
                bar: Some(bar),
            }
        }
    }
}

impl Watch {
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}

fn since(now: Counts, base: Counts) -> Counts {
    Counts {
        requests: now.requests.saturating_sub(base.requests),
        expected: now.expected.saturating_sub(base.requests),
        written: now.written.saturating_sub(base.written),
        failed: now.failed.saturating_sub(base.failed),
    }
}

fn bar_state(stage: Stage, counts: &[(String, Counts)]) -> (u64, u64, String) {
    let sum = |f: fn(&Counts) -> u64| counts.iter().map(|(_, c)| f(c)).sum::<u64>();
    match stage {
        Stage::Reading => (
            sum(|c| c.requests),
            sum(|c| c.expected),
            "requests: reading live state".to_owned(),
        ),
        Stage::Applying { changes } => {
            let failed = sum(|c| c.failed);
            let msg = match failed {
                0 => "SIM changes applied".to_owned(),
                n => format!("SIM changes applied, {n} failed"),
            };
            (sum(|c| c.written) + failed, changes as u64, msg)
        }
    }
}

/// One CI log line: what is being done, per provider, and for how long.
pub fn line(stage: Stage, counts: &[(String, Counts)], elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    match stage {
        Stage::Reading => {
            let each: Vec<String> = counts
                .iter()
                .map(|(name, c)| format!("{name} {}/{} requests", c.requests, c.expected))
                .collect();
            format!("reading live state: {} ({secs} s)", each.join(", "))
        }
        Stage::Applying { changes } => {
            let each: Vec<String> = counts
                .iter()
                .map(|(name, c)| {
                    format!(
                        "{name} {} done, {} failed, {} requests",
                        c.written, c.failed, c.requests
                    )
                })
                .collect();
            let done: u64 = counts.iter().map(|(_, c)| c.written + c.failed).sum();
            format!(
                "applying: {done}/{changes} SIM changes: {} ({secs} s)",
                each.join("; ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_counts_only_what_happened_since_the_watch_began() {
        let base = Counts {
            requests: 10,
            expected: 10,
            written: 0,
            failed: 0,
        };
        let now = Counts {
            requests: 15,
            expected: 40,
            written: 20,
            failed: 1,
        };
        let counts = vec![("iot".to_owned(), since(now, base))];
        assert_eq!(
            line(Stage::Reading, &counts, Duration::from_secs(12)),
            "reading live state: iot 5/30 requests (12 s)"
        );
        assert_eq!(
            line(
                Stage::Applying { changes: 40 },
                &counts,
                Duration::from_secs(3)
            ),
            "applying: 21/40 SIM changes: iot 20 done, 1 failed, 5 requests (3 s)"
        );
    }
}
