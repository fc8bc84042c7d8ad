//! Problems found in manifests, each tied to `file:line:column`.

use std::fmt;
use std::path::PathBuf;

use super::node::Pos;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    /// The SIM the problem belongs to, when there is one.
    pub sim: Option<String>,
    /// The key of the entry at `pos` the problem is about, until
    /// `locate::refine` has moved `pos` to it.
    pub key: Option<String>,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            pos,
            message: message.into(),
            sim: None,
            key: None,
        }
    }

    /// Says the problem is at `key` of the entry at `pos`.
    pub fn at_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn for_sim(mut self, iccid: Option<&str>) -> Self {
        self.sim = iccid.map(str::to_owned);
        self
    }

    /// `file:line:column` of the problem; just `file` for problems of the
    /// whole file (no line).
    pub fn location(&self) -> String {
        if self.pos.line == 0 {
            return self.file.display().to_string();
        }
        format!("{}:{}", self.file.display(), self.pos)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(sim) = &self.sim {
            write!(f, " (SIM {sim})")?;
        }
        Ok(())
    }
}

/// Every problem found in one validation run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem{} in manifests", .0.len(), if .0.len() == 1 { "" } else { "s" })]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str("error: ");
            out.push_str(&d.to_string());
            out.push('\n');
        }
        out
    }
}
