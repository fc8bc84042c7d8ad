//! The fewest requests a piece of work needs from each provider's API, and
//! the earliest it can finish given latency, concurrency and the rate
//! limit. Worked out from the API texts, never from simfleet's own counts.

use simfleet::kind::ProviderKind;

use crate::fleet::{Edit, Work, asynchronous, live_status, status_writes};

/// Requests that depend on each other (a chain), may run side by side, or
/// a pause (seconds) the API imposes (CMO's first monitor poll).
pub enum Stage {
    Chain(usize),
    Parallel(usize),
    Pause(f64),
}

/// A request count and its stages, in order.
pub struct Floor {
    pub requests: usize,
    pub stages: Vec<Stage>,
    /// Requests sent alongside the first stage (Onomondo's tags list).
    pub alongside: usize,
}

impl Floor {
    fn add(&mut self, stage: Stage) {
        self.requests += match stage {
            Stage::Chain(n) | Stage::Parallel(n) => n,
            Stage::Pause(_) => 0,
        };
        self.stages.push(stage);
    }
}

/// List pages of a fleet of `sims`.
pub fn pages(kind: ProviderKind, sims: usize) -> usize {
    match kind {
        ProviderKind::Onomondo => sims.div_ceil(1000).max(1),
        // No total: the listing ends at the first short page.
        ProviderKind::Infobip => sims / 100 + 1,
        ProviderKind::Eseye | ProviderKind::TelekomCmo => sims.div_ceil(100).max(1),
    }
}

/// SIMs whose manifests declare attributes: one detail read each.
fn detailed(work: &Work) -> usize {
    let has = |edits: &[Edit]| edits.contains(&Edit::Attributes);
    match work.kind {
        ProviderKind::Eseye | ProviderKind::TelekomCmo => {
            work.changes.iter().filter(|(_, e)| has(e)).count()
        }
        _ => 0,
    }
}

/// Reading the fleet as `plan` does: token, list pages, detail reads.
pub fn plan(work: &Work) -> Floor {
    let mut floor = Floor {
        requests: 0,
        stages: Vec::new(),
        alongside: 0,
    };
    let pages = pages(work.kind, work.sims);
    match work.kind {
        ProviderKind::Onomondo => {
            floor.requests += 1;
            floor.alongside = 1;
            floor.add(Stage::Chain(pages));
        }
        ProviderKind::Infobip => {
            floor.add(Stage::Chain(1));
            floor.add(Stage::Parallel(pages - 1));
        }
        ProviderKind::Eseye | ProviderKind::TelekomCmo => {
            floor.add(Stage::Chain(1)); // token
            floor.add(Stage::Chain(1));
            floor.add(Stage::Parallel(pages - 1));
        }
    }
    floor.add(Stage::Parallel(detailed(work)));
    floor
}

/// `plan`, then every phase's writes (and monitor polls), then one read-back.
pub fn apply(work: &Work) -> Floor {
    let kind = work.kind;
    let mut floor = plan(work);
    for phase in 0..3 {
        let in_phase = |edits: &[Edit]| edits.iter().any(|e| e.phase() == phase);
        let (mut writes, mut polls) = (0, 0);
        if kind == ProviderKind::Onomondo {
            // Every change of a SIM in a phase is one object of a bulk call.
            let sims = work.changes.iter().filter(|(_, e)| in_phase(e)).count();
            writes = sims.div_ceil(20);
        } else {
            for (n, edits) in &work.changes {
                for edit in edits.iter().filter(|e| e.phase() == phase) {
                    writes += match edit {
                        Edit::Status(to) => {
                            let steps = status_writes(kind, live_status(kind, *n), *to);
                            polls += if asynchronous(kind, *n) { steps } else { 0 };
                            steps
                        }
                        _ => 1,
                    };
                }
            }
        }
        floor.add(Stage::Parallel(writes));
        if polls > 0 {
            floor.add(Stage::Pause(0.25));
            floor.add(Stage::Parallel(polls));
        }
    }
    let changed = work.changes.len();
    let pages = pages(kind, work.sims);
    let readback = match kind {
        // CMO finds chosen products 100 per call.
        ProviderKind::TelekomCmo => changed.div_ceil(100).min(pages),
        _ => changed.min(pages),
    };
    if readback == pages && kind == ProviderKind::Onomondo {
        floor.add(Stage::Chain(readback));
    } else {
        floor.add(Stage::Parallel(readback));
    }
    floor.add(Stage::Parallel(detailed(work)));
    floor
}

/// The earliest finish of `floor`'s stages in order: each request takes
/// `latency`, at most `concurrency` run at once, and the n-th request of
/// the run waits for window `n / budget` to open.
pub fn bound(floor: &Floor, latency: f64, concurrency: usize, budget: usize, window: f64) -> f64 {
    let opens = |n: usize| window * (n / budget.max(1)) as f64;
    let (mut t, mut n) = (0.0f64, floor.alongside);
    for stage in &floor.stages {
        let (count, width) = match *stage {
            Stage::Chain(c) => (c, 1),
            Stage::Parallel(c) => (c, concurrency),
            Stage::Pause(s) => {
                t += s;
                continue;
            }
        };
        let mut left = count;
        while left > 0 {
            let group = left.min(width);
            t = t.max(opens(n + group - 1)) + latency;
            n += group;
            left -= group;
        }
    }
    t
}
