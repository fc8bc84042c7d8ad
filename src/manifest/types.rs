//! The manifest format (docs/architecture.md) as Rust types.
//!
//! These types are the single definition of the format: the decoder reads them
//! and `schema/manifest.schema.json` is generated from them. They hold what was
//! written, nothing resolved; semantic checks live in `validate`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::kind::ProviderKind;

/// A field that distinguishes "absent" (not managed) from `null` (ensure empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Tri<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<T> Tri<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Tri::Absent)
    }

    /// Per-SIM values win over defaults; absent falls back.
    pub fn or(self, fallback: Tri<T>) -> Tri<T> {
        if self.is_absent() { fallback } else { self }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tri<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(d)?.map_or(Tri::Null, Tri::Set))
    }
}

impl<T: JsonSchema> JsonSchema for Tri<T> {
    fn schema_name() -> Cow<'static, str> {
        <Option<T>>::schema_name()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <Option<T>>::json_schema(generator)
    }
}

/// A part decoded later, on its own, so that one bad entry does not hide the
/// problems of the others. In the schema it stands for `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lazy<T>(PhantomData<T>);

impl<'de, T> Deserialize<'de> for Lazy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Lazy(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Lazy<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ApiVersion {
    #[serde(rename = "simfleet/v1")]
    V1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ProvidersKind {
    Providers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum FleetKind {
    Fleet,
}

/// `kind: Providers`: the connectivity accounts that fleets refer to by name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProvidersDocument {
    pub api_version: ApiVersion,
    pub kind: ProvidersKind,
    /// Provider name → settings. Fleets refer to these names.
    pub providers: BTreeMap<String, Lazy<ProviderSpec>>,
}

/// One provider account.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// API family: onomondo, infobip, eseye, telekom-cmo.
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    /// API base URL; each type has its documented default.
    #[serde(default)]
    pub url: Option<String>,
    /// Secrets, each from an environment variable or a file; never inline.
    #[serde(default)]
    pub credentials: Option<BTreeMap<String, CredentialRef>>,
    /// Telekom CMO tenant.
    #[serde(default)]
    pub tenant: Option<String>,
    /// OAuth2 token URL: Eseye's identity provider, or Telekom CMO's.
    #[serde(default)]
    pub token_url: Option<String>,
    /// OAuth2 scope asked for with tokens (Eseye; default `api/api`).
    #[serde(default)]
    pub scope: Option<String>,
    /// Requests per second; defaults to the provider's documented limit.
    #[serde(default)]
    pub rate_limit: Option<f64>,
    /// Seconds over which `rate_limit` is enforced (at most
    /// `rate_limit x rate_window` requests in any such window, so an unused
    /// budget can be spent at once); 60 for Onomondo, 1 elsewhere.
    #[serde(default)]
    pub rate_window: Option<f64>,
    /// Requests in flight at once.
    #[serde(default)]
    pub concurrency: Option<u32>,
    /// Seconds one request may take, connecting included (default 60).
    #[serde(default)]
    pub timeout: Option<f64>,
    /// The longest wait, in seconds, a provider may ask for through
    /// Retry-After or its rate-limit reset (default 120); longer asks are
    /// cut to this.
    #[serde(default)]
    pub max_wait: Option<f64>,
    /// The largest response body read, in bytes (default 64 MiB).
    #[serde(default)]
    pub max_response_bytes: Option<u64>,
    /// Serve this provider from the built-in emulator, seeded from this file
    /// (relative to the manifest). Replaces `url` and `credentials`.
    #[serde(default)]
    pub sandbox: Option<String>,
    /// Set to false for SIMs whose ICCIDs carry no Luhn check digit.
    #[serde(default)]
    pub iccid_luhn: Option<bool>,
    /// Apply refuses when more than this percentage of the provider's
    /// managed SIMs (if at least 10) would change status (default 30).
    /// Raising it here makes a deliberate mass change a reviewed line of
    /// the pull request; `--max-change-percent` overrides it.
    #[serde(default)]
    pub max_change_percent: Option<f64>,
    /// Not a manifest setting: refused with a message naming the
    /// operator's `--allow-insecure-http`, which decides this instead.
    #[serde(default)]
    #[schemars(skip)]
    pub allow_insecure_http: Option<bool>,
}

/// Where a secret comes from: `{ env: NAME }` or `{ file: PATH }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CredentialRef {
    Env(String),
    File(String),
}

impl<'de> Deserialize<'de> for CredentialRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CredentialVisitor)
    }
}

struct CredentialVisitor;

const INLINE_SECRET: &str = "secrets cannot be written inline; use { env: NAME } or { file: PATH }";

impl<'de> Visitor<'de> for CredentialVisitor {
    type Value = CredentialRef;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{ env: NAME } or { file: PATH }")
    }

    // The value itself is never echoed: it may be the secret.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<CredentialRef, E> {
        Err(E::custom(INLINE_SECRET))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<CredentialRef, E> {
        Err(E::custom(INLINE_SECRET))
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<CredentialRef, E> {
        Err(E::custom(INLINE_SECRET))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<CredentialRef, E> {
        Err(E::custom(INLINE_SECRET))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<CredentialRef, E> {
        Err(E::custom(INLINE_SECRET))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CredentialRef, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<String>()?;
            let cred = match key.as_str() {
                "env" => CredentialRef::Env(value),
                "file" => CredentialRef::File(value),
                other => return Err(de::Error::unknown_field(other, &["env", "file"])),
            };
            if found.replace(cred).is_some() {
                return Err(de::Error::custom("give exactly one of `env` or `file`"));
            }
        }
        found.ok_or_else(|| de::Error::custom("give exactly one of `env` or `file`"))
    }
}

/// `kind: Fleet`: SIMs at one provider.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FleetDocument {
    pub api_version: ApiVersion,
    pub kind: FleetKind,
    pub metadata: Metadata,
    /// A provider name from a Providers document.
    pub provider: String,
    /// Merged into every SIM; per-SIM values win, tags and attributes are unioned.
    #[serde(default)]
    pub defaults: Option<Lazy<SimSpec>>,
    pub sims: Vec<Lazy<SimSpec>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A SIM entry (or, under `defaults`, every SIM's): in the schema only.
/// Its keys are one list (`keys`), which decoding reads too.
#[derive(Debug)]
pub struct SimSpec;

impl JsonSchema for SimSpec {
    fn schema_name() -> Cow<'static, str> {
        "SimSpec".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        super::keys::sim_schema(generator)
    }
}

/// A manifest document: either kind. Exists for the JSON Schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ManifestDocument {
    Providers(ProvidersDocument),
    Fleet(FleetDocument),
}
