//! The one integration-test binary: drives the real CLI against the emulator
//! over loopback HTTP.

mod emulator;
mod manifests;
mod onomondo;
mod quickstart;
mod support;
