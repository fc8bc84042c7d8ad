//! The one integration-test binary: drives the real CLI against the emulator
//! over loopback HTTP.

mod conformance;
mod emnify;
mod emulator;
mod emulator_emnify;
mod emulator_eseye;
mod emulator_infobip;
mod emulator_onomondo;
mod emulator_soracom;
mod emulator_supersim;
mod envelopes;
mod eseye;
mod export;
mod faults;
mod fixture;
mod flags;
mod infobip;
mod kinds;
mod limits;
mod manifests;
mod onomondo;
mod output;
mod quickstart;
mod recipes;
mod reports;
mod safety;
mod sandbox;
mod schemas;
mod soracom;
mod supersim;
mod support;
mod telekom_cmo;
mod trust;
mod workspace;
