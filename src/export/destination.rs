//! Where an export goes: standard output, or a folder that only gains new
//! files.
//!
//! A folder is checked twice. Before the provider is read, a folder that
//! already holds an export of the same provider is refused (its SIMs would
//! be declared twice), so a long read is never wasted on a run that cannot
//! write. After it, every file is checked again before the first is
//! written, and each is created with `create_new`: nothing is ever
//! overwritten or written through a link, even one that appeared since.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Document, ExportError, names};

/// `--out`: a folder, or `-` for standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    Folder(PathBuf),
}

impl Destination {
    pub fn of(out: &Path) -> Destination {
        if out == Path::new("-") {
            Destination::Stdout
        } else {
            Destination::Folder(out.to_owned())
        }
    }

    /// Refuses, before anything is read, a path that is not a folder and a
    /// folder that already holds an export of `provider`, unless this is
    /// an export of SIMs no manifest declares (`unmanaged_only`): those
    /// are named after their first ICCID, and join the manifests.
    pub fn check_before_reading(
        &self,
        provider: &str,
        unmanaged_only: bool,
    ) -> Result<(), ExportError> {
        let Destination::Folder(folder) = self else {
            return Ok(());
        };
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(_) if folder.exists() && !folder.is_dir() => {
                return Err(ExportError::NotAFolder {
                    path: shown(folder),
                });
            }
            Err(source) => return Err(io("read", folder, source)),
        };
        if unmanaged_only {
            return Ok(());
        }
        for entry in entries {
            let entry = entry.map_err(|source| io("read", folder, source))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if names::of_export(provider, &name) {
                return Err(ExportError::EarlierExport {
                    folder: shown(folder),
                    file: crate::text::inert(&name).into_owned(),
                    provider: provider.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Writes `documents` into the folder (created if needed), each as a
    /// new file; or, for standard output, does nothing: the caller prints
    /// [`super::stream`]. Refuses before writing anything when a name is
    /// taken.
    pub fn write(&self, documents: &[Document]) -> Result<(), ExportError> {
        let Destination::Folder(folder) = self else {
            return Ok(());
        };
        let mut seen = BTreeSet::new();
        for doc in documents {
            if !seen.insert(doc.name.as_str()) {
                return Err(ExportError::SameName {
                    name: doc.name.clone(),
                });
            }
        }
        std::fs::create_dir_all(folder).map_err(|source| io("create", folder, source))?;
        for doc in documents {
            let path = folder.join(&doc.name);
            // `symlink_metadata`: a link, even a dangling one, counts as
            // there; writing through it would land outside the folder.
            if std::fs::symlink_metadata(&path).is_ok() {
                return Err(ExportError::Exists { path: shown(&path) });
            }
        }
        for doc in documents {
            let path = folder.join(&doc.name);
            // `create_new`: a file or link that appeared since the check
            // above is not written through either.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut file| file.write_all(doc.text.as_bytes()))
                .map_err(|source| io("write", &path, source))?;
        }
        Ok(())
    }
}

/// A path for a message: as given, made inert.
fn shown(path: &Path) -> String {
    crate::text::inert(&path.display().to_string()).into_owned()
}

fn io(what: &'static str, path: &Path, source: std::io::Error) -> ExportError {
    ExportError::Io {
        what,
        path: shown(path),
        source,
    }
}
