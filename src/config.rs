//! Provider configuration as validated from a Providers document, and its
//! resolution into a [`Connection`]: the URL, secrets and settings a client
//! is built from.
//!
//! Part of the bottom layer: it imports only the kind table and `Secret`.
//! Secrets are read here, at plan time, and only into [`Secret`]s; messages
//! name the variable or file, never a value.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::kind::{ProviderKind, Setting};
use crate::secret::Secret;
use crate::trust::Trust;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProviderConfig {
    pub name: String,
    pub kind: ProviderKind,
    pub endpoint: Endpoint,
    pub limits: Limits,
    /// Kind-specific settings as written (`tenant`, `token_url`); `url` is
    /// in the endpoint.
    pub settings: BTreeMap<Setting, String>,
    pub iccid_luhn: bool,
    /// The safety threshold of its manifest entry, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_change_percent: Option<f64>,
    /// `file:line:column` of the provider's entry.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Remote {
        url: String,
        credentials: BTreeMap<String, CredentialSource>,
    },
    /// Served by the built-in emulator, seeded from this file.
    Sandbox { seed: PathBuf },
}

/// How hard simfleet may push one provider and how long it waits for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Limits {
    /// Requests per second, enforced over `rate_window`.
    pub rate_limit: f64,
    /// Seconds over which the rate is enforced: at most
    /// `rate_limit x rate_window` requests in any such window.
    pub rate_window: f64,
    /// Requests in flight at once.
    pub concurrency: u32,
    /// Seconds one request may take, connecting included.
    pub timeout: f64,
    /// The longest wait a provider may ask for (Retry-After, rate-limit
    /// reset), in seconds; longer requests are cut to this.
    pub max_wait: f64,
    /// The largest response body read, in bytes.
    pub max_response_bytes: u64,
}

impl Limits {
    /// Defaults for a provider documenting `rate_limit` per second over
    /// `rate_window` seconds.
    pub fn documented(rate_limit: f64, rate_window: f64, concurrency: u32) -> Self {
        Limits {
            rate_limit,
            rate_window,
            concurrency,
            timeout: 60.0,
            max_wait: 120.0,
            // A 1,000-SIM page is a few hundred KiB; this leaves room for
            // verbose providers without letting a runaway body exhaust memory.
            max_response_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Serialised as the reference (`{"env": NAME}`), never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    Env(String),
    File(PathBuf),
}

/// Where a provider's requests and credentials go and where its secrets
/// come from, as every plan shows it to a reviewer: hosts and names of
/// variables or files, never a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Destination {
    /// The API's host (`built-in sandbox` for one the emulator serves).
    pub host: String,
    /// The token endpoint's host, where the provider uses one elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_host: Option<String>,
    /// `key from env NAME` or `key from file PATH`, per credential.
    pub credentials: Vec<String>,
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "requests go to {}", self.host)?;
        if let Some(token) = &self.token_host {
            write!(f, ", tokens from {token}")?;
        }
        if !self.credentials.is_empty() {
            write!(f, "; credentials: {}", self.credentials.join(", "))?;
        }
        Ok(())
    }
}

/// The longest name that becomes part of a file name.
pub const MAX_NAME: usize = 64;

/// Whether `name` may become part of a file name (provider names name
/// sandbox state and export files; fleet names may too): letters, digits,
/// `_` and `-`, starting with a letter or digit, at most [`MAX_NAME`]
/// characters. `Err` says why not, for a manifest problem.
pub fn identifier(what: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if starts && rest && name.len() <= MAX_NAME {
        return Ok(());
    }
    let shown: String = name
        .chars()
        .take(MAX_NAME)
        .flat_map(char::escape_default)
        .collect();
    Err(format!(
        "{what} `{shown}` must be letters, digits, `_` and `-`, start with a letter or digit \
         and be at most {MAX_NAME} characters: it becomes part of file names"
    ))
}

/// A credential that cannot be read. Never carries the value.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "{origin}: credential `{key}` of provider `{provider}`: environment variable {var} is not set"
    )]
    MissingEnv {
        origin: String,
        provider: String,
        key: String,
        var: String,
    },
    #[error("{origin}: credential `{key}` of provider `{provider}`: cannot read {path}: {source}")]
    File {
        origin: String,
        provider: String,
        key: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: credential `{key}` of provider `{provider}` is empty")]
    Empty {
        origin: String,
        provider: String,
        key: String,
    },
    /// A credential file outside the operator's folders: not read.
    #[error("{origin}: credential `{key}` of provider `{provider}`: {detail}")]
    FileNotAllowed {
        origin: String,
        provider: String,
        key: String,
        detail: String,
    },
    /// A URL credentials may not be sent to (`setting` is `url` or
    /// `token_url`); nothing is sent anywhere.
    #[error("{origin}: `{setting}` of provider `{provider}`: {detail}")]
    Destination {
        origin: String,
        provider: String,
        setting: String,
        detail: String,
    },
}

/// What a client is built from: the base URL, the secrets by credential
/// key, the kind-specific settings and the transport limits.
#[derive(Debug, Clone)]
pub struct Connection {
    pub provider: String,
    pub kind: ProviderKind,
    pub url: String,
    pub credentials: BTreeMap<String, Secret>,
    pub settings: BTreeMap<Setting, String>,
    pub limits: Limits,
    /// `file:line:column` of the provider's entry, for messages.
    pub origin: String,
}

impl Connection {
    /// A secret by credential key; empty when absent (the provider then
    /// answers 401, which names the provider).
    pub fn credential(&self, key: &str) -> Secret {
        self.credentials
            .get(key)
            .cloned()
            .unwrap_or_else(|| Secret::new(""))
    }

    pub fn setting(&self, setting: Setting) -> &str {
        self.settings.get(&setting).map_or("", String::as_str)
    }
}

impl ProviderConfig {
    pub fn is_sandbox(&self) -> bool {
        matches!(self.endpoint, Endpoint::Sandbox { .. })
    }

    /// Where this provider's requests and credentials go, for reviewers.
    pub fn destination(&self) -> Destination {
        let host = |url: &str| match crate::trust::parse_url(url) {
            Ok(target) => target.host,
            Err(_) => crate::text::inert(url).into_owned(),
        };
        match &self.endpoint {
            Endpoint::Sandbox { .. } => Destination {
                host: "built-in sandbox".into(),
                token_host: None,
                credentials: Vec::new(),
            },
            Endpoint::Remote { url, credentials } => Destination {
                host: host(url),
                token_host: self
                    .settings_with_defaults()
                    .get(&Setting::TokenUrl)
                    .map(|t| host(t)),
                credentials: credentials
                    .iter()
                    .map(|(key, source)| match source {
                        CredentialSource::Env(var) => {
                            format!("{key} from env {}", crate::text::inert(var))
                        }
                        CredentialSource::File(path) => format!(
                            "{key} from file {}",
                            crate::text::inert(&path.display().to_string())
                        ),
                    })
                    .collect(),
            },
        }
    }

    /// Checks where credentials would go and reads every secret (all
    /// problems reported, none stops the others; a refused destination
    /// means no secret is read at all) and fills a sandbox's defaults from
    /// the kind's row. `sandbox_url` is where the sandbox of this provider
    /// listens, if it is one; `trust` is what the operator allows.
    pub fn connect(
        &self,
        sandbox_url: Option<&str>,
        trust: &Trust,
    ) -> Result<Connection, Vec<CredentialError>> {
        let caps = self.kind.capabilities();
        let mut settings = self.settings_with_defaults();
        let (url, credentials) = match &self.endpoint {
            Endpoint::Remote { url, credentials } => {
                self.destinations(url, &settings, trust)?;
                (url.clone(), self.read_all(credentials, trust)?)
            }
            Endpoint::Sandbox { .. } => {
                // No sandbox URL (none was started for it): the empty URL
                // is refused by the destination check below, naming the
                // provider, so nothing is sent anywhere.
                let url = sandbox_url.unwrap_or_default().to_owned();
                for (setting, value) in caps.sandbox_settings {
                    settings
                        .entry(*setting)
                        .or_insert_with(|| value.replace("{url}", &url));
                }
                // A sandbox's credentials are no secret, but a `token_url`
                // the manifest set still may not point anywhere.
                self.destinations(&url, &settings, trust)?;
                let credentials = caps
                    .sandbox_credentials
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Secret::new(*v)))
                    .collect();
                (url, credentials)
            }
        };
        Ok(Connection {
            provider: self.name.clone(),
            kind: self.kind,
            url,
            credentials,
            settings,
            limits: self.limits.clone(),
            origin: self.origin.clone(),
        })
    }

    /// The settings as written, then those of the entry's credential set
    /// (KORE's token endpoint for KORE's client credentials; a sandbox
    /// has none), then the kind's defaults.
    fn settings_with_defaults(&self) -> BTreeMap<Setting, String> {
        let caps = self.kind.capabilities();
        let by_set = match &self.endpoint {
            Endpoint::Remote { credentials, .. } => {
                caps.defaults_for(credentials.keys().map(String::as_str))
            }
            Endpoint::Sandbox { .. } => None,
        };
        let set_defaults = by_set.map_or(&[][..], |d| d.settings);
        let mut settings = self.settings.clone();
        for (setting, value) in set_defaults.iter().chain(caps.setting_defaults) {
            settings
                .entry(*setting)
                .or_insert_with(|| (*value).to_owned());
        }
        settings
    }

    /// Refuses, before anything is read or sent, any URL of this provider
    /// (API and token endpoint) that credentials may not go to.
    fn destinations(
        &self,
        url: &str,
        settings: &BTreeMap<Setting, String>,
        trust: &Trust,
    ) -> Result<(), Vec<CredentialError>> {
        let token_url = settings.get(&Setting::TokenUrl).map(String::as_str);
        let problems: Vec<CredentialError> = [("url", Some(url)), ("token_url", token_url)]
            .into_iter()
            .filter_map(|(setting, value)| {
                let detail = crate::trust::refusal(trust, self.kind, value?)?;
                Some(CredentialError::Destination {
                    origin: self.origin.clone(),
                    provider: self.name.clone(),
                    setting: setting.to_owned(),
                    detail,
                })
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn read_all(
        &self,
        sources: &BTreeMap<String, CredentialSource>,
        trust: &Trust,
    ) -> Result<BTreeMap<String, Secret>, Vec<CredentialError>> {
        let mut out = BTreeMap::new();
        let mut problems = Vec::new();
        for (key, source) in sources {
            match self.read(key, source, trust) {
                Ok(secret) => {
                    out.insert(key.clone(), secret);
                }
                Err(e) => problems.push(e),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    fn read(
        &self,
        key: &str,
        source: &CredentialSource,
        trust: &Trust,
    ) -> Result<Secret, CredentialError> {
        let (origin, provider, key) = (self.origin.clone(), self.name.clone(), key.to_owned());
        let value = match source {
            CredentialSource::Env(var) => {
                std::env::var(var).map_err(|_| CredentialError::MissingEnv {
                    origin: origin.clone(),
                    provider: provider.clone(),
                    key: key.clone(),
                    var: var.clone(),
                })?
            }
            CredentialSource::File(path) => {
                // Checked before anything is read: a manifest may name any
                // file, and what is read is sent as a credential.
                let path = &trust.credential_file(path).map_err(|detail| {
                    CredentialError::FileNotAllowed {
                        origin: origin.clone(),
                        provider: provider.clone(),
                        key: key.clone(),
                        detail,
                    }
                })?;
                if let Some(mode) = shared_mode(path) {
                    tracing::warn!(
                        "{origin}: credential `{key}` of provider `{provider}`: {} can be read by \
                         other users (mode {mode:o}); restrict it with `chmod 600 {}`",
                        path.display(),
                        path.display()
                    );
                }
                read_small_file(path)
                    .map(|s| s.trim_end_matches(['\r', '\n']).to_owned())
                    .map_err(|source| CredentialError::File {
                        origin: origin.clone(),
                        provider: provider.clone(),
                        key: key.clone(),
                        path: path.display().to_string(),
                        source,
                    })?
            }
        };
        if value.is_empty() {
            return Err(CredentialError::Empty {
                origin,
                provider,
                key,
            });
        }
        Ok(Secret::new(value))
    }
}

/// The permission bits of a credential file that group or others may
/// read; `None` when only its owner can (or the platform has no such bits).
fn shared_mode(path: &std::path::Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Credential files hold one short secret; anything larger is a mistake.
const MAX_CREDENTIAL_BYTES: u64 = 64 * 1024;

/// Reads a credential file that is a regular file under the size limit,
/// checked before reading: a FIFO would block, a device never end.
fn read_small_file(path: &std::path::Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_CREDENTIAL_BYTES {
        return Err(std::io::Error::other(format!(
            "{} bytes; a credential file holds at most {MAX_CREDENTIAL_BYTES}",
            meta.len()
        )));
    }
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(std::fs::File::open(path)?, MAX_CREDENTIAL_BYTES),
        &mut text,
    )?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(kind: ProviderKind, endpoint: Endpoint) -> ProviderConfig {
        ProviderConfig {
            name: "p".into(),
            kind,
            endpoint,
            limits: Limits::documented(10.0, 1.0, 2),
            settings: BTreeMap::new(),
            iccid_luhn: true,
            max_change_percent: None,
            origin: "f.yaml:3:3".into(),
        }
    }

    #[test]
    fn names_that_become_file_names_are_identifiers() {
        for good in ["iot-eu", "a", "Pumps_2"] {
            assert!(identifier("provider", good).is_ok(), "{good}");
        }
        for bad in [
            "", "../x", "/tmp/x", "a/b", "-x", "_x", ".hidden", "a b", "ä",
        ] {
            assert!(identifier("provider", bad).is_err(), "{bad:?}");
        }
        assert!(identifier("provider", &"x".repeat(MAX_NAME + 1)).is_err());
    }

    #[test]
    fn sandboxes_take_their_defaults_from_the_kind_row() {
        for kind in ProviderKind::ALL {
            let caps = kind.capabilities();
            let sandbox = Endpoint::Sandbox { seed: "s".into() };
            let url = format!("http://127.0.0.1:9/{}", kind.mount());
            let c = config(kind, sandbox)
                .connect(Some(&url), &Trust::default())
                .unwrap();
            for (setting, value) in caps.sandbox_settings {
                let value = value.replace("{url}", &url);
                assert_eq!(c.setting(*setting), value, "{kind}");
            }
            for (key, value) in caps.sandbox_credentials {
                assert_eq!(c.credential(key).expose(), *value, "{kind}");
            }
        }
    }

    #[test]
    fn a_credential_sets_own_defaults_are_documented_and_fill_what_the_entry_leaves_out() {
        let dir = tempfile::tempdir().unwrap();
        let trust = Trust {
            credentials_dirs: vec![dir.path().to_owned()],
            ..Trust::default()
        };
        let mut checked = 0;
        for kind in ProviderKind::ALL {
            let caps = kind.capabilities();
            for defaults in caps.credential_defaults {
                assert!(
                    caps.credential_sets.contains(&defaults.credentials),
                    "{kind}: defaults for a set it does not accept"
                );
                let url = caps.default_url_for(defaults.credentials.iter().copied());
                let url = url.unwrap_or_else(|| panic!("{kind}: no URL"));
                let credentials = defaults.credentials.iter().map(|key| {
                    let file = dir.path().join(key);
                    std::fs::write(&file, "s").unwrap();
                    ((*key).to_owned(), CredentialSource::File(file))
                });
                let remote = Endpoint::Remote {
                    url: url.to_owned(),
                    credentials: credentials.collect(),
                };
                let entry = config(kind, remote);
                // Connecting checks every URL against the documented hosts.
                let c = entry.connect(None, &trust).unwrap();
                for (setting, value) in defaults.settings {
                    assert_eq!(c.setting(*setting), *value, "{kind}");
                }
                if let Some(token_url) = c.settings.get(&Setting::TokenUrl) {
                    let shown = entry.destination().token_host;
                    assert_eq!(
                        shown,
                        Some(crate::trust::parse_url(token_url).unwrap().host)
                    );
                }
                // What the entry writes wins.
                let mut written = entry.clone();
                for (setting, _) in defaults.settings {
                    written
                        .settings
                        .insert(*setting, "http://127.0.0.1:9/x".into());
                }
                let c = written.connect(None, &trust).unwrap();
                for (setting, _) in defaults.settings {
                    assert_eq!(c.setting(*setting), "http://127.0.0.1:9/x", "{kind}");
                }
                checked += 1;
            }
        }
        assert!(checked > 0, "no kind has defaults of a credential set");
    }

    #[test]
    fn missing_env_names_the_variable_and_never_a_value() {
        let kind = ProviderKind::ALL[0];
        let key = kind.capabilities().credential_sets[0][0];
        let remote = Endpoint::Remote {
            url: format!(
                "https://{}",
                kind.capabilities().hosts[0].trim_start_matches("*.")
            ),
            credentials: BTreeMap::from([(
                key.into(),
                CredentialSource::Env("SIMFLEET_TEST_SURELY_UNSET".into()),
            )]),
        };
        let errors = config(kind, remote)
            .connect(None, &Trust::default())
            .unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            format!(
                "f.yaml:3:3: credential `{key}` of provider `p`: environment variable \
                 SIMFLEET_TEST_SURELY_UNSET is not set"
            )
        );
    }
}
