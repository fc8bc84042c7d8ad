//! What Deutsche Telekom T IoT Hub CMO supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.

use super::{Capabilities, Operation, RateHeaders, SANDBOX_KEY, Setting};
use crate::model::{Field, Status};

pub const ROW: Capabilities = Capabilities {
    name: "telekom-cmo",
    fields: &[Field::Status, Field::Attributes],
    statuses: &[Status::Active, Status::Suspended, Status::Inactive],
    settings: &[Setting::Url, Setting::Tenant, Setting::TokenUrl],
    required_settings: &[
        (
            Setting::Url,
            "the API URL that Application Access Management copies with the chain icon \
             next to the API version",
        ),
        (Setting::Tenant, "your T IoT Hub tenant name"),
        (
            Setting::TokenUrl,
            "the T IoT Hub token endpoint, \
             https://iam-br-iot.myiot-t.com/auth/realms/iothub/protocol/openid-connect/token",
        ),
    ],
    setting_defaults: &[],
    credential_sets: &[&["client_id", "client_secret"]],
    credential_defaults: &[],
    default_url: None,
    hosts: &["*.myiot-t.com"],
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
        (Status::Suspended, Status::Inactive),
    ],
    status_rule: "CMO moves SIMs between ACTIVE, SUSPENDED and INACTIVE",
    frozen: None,
    detail_fields: &[Field::Attributes],
    asynchronous_writes: true,
    started_fields: &[Field::Status],
    one_write_per_sim: false,
    sandbox_credentials: &[("client_id", "simfleet"), ("client_secret", SANDBOX_KEY)],
    // The emulator serves tenant `sandbox` and its token endpoint next to the API.
    sandbox_settings: &[
        (Setting::Tenant, "sandbox"),
        (Setting::TokenUrl, "{url}/token"),
    ],
    sms_max_chars: None,
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[],
    unique_names: false,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};
