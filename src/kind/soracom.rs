//! What Soracom supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.
//! A SIM's name is its tag `name` and its attributes are its other tags
//! (docs/providers.md, "Soracom").

use super::{Capabilities, Operation, RateHeaders, RateWindow, Reset, SANDBOX_KEY, Setting};
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
    credential_defaults: &[],
    // Global coverage; a Japan-coverage account uses https://api.soracom.io/v1.
    default_url: Some("https://g.api.soracom.io/v1"),
    hosts: &["g.api.soracom.io", "api.soracom.io"],
    // Soracom limits each API path per minute and says how in headers;
    // the one figure its text shows is 1000 a minute. Held for the whole
    // account too, that is the safe reading of it.
    default_rate_limit: 1000.0 / 60.0,
    default_rate_window: 60.0,
    rate_windows: &PATHS,
    default_concurrency: 8,
    sandbox: true,
    operations: &[Operation::ShowSim],
    // One action each (`activate`, `suspend`, `deactivate`), from any of
    // the three: active <-> inactive and out of suspended are the text's
    // (leaving `suspended` costs a reactivation fee, not a step); into
    // suspended from active or inactive is assumed. A live `ready` reads as
    // active (the text lets it go anywhere), `standby` as inactive.
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
    // Per API path: each answer speaks for the window of its path.
    rate_headers: RateHeaders {
        limit: "x-soracom-ratelimit-limit",
        remaining: "x-soracom-ratelimit-remaining",
        reset: "x-soracom-ratelimit-seconds-before-refresh",
        reset_is: Reset::Seconds,
        per_path: true,
    },
    unsupported_hints: &[(
        Field::Tags,
        "Soracom tags are name/value pairs: declare them under `attributes` \
         (the tag `name` is the SIM's `name`)",
    )],
    unique_names: false,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};

/// A path's own window: the one figure the text shows, 1000 a minute.
const fn path(method: &'static str, path: &'static str) -> RateWindow {
    RateWindow {
        method: Some(method),
        path: Some(path),
        requests: 1000,
        seconds: 60.0,
    }
}

/// Every API path simfleet calls, each limited on its own (the text's
/// section 14); the rate headers of an answer speak for its path's window.
const PATHS: [RateWindow; 14] = [
    path("POST", "/auth"),
    path("GET", "/sims"),
    path("GET", "/sims/*"),
    path("GET", "/groups"),
    path("PUT", "/sims/*/tags"),
    path("DELETE", "/sims/*/tags/*"),
    path("POST", "/sims/*/activate"),
    path("POST", "/sims/*/deactivate"),
    path("POST", "/sims/*/suspend"),
    path("POST", "/sims/*/set_group"),
    path("POST", "/sims/*/unset_group"),
    path("POST", "/sims/*/update_speed_class"),
    path("POST", "/sims/*/set_imei_lock"),
    path("POST", "/sims/*/unset_imei_lock"),
];
