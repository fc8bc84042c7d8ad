//! Reading manifest files into decoded documents, collecting every problem.
//!
//! This stage knows the document kinds and their structure but nothing about
//! other files: cross-file rules (provider names, duplicate ICCIDs,
//! capabilities) are `validate`'s job. It performs no network access.
//!
//! Files are parsed in parallel, at most one per core, each thread taking
//! the next file; results are merged in file order, so what is reported
//! does not depend on which thread finished first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::decode::{DecodeError, decode};
use super::diagnostic::Diagnostic;
pub use super::entry::SimEntry;
use super::entry::{BadSim, Sims, sim_item};
use super::node::{MAX_FILE_BYTES, Node, NodeKind, Pos};
use super::stream::parse_documents;
use super::types::{FleetDocument, ProviderSpec, ProvidersDocument};
use crate::digest::Digest;
use crate::model::Interner;

/// A provider entry as written, with where it was written.
#[derive(Debug, Clone)]
pub struct ProviderEntry {
    pub name: String,
    pub spec: ProviderSpec,
    pub file: Arc<Path>,
    pub at: Pos,
    pub keys: Vec<(String, Pos)>,
}

#[derive(Debug, Clone)]
pub struct FleetEntry {
    pub name: String,
    pub provider: String,
    pub provider_at: Pos,
    pub file: Arc<Path>,
    pub defaults: Option<SimEntry>,
    pub sims: Vec<SimEntry>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub providers: Vec<ProviderEntry>,
    pub fleets: Vec<FleetEntry>,
    pub problems: Vec<Diagnostic>,
    /// Providers whose entries could not be read (their problems are in
    /// `problems`): a fleet naming one needs no problem of its own.
    pub unreadable_providers: Vec<String>,
    /// Not wrong, but likely not what was meant (an empty file).
    pub warnings: Vec<Diagnostic>,
    /// Of every file's path and contents, in load order.
    pub digest: Digest,
}

impl Loaded {
    /// Appends what a later file yielded.
    fn absorb(&mut self, part: Loaded) {
        self.providers.extend(part.providers);
        self.fleets.extend(part.fleets);
        self.problems.extend(part.problems);
        self.unreadable_providers.extend(part.unreadable_providers);
        self.warnings.extend(part.warnings);
        self.digest.absorb(part.digest);
    }
}

/// More threads than this buy nothing: each holds a whole file's text.
const MAX_THREADS: usize = 4;

/// Loads every manifest below `paths` (files, or directories searched for
/// `*.yaml`/`*.yml`, in sorted order).
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut files = Vec::new();
    for path in paths {
        match manifest_files(path, &mut loaded.problems) {
            Ok(found) if found.is_empty() => loaded.problems.push(Diagnostic::new(
                path,
                Pos::default(),
                "no *.yaml or *.yml manifests found here",
            )),
            Ok(found) => files.extend(found),
            Err(e) => loaded.problems.push(Diagnostic::new(
                path,
                Pos::default(),
                format!("cannot read: {e}"),
            )),
        }
    }
    for part in load_files(&files) {
        loaded.absorb(part);
    }
    loaded
}

/// Each file loaded on its own, in the order given.
fn load_files(files: &[PathBuf]) -> Vec<Loaded> {
    let one = |file: &PathBuf| {
        let mut part = Loaded::default();
        load_file(file, &mut part);
        part
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = cores.min(MAX_THREADS).min(files.len());
    if threads <= 1 {
        return files.iter().map(one).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Loaded)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return mine;
                        };
                        mine.push((i, one(file)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, part)| part).collect()
}

/// The manifests at `path`: the file itself, or every `*.yaml`/`*.yml`
/// below the folder. What a folder holds came with the repository (a pull
/// request, perhaps): a link in it that leads out of the folder is a
/// problem, never read; links to folders are not followed.
fn manifest_files(path: &Path, problems: &mut Vec<Diagnostic>) -> std::io::Result<Vec<PathBuf>> {
    let meta = fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let root = path.canonicalize()?;
    let mut found = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let p = entry.path();
            let kind = entry.file_type()?;
            if kind.is_symlink() && is_manifest_name(&p) {
                match p.canonicalize() {
                    Ok(to) if to.starts_with(&root) => found.push(p),
                    Ok(_) => problems.push(Diagnostic::new(
                        &p,
                        Pos::default(),
                        format!(
                            "a symbolic link out of {}; manifests in a folder stay in it",
                            path.display()
                        ),
                    )),
                    Err(e) => problems.push(Diagnostic::new(
                        &p,
                        Pos::default(),
                        format!("cannot read: {e}"),
                    )),
                }
            } else if kind.is_dir() {
                pending.push(p);
            } else if is_manifest_name(&p) {
                found.push(p);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn load_file(path: &Path, loaded: &mut Loaded) {
    let file: Arc<Path> = Arc::from(path);
    let problem = |pos: Pos, msg: String| Diagnostic::new(path, pos, msg);
    match fs::metadata(path) {
        // Checked without reading: a FIFO would block, a device never end.
        Ok(m) if !m.is_file() => {
            let msg = "not a regular file; manifests must be plain files".to_owned();
            loaded.problems.push(problem(Pos::default(), msg));
            return;
        }
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            let msg = format!("file is {} bytes; the limit is {MAX_FILE_BYTES}", m.len());
            loaded.problems.push(problem(Pos::default(), msg));
            return;
        }
        Err(e) => {
            loaded
                .problems
                .push(problem(Pos::default(), format!("cannot read: {e}")));
            return;
        }
        Ok(_) => {}
    }
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            loaded
                .problems
                .push(problem(Pos::default(), format!("cannot read: {e}")));
            return;
        }
    };
    loaded.digest.update(path.to_string_lossy().as_bytes());
    loaded.digest.update(text.as_bytes());
    let docs = match parse_documents(&text) {
        Ok(docs) => docs,
        Err(e) => {
            let pos = e.location().map_or(Pos::default(), |l| Pos {
                line: u32::try_from(l.line()).unwrap_or(u32::MAX),
                column: u32::try_from(l.column()).unwrap_or(u32::MAX),
            });
            let msg = plain_yaml_error(&e.without_snippet().to_string(), &text, pos);
            loaded.problems.push(problem(pos, msg));
            return;
        }
    };
    if docs.iter().all(|d| d.node.kind == NodeKind::Null) {
        let msg = "the file is empty: it declares no providers and no SIMs";
        loaded
            .warnings
            .push(problem(Pos::default(), msg.to_owned()));
    }
    // The entries hold all they need; the text stays only to quote what a
    // problem is about as it was written.
    for doc in docs {
        load_document(&file, &text, &doc.node, doc.sims, loaded);
    }
}

/// The parser's message in plain words: what is wrong and where, without
/// its option names or a second copy of the position.
fn plain_yaml_error(message: &str, text: &str, at: Pos) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key).trim();
        return match first_key_line(text, key, at) {
            Some(first) => format!("key `{key}` appears twice (lines {first} and {})", at.line),
            None => format!("key `{key}` appears twice in this mapping"),
        };
    }
    if message.contains("tabs disallowed") {
        return "YAML does not allow tabs for indentation; indent with spaces".to_owned();
    }
    format!("invalid YAML: {message}")
}

/// The line where `key` first appears at the column of its repeat at
/// `at`, within the same block (no line indented less in between).
fn first_key_line(text: &str, key: &str, at: Pos) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = at.column.saturating_sub(1) as usize;
    let repeat = (at.line as usize).checked_sub(1)?;
    for n in (0..repeat).rev() {
        let line = lines.get(n)?;
        let body = line.trim_start_matches(' ');
        let depth = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') || depth > indent {
            continue;
        }
        let body = body.trim_start_matches("- ");
        let found = body
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
            || body.strip_prefix(&format!("\"{key}\"")).is_some();
        if found {
            return u32::try_from(n + 1).ok();
        }
        if depth < indent {
            return None;
        }
    }
    None
}

/// One problem where it was found (`fallback` when it has no position).
fn decode_problem(file: &Path, fallback: Pos, err: DecodeError) -> Diagnostic {
    // Values parsed without positions say `0:0`.
    let pos = err.pos.filter(|p| *p != Pos::default());
    Diagnostic::new(file, pos.unwrap_or(fallback), err.message)
}

/// The problem, and those found with it, each where it was found.
fn decode_problems(file: &Path, fallback: Pos, err: DecodeError) -> Vec<Diagnostic> {
    err.all()
        .map(|err| decode_problem(file, fallback, err))
        .collect()
}

/// The problems of a SIM entry that is no entry. A number where text
/// belongs is quoted from `text` as written (`iccid: 8945...` would show
/// rounded otherwise), at its key; the SIM is then named by it too.
fn sim_problems(file: &Path, text: &str, bad: BadSim) -> Vec<Diagnostic> {
    let written = |key: &str| {
        let at = super::locate::find_key(text, bad.at, key)?;
        Some((at, super::locate::scalar_after_key(text, at, key)?))
    };
    let unquoted_iccid = bad
        .problems
        .iter()
        .find(|p| p.unquoted && p.key.as_deref() == Some("iccid"))
        .and_then(|_| written("iccid"))
        .map(|(_, number)| number.to_owned());
    let iccid = bad.iccid.clone().or(unquoted_iccid);
    let mut out = Vec::new();
    for problem in bad.problems {
        let quoted = problem
            .unquoted
            .then(|| problem.key.as_deref().and_then(written))
            .flatten();
        let mut diagnostic = match (quoted, &problem.key) {
            (Some((at, number)), Some(key)) => {
                // Twenty digits are past what a YAML number keeps exactly.
                let why = if key == "iccid" {
                    ", which YAML reads as a number and may round"
                } else {
                    ""
                };
                let msg = format!(
                    "`{key}` is written as the number {number}{why}: quote it, \
                     `{key}: \"{number}\"`"
                );
                Diagnostic::new(file, at, msg)
            }
            // A SIM's problems come one by one (`entry` splits them).
            _ => {
                let mut d = decode_problem(file, bad.at, problem.error);
                d.key = problem.key;
                d
            }
        };
        diagnostic.sim.clone_from(&iccid);
        out.push(diagnostic);
    }
    out
}

fn load_document(file: &Arc<Path>, text: &str, doc: &Node, sims: Sims, loaded: &mut Loaded) {
    if doc.kind == NodeKind::Null {
        return; // an empty document, e.g. a trailing `---`
    }
    let kind = doc.get("kind").and_then(Node::as_str);
    match kind {
        Some("Providers") => load_providers(file, doc, loaded),
        Some("Fleet") => load_fleet(file, text, doc, sims, loaded),
        _ => {
            let at = doc.entry("kind").map_or(doc.pos, |(_, v)| v.pos);
            let msg = "expected `kind: Providers` or `kind: Fleet`".to_owned();
            loaded
                .problems
                .push(Diagnostic::new(file.as_ref(), at, msg));
        }
    }
}

fn map_entries(node: Option<&Node>) -> &[(Node, Node)] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Map(entries)) => entries,
        _ => &[],
    }
}

fn load_providers(file: &Arc<Path>, doc: &Node, loaded: &mut Loaded) {
    if let Err(e) = decode::<ProvidersDocument>(doc) {
        loaded.problems.extend(decode_problems(file, doc.pos, e));
        return;
    }
    for (key, value) in map_entries(doc.get("providers")) {
        let Some(name) = key.as_str() else { continue };
        if let Err(msg) = crate::config::identifier("provider name", name) {
            loaded
                .problems
                .push(Diagnostic::new(file.as_ref(), key.pos, msg));
            continue;
        }
        match decode::<ProviderSpec>(value) {
            Ok(spec) => loaded.providers.push(ProviderEntry {
                name: name.to_owned(),
                spec,
                file: file.clone(),
                at: key.pos,
                keys: key_positions(value),
            }),
            Err(e) => {
                loaded.problems.extend(decode_problems(file, value.pos, e));
                loaded.unreadable_providers.push(name.to_owned());
            }
        }
    }
}

fn load_fleet(file: &Arc<Path>, text: &str, doc: &Node, sims: Sims, loaded: &mut Loaded) {
    let header = match decode::<FleetDocument>(doc) {
        Ok(h) => h,
        Err(e) => {
            loaded.problems.extend(decode_problems(file, doc.pos, e));
            return;
        }
    };
    let mut report = |bad: BadSim| {
        loaded.problems.extend(sim_problems(file, text, bad));
    };
    let defaults = doc.get("defaults").filter(|n| n.kind != NodeKind::Null);
    let defaults = match defaults.map(|n| sim_item(n.clone(), &mut Interner::default())) {
        Some(Ok(entry)) => Some(entry),
        Some(Err(bad)) => {
            report(bad);
            None
        }
        None => None,
    };
    sims.bad.into_iter().for_each(&mut report);
    if let Err(msg) = crate::config::identifier("fleet name", &header.metadata.name) {
        let name = doc.get("metadata").and_then(|m| m.get("name"));
        let at = name.map_or(doc.pos, |n| n.pos);
        loaded
            .problems
            .push(Diagnostic::new(file.as_ref(), at, msg));
    }
    let provider_at = doc.get("provider").map_or(doc.pos, |n| n.pos);
    loaded.fleets.push(FleetEntry {
        name: header.metadata.name,
        provider: header.provider,
        provider_at,
        file: file.clone(),
        defaults,
        sims: sims.entries,
    });
}

/// Provider entries by name, keeping declaration order for duplicates.
pub fn providers_by_name(providers: &[ProviderEntry]) -> BTreeMap<&str, Vec<&ProviderEntry>> {
    let mut map: BTreeMap<&str, Vec<&ProviderEntry>> = BTreeMap::new();
    for p in providers {
        map.entry(p.name.as_str()).or_default().push(p);
    }
    map
}

/// Each top-level key of a map node and where it is written.
fn key_positions(node: &Node) -> Vec<(String, Pos)> {
    map_entries(Some(node))
        .iter()
        .filter_map(|(k, _)| k.as_str().map(|s| (s.to_owned(), k.pos)))
        .collect()
}
