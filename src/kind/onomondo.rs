//! What Onomondo supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.

use super::{Capabilities, Operation, SANDBOX_KEY, Setting};
use crate::model::{Field, Status};

pub const ROW: Capabilities = Capabilities {
    name: "onomondo",
    fields: &[
        Field::Name,
        Field::Status,
        Field::Tags,
        Field::NetworkWhitelist,
        Field::ImeiLock,
        Field::Connector,
        Field::DataLimit,
    ],
    statuses: &[Status::Active, Status::Inactive],
    settings: &[Setting::Url],
    required_settings: &[],
    setting_defaults: &[],
    credential_sets: &[&["token"]],
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
    detail_fields: &[],
    asynchronous_writes: false,
    started_fields: &[],
    one_write_per_sim: true,
    sandbox_credentials: &[("token", SANDBOX_KEY)],
    sandbox_settings: &[],
    sms_max_chars: None,
};
