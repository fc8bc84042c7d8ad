//! simfleet: a declarative, GitOps-style reconciler for IoT SIM fleets.
//!
//! Layers, bottom up (docs/architecture.md): `model`, `kind`, `config`,
//! `secret`, `yaml`, `digest` are the bottom layer everything may import; `manifest`
//! turns files into desired state; `provider` reads live state and writes
//! changes; `plan` diffs, orders and checks safety; `apply` carries plans
//! out; `render` prints them; `emulator` serves the provider APIs for tests
//! and sandboxes. The binary (`src/main.rs`, `src/cli.rs`, `src/commands/`)
//! parses arguments and maps results to exit codes; no library module
//! imports it.

pub mod apply;
pub mod config;
pub mod digest;
pub mod emulator;
pub mod kind;
pub mod manifest;
pub mod model;
pub mod operations;
pub mod plan;
pub mod provider;
pub mod render;
pub mod schema;
pub mod secret;
pub mod yaml;
