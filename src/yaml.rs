//! Bounded YAML parsing options, shared by manifests and emulator seeds.
//!
//! Bottom layer: imports nothing of simfleet. Hostile input (alias bombs,
//! deep nesting, huge scalars) must fail fast with a clear error; callers
//! must never parse YAML without these options.

use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

/// Parser limits for `text_len` bytes of YAML: node and event budgets grow
/// with the file (a node takes at least a byte or two of text, so these
/// only bite on expansion), while alias expansion keeps serde-saphyr's
/// defaults so that a "billion laughs" file fails fast whatever its size.
pub fn bounded_options(text_len: usize) -> Options {
    let mut budget = Budget::default();
    budget.max_events = text_len.saturating_mul(2).max(40_000_000);
    budget.max_nodes = text_len.max(20_000_000);
    budget.max_total_scalar_bytes = text_len.max(512 * 1024 * 1024);
    budget.max_depth = 32;
    budget.max_documents = 10_000;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    options
}
