//! Apply progress: a bar on a terminal, one line per provider phase otherwise
//! (so CI logs stay readable).

use indicatif::{ProgressBar, ProgressStyle};

use crate::model::Phase;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// `total` is the number of SIM-phase work items.
    pub fn new(total: usize, terminal: bool) -> Self {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress { bar }
    }

    pub fn phase_done(&self, provider: &str, phase: Phase, sims: usize, failed: usize) {
        let line = format!(
            "{provider}: {} phase: {sims} SIM(s), {failed} failed",
            phase.as_str()
        );
        match &self.bar {
            Some(bar) => {
                bar.inc(sims as u64);
                bar.set_message(line);
            }
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
