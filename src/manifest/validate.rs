//! Cross-file rules and resolution of manifests into desired state.
//!
//! Reads the capability table for every provider-dependent rule; it must not
//! know provider specifics of its own. Runs before any network access and
//! reports every problem it finds, not just the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Manifests;
use super::diagnostic::Diagnostic;
use super::load::{FleetEntry, Loaded, ProviderEntry, SimEntry, providers_by_name};
use super::node::Pos;
use super::types::{CredentialRef, SimSpec, Tri};
use crate::config::{CredentialSource, Endpoint, Limits, ProviderConfig};
use crate::kind::{ProviderKind, Setting};
use crate::model::{DesiredSim, Field, Iccid, Value};

pub fn resolve(loaded: Loaded) -> (Manifests, Vec<Diagnostic>) {
    let mut problems = loaded.problems;
    let providers = resolve_providers(&loaded.providers, &mut problems);
    let mut sims = Vec::new();
    let mut seen: HashMap<Iccid, (Arc<Path>, Pos)> = HashMap::new();
    for fleet in &loaded.fleets {
        let Some(provider) = providers.get(&fleet.provider) else {
            let known: Vec<&str> = providers.keys().map(String::as_str).collect();
            let msg = format!(
                "unknown provider `{}`; known providers: {}",
                fleet.provider,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
            problems.push(Diagnostic::new(fleet.file.as_ref(), fleet.provider_at, msg));
            continue;
        };
        resolve_fleet(fleet, provider, &mut seen, &mut sims, &mut problems);
    }
    problems.sort();
    problems.dedup();
    sims.sort_by(|a: &DesiredSim, b| (&a.provider, &a.iccid).cmp(&(&b.provider, &b.iccid)));
    let digest = loaded.digest.hex();
    (
        Manifests {
            providers,
            sims,
            digest,
            warnings: loaded.warnings.clone(),
        },
        problems,
    )
}

fn resolve_providers(
    entries: &[ProviderEntry],
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, ProviderConfig> {
    let mut out = BTreeMap::new();
    for (name, list) in providers_by_name(entries) {
        let first = list[0];
        for dup in &list[1..] {
            let msg = format!(
                "provider `{name}` is defined twice; first at {}:{}",
                first.file.display(),
                first.at
            );
            problems.push(Diagnostic::new(dup.file.as_ref(), dup.at, msg));
        }
        if let Some(config) = resolve_provider(first, problems) {
            out.insert(name.to_owned(), config);
        }
    }
    out
}

fn relative_to(file: &Path, target: &str) -> PathBuf {
    let target = Path::new(target);
    if target.is_absolute() {
        return target.to_path_buf();
    }
    file.parent().unwrap_or(Path::new("")).join(target)
}

fn resolve_provider(
    entry: &ProviderEntry,
    problems: &mut Vec<Diagnostic>,
) -> Option<ProviderConfig> {
    let spec = &entry.spec;
    let caps = spec.kind.capabilities();
    let before = problems.len();
    let key_at = |key: &str| {
        entry
            .keys
            .iter()
            .find(|(k, _)| k == key)
            .map_or(entry.at, |(_, p)| *p)
    };
    let mut problem = |key: &str, msg: String| {
        problems.push(Diagnostic::new(entry.file.as_ref(), key_at(key), msg));
    };
    let kind = spec.kind;
    let given = [
        (Setting::Url, spec.url.is_some()),
        (Setting::Tenant, spec.tenant.is_some()),
        (Setting::TokenUrl, spec.token_url.is_some()),
    ];
    for (setting, present) in given {
        if present && !caps.settings.contains(&setting) {
            problem(
                setting.name(),
                format!("`{}` is not a setting of {kind} providers", setting.name()),
            );
        }
    }
    let ranges = [
        (
            "rate_limit",
            spec.rate_limit,
            0.001,
            100_000.0,
            "requests per second",
        ),
        ("rate_window", spec.rate_window, 0.1, 86_400.0, "seconds"),
        ("timeout", spec.timeout, 0.1, 3_600.0, "seconds"),
        ("max_wait", spec.max_wait, 0.0, 86_400.0, "seconds"),
    ];
    for (key, value, low, high, unit) in ranges {
        if let Some(v) = value
            && !(low..=high).contains(&v)
        {
            problem(
                key,
                format!("`{key}` must be between {low} and {high} {unit}, not {v}"),
            );
        }
    }
    if spec.concurrency == Some(0) {
        problem("concurrency", "`concurrency` must be at least 1".into());
    }
    if let Some(bytes) = spec.max_response_bytes
        && bytes < 64 * 1024
    {
        problem(
            "max_response_bytes",
            format!("`max_response_bytes` must be at least 65536 (64 KiB), not {bytes}"),
        );
    }
    let endpoint = if let Some(seed) = &spec.sandbox {
        if !caps.sandbox {
            problem(
                "sandbox",
                format!("the built-in emulator cannot serve {kind} sandboxes yet"),
            );
        }
        for key in ["url", "credentials"] {
            if entry.keys.iter().any(|(k, _)| k == key) {
                problem(key, format!("`{key}` cannot be combined with `sandbox`"));
            }
        }
        Endpoint::Sandbox {
            seed: relative_to(&entry.file, seed),
        }
    } else {
        for setting in caps.required_settings {
            let present = given.iter().any(|(s, p)| s == setting && *p);
            if !present {
                problem(
                    "type",
                    format!("{kind} providers need `{}`", setting.name()),
                );
            }
        }
        let url = spec
            .url
            .clone()
            .or(caps.default_url.map(str::to_owned))
            .unwrap_or_default();
        if !spec.allow_insecure_http.unwrap_or(false) {
            for (key, value) in [("url", Some(&url)), ("token_url", spec.token_url.as_ref())] {
                if let Some(value) = value.filter(|v| insecure(v)) {
                    problem(
                        key,
                        format!(
                            "`{value}` sends credentials unencrypted over the network: use \
                             https://, or set `allow_insecure_http: true` for a lab proxy"
                        ),
                    );
                }
            }
        }
        let credentials = spec.credentials.clone().unwrap_or_default();
        let names: BTreeSet<&str> = credentials.keys().map(String::as_str).collect();
        let fits = caps
            .credential_sets
            .iter()
            .any(|set| names == set.iter().copied().collect());
        if !fits {
            let sets: Vec<String> = caps.credential_sets.iter().map(|s| s.join(" + ")).collect();
            problem(
                "credentials",
                format!("{kind} providers need credentials {}", sets.join(", or ")),
            );
        }
        let credentials = credentials
            .into_iter()
            .map(|(k, v)| {
                let source = match v {
                    CredentialRef::Env(var) => CredentialSource::Env(var),
                    CredentialRef::File(f) => CredentialSource::File(relative_to(&entry.file, &f)),
                };
                (k, source)
            })
            .collect();
        Endpoint::Remote { url, credentials }
    };
    (problems.len() == before).then(|| ProviderConfig {
        name: entry.name.clone(),
        kind,
        endpoint,
        limits: limits(spec, caps),
        settings: given_settings(spec),
        iccid_luhn: spec.iccid_luhn.unwrap_or(true),
        origin: format!("{}:{}", entry.file.display(), entry.at),
    })
}

/// The entry's limits: what it sets, the kind's documented values and
/// the common defaults for the rest.
fn limits(spec: &super::types::ProviderSpec, caps: &crate::kind::Capabilities) -> Limits {
    let mut limits = Limits::documented(
        spec.rate_limit.unwrap_or(caps.default_rate_limit),
        spec.rate_window.unwrap_or(caps.default_rate_window),
        spec.concurrency.unwrap_or(caps.default_concurrency),
    );
    limits.timeout = spec.timeout.unwrap_or(limits.timeout);
    limits.max_wait = spec.max_wait.unwrap_or(limits.max_wait);
    limits.max_response_bytes = spec.max_response_bytes.unwrap_or(limits.max_response_bytes);
    limits
}

/// The kind-specific settings written in a provider entry (`url` lives in
/// the endpoint).
fn given_settings(spec: &super::types::ProviderSpec) -> BTreeMap<Setting, String> {
    [
        (Setting::Tenant, &spec.tenant),
        (Setting::TokenUrl, &spec.token_url),
    ]
    .into_iter()
    .filter_map(|(setting, value)| Some((setting, value.clone()?)))
    .collect()
}

/// The top-level keys of a SIM spec that are set, paired with their field.
fn set_fields(spec: &SimSpec) -> Vec<(&'static str, Field)> {
    let mut out = Vec::new();
    let mut add = |present: bool, key: &'static str, field: Field| {
        if present {
            out.push((key, field));
        }
    };
    add(!spec.name.is_absent(), "name", Field::Name);
    add(spec.status.is_some(), "status", Field::Status);
    add(!spec.tags.is_absent(), "tags", Field::Tags);
    add(!spec.package.is_absent(), "package", Field::Package);
    add(!spec.portfolio.is_absent(), "portfolio", Field::Portfolio);
    add(
        !spec.attributes.is_absent(),
        "attributes",
        Field::Attributes,
    );
    if let Some(o) = &spec.onomondo {
        add(
            !o.network_whitelist.is_absent(),
            "onomondo",
            Field::NetworkWhitelist,
        );
        add(!o.imei_lock.is_absent(), "onomondo", Field::ImeiLock);
        add(!o.connector.is_absent(), "onomondo", Field::Connector);
        add(!o.data_limit.is_absent(), "onomondo", Field::DataLimit);
    }
    out
}

fn check_capabilities(
    entry: &SimEntry,
    kind: ProviderKind,
    provider: &str,
    file: &Path,
    iccid: Option<&str>,
    problems: &mut Vec<Diagnostic>,
) {
    let caps = kind.capabilities();
    let mut reported = BTreeSet::new();
    for (key, field) in set_fields(&entry.spec) {
        if !caps.supports(field) && reported.insert(key) {
            let shown = if key == "onomondo" {
                "onomondo"
            } else {
                field.manifest_name()
            };
            let msg = format!("`{shown}` is not supported by provider `{provider}` (type {kind})");
            problems.push(Diagnostic::new(file, entry.key_pos(key), msg).for_sim(iccid));
        }
    }
    if let Some(status) = entry.spec.status
        && !caps.statuses.contains(&status)
    {
        let allowed: Vec<&str> = caps.statuses.iter().map(|s| s.as_str()).collect();
        let msg = format!(
            "status `{}` is not supported by provider `{provider}` (type {kind}); use {}",
            status.as_str(),
            allowed.join(" or ")
        );
        problems.push(Diagnostic::new(file, entry.key_pos("status"), msg).for_sim(iccid));
    }
}

fn resolve_fleet(
    fleet: &FleetEntry,
    provider: &ProviderConfig,
    seen: &mut HashMap<Iccid, (Arc<Path>, Pos)>,
    sims: &mut Vec<DesiredSim>,
    problems: &mut Vec<Diagnostic>,
) {
    let file = fleet.file.as_ref();
    let defaults = fleet.defaults.clone().unwrap_or_else(|| SimEntry {
        spec: SimSpec::default(),
        at: Pos::default(),
        keys: Vec::new(),
        iccid_at: Pos::default(),
    });
    if defaults.spec.iccid.is_some() {
        let msg = "`defaults` cannot set `iccid`";
        problems.push(Diagnostic::new(file, defaults.key_pos("iccid"), msg));
    }
    check_capabilities(
        &defaults,
        provider.kind,
        &provider.name,
        file,
        None,
        problems,
    );
    for entry in &fleet.sims {
        let raw = entry.spec.iccid.as_deref();
        check_capabilities(entry, provider.kind, &provider.name, file, raw, problems);
        let Some(raw) = raw else {
            problems.push(Diagnostic::new(file, entry.at, "missing field `iccid`"));
            continue;
        };
        let Some(iccid) = Iccid::parse(raw) else {
            let msg = format!("ICCID {raw:?} must be 18 to 22 digits");
            problems.push(Diagnostic::new(file, entry.iccid_at, msg));
            continue;
        };
        if provider.iccid_luhn && !iccid.luhn_ok() {
            let msg = format!(
                "ICCID {iccid} fails the Luhn check (a typo?); if this provider's ICCIDs carry no \
                 check digit, set `iccid_luhn: false` on provider `{}`",
                provider.name
            );
            problems.push(Diagnostic::new(file, entry.iccid_at, msg));
        }
        if let Some((other_file, other_at)) = seen.get(&iccid) {
            let msg = format!(
                "ICCID {iccid} is declared twice: here and at {}:{other_at}",
                other_file.display()
            );
            problems.push(Diagnostic::new(file, entry.iccid_at, msg));
            continue;
        }
        seen.insert(iccid.clone(), (fleet.file.clone(), entry.iccid_at));
        sims.push(DesiredSim {
            fields: merge(&entry.spec, &defaults.spec),
            protect: entry
                .spec
                .protect
                .or(defaults.spec.protect)
                .unwrap_or(false),
            iccid,
            provider: provider.name.clone(),
            origin: format!("{}:{}", file.display(), entry.at),
            fleet: fleet.name.clone(),
        });
    }
}

fn text(value: Tri<String>) -> Option<Value> {
    match value {
        Tri::Absent => None,
        Tri::Null => Some(Value::Null),
        Tri::Set(s) => Some(Value::Text(s)),
    }
}

/// Applies a fleet's defaults to one SIM: per-SIM values win; tags and
/// attributes are unioned unless the SIM says `null`.
pub fn merge(sim: &SimSpec, defaults: &SimSpec) -> BTreeMap<Field, Value> {
    let mut fields = BTreeMap::new();
    let mut put = |field: Field, value: Option<Value>| {
        if let Some(v) = value {
            fields.insert(field, v);
        }
    };
    put(
        Field::Name,
        text(sim.name.clone().or(defaults.name.clone())),
    );
    put(
        Field::Status,
        sim.status.or(defaults.status).map(Value::Status),
    );
    put(
        Field::Package,
        text(sim.package.clone().or(defaults.package.clone())),
    );
    put(
        Field::Portfolio,
        text(sim.portfolio.clone().or(defaults.portfolio.clone())),
    );
    let tags = match (&sim.tags, &defaults.tags) {
        (Tri::Absent, Tri::Absent) => None,
        (Tri::Null, _) | (Tri::Absent, Tri::Null) => Some(BTreeSet::new()),
        (Tri::Set(own), Tri::Set(common)) => Some(own.iter().chain(common).cloned().collect()),
        (Tri::Set(list), _) | (Tri::Absent, Tri::Set(list)) => Some(list.iter().cloned().collect()),
    };
    put(Field::Tags, tags.map(Value::Set));
    let attributes = match (&sim.attributes, &defaults.attributes) {
        (Tri::Absent, Tri::Absent) => None,
        (Tri::Null, _) | (Tri::Absent, Tri::Null) => Some(BTreeMap::new()),
        (Tri::Set(own), Tri::Set(common)) => {
            let mut merged = common.clone();
            merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
            Some(merged)
        }
        (Tri::Set(map), _) | (Tri::Absent, Tri::Set(map)) => Some(map.clone()),
    };
    put(Field::Attributes, attributes.map(Value::Map));
    let own = sim.onomondo.clone().unwrap_or_default();
    let common = defaults.onomondo.clone().unwrap_or_default();
    put(
        Field::NetworkWhitelist,
        text(own.network_whitelist.or(common.network_whitelist)),
    );
    put(Field::ImeiLock, text(own.imei_lock.or(common.imei_lock)));
    put(Field::Connector, text(own.connector.or(common.connector)));
    let limit = match own.data_limit.or(common.data_limit) {
        Tri::Absent => None,
        Tri::Null => Some(Value::Null),
        Tri::Set(d) => Some(Value::DataLimit(d)),
    };
    put(Field::DataLimit, limit);
    fields
}

/// An `http://` URL whose host is not this machine.
fn insecure(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    !matches!(host, "127.0.0.1" | "::1" | "localhost")
}

#[cfg(test)]
mod insecure_tests {
    #[test]
    fn only_plain_http_to_other_hosts_is_insecure() {
        for url in [
            "http://127.0.0.1:8080/x",
            "http://[::1]:9/",
            "http://localhost/a",
            "https://api.onomondo.com",
        ] {
            assert!(!super::insecure(url), "{url}");
        }
        for url in [
            "http://api.onomondo.com",
            "http://10.0.0.5:80/",
            "http://127.0.0.1.evil.com/",
        ] {
            assert!(super::insecure(url), "{url}");
        }
    }
}
