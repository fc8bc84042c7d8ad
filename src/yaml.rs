//! Bounded YAML parsing options, shared by manifests and emulator seeds.
//!
//! Bottom layer: imports nothing of simfleet. Hostile input (alias bombs,
//! deep nesting, huge scalars) must fail fast with a clear error; callers
//! must never parse YAML without these options.

use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

/// Parser limits: generous enough for fleets of hundreds of thousands of SIMs
/// in one file, while alias expansion keeps serde-saphyr's defaults so that a
/// "billion laughs" file fails fast.
pub fn bounded_options() -> Options {
    let mut budget = Budget::default();
    budget.max_events = 40_000_000;
    budget.max_nodes = 20_000_000;
    budget.max_total_scalar_bytes = 512 * 1024 * 1024;
    budget.max_depth = 32;
    budget.max_documents = 10_000;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    options
}
