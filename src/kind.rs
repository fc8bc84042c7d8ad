//! Provider kinds and what each supports, as data: the bottom layer's
//! registry (docs/architecture.md, "Adding a provider").
//!
//! Validation, planning, connecting, sandboxes, the emulator and the
//! imperative commands read this table; nothing else may hard-code what a
//! provider can do or list the kinds. This module imports only the model:
//! it must never reach up into manifests, clients, plans or the emulator.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Field, Status};

/// The API family of a provider.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    Onomondo,
    Infobip,
    Eseye,
    TelekomCmo,
}

impl ProviderKind {
    /// Every kind, in a stable order: loops over providers start here.
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Onomondo,
        ProviderKind::Infobip,
        ProviderKind::Eseye,
        ProviderKind::TelekomCmo,
    ];

    /// The kind named `text` (as written in manifests).
    pub fn parse(text: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The URL path prefix the emulator serves this API under; a sandbox's
    /// URL is `http://127.0.0.1:PORT/<mount>`.
    pub fn mount(self) -> &'static str {
        self.as_str()
    }

    /// The kinds that offer `op`, for messages.
    pub fn offering(op: Operation) -> Vec<ProviderKind> {
        ProviderKind::ALL
            .into_iter()
            .filter(|k| k.capabilities().offers(op))
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Onomondo => "onomondo",
            ProviderKind::Infobip => "infobip",
            ProviderKind::Eseye => "eseye",
            ProviderKind::TelekomCmo => "telekom-cmo",
        }
    }

    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            ProviderKind::Onomondo => &ONOMONDO,
            ProviderKind::Infobip => &INFOBIP,
            ProviderKind::Eseye => &ESEYE,
            ProviderKind::TelekomCmo => &TELEKOM_CMO,
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Imperative operations beyond reconciliation (docs/architecture.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    ShowSim,
    Usage,
    Sms,
    Diagnose,
}

impl Operation {
    /// The command that performs it.
    pub fn command(self) -> &'static str {
        match self {
            Operation::ShowSim => "sim show",
            Operation::Usage => "usage",
            Operation::Sms => "sms",
            Operation::Diagnose => "diagnose",
        }
    }
}

/// Provider-specific settings of a Providers entry besides the common ones
/// (`type`, `rate_limit`, `concurrency`, `sandbox`, `iccid_luhn`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Url,
    Tenant,
    TokenUrl,
    Scope,
}

impl Setting {
    pub fn name(self) -> &'static str {
        match self {
            Setting::Url => "url",
            Setting::Tenant => "tenant",
            Setting::TokenUrl => "token_url",
            Setting::Scope => "scope",
        }
    }
}

#[derive(Debug)]
pub struct Capabilities {
    /// Fields a manifest may manage for SIMs at this provider.
    pub fields: &'static [Field],
    /// Status values a manifest may declare.
    pub statuses: &'static [Status],
    /// Settings accepted besides the common ones.
    pub settings: &'static [Setting],
    /// Settings that must be present unless the provider is a sandbox,
    /// each with where a user finds its value.
    pub required_settings: &'static [(Setting, &'static str)],
    /// Values of settings a manifest leaves out (sandboxes included).
    pub setting_defaults: &'static [(Setting, &'static str)],
    /// Accepted credential sets; one of them must be given exactly.
    pub credential_sets: &'static [&'static [&'static str]],
    pub default_url: Option<&'static str>,
    /// The documented hosts of its API and token endpoints (`*.` for any
    /// subdomain, an inner `*` for one label): credentials go there, to
    /// loopback, or where the operator allows (`trust`).
    pub hosts: &'static [&'static str],
    /// Documented request rate, per second.
    pub default_rate_limit: f64,
    /// Seconds over which the documented rate holds (Onomondo: 600 in any
    /// minute); 1 where no window is documented.
    pub default_rate_window: f64,
    pub default_concurrency: u32,
    /// Whether the built-in emulator can serve this type as a sandbox yet.
    pub sandbox: bool,
    pub operations: &'static [Operation],
    /// Status moves the API performs in one call; others go through an
    /// intermediate status or are plan errors.
    pub transitions: &'static [(Status, Status)],
    /// The provider's status rule, quoted in plan errors.
    pub status_rule: &'static str,
    /// A live status in which the SIM accepts no change except leaving it,
    /// and why: such SIMs are released, changed and put back.
    pub frozen: Option<(Status, &'static str)>,
    /// Fields that cost a request per SIM to read: read only for SIMs whose
    /// manifests manage them.
    pub detail_fields: &'static [Field],
    /// Whether a write may take effect only later (CMO monitors, Eseye
    /// provisioning): a re-read after a lost answer then waits before it
    /// concludes the write is absent.
    pub asynchronous_writes: bool,
    /// Fields whose write starts an operation at the provider (a CMO
    /// monitor): sent at most once a run. When its answer is lost, a
    /// re-read that does not show it leaves the SIM unknown, never resent.
    pub started_fields: &'static [Field],
    /// Whether one write carries every change of a SIM atomically
    /// (Onomondo's PATCH): a SIM's other changes then travel in the phase
    /// of its status change, one object per SIM a run.
    pub one_write_per_sim: bool,
    /// Credentials a sandbox is served with when the manifest gives none
    /// (the emulator seeds its accounts with the same values).
    pub sandbox_credentials: &'static [(&'static str, &'static str)],
    /// Settings a sandbox fills in when the manifest gives none; `{url}`
    /// stands for the sandbox's URL.
    pub sandbox_settings: &'static [(Setting, &'static str)],
    /// The longest SMS text the provider sends, in characters.
    pub sms_max_chars: Option<usize>,
}

/// The credential every emulated account accepts by default: sandboxes are
/// served with it. Not a secret: the emulator listens on loopback.
pub const SANDBOX_KEY: &str = "simfleet-sandbox";

impl Capabilities {
    pub fn supports(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }

    pub fn offers(&self, operation: Operation) -> bool {
        self.operations.contains(&operation)
    }

    pub fn can_move(&self, from: Status, to: Status) -> bool {
        self.transitions.contains(&(from, to))
    }
}

const ONOMONDO: Capabilities = Capabilities {
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

const INFOBIP: Capabilities = Capabilities {
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
    default_url: None,
    hosts: &["*.api.infobip.com", "api.infobip.com"],
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
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
};

const ESEYE: Capabilities = Capabilities {
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
    default_url: Some("https://sim.api.anynetiot.com"),
    // The identity provider of Eseye's own pool, in any region: not any
    // Cognito domain, which anyone can own.
    hosts: &[
        "sim.api.anynetiot.com",
        "eseye-idp-prod.auth.*.amazoncognito.com",
    ],
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
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
};

const TELEKOM_CMO: Capabilities = Capabilities {
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
    default_url: None,
    hosts: &["*.myiot-t.com"],
    default_rate_limit: 10.0,
    default_rate_window: 1.0,
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
};
