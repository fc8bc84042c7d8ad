//! Output of the imperative commands: usage as text, CSV or JSON, and one
//! SIM's live state.

use std::fmt::Write as _;

use crate::kind::ProviderKind;
use crate::model::{Condition, LiveSim};
use crate::provider::UsageRecord;

/// How usage is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageFormat {
    Text,
    Csv,
    Json,
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
pub fn render_usage(
    rows: &[(String, UsageRecord)],
    format: UsageFormat,
) -> Result<String, super::JsonError> {
    let mut out = String::new();
    match format {
        UsageFormat::Csv => {
            out.push_str(&USAGE_COLUMNS.join(","));
            out.push('\n');
            for (provider, r) in rows {
                // ICCIDs come from the provider: any text, quoted and defused.
                let row: Vec<String> = cells(provider, r, "")
                    .iter()
                    .map(|c| crate::text::csv(c))
                    .collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
        UsageFormat::Json => {
            let unwritable = |source| super::JsonError {
                document: "usage",
                source,
            };
            let list = rows
                .iter()
                .map(|(provider, r)| {
                    let mut v = serde_json::to_value(r).map_err(unwritable)?;
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert("provider".into(), provider.clone().into());
                    }
                    Ok(v)
                })
                .collect::<Result<Vec<serde_json::Value>, _>>()?;
            out = super::pretty_json("usage", &list)?;
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
    Ok(out)
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
            Condition::InProgress(d) => ("in progress", d),
            Condition::Locked(d) => ("locked", d),
        };
        let _ = writeln!(out, "  {tag}: {}", crate::text::inert(detail));
    }
    out
}
