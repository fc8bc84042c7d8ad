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
        // No total (Infobip's text; CMO's published answer): the listing
        // ends at the first short page.
        ProviderKind::Infobip | ProviderKind::TelekomCmo => sims / 100 + 1,
        // A cursor until the answer gives none.
        ProviderKind::Eseye => sims.div_ceil(100).max(1),
    }
}

/// Whether a change declares tags: generated SIMs carry none, so the tag
/// list must be read to resolve their names (Onomondo).
fn tagging(work: &Work) -> bool {
    work.changes.iter().any(|(_, e)| e.contains(&Edit::Tags))
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
    };
    let pages = pages(work.kind, work.sims);
    match work.kind {
        ProviderKind::Onomondo => {
            floor.add(Stage::Chain(pages));
            // The tag list (one page of the search), once the SIMs show
            // that a declared tag is on none of them.
            if tagging(work) {
                floor.add(Stage::Chain(1));
            }
        }
        ProviderKind::Infobip => {
            floor.add(Stage::Chain(1));
            floor.add(Stage::Parallel(pages - 1));
        }
        ProviderKind::Eseye => {
            floor.add(Stage::Chain(1)); // token
            floor.add(Stage::Chain(pages));
        }
        ProviderKind::TelekomCmo => {
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
        let (mut writes, mut polls) = (0, 0);
        if kind == ProviderKind::Onomondo {
            // One object per SIM a run, in the phase of its status change
            // (its other changes travel along); 20 objects a bulk call.
            let phase_of = |edits: &[Edit]| {
                let status = edits.iter().find(|e| matches!(e, Edit::Status(_)));
                status.map_or(1, |e| e.phase())
            };
            let sims = work
                .changes
                .iter()
                .filter(|(_, e)| phase_of(e) == phase)
                .count();
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
    // A read-back that lists follows cursors one after another (Onomondo,
    // Eseye); numbered pages go side by side.
    let cursors = matches!(kind, ProviderKind::Onomondo | ProviderKind::Eseye);
    if readback == pages && cursors {
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
    let (mut t, mut n) = (0.0f64, 0);
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
