//! What Onomondo supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.

use super::{Capabilities, Operation, RateHeaders, SANDBOX_KEY, Setting};
use crate::model::{Field, FieldSpec, Part, PartKind, Phase, Shape, Status};

/// Onomondo's own fields, written under `onomondo:` in a SIM entry. Their
/// wire names are the SIM object's keys (`PATCH /sims/{id}`).
pub const NETWORK_WHITELIST: FieldSpec = FieldSpec {
    name: "onomondo.network_whitelist",
    block: "onomondo",
    key: "network_whitelist",
    rank: 0,
    shape: Shape::Text,
    wire: "network_whitelist",
    phase: Phase::Configure,
    doc: "The name of the network whitelist the SIM may roam on; null for none.",
};

pub const IMEI_LOCK: FieldSpec = FieldSpec {
    name: "onomondo.imei_lock",
    block: "onomondo",
    key: "imei_lock",
    rank: 1,
    shape: Shape::Text,
    wire: "imei_lock",
    phase: Phase::Configure,
    doc: "The IMEI the SIM is locked to; null for none.",
};

pub const CONNECTOR: FieldSpec = FieldSpec {
    name: "onomondo.connector",
    block: "onomondo",
    key: "connector",
    rank: 2,
    shape: Shape::Text,
    wire: "connector",
    phase: Phase::Configure,
    doc: "The name of the connector the SIM's traffic goes to; null for none.",
};

/// Usage counters are the provider's, not managed: only the limit is.
/// Only the single SIM's answer (`GET /sims/{id}`) holds it, not the list,
/// so it is a detail field: read per SIM, for the SIMs that manage it.
pub const DATA_LIMIT: FieldSpec = FieldSpec {
    name: "onomondo.data_limit",
    block: "onomondo",
    key: "data_limit",
    rank: 3,
    shape: Shape::Record(&[
        Part {
            key: "total",
            kind: PartKind::Count,
            required: true,
            doc: "Bytes allowed per period.",
        },
        Part {
            key: "type",
            kind: PartKind::Text,
            required: true,
            doc: "Period: `hourly`, `daily`, `monthly` ...",
        },
        Part {
            key: "alert_threshold",
            kind: PartKind::Count,
            required: false,
            doc: "Bytes after which an alert is raised; null for none.",
        },
    ]),
    wire: "data_limit",
    phase: Phase::Configure,
    doc: "Onomondo data limit as managed by simfleet (usage counters are not managed).",
};

pub const ROW: Capabilities = Capabilities {
    name: "onomondo",
    fields: &[
        Field::Name,
        Field::Status,
        Field::Tags,
        Field::Own(&NETWORK_WHITELIST),
        Field::Own(&IMEI_LOCK),
        Field::Own(&CONNECTOR),
        Field::Own(&DATA_LIMIT),
    ],
    statuses: &[Status::Active, Status::Inactive],
    settings: &[Setting::Url],
    required_settings: &[],
    setting_defaults: &[],
    credential_sets: &[&["token"]],
    credential_defaults: &[],
    default_url: Some("https://api.onomondo.com"),
    hosts: &["api.onomondo.com"],
    default_rate_limit: 10.0,
    default_rate_window: 60.0,
    rate_windows: &[],
    default_concurrency: 8,
    sandbox: true,
    operations: &[Operation::ShowSim, Operation::Usage],
    transitions: &[
        (Status::Inactive, Status::Active),
        (Status::Active, Status::Inactive),
    ],
    status_rule: "Onomondo SIMs are either activated or deactivated",
    frozen: None,
    detail_fields: &[Field::Own(&DATA_LIMIT)],
    asynchronous_writes: false,
    started_fields: &[],
    one_write_per_sim: true,
    sandbox_credentials: &[("token", SANDBOX_KEY)],
    sandbox_settings: &[],
    sms_max_chars: None,
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[],
    unique_names: false,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};
