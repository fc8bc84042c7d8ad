//! Writing manifests: SIMs (field values in the model) back as Fleet YAML,
//! and provider configurations as a Providers document with credential
//! references. `export` writes files with it and `--format diff` compares
//! live and declared state through it, so both show what a user would
//! write by hand.
//!
//! It must never write a secret: credentials are written as the
//! `{env: ...}` / `{file: ...}` references they were declared with.
//! Strings are written JSON-quoted, which YAML reads back unchanged.

use std::fmt::Write as _;

use crate::config::{CredentialSource, Endpoint, ProviderConfig};
use crate::model::{Field, Fields, Iccid, Value};

fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// A value as YAML on one line (flow style for collections).
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Status(s) => s.as_str().into(),
        Value::Text(t) => quoted(t),
        Value::Set(items) => {
            let items: Vec<String> = items.iter().map(quoted).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), quoted(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        Value::DataLimit(d) => {
            let alert = d
                .alert_threshold
                .map_or("null".to_owned(), |a| a.to_string());
            format!(
                "{{total: {}, type: {}, alert_threshold: {alert}}}",
                d.total,
                quoted(&d.kind)
            )
        }
    }
}

/// One SIM entry of a Fleet's `sims` list, fields in plan order.
pub fn sim_entry(iccid: &Iccid, fields: &Fields) -> String {
    let mut out = format!("  - iccid: {}\n", quoted(iccid.as_str()));
    let mut provider_block = String::new();
    for (field, value) in fields {
        let name = field.manifest_name();
        match name.split_once('.') {
            Some((_, key)) => {
                let _ = writeln!(provider_block, "      {key}: {}", inline(value));
            }
            None => {
                let _ = writeln!(out, "    {name}: {}", inline(value));
            }
        }
    }
    if !provider_block.is_empty() {
        // Only Onomondo has a provider block today; its key is the prefix.
        let prefix = fields
            .keys()
            .find_map(|f| f.manifest_name().split_once('.').map(|(p, _)| p))
            .unwrap_or("onomondo");
        let _ = writeln!(out, "    {prefix}:");
        out.push_str(&provider_block);
    }
    out
}

/// A Fleet document of `sims` at `provider`.
pub fn fleet<'a>(
    name: &str,
    provider: &str,
    sims: impl IntoIterator<Item = (&'a Iccid, &'a Fields)>,
) -> String {
    let mut out = format!(
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: {}\nprovider: {}\nsims:\n",
        quoted(name),
        quoted(provider)
    );
    let mut empty = true;
    for (iccid, fields) in sims {
        out.push_str(&sim_entry(iccid, fields));
        empty = false;
    }
    if empty {
        out.truncate(out.len() - 1);
        out.push_str(" []\n");
    }
    out
}

/// A Providers document with `config`, credentials as references. A
/// sandbox provider is written with its seed path as given.
pub fn providers(config: &ProviderConfig) -> String {
    let mut out = format!(
        "apiVersion: simfleet/v1\nkind: Providers\nproviders:\n  {}:\n    type: {}\n",
        quoted(&config.name),
        config.kind
    );
    match &config.endpoint {
        Endpoint::Sandbox { seed } => {
            // Absolute: the written file may live anywhere.
            let seed = std::fs::canonicalize(seed).unwrap_or_else(|_| seed.clone());
            let _ = writeln!(out, "    sandbox: {}", quoted(&seed.to_string_lossy()));
        }
        Endpoint::Remote { url, credentials } => {
            let _ = writeln!(out, "    url: {}", quoted(url));
            out.push_str("    credentials:\n");
            for (key, source) in credentials {
                let reference = match source {
                    CredentialSource::Env(var) => format!("{{env: {}}}", quoted(var)),
                    CredentialSource::File(path) => {
                        format!("{{file: {}}}", quoted(&path.to_string_lossy()))
                    }
                };
                let _ = writeln!(out, "      {}: {reference}", quoted(key));
            }
        }
    }
    for (setting, value) in &config.settings {
        let _ = writeln!(out, "    {}: {}", setting.name(), quoted(value));
    }
    let limits = &config.limits;
    let _ = writeln!(out, "    rate_limit: {}", limits.rate_limit);
    let _ = writeln!(out, "    rate_window: {}", limits.rate_window);
    let _ = writeln!(out, "    concurrency: {}", limits.concurrency);
    if !config.iccid_luhn {
        out.push_str("    iccid_luhn: false\n");
    }
    out
}

/// SIMs per exported Fleet file: large accounts are split.
pub const EXPORT_FILE_SIMS: usize = 10_000;

/// The files that reproduce `sims` (live state) at provider `config`:
/// `providers.yaml`, then `<name>-NNN.yaml` of at most
/// [`EXPORT_FILE_SIMS`] SIMs each. Only fields the kind supports are
/// written; a status the model cannot name (a locked state) is left out.
pub fn export(config: &ProviderConfig, sims: &[crate::model::LiveSim]) -> Vec<(String, String)> {
    let caps = config.kind.capabilities();
    let fields: Vec<Fields> = sims
        .iter()
        .map(|sim| {
            sim.fields
                .iter()
                .filter(|(f, v)| {
                    caps.supports(**f) && !(**f == Field::Status && **v == Value::Null)
                })
                .map(|(f, v)| (*f, v.clone()))
                .collect()
        })
        .collect();
    let mut files = vec![("providers.yaml".to_owned(), providers(config))];
    let chunks = sims.len().div_ceil(EXPORT_FILE_SIMS).max(1);
    for n in 0..chunks {
        let range = n * EXPORT_FILE_SIMS..((n + 1) * EXPORT_FILE_SIMS).min(sims.len());
        let name = format!("{}-{:03}", config.name, n + 1);
        let entries = sims[range.clone()]
            .iter()
            .zip(&fields[range])
            .map(|(s, f)| (&s.iccid, f));
        files.push((format!("{name}.yaml"), fleet(&name, &config.name, entries)));
    }
    files
}
