//! `simfleet export`: the Fleet and Providers documents that reproduce one
//! provider's live state, made to be planned cheaply and reviewed by people.
//!
//! By default a SIM's entry holds only the fields that hold a value (no
//! `null` settings, no empty `attributes` or `tags`): what is left out
//! stays unmanaged, so a console change to it is not reverted and a field
//! that costs a request per SIM (`Capabilities::detail_fields`) is not
//! read for SIMs that have none. Each fleet file's most common values move
//! to its `defaults` (`defaults`), and `--group-by` splits the SIMs into
//! one fleet per status, package or tag (`group`).
//!
//! Every file is named after its provider (`NAME.providers.yaml`,
//! `NAME.001.yaml`, `NAME.tag-x.001.yaml`): provider names are identifiers,
//! which hold no `.`, so the exports of different providers never share a
//! name and can share a folder.
//!
//! This module is pure: it takes live SIMs already read and returns named
//! documents. It never reads a provider; only `destination` touches the
//! file system.

mod defaults;
mod destination;
mod group;
mod names;

use std::collections::BTreeMap;

pub use defaults::{Factored, factor};
pub use destination::Destination;
pub use group::GroupBy;

use crate::config::ProviderConfig;
use crate::manifest::write;
use crate::model::{Field, Fields, LiveSim, Value};

/// SIMs per exported fleet file at most: large accounts are split.
pub const FILE_SIMS: usize = 10_000;

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write every field the kind supports, `null` and empty ones included.
    pub all_fields: bool,
    /// One fleet (and file) per group instead of one per 10,000 SIMs.
    pub group_by: Option<GroupBy>,
    /// The SIMs are those no manifest declares: their files are named
    /// apart and no Providers file is written (the manifests given
    /// already declare the provider).
    pub unmanaged_only: bool,
}

/// One written document: its file name and YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub name: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "--group-by {by}: provider `{provider}` (type {kind}) has no {field}; {}",
        if supported.is_empty() { "export it without --group-by".to_owned() }
        else { format!("group it by {}", supported.join(" or ")) }
    )]
    GroupUnsupported {
        by: &'static str,
        provider: String,
        kind: crate::kind::ProviderKind,
        field: &'static str,
        supported: Vec<&'static str>,
    },
    #[error(
        "{folder} already holds an export of provider `{provider}` ({file}): its SIMs would be \
         declared twice; export into another folder, or remove that export first (nothing was read)"
    )]
    EarlierExport {
        folder: String,
        file: String,
        provider: String,
    },
    #[error("--out {path} is not a folder (give a folder, or `-` for stdout)")]
    NotAFolder { path: String },
    #[error("{path} exists; export writes only new files (nothing was written)")]
    Exists { path: String },
    #[error("two exported documents would both be named {name}")]
    SameName { name: String },
    #[error("cannot {what} {path}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Refuses options the provider's kind cannot honour, before anything is
/// read: grouping by a field the kind does not have.
pub fn check(config: &ProviderConfig, options: &Options) -> Result<(), ExportError> {
    let caps = config.kind.capabilities();
    match options.group_by {
        Some(by) if !caps.supports(by.field()) => Err(ExportError::GroupUnsupported {
            by: by.name(),
            provider: config.name.clone(),
            kind: config.kind,
            field: by.field().manifest_name(),
            supported: GroupBy::ALL
                .into_iter()
                .filter(|b| caps.supports(b.field()))
                .map(GroupBy::name)
                .collect(),
        }),
        _ => Ok(()),
    }
}

/// Whether `value` holds something: not `null`, not an empty collection.
fn holds(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Set(names) => !names.is_empty(),
        Value::Map(map) => !map.is_empty(),
        _ => true,
    }
}

/// The fields of `sim` an export writes: those the kind supports and,
/// unless `all_fields`, that hold a value. A status the model cannot name
/// (a locked state) is never written: a manifest cannot say "none".
fn exported(sim: &LiveSim, config: &ProviderConfig, all_fields: bool) -> Fields {
    let caps = config.kind.capabilities();
    sim.fields
        .iter()
        .filter(|(f, v)| caps.supports(**f) && !(**f == Field::Status && **v == Value::Null))
        .filter(|(_, v)| all_fields || holds(v))
        .map(|(f, v)| (*f, v.clone()))
        .collect()
}

/// The documents that reproduce `sims` (live state, sorted by ICCID) at
/// provider `config`: its Providers document (unless `unmanaged_only`),
/// then the fleets, each of at most [`FILE_SIMS`] SIMs with its own
/// `defaults`.
pub fn documents(config: &ProviderConfig, sims: &[LiveSim], options: &Options) -> Vec<Document> {
    let caps = config.kind.capabilities();
    let fields: Vec<Fields> = sims
        .iter()
        .map(|sim| exported(sim, config, options.all_fields))
        .collect();
    let mut out = Vec::new();
    if !options.unmanaged_only {
        out.push(Document {
            name: names::providers_file(&config.name),
            text: write::providers(config),
        });
    }
    let stem = names::Stem::new(&config.name, options.unmanaged_only.then_some(sims));
    let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    match options.group_by {
        Some(by) => {
            for (i, key) in group::keys(by, &fields).into_iter().enumerate() {
                groups.entry(key).or_default().push(i);
            }
        }
        None => {
            groups.insert(None, (0..sims.len()).collect());
        }
    }
    for (key, members) in groups {
        let part = options
            .group_by
            .map(|by| names::group_part(by, key.as_deref()));
        let chunks = members.chunks(FILE_SIMS.max(1));
        // An account with no SIMs still gets one (empty) fleet file.
        let chunks: Vec<&[usize]> = if members.is_empty() {
            vec![&[]]
        } else {
            chunks.collect()
        };
        for (n, chunk) in chunks.into_iter().enumerate() {
            let (file, fleet) = stem.names(part.as_deref(), n + 1);
            let own: Vec<Fields> = chunk.iter().map(|&i| fields[i].clone()).collect();
            let Factored {
                defaults,
                sims: own,
            } = factor(own, caps);
            let entries = chunk.iter().zip(&own).map(|(&i, f)| (&sims[i].iccid, f));
            out.push(Document {
                name: file,
                text: write::fleet(&fleet, &config.name, &defaults, entries),
            });
        }
    }
    out
}

/// `documents` as one YAML stream (`--out -`): each document after a
/// `---` line that names the file it would have been written to.
pub fn stream(documents: &[Document]) -> String {
    documents
        .iter()
        .map(|d| format!("--- # {}\n{}", d.name, d.text))
        .collect()
}
