//! simfleet: a declarative, GitOps-style reconciler for IoT SIM fleets.
//!
//! Manifests (`manifest`) describe desired state; providers (`provider`) read
//! live state into the shared model (`model`); `plan` diffs and orders; `apply`
//! carries plans out; `emulator` serves the provider APIs for tests and sandboxes.

pub mod apply;
pub mod cli;
pub mod emulator;
pub mod manifest;
pub mod model;
pub mod operations;
pub mod plan;
pub mod provider;
pub mod sandbox;
pub mod secret;
