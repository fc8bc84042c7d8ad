//! What emnify supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere. A
//! SIM is the SIM of an emnify endpoint: its name and tags are the
//! endpoint's, its status is the SIM's and the endpoint's together
//! (docs/providers.md, "emnify").

use super::{Capabilities, Operation, RateHeaders, RateWindow, SANDBOX_KEY, Setting};
use crate::model::{Field, FieldSpec, Phase, Shape, Status};

/// The endpoint's service profile, by id, written under `emnify:`.
pub const SERVICE_PROFILE: FieldSpec = FieldSpec {
    name: "emnify.service_profile",
    block: "emnify",
    key: "service_profile",
    rank: 0,
    shape: Shape::Id,
    wire: "service_profile",
    phase: Phase::Configure,
    doc: "The endpoint's service profile, by its numeric id.",
};

pub const TARIFF_PROFILE: FieldSpec = FieldSpec {
    name: "emnify.tariff_profile",
    block: "emnify",
    key: "tariff_profile",
    rank: 1,
    shape: Shape::Id,
    wire: "tariff_profile",
    phase: Phase::Configure,
    doc: "The endpoint's tariff profile, by its numeric id.",
};

/// A boolean on the wire; the model has no boolean value, so it is the
/// word `true` or `false` (an unquoted YAML boolean is its word).
pub const IMEI_LOCK: FieldSpec = FieldSpec {
    name: "emnify.imei_lock",
    block: "emnify",
    key: "imei_lock",
    rank: 2,
    shape: Shape::OneOf(&["true", "false"]),
    wire: "imei_lock",
    phase: Phase::Configure,
    doc: "Whether the endpoint is locked to its IMEI: `true` or `false`.",
};

pub const ROW: Capabilities = Capabilities {
    name: "emnify",
    fields: &[
        Field::Name,
        Field::Status,
        Field::Tags,
        Field::Own(&SERVICE_PROFILE),
        Field::Own(&TARIFF_PROFILE),
        Field::Own(&IMEI_LOCK),
    ],
    // active: SIM Activated and endpoint Enabled; suspended: SIM
    // Suspended; inactive: endpoint Disabled (a live Issued SIM reads as
    // inactive and is never set back to Issued).
    statuses: &[Status::Active, Status::Suspended, Status::Inactive],
    settings: &[Setting::Url],
    required_settings: &[],
    setting_defaults: &[],
    // Traded at `POST /api/v1/authenticate` for a JWT.
    credential_sets: &[&["application_token"]],
    credential_defaults: &[],
    default_url: Some("https://cdn.emnify.net"),
    hosts: &["cdn.emnify.net"],
    // 2,000 requests per IP in a 5-minute window.
    default_rate_limit: 2000.0 / 300.0,
    default_rate_window: 300.0,
    rate_windows: &PATHS,
    default_concurrency: 4,
    sandbox: true,
    operations: &[Operation::ShowSim],
    // SIM Activated <-> Suspended, endpoint Enabled <-> Disabled; an
    // Issued SIM (inactive) is activated before its endpoint is enabled.
    transitions: &[
        (Status::Inactive, Status::Active),
        (Status::Active, Status::Inactive),
        (Status::Active, Status::Suspended),
        (Status::Suspended, Status::Active),
        (Status::Suspended, Status::Inactive),
        (Status::Inactive, Status::Suspended),
    ],
    status_rule: "emnify moves a SIM from Issued to Activated or Factory Test, from Factory \
                  Test to Activated, and between Activated and Suspended; Issued is never \
                  re-entered and a Deleted SIM accepts nothing",
    frozen: None,
    detail_fields: &[],
    asynchronous_writes: false,
    started_fields: &[],
    one_write_per_sim: false,
    sandbox_credentials: &[("application_token", SANDBOX_KEY)],
    sandbox_settings: &[],
    sms_max_chars: None,
    // No rate headers are documented; the common names are read if sent.
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[(
        Field::Attributes,
        "emnify tags are plain names: declare them under `tags`",
    )],
    unique_names: false,
    // The SIM stays Activated: emnify bills it (text §6).
    status_cautions: &[(
        Status::Inactive,
        "`inactive` disables the endpoint only: an Activated SIM stays Activated and emnify \
         goes on billing it; declare `suspended` to stop the charges",
    )],
    // `sim.iccid`: the ICCID without its check digit (text §5).
    unchecked_iccid_digits: Some(19),
};

/// The text's per-path limits (requests a second, burst): held as windows
/// of the burst over 0.6 s. Any span of t seconds then carries at most
/// burst x (1 + t / 0.6) requests, within a token bucket's burst + rate x t
/// with a tenth of a second to spare for requests that arrive closer
/// together than they left.
const fn path(method: &'static str, path: &'static str, requests: u32, seconds: f64) -> RateWindow {
    RateWindow {
        method: Some(method),
        path: Some(path),
        requests,
        seconds,
    }
}

const PATHS: [RateWindow; 4] = [
    path("GET", "/api/v1/endpoint", 5, 0.6),
    path("GET", "/api/v1/endpoint/*", 25, 0.6),
    path("GET", "/api/v1/sim", 5, 0.6),
    path("POST", "/api/v1/authenticate", 100, 300.0),
];
