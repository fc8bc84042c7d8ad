//! Cross-file rules and resolution of manifests into desired state.
//!
//! Reads the capability table for every provider-dependent rule; it must not
//! know provider specifics of its own. Runs before any network access and
//! reports every problem it finds, not just the first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Manifests;
use super::diagnostic::Diagnostic;
use super::keys::SimKey;
use super::load::{FleetEntry, Loaded, ProviderEntry, SimEntry, providers_by_name};
use super::types::CredentialRef;
use crate::config::{CredentialSource, Endpoint, Limits, ProviderConfig};
use crate::kind::{ProviderKind, Setting};
use crate::model::{
    Attributes, DesiredSim, Field, Fields, Files, Fleet, Iccid, Names, Origin, Value,
};

pub fn resolve(loaded: Loaded) -> (Manifests, Vec<Diagnostic>) {
    let Loaded {
        providers: entries,
        fleets,
        mut problems,
        unreadable_providers,
        warnings,
        digest,
    } = loaded;
    let providers = resolve_providers(&entries, &mut problems);
    let mut sims = Vec::with_capacity(fleets.iter().map(|f| f.sims.len()).sum());
    let mut files = Files::default();
    let mut resolved = Vec::with_capacity(fleets.len());
    // Fleets are consumed one by one, so their entries are freed while
    // desired state grows: the two never both exist in full.
    for fleet in fleets {
        let Some(provider) = providers.get(&fleet.provider) else {
            // Declared but wrong: its own problems are said already.
            let declared = entries.iter().map(|e| &e.name).chain(&unreadable_providers);
            if declared.into_iter().any(|name| *name == fleet.provider) {
                continue;
            }
            let msg = super::UnknownProvider::among(&fleet.provider, &providers).to_string();
            problems.push(Diagnostic::new(fleet.file.as_ref(), fleet.provider_at, msg));
            continue;
        };
        resolve_fleet(
            fleet,
            provider,
            &mut files,
            &mut resolved,
            &mut sims,
            &mut problems,
        );
    }
    drop_repeats(&mut sims, &files, &mut problems);
    super::names::check_unique_names(&sims, &providers, &files, &mut problems);
    super::locate::refine(&mut problems);
    problems.sort();
    problems.dedup();
    // ICCIDs are unique now, so no two SIMs compare equal.
    sims.sort_unstable_by(|a: &DesiredSim, b| {
        (&a.provider, &a.iccid).cmp(&(&b.provider, &b.iccid))
    });
    (
        Manifests {
            providers,
            sims,
            files,
            fleets: resolved,
            digest: digest.hex(),
            warnings,
        },
        problems,
    )
}

/// Keeps the first declaration of each ICCID (in load order) and reports
/// every later one. Sorting positions instead of hashing ICCIDs keeps no
/// second copy of them.
fn drop_repeats(sims: &mut Vec<DesiredSim>, files: &Files, problems: &mut Vec<Diagnostic>) {
    let mut order: Vec<usize> = (0..sims.len()).collect();
    order.sort_unstable_by(|&a, &b| sims[a].iccid.cmp(&sims[b].iccid).then(a.cmp(&b)));
    let mut repeated = vec![false; sims.len()];
    // `order[run]` is the first declaration of the ICCID at `order[k]`.
    let mut run = 0;
    for k in 1..order.len() {
        let (kept, later) = (&sims[order[run]], &sims[order[k]]);
        if kept.iccid != later.iccid {
            run = k;
            continue;
        }
        repeated[order[k]] = true;
        let msg = format!(
            "ICCID {} is declared twice: here and at {}",
            later.iccid,
            files.show(kept.origin)
        );
        let at = super::Pos {
            line: later.origin.line,
            column: later.origin.column,
        };
        let problem = Diagnostic::new(files.path(later.origin), at, msg);
        problems.push(problem.at_key("iccid"));
    }
    let mut index = 0;
    sims.retain(|_| {
        index += 1;
        !repeated[index - 1]
    });
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
    if spec.allow_insecure_http.is_some() {
        problem(
            "allow_insecure_http",
            "`allow_insecure_http` is not a manifest setting: whether credentials may cross the \
             network unencrypted is the operator's decision; pass --allow-insecure-http"
                .into(),
        );
    }
    let given = [
        (Setting::Url, spec.url.is_some()),
        (Setting::Tenant, spec.tenant.is_some()),
        (Setting::TokenUrl, spec.token_url.is_some()),
        (Setting::Scope, spec.scope.is_some()),
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
        (
            "max_change_percent",
            spec.max_change_percent,
            0.0,
            100.0,
            "percent",
        ),
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
        for (setting, hint) in caps.required_settings {
            let present = given.iter().any(|(s, p)| s == setting && *p);
            if !present {
                problem(
                    "type",
                    format!("{kind} providers need `{}`: {hint}", setting.name()),
                );
            }
        }
        let credentials = spec.credentials.clone().unwrap_or_default();
        // The credential set may decide the service, and with it the URL
        // (KORE's client credentials go to KORE's API, not Twilio's).
        let url = spec
            .url
            .clone()
            .or(caps
                .default_url_for(credentials.keys().map(String::as_str))
                .map(str::to_owned))
            .unwrap_or_default();
        // The written URL only: where credentials may go is checked when
        // the provider connects, against the operator's flags.
        for (key, value) in [("url", Some(&url)), ("token_url", spec.token_url.as_ref())] {
            if let Some(Err(why)) = value.map(|v| crate::trust::parse_url(v)) {
                problem(key, format!("`{key}` {why}"));
            }
        }
        let names: BTreeSet<&str> = credentials.keys().map(String::as_str).collect();
        let fits = caps
            .credential_sets
            .iter()
            .any(|set| names == set.iter().copied().collect());
        if !fits {
            let sets: Vec<String> = caps.credential_sets.iter().map(|s| s.join(" + ")).collect();
            problem(
                "credentials",
                format!(
                    "{kind} providers need credentials {}",
                    crate::wording::words(&sets, "or")
                ),
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
        max_change_percent: spec.max_change_percent,
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
        (Setting::Scope, &spec.scope),
    ]
    .into_iter()
    .filter_map(|(setting, value)| Some((setting, value.clone()?)))
    .collect()
}

fn check_capabilities(
    entry: &SimEntry,
    kind: ProviderKind,
    provider: &str,
    file: &Path,
    problems: &mut Vec<Diagnostic>,
) {
    let caps = kind.capabilities();
    let iccid = entry.iccid.as_deref();
    let mut reported = BTreeSet::new();
    for &field in entry.fields.keys() {
        let key = SimKey::of(field);
        if !caps.supports(field) && reported.insert(key) {
            let shown = match key {
                SimKey::Block(_) => key.name(),
                _ => field.manifest_name(),
            };
            let mut msg =
                format!("`{shown}` is not supported by provider `{provider}` (type {kind})");
            if let Some(hint) = caps.unsupported_hint(field) {
                msg = format!("{msg}; {hint}");
            }
            let problem = Diagnostic::new(file, entry.at, msg).at_key(key.name());
            problems.push(problem.for_sim(iccid));
        }
    }
    if let Some(Value::Status(status)) = entry.fields.get(&Field::Status)
        && !caps.statuses.contains(status)
    {
        let allowed: Vec<&str> = caps.statuses.iter().map(|s| s.as_str()).collect();
        let msg = format!(
            "status `{}` is not supported by provider `{provider}` (type {kind}); use {}",
            status.as_str(),
            crate::wording::words(&allowed, "or")
        );
        let problem = Diagnostic::new(file, entry.at, msg).at_key("status");
        problems.push(problem.for_sim(iccid));
    }
}

fn resolve_fleet(
    fleet: FleetEntry,
    provider: &ProviderConfig,
    files: &mut Files,
    fleets: &mut Vec<Fleet>,
    sims: &mut Vec<DesiredSim>,
    problems: &mut Vec<Diagnostic>,
) {
    let file = fleet.file;
    let file_index = files.index(&file);
    let defaults_at = fleet.defaults.as_ref().map(|d| Origin {
        file: file_index,
        line: d.at.line,
        column: d.at.column,
    });
    let defaults = fleet.defaults.unwrap_or_default();
    if defaults.iccid.is_some() {
        let msg = "`defaults` cannot set `iccid`";
        problems.push(Diagnostic::new(file.as_ref(), defaults.at, msg).at_key("iccid"));
    }
    check_capabilities(&defaults, provider.kind, &provider.name, &file, problems);
    let provider_name: Arc<str> = Arc::from(provider.name.as_str());
    // A run holds every fleet in memory, far from 2^32 of them.
    let fleet_index = u32::try_from(fleets.len()).unwrap_or(u32::MAX);
    fleets.push(Fleet {
        name: Arc::from(fleet.name),
        defaults_at,
        defaults: defaults.fields.clone(),
    });
    for entry in fleet.sims {
        check_capabilities(&entry, provider.kind, &provider.name, &file, problems);
        let Some(raw) = entry.iccid else {
            problems.push(Diagnostic::new(
                file.as_ref(),
                entry.at,
                "missing field `iccid`",
            ));
            continue;
        };
        let iccid = match Iccid::parse_owned(raw) {
            Ok(iccid) => iccid,
            Err(raw) => {
                let msg = format!("ICCID `{raw}` must be 18 to 22 digits");
                problems.push(Diagnostic::new(file.as_ref(), entry.at, msg).at_key("iccid"));
                continue;
            }
        };
        let unchecked = provider.kind.capabilities().unchecked_iccid_digits;
        let checked = unchecked != Some(iccid.as_str().len());
        if provider.iccid_luhn && checked && !iccid.luhn_ok() {
            let msg = format!(
                "ICCID {iccid} fails the Luhn check (a typo?); if this provider's ICCIDs carry no \
                 check digit, set `iccid_luhn: false` on provider `{}`",
                provider.name
            );
            problems.push(Diagnostic::new(file.as_ref(), entry.at, msg).at_key("iccid"));
        }
        sims.push(DesiredSim {
            iccid,
            provider: provider_name.clone(),
            fields: merge(entry.fields, &defaults.fields),
            protect: entry.protect.or(defaults.protect).unwrap_or(false),
            origin: Origin {
                file: file_index,
                line: entry.at.line,
                column: entry.at.column,
            },
            fleet: fleet_index,
        });
    }
}

/// Applies a fleet's defaults to one SIM: per-SIM values win; tags and
/// attributes are unioned unless the SIM says `null`, and `null` for them
/// is the empty collection.
pub fn merge(mut fields: Fields, defaults: &Fields) -> Fields {
    for (&field, common) in defaults {
        let merged = match (fields.get(&field), common) {
            (None, common) => common.clone(),
            (Some(Value::Set(own)), Value::Set(common)) => Value::Set(own.union(common)),
            (Some(Value::Map(own)), Value::Map(common)) => Value::Map(common.overlaid(own)),
            (Some(_), _) => continue,
        };
        fields.insert(field, merged);
    }
    for (field, value) in fields.iter_mut() {
        match (field, &*value) {
            (Field::Tags, Value::Null) => *value = Value::Set(Names::default()),
            (Field::Attributes, Value::Null) => *value = Value::Map(Attributes::default()),
            _ => {}
        }
    }
    fields
}
