//! What Eseye supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.

use super::{Capabilities, Operation, RateHeaders, SANDBOX_KEY, Setting};
use crate::model::{Field, Status};

pub const ROW: Capabilities = Capabilities {
    name: "eseye",
    fields: &[
        Field::Status,
        Field::Package,
        Field::Portfolio,
        Field::Attributes,
    ],
    statuses: &[Status::Active, Status::Suspended, Status::Inactive],
    settings: &[Setting::Url, Setting::TokenUrl, Setting::Scope],
    required_settings: &[(
        Setting::TokenUrl,
        "Eseye's identity provider, \
         https://eseye-idp-prod.auth.<region>.amazoncognito.com/oauth2/token \
         with the region Eseye gave with the credentials",
    )],
    setting_defaults: &[(Setting::Scope, "api/api")],
    credential_sets: &[&["client_id", "client_secret"]],
    credential_defaults: &[],
    default_url: Some("https://sim.api.anynetiot.com"),
    // The identity provider of Eseye's own pool, in any region: not any
    // Cognito domain, which anyone can own.
    hosts: &[
        "sim.api.anynetiot.com",
        "eseye-idp-prod.auth.*.amazoncognito.com",
    ],
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
    rate_windows: &[],
    default_concurrency: 8,
    sandbox: true,
    operations: &[Operation::ShowSim],
    transitions: &[
        (Status::Inactive, Status::Active),
        (Status::Active, Status::Inactive),
        (Status::Active, Status::Suspended),
        (Status::Suspended, Status::Active),
    ],
    status_rule: "Eseye suspends and deactivates only active SIMs",
    frozen: Some((Status::Suspended, "Eseye cannot update a suspended SIM")),
    detail_fields: &[Field::Attributes],
    asynchronous_writes: true,
    started_fields: &[],
    one_write_per_sim: false,
    sandbox_credentials: &[("client_id", "simfleet"), ("client_secret", SANDBOX_KEY)],
    // The emulator serves Eseye's identity provider under its own path.
    sandbox_settings: &[(Setting::TokenUrl, "{url}/idp/oauth2/token")],
    sms_max_chars: None,
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[],
    unique_names: false,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};
