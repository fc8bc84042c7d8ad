//! simfleet: a declarative, GitOps-style reconciler for IoT SIM fleets.
//!
//! Layers, bottom up (docs/architecture.md): `model`, `kind`, `config`,
//! `secret`, `yaml`, `digest`, `tally`, `recording`, `text`, `trust`,
//! `wording`, `stop` are the bottom layer everything may import; `manifest`
//! turns files into desired state; `export` turns live state back into
//! manifests; `provider` reads live state and writes
//! changes; `plan` diffs, orders and checks safety; `apply` carries plans
//! out; `render` prints them; `emulator` serves the provider APIs for tests
//! and sandboxes. `cli` describes the command line (here, not in the
//! binary, so tests can check command lines in docs and CI recipes against
//! it); the binary (`src/main.rs`, `src/commands/`) runs commands and maps
//! results to exit codes. No library module imports `cli` or the binary.

pub mod apply;
pub mod cli;
pub mod clock;
pub mod config;
pub mod digest;
#[cfg(test)]
mod doc_references;
pub mod emulator;
pub mod export;
pub mod kind;
pub mod manifest;
pub mod model;
pub mod operations;
pub mod plan;
pub mod provider;
pub mod recording;
pub mod render;
pub mod schema;
pub mod secret;
pub mod stop;
pub mod tally;
pub mod text;
pub mod trust;
pub mod wording;
pub mod yaml;
