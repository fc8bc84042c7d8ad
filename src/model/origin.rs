//! Where a desired SIM is written ([`Origin`]) and the files it points
//! into ([`Files`]), for messages that name `file:line:column`.

use std::path::Path;
use std::sync::Arc;

/// A place in a manifest: the file's index in the run's [`Files`], then
/// line and column. Twelve bytes per SIM, where a shared path would take
/// twenty-four; [`Files::show`] turns it into `file:line:column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub file: u32,
    pub line: u32,
    pub column: u32,
}

/// The manifest files that desired SIMs were read from, in load order; an
/// [`Origin`] names one by index.
#[derive(Debug, Clone, Default)]
pub struct Files(Vec<Arc<Path>>);

impl Files {
    /// Index of `file`, added if it is not the last one added: fleets of one
    /// file arrive together, so a file that came back later only costs a
    /// second slot, never a wrong name.
    pub fn index(&mut self, file: &Arc<Path>) -> u32 {
        if self.0.last().is_none_or(|last| !Arc::ptr_eq(last, file)) {
            self.0.push(file.clone());
        }
        // Every file is held in memory while loading, so a run cannot reach
        // 2^32 of them; saturating keeps this total anyway.
        u32::try_from(self.0.len() - 1).unwrap_or(u32::MAX)
    }

    /// The file an origin points into.
    pub fn path(&self, origin: Origin) -> &Path {
        self.0
            .get(origin.file as usize)
            .map_or(Path::new("?"), |file| file.as_ref())
    }

    /// `file:line:column` of an origin.
    pub fn show(&self, origin: Origin) -> String {
        let file = self.path(origin).display();
        format!("{file}:{}:{}", origin.line, origin.column)
    }
}
