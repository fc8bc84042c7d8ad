//! Status moves step by step, and the writes of a kind that sends each
//! edit (and each step of a status move) as a request of its own: shared
//! by such kinds' request floors and naive clients under `kinds/`. Worked
//! out from a kind's `Bench` row alone; nothing here knows a kind.

use crate::bench::Bench;
use crate::edits::{Change, Edit, Status};

/// Writes a status move takes: where an inactive SIM cannot be suspended,
/// it is activated first.
pub fn status_writes(bench: &Bench, from: Status, to: Status) -> usize {
    let first =
        bench.activate_before_suspending && (from, to) == (Status::Inactive, Status::Suspended);
    1 + usize::from(first)
}

/// The statuses SIM `n` passes through on its way to `to` (activated first
/// where the provider cannot suspend an inactive SIM).
pub fn steps(bench: &Bench, n: usize, to: Status) -> impl Iterator<Item = Status> {
    let from = bench.live_status(n);
    let first = (status_writes(bench, from, to) == 2).then_some(Status::Active);
    first.into_iter().chain([to])
}

/// Writes of phase `phase` where each edit is its own request (a status
/// move one per step), with the monitor polls of asynchronous ones.
pub fn per_edit_writes(bench: &Bench, changes: &[Change], phase: usize) -> (usize, usize) {
    let (mut writes, mut polls) = (0, 0);
    for (n, edits) in changes {
        for edit in edits.iter().filter(|e| e.phase() == phase) {
            writes += match edit {
                Edit::Status(to) => {
                    let steps = status_writes(bench, bench.live_status(*n), *to);
                    polls += if (bench.asynchronous)(*n) { steps } else { 0 };
                    steps
                }
                _ => 1,
            };
        }
    }
    (writes, polls)
}
