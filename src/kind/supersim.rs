//! What Twilio / KORE Super SIM supports, as data: its row of the kind table.
//!
//! Only data lives here; behaviour that reads it lives once, elsewhere. A
//! SIM's name is its `unique_name`; its Fleet is the one field of its own
//! (docs/providers.md, "Twilio / KORE Super SIM").

use super::{Capabilities, CredentialDefaults, Operation, RateHeaders, SANDBOX_KEY, Setting};
use crate::model::{Field, FieldSpec, Phase, Shape, Status};

/// The Fleet a SIM belongs to, written under `supersim:` in a SIM entry.
/// Read as the Sim's `fleet_sid`, written as the `Fleet` parameter, which
/// takes a Fleet's SID or its unique name.
pub const FLEET: FieldSpec = FieldSpec {
    name: "supersim.fleet",
    block: "supersim",
    key: "fleet",
    rank: 0,
    shape: Shape::Text,
    wire: "fleet_sid",
    phase: Phase::Configure,
    doc: "The Fleet the SIM belongs to, by its SID (HF...) or unique name; null for none \
          (only an inactive or new SIM may have none).",
};

/// KORE's API client: traded at its token endpoint for a bearer token.
const KORE_CREDENTIALS: &[&str] = &["client_id", "client_secret"];

pub const ROW: Capabilities = Capabilities {
    name: "supersim",
    fields: &[Field::Name, Field::Status, Field::Own(&FLEET)],
    // `suspended` has no Super SIM status; a live `new` SIM reads as
    // inactive and is never set back to `new`.
    statuses: &[Status::Active, Status::Inactive],
    settings: &[Setting::Url, Setting::TokenUrl],
    required_settings: &[],
    setting_defaults: &[],
    // The credential set decides the scheme: Twilio's Basic auth, or
    // KORE's client credentials traded at `token_url` for a bearer token.
    credential_sets: &[&["account_sid", "auth_token"], KORE_CREDENTIALS],
    // KORE's client credentials are KORE's: its API and token endpoint
    // (text §1, §2), never Twilio's host, are where they go by default.
    credential_defaults: &[CredentialDefaults {
        credentials: KORE_CREDENTIALS,
        url: Some("https://supersim.api.korewireless.com/v1"),
        settings: &[(
            Setting::TokenUrl,
            "https://api.korewireless.com/api-services/v1/auth/token",
        )],
    }],
    // Twilio's API, for Twilio's account SID and auth token (text §1).
    default_url: Some("https://supersim.twilio.com/v1"),
    // Twilio's API, KORE's API and KORE's token endpoint.
    hosts: &[
        "supersim.twilio.com",
        "supersim.api.korewireless.com",
        "api.korewireless.com",
    ],
    // No rate is published: 429 (code 20429) is an account's concurrency
    // limit, so the pace is the common default and concurrency stays low.
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
    rate_windows: &[],
    default_concurrency: 2,
    sandbox: true,
    operations: &[Operation::ShowSim],
    // `new` counts as inactive, so new -> active is inactive -> active.
    transitions: &[
        (Status::Inactive, Status::Active),
        (Status::Active, Status::Inactive),
    ],
    status_rule: "Super SIM sets only active and inactive; a new SIM counts as inactive and \
                  never returns to new, and a SIM is activated only with a Fleet",
    frozen: None,
    detail_fields: &[],
    // Status and Fleet changes answer 202 `scheduled` and settle later.
    asynchronous_writes: true,
    started_fields: &[Field::Status, Field::Own(&FLEET)],
    // One POST carries a SIM's name, status and Fleet: a second one while
    // the first is `scheduled` would be refused (83009, 83010).
    one_write_per_sim: true,
    sandbox_credentials: &[
        ("account_sid", "AC5a9db0c0de5a9db0c0de5a9db0c0de00"),
        ("auth_token", SANDBOX_KEY),
    ],
    sandbox_settings: &[],
    sms_max_chars: None,
    rate_headers: RateHeaders::X_RATELIMIT,
    unsupported_hints: &[],
    unique_names: true,
    status_cautions: &[],
    unchecked_iccid_digits: None,
};
