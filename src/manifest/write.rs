//! Writing manifests: SIMs (field values in the model) back as Fleet YAML,
//! and provider configurations as a Providers document with credential
//! references. `export` writes files with it and `--format diff` compares
//! live and declared state through it, so both show what a user would
//! write by hand.
//!
//! It must never write a secret: credentials are written as the
//! `{env: ...}` / `{file: ...}` references they were declared with.
//! Strings are written double-quoted with steering characters escaped
//! (`text::yaml`): YAML reads them back unchanged and a terminal showing
//! the file shows them inert.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::config::{CredentialSource, Endpoint, ProviderConfig};
use crate::model::{Fields, Iccid, Scalar, Value};

fn quoted(text: &str) -> String {
    crate::text::yaml(text)
}

/// A value as YAML on one line (flow style for collections). Equal values
/// give equal text, so it also serves as a value's key when counting.
pub fn inline(value: &Value) -> String {
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
        Value::Record(record) => {
            let parts: Vec<String> = record
                .parts()
                .map(|(k, v)| {
                    let v = match v {
                        Scalar::Null => "null".to_owned(),
                        Scalar::Count(n) => n.to_string(),
                        Scalar::Text(t) => quoted(t),
                    };
                    // A part's key is a field table's word; anything
                    // else is quoted like any text.
                    let plain =
                        !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                    let k = if plain { k.to_owned() } else { quoted(k) };
                    format!("{k}: {v}")
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// `fields` as the keys of a SIM entry (or of `defaults`), `indent` spaces
/// in, in plan order: plain keys first, then each provider block (the
/// prefix of its fields' names, e.g. `onomondo:`) with its keys nested.
fn field_lines(fields: &Fields, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut blocks: BTreeMap<&str, String> = BTreeMap::new();
    for (field, value) in fields {
        match field.manifest_name().split_once('.') {
            Some((block, key)) => {
                let lines = blocks.entry(block).or_default();
                let _ = writeln!(lines, "{pad}  {key}: {}", inline(value));
            }
            None => {
                let _ = writeln!(out, "{pad}{}: {}", field.manifest_name(), inline(value));
            }
        }
    }
    for (block, lines) in blocks {
        let _ = writeln!(out, "{pad}{block}:");
        out.push_str(&lines);
    }
    out
}

/// One SIM entry of a Fleet's `sims` list, fields in plan order.
pub fn sim_entry(iccid: &Iccid, fields: &Fields) -> String {
    format!(
        "  - iccid: {}\n{}",
        quoted(iccid.as_str()),
        field_lines(fields, 4)
    )
}

/// A Fleet document of `sims` at `provider`, with `defaults` (written
/// only when it sets something).
pub fn fleet<'a>(
    name: &str,
    provider: &str,
    defaults: &Fields,
    sims: impl IntoIterator<Item = (&'a Iccid, &'a Fields)>,
) -> String {
    let mut out = format!(
        "apiVersion: simfleet/v1\nkind: Fleet\nmetadata:\n  name: {}\nprovider: {}\n",
        quoted(name),
        quoted(provider)
    );
    if !defaults.is_empty() {
        out.push_str("defaults:\n");
        out.push_str(&field_lines(defaults, 2));
    }
    out.push_str("sims:\n");
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
