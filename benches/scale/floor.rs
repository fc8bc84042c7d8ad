//! The fewest requests a piece of work needs from each provider's API, and
//! the earliest it can finish given latency, concurrency and the rate
//! limit. Worked out from the API texts, never from simfleet's own counts.

use crate::bench::{Bench, Listing};
use crate::edits::Edit;
use crate::fleet::Work;

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
pub fn pages(bench: &Bench, sims: usize) -> usize {
    match bench.listing {
        Listing::Cursors { page } | Listing::Totalled { page } => sims.div_ceil(page).max(1),
        // No total: the listing ends at the first short page.
        Listing::Numbered { page } => sims / page + 1,
    }
}

/// Whether a change declares tags: generated SIMs carry none, so the tag
/// list must be read to resolve their names.
fn tagging(work: &Work) -> bool {
    work.changes.iter().any(|(_, e)| e.contains(&Edit::Tags))
}

/// SIMs whose manifests declare attributes, where each costs a read.
fn detailed(work: &Work) -> usize {
    if !work.bench.attribute_reads {
        return 0;
    }
    let has = |edits: &[Edit]| edits.contains(&Edit::Attributes);
    work.changes.iter().filter(|(_, e)| has(e)).count()
}

/// Reading the fleet as `plan` does: token, list pages, the tag list,
/// detail reads.
pub fn plan(work: &Work) -> Floor {
    let mut floor = Floor {
        requests: 0,
        stages: Vec::new(),
    };
    let bench = work.bench;
    if bench.token {
        floor.add(Stage::Chain(1));
    }
    let pages = pages(bench, work.sims);
    match bench.listing {
        Listing::Cursors { .. } => floor.add(Stage::Chain(pages)),
        Listing::Numbered { .. } | Listing::Totalled { .. } => {
            floor.add(Stage::Chain(1));
            floor.add(Stage::Parallel(pages - 1));
        }
    }
    // The tag list (one page of the search), once the SIMs show that a
    // declared tag is on none of them.
    if bench.tag_list && tagging(work) {
        floor.add(Stage::Chain(1));
    }
    floor.add(Stage::Parallel(detailed(work)));
    floor
}

/// `plan`, then every phase's writes (and monitor polls), then one read-back.
pub fn apply(work: &Work) -> Floor {
    let bench = work.bench;
    let mut floor = plan(work);
    for phase in 0..3 {
        let (writes, polls) = (bench.phase_writes)(bench, &work.changes, phase);
        floor.add(Stage::Parallel(writes));
        if polls > 0 {
            floor.add(Stage::Pause(0.25));
            floor.add(Stage::Parallel(polls));
        }
    }
    let changed = work.changes.len();
    let pages = pages(bench, work.sims);
    let readback = changed.div_ceil(bench.read_back_per_request).min(pages);
    // A read-back that lists follows cursors one after another; numbered
    // pages go side by side.
    let cursors = matches!(bench.listing, Listing::Cursors { .. });
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
