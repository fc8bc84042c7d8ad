//! A made-up provider row for the shared layers' unit tests: every shared
//! field, every status and move, and one own field of each shape, so a
//! test of diffing, grouping or exporting needs no real provider (whose
//! rows may change) and names none.

use super::{Capabilities, Operation, RateHeaders, SANDBOX_KEY};
use crate::model::{Field, FieldSpec, Part, PartKind, Phase, Shape, Status};

pub const NOTE: FieldSpec = FieldSpec {
    name: "test.note",
    block: "test",
    key: "note",
    rank: 0,
    shape: Shape::Text,
    wire: "note",
    phase: Phase::Configure,
    doc: "A text.",
};

pub const LIMIT: FieldSpec = FieldSpec {
    name: "test.limit",
    block: "test",
    key: "limit",
    rank: 1,
    shape: Shape::Record(&[
        Part {
            key: "total",
            kind: PartKind::Count,
            required: true,
            doc: "A count.",
        },
        Part {
            key: "unit",
            kind: PartKind::Text,
            required: false,
            doc: "A text.",
        },
    ]),
    wire: "limit",
    phase: Phase::Configure,
    doc: "A record.",
};

use Status::{Active, Inactive, Suspended};

pub const ROW: Capabilities = Capabilities {
    name: "test",
    fields: &[
        Field::Status,
        Field::Name,
        Field::Tags,
        Field::Package,
        Field::Portfolio,
        Field::Attributes,
        Field::Own(&NOTE),
        Field::Own(&LIMIT),
    ],
    statuses: &[Active, Suspended, Inactive],
    settings: &[],
    required_settings: &[],
    setting_defaults: &[],
    credential_sets: &[&["token"]],
    credential_defaults: &[],
    default_url: Some("https://api.example.test"),
    hosts: &["api.example.test"],
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
    rate_windows: &[],
    default_concurrency: 8,
    sandbox: false,
    operations: &[Operation::ShowSim],
    transitions: &[
        (Inactive, Active),
        (Active, Inactive),
        (Active, Suspended),
        (Suspended, Active),
        (Suspended, Inactive),
    ],
    status_rule: "the test provider moves SIMs between any two statuses",
    frozen: None,
    detail_fields: &[],
    asynchronous_writes: false,
    started_fields: &[],
    one_write_per_sim: false,
    sandbox_credentials: &[("token", SANDBOX_KEY)],
    sandbox_settings: &[],
    sms_max_chars: None,
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[],
    unique_names: false,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};
