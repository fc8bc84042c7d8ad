//! The imperative operations of DESIGN.md 5 (`sim show`, `usage`, `sms`,
//! `diagnose`): which provider to ask, the checks made before any request,
//! and how results are printed.
//!
//! Everything here runs before or after the network: whether a provider
//! offers an operation is read from its capabilities, and a refusal must
//! happen before any client is built. Nothing here may send a request.

use std::fmt::Write as _;

use crate::cli::UsageFormat;
use crate::manifest::Manifests;
use crate::model::{Iccid, LiveSim};
use crate::provider::{Operation, ProviderKind, UsageRecord};

/// Infobip's documented SMS limit.
pub const SMS_MAX_CHARS: usize = 160;

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("{text:?} is not an ICCID (18 to 22 digits)")]
    BadIccid { text: String },
    #[error("no provider named `{name}` in the manifests; known: {known}")]
    UnknownProvider { name: String, known: String },
    #[error(
        "SIM {iccid} is declared in no manifest and several providers could hold it; name one with --provider"
    )]
    Undeclared { iccid: Iccid },
    #[error(
        "provider `{provider}` ({kind}) does not offer `{command}`; it is offered by: {offered_by}"
    )]
    NotOffered {
        provider: String,
        kind: ProviderKind,
        command: &'static str,
        offered_by: String,
    },
    #[error("no provider in the manifests offers `{command}`")]
    NoneOffers { command: &'static str },
    #[error("the SMS text is {chars} characters; at most {SMS_MAX_CHARS} can be sent")]
    SmsTooLong { chars: usize },
    #[error("the SMS text is empty")]
    SmsEmpty,
}

pub fn parse_iccid(text: &str) -> Result<Iccid, OperationError> {
    Iccid::parse(text.trim()).ok_or_else(|| OperationError::BadIccid {
        text: text.to_owned(),
    })
}

/// Provider types that offer `op`, for messages.
fn offered_by(op: Operation) -> String {
    let kinds: Vec<&str> = [
        ProviderKind::Onomondo,
        ProviderKind::Infobip,
        ProviderKind::Eseye,
        ProviderKind::TelekomCmo,
    ]
    .into_iter()
    .filter(|k| k.capabilities().offers(op))
    .map(ProviderKind::as_str)
    .collect();
    kinds.join(", ")
}

/// Checks that provider `name` exists and offers `op`.
pub fn check_offered(
    manifests: &Manifests,
    name: &str,
    op: Operation,
) -> Result<(), OperationError> {
    let Some(config) = manifests.providers.get(name) else {
        let known: Vec<&str> = manifests.providers.keys().map(String::as_str).collect();
        return Err(OperationError::UnknownProvider {
            name: name.to_owned(),
            known: known.join(", "),
        });
    };
    if config.kind.capabilities().offers(op) {
        Ok(())
    } else {
        Err(OperationError::NotOffered {
            provider: name.to_owned(),
            kind: config.kind,
            command: op.command(),
            offered_by: offered_by(op),
        })
    }
}

/// The provider to ask about `iccid`: `--provider` if given, else the one
/// whose manifest declares the SIM, else the only provider offering `op`.
/// It must offer `op`.
pub fn target(
    manifests: &Manifests,
    iccid: &Iccid,
    provider: Option<&str>,
    op: Operation,
) -> Result<String, OperationError> {
    let name = match provider {
        Some(p) => p.to_owned(),
        None => manifests
            .sims
            .iter()
            .find(|s| &s.iccid == iccid)
            .map(|s| s.provider.clone())
            .or_else(|| {
                let mut offering = manifests
                    .providers
                    .iter()
                    .filter(|(_, c)| c.kind.capabilities().offers(op));
                match (offering.next(), offering.next()) {
                    (Some((only, _)), None) => Some(only.clone()),
                    _ => None,
                }
            })
            .ok_or_else(|| OperationError::Undeclared {
                iccid: iccid.clone(),
            })?,
    };
    check_offered(manifests, &name, op)?;
    Ok(name)
}

/// The named providers (each must offer `op`), or every one that does.
pub fn providers_offering(
    manifests: &Manifests,
    names: &[String],
    op: Operation,
) -> Result<Vec<String>, OperationError> {
    if !names.is_empty() {
        for name in names {
            check_offered(manifests, name, op)?;
        }
        return Ok(names.to_vec());
    }
    let all: Vec<String> = manifests
        .providers
        .iter()
        .filter(|(_, c)| c.kind.capabilities().offers(op))
        .map(|(n, _)| n.clone())
        .collect();
    if all.is_empty() {
        return Err(OperationError::NoneOffers {
            command: op.command(),
        });
    }
    Ok(all)
}

/// The SMS length rule, checked before anything is sent.
pub fn check_sms_text(text: &str) -> Result<(), OperationError> {
    match text.chars().count() {
        0 => Err(OperationError::SmsEmpty),
        n if n > SMS_MAX_CHARS => Err(OperationError::SmsTooLong { chars: n }),
        _ => Ok(()),
    }
}

/// CSV columns: the usage fields of the Infobip text, after the provider and ICCID.
const USAGE_COLUMNS: [&str; 7] = [
    "provider",
    "iccid",
    "usedDataBytes",
    "sentSmsCount",
    "receivedSmsCount",
    "sentCallsCount",
    "receivedCallsCount",
];

fn cells(provider: &str, r: &UsageRecord, none: &str) -> [String; 7] {
    let n = |v: Option<u64>| v.map_or(none.to_owned(), |x| x.to_string());
    [
        provider.to_owned(),
        r.iccid.to_string(),
        n(r.data_bytes),
        n(r.sms_sent),
        n(r.sms_received),
        n(r.calls_sent),
        n(r.calls_received),
    ]
}

/// Usage rows, `(provider, record)`, in the requested format.
pub fn render_usage(rows: &[(String, UsageRecord)], format: UsageFormat) -> String {
    let mut out = String::new();
    match format {
        UsageFormat::Csv => {
            out.push_str(&USAGE_COLUMNS.join(","));
            out.push('\n');
            for (provider, r) in rows {
                // No cell can hold a comma or quote: names are not included.
                out.push_str(&cells(provider, r, "").join(","));
                out.push('\n');
            }
        }
        UsageFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(provider, r)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert("provider".into(), provider.clone().into());
                    }
                    v
                })
                .collect();
            out = serde_json::to_string_pretty(&list).unwrap_or_default();
            out.push('\n');
        }
        UsageFormat::Text => {
            let header = [
                "PROVIDER",
                "ICCID",
                "DATA BYTES",
                "SMS SENT",
                "SMS RECV",
                "CALLS OUT",
                "CALLS IN",
            ];
            let table: Vec<[String; 7]> = rows.iter().map(|(p, r)| cells(p, r, "-")).collect();
            let width = |i: usize| {
                table
                    .iter()
                    .map(|row| row[i].len())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            };
            let widths: Vec<usize> = (0..7).map(width).collect();
            let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
            for row in std::iter::once(header.as_slice()).chain(table.iter().map(|r| r.as_slice()))
            {
                let line: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (cell, w))| {
                        if i < 2 {
                            format!("{cell:<w$}")
                        } else {
                            format!("{cell:>w$}")
                        }
                    })
                    .collect();
                let _ = writeln!(out, "{}", line.join("  ").trim_end());
            }
        }
    }
    out
}

/// One SIM's live state, field by field.
pub fn render_sim(provider: &str, kind: ProviderKind, sim: &LiveSim) -> String {
    let mut out = format!("SIM {} at provider `{provider}` ({kind})\n", sim.iccid);
    let _ = writeln!(out, "  {:<28} {}", "id", sim.id);
    for (field, value) in &sim.fields {
        let _ = writeln!(out, "  {:<28} {value}", field.manifest_name());
    }
    if let Some(condition) = &sim.condition {
        let (tag, detail) = match condition {
            crate::model::Condition::InProgress(d) => ("in progress", d),
            crate::model::Condition::Locked(d) => ("locked", d),
        };
        let _ = writeln!(out, "  {tag}: {detail}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_length_counts_characters_not_bytes() {
        assert!(check_sms_text(&"é".repeat(160)).is_ok());
        assert!(matches!(
            check_sms_text(&"a".repeat(161)),
            Err(OperationError::SmsTooLong { chars: 161 })
        ));
        assert!(check_sms_text("").is_err());
    }
}
