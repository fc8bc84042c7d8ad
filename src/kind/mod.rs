//! Provider kinds and what each supports, as data: the bottom layer's
//! registry (docs/architecture.md, "Adding a provider").
//!
//! Validation, planning, connecting, sandboxes, the emulator and the
//! imperative commands read this table; nothing else may hard-code what a
//! provider can do or list the kinds. This module imports only the model:
//! it must never reach up into manifests, clients, plans or the emulator.

pub mod emnify;
mod eseye;
mod fields;
mod infobip;
pub mod onomondo;
pub mod soracom;
pub mod supersim;
mod telekom_cmo;
#[cfg(test)]
pub mod testing;

use std::collections::BTreeSet;
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
    Soracom,
    Supersim,
    Emnify,
}

impl ProviderKind {
    /// Every kind, in a stable order: loops over providers start here.
    pub const ALL: [ProviderKind; 7] = [
        ProviderKind::Onomondo,
        ProviderKind::Infobip,
        ProviderKind::Eseye,
        ProviderKind::TelekomCmo,
        ProviderKind::Soracom,
        ProviderKind::Supersim,
        ProviderKind::Emnify,
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
        self.capabilities().name
    }

    /// The kind's row: everything it supports. The one place that maps a
    /// kind to its own module.
    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            ProviderKind::Onomondo => &onomondo::ROW,
            ProviderKind::Infobip => &infobip::ROW,
            ProviderKind::Eseye => &eseye::ROW,
            ProviderKind::TelekomCmo => &telekom_cmo::ROW,
            ProviderKind::Soracom => &soracom::ROW,
            ProviderKind::Supersim => &supersim::ROW,
            ProviderKind::Emnify => &emnify::ROW,
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
    /// The kind's name, as written in manifests (`type:`) and URLs.
    pub name: &'static str,
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
    /// Defaults that hold only with one credential set, where the set
    /// says which service the account is at (Super SIM: KORE's client
    /// credentials belong to KORE's API and token endpoint, not Twilio's).
    /// They come before `default_url` and `setting_defaults`.
    pub credential_defaults: &'static [CredentialDefaults],
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
    /// Windows the provider documents besides its account-wide rate (a
    /// path's own limit, as emnify's 10/s on its endpoint list), each held
    /// by the pacer on top of `rate_limit x rate_window`; none for the
    /// kinds here, whose texts document one rate for the whole account.
    pub rate_windows: &'static [RateWindow],
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
    /// The headers its answers say their rate budget in, read by the one
    /// limiter (`provider/http/limiter.rs`).
    pub rate_headers: RateHeaders,
    /// Why a field the kind lacks is refused, where a user would reach for
    /// it by mistake (Soracom's `tags` are key/value pairs: `attributes`):
    /// added to the validation error.
    pub unsupported_hints: &'static [(Field, &'static str)],
    /// Whether the account holds each name on one SIM only (Super SIM's
    /// `unique_name`): two manifest entries with one name are refused.
    pub unique_names: bool,
    /// What moving a SIM to a status means at this provider that the
    /// status's name does not say (emnify's `inactive` leaves the SIM
    /// billed): a plan with such a move says it once per provider.
    pub status_cautions: &'static [(Status, &'static str)],
    /// The length of an ICCID form the provider reports without a check
    /// digit (emnify's 19-digit `sim.iccid`): a manifest may name a SIM
    /// by it, and validation does not look for a check digit there.
    pub unchecked_iccid_digits: Option<usize>,
}

/// The `url` and settings a provider entry that gives credential set
/// `credentials` leaves out, where they differ from the kind's defaults.
#[derive(Debug)]
pub struct CredentialDefaults {
    /// The set, as listed in `credential_sets`.
    pub credentials: &'static [&'static str],
    /// The API's base URL with this set, instead of `default_url`.
    pub url: Option<&'static str>,
    /// Settings with this set, before the kind's `setting_defaults`.
    pub settings: &'static [(Setting, &'static str)],
}

/// The headers in which a provider's answers say what is left of its rate
/// budget: names, how the reset counts, and whose budget it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateHeaders {
    /// Requests allowed in the window.
    pub limit: &'static str,
    /// Requests left in it.
    pub remaining: &'static str,
    /// When it starts again.
    pub reset: &'static str,
    pub reset_is: Reset,
    /// Whether the headers count for the request's path (the declared
    /// window in `rate_windows` that covers it) rather than the account.
    pub per_path: bool,
}

/// How a rate-limit reset header counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// Seconds until the window starts again.
    Seconds,
    /// Seconds, or an epoch timestamp (anything past 2001), told apart by size.
    SecondsOrEpoch,
}

impl RateHeaders {
    /// `x-ratelimit-limit`, `-remaining`, `-reset` for the whole account.
    pub const X_RATELIMIT: RateHeaders = RateHeaders {
        limit: "x-ratelimit-limit",
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        reset_is: Reset::SecondsOrEpoch,
        per_path: false,
    };
}

/// A rate-limit window a provider documents for some of its requests: at
/// most `requests` in any `seconds` (docs/architecture.md, "Limits: pacing, retries, sizes and time").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateWindow {
    /// The method it counts (`GET`); `None` for every method.
    pub method: Option<&'static str>,
    /// The path it counts, relative to the API's base URL, whole (`*`
    /// stands for one segment: `/api/v1/endpoint/*` is one endpoint,
    /// `/api/v1/endpoint` the list); `None` for every path.
    pub path: Option<&'static str>,
    pub requests: u32,
    pub seconds: f64,
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

    /// The defaults that go with exactly the credential keys `keys`, if
    /// the row gives that set any.
    pub fn defaults_for<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Option<&'static CredentialDefaults> {
        let keys: BTreeSet<&str> = keys.into_iter().collect();
        let rows: &'static [CredentialDefaults] = self.credential_defaults;
        rows.iter()
            .find(|d| d.credentials.iter().copied().collect::<BTreeSet<_>>() == keys)
    }

    /// The base URL of an entry that gives none, with credential keys
    /// `keys`: its set's own, else the kind's.
    pub fn default_url_for<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Option<&'static str> {
        self.defaults_for(keys)
            .and_then(|d| d.url)
            .or(self.default_url)
    }

    /// Why `field` is not supported, where the row says.
    pub fn unsupported_hint(&self, field: Field) -> Option<&'static str> {
        let hint = self.unsupported_hints.iter().find(|(f, _)| *f == field);
        hint.map(|(_, why)| *why)
    }
}
