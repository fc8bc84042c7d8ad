//! What Infobip IoT supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere.

use super::{Capabilities, Operation, RateHeaders, SANDBOX_KEY, Setting};
use crate::model::{Field, Status};

pub const ROW: Capabilities = Capabilities {
    name: "infobip",
    fields: &[Field::Name, Field::Status],
    statuses: &[Status::Active, Status::Suspended, Status::Inactive],
    settings: &[Setting::Url],
    required_settings: &[(
        Setting::Url,
        "each Infobip account has its own base URL, https://<id>.api.infobip.com; \
         the Infobip web interface shows it on its homepage once you log in",
    )],
    setting_defaults: &[],
    credential_sets: &[&["username", "password"], &["api_key"]],
    credential_defaults: &[],
    default_url: None,
    hosts: &["*.api.infobip.com", "api.infobip.com"],
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
    rate_windows: &[],
    default_concurrency: 8,
    sandbox: true,
    operations: &[
        Operation::ShowSim,
        Operation::Usage,
        Operation::Sms,
        Operation::Diagnose,
    ],
    transitions: &[
        (Status::Inactive, Status::Active),
        (Status::Active, Status::Suspended),
        (Status::Suspended, Status::Active),
    ],
    status_rule: "Infobip sets only Active (from Activation Ready or Suspended) and Suspended \
                  (from Active); `inactive` matches only SIMs never activated",
    frozen: None,
    detail_fields: &[],
    asynchronous_writes: false,
    started_fields: &[],
    one_write_per_sim: false,
    sandbox_credentials: &[("api_key", SANDBOX_KEY)],
    sandbox_settings: &[],
    sms_max_chars: Some(160),
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[],
    // "SIM's unique name defined in the system" (text, the SIM object).
    unique_names: true,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};
