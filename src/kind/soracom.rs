//! What Soracom supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.
//! A SIM's name is its tag `name` and its attributes are its other tags
//! (docs/providers.md, "Soracom").

use super::{Capabilities, Operation, SANDBOX_KEY, Setting};
use crate::model::{Field, FieldSpec, Phase, Shape, Status};

/// Soracom's own fields, written under `soracom:` in a SIM entry. Their
/// wire names are the Sim object's keys; each has its own action
/// (`set_group`, `update_speed_class`, `set_imei_lock`).
pub const GROUP: FieldSpec = FieldSpec {
    name: "soracom.group",
    block: "soracom",
    key: "group",
    rank: 0,
    shape: Shape::Text,
    wire: "groupId",
    phase: Phase::Configure,
    doc: "The SIM group the SIM belongs to, by the group's name (its `name` tag); null for none.",
};

pub const SPEED_CLASS: FieldSpec = FieldSpec {
    name: "soracom.speed_class",
    block: "soracom",
    key: "speed_class",
    rank: 1,
    shape: Shape::Text,
    wire: "speedClass",
    phase: Phase::Configure,
    doc: "The SIM's speed class (`s1.minimum`, `s1.slow`, `s1.standard`, `s1.fast`, \
          `s1.4xfast`, `s1.8xfast`, `u1.standard`, `u1.slow`); its subscription decides \
          which are allowed.",
};

pub const IMEI_LOCK: FieldSpec = FieldSpec {
    name: "soracom.imei_lock",
    block: "soracom",
    key: "imei_lock",
    rank: 2,
    shape: Shape::Text,
    wire: "imeiLock",
    phase: Phase::Configure,
    doc: "The IMEI the SIM is locked to (15 digits; `|ANONYMOUS` after it also allows \
          sessions that report no IMEI); null for none.",
};

pub const ROW: Capabilities = Capabilities {
    name: "soracom",
    fields: &[
        Field::Name,
        Field::Status,
        Field::Attributes,
        Field::Own(&GROUP),
        Field::Own(&SPEED_CLASS),
        Field::Own(&IMEI_LOCK),
    ],
    statuses: &[Status::Active, Status::Suspended, Status::Inactive],
    settings: &[Setting::Url],
    required_settings: &[],
    setting_defaults: &[],
    credential_sets: &[&["auth_key_id", "auth_key"]],
    // Global coverage; a Japan-coverage account uses https://api.soracom.io/v1.
    default_url: Some("https://g.api.soracom.io/v1"),
    hosts: &["g.api.soracom.io", "api.soracom.io"],
    // Soracom limits each API path per minute and says how in headers;
    // the one figure its text shows is 1000 a minute. Held for the whole
    // account, that is the safe reading of it.
    default_rate_limit: 1000.0 / 60.0,
    default_rate_window: 60.0,
    rate_windows: &[],
    default_concurrency: 8,
    sandbox: true,
    operations: &[Operation::ShowSim],
    // One action each (`activate`, `suspend`, `deactivate`), from any of
    // the three; leaving `suspended` costs a reactivation fee, not a step.
    transitions: &[
        (Status::Inactive, Status::Active),
        (Status::Suspended, Status::Active),
        (Status::Active, Status::Inactive),
        (Status::Suspended, Status::Inactive),
        (Status::Active, Status::Suspended),
        (Status::Inactive, Status::Suspended),
    ],
    status_rule: "Soracom moves SIMs between active, suspended and inactive with one action \
                  each; a terminated SIM accepts nothing, and simfleet never terminates",
    frozen: None,
    detail_fields: &[],
    asynchronous_writes: false,
    started_fields: &[],
    one_write_per_sim: false,
    sandbox_credentials: &[("auth_key_id", "keyId-simfleet"), ("auth_key", SANDBOX_KEY)],
    sandbox_settings: &[],
    sms_max_chars: None,
};
