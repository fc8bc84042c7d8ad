//! Everything simfleet prints about plans, apply reports and live SIMs,
//! in one place: text for people (ANSI colour only when asked), JSON and CSV
//! for machines.
//!
//! Renderers take library types and a [`Style`], never command-line types,
//! and never reorder or filter what they are given.

pub mod diff;
pub mod drift;
pub mod log;
pub mod markdown;
pub mod operations;
pub mod plan;
pub mod progress;
pub mod report;

/// How much of a plan a person sees: the changes SIM by SIM or grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Totals and groups only (`--summary`, `-q`).
    Summary,
    /// SIM by SIM for small plans, grouped for large ones.
    Auto,
    /// Every SIM and every line (`--expand`).
    Expand,
}

/// ANSI styling; the caller decides (terminal, NO_COLOR, --no-color).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    pub fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn green(self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn red(self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }
}

/// `1 SIM`, `2 SIMs`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `3 SIMs to change, 8 changes (3 enable, 2 configure, 3 restrict)`.
pub(crate) fn changes_said(t: &crate::plan::Totals) -> String {
    format!(
        "{} to change, {} ({} enable, {} configure, {} restrict)",
        plural(t.sims_to_change, "SIM"),
        plural(t.changes, "change"),
        t.enable,
        t.configure,
        t.restrict
    )
}

/// What a whole plan comes to, as its closing sentence; `None` when it
/// has errors and no changes (the error line says it).
pub(crate) fn outcome_said(all: &crate::plan::Totals) -> Option<String> {
    if all.changes > 0 {
        Some(format!("{}.", changes_said(all)))
    } else if all.problems() > 0 {
        None
    } else if all.locked_differing > 0 {
        let verb = if all.locked_differing == 1 {
            "differs"
        } else {
            "differ"
        };
        Some(format!(
            "No changes can be applied, but {} locked at the provider {verb} from the \
             manifests.",
            plural(all.locked_differing, "SIM")
        ))
    } else {
        Some("No changes. Live state matches the manifests.".to_owned())
    }
}

/// A document that could not be written as JSON. Printed empty, it would
/// read as a report of nothing; it is an error instead.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the {document} as JSON: {source}")]
pub struct JsonError {
    /// What was being written (`plan`, `apply report`, ...).
    pub document: &'static str,
    #[source]
    pub source: serde_json::Error,
}

/// The `document` as pretty JSON with a final newline.
pub fn pretty_json(
    document: &'static str,
    value: &impl serde::Serialize,
) -> Result<String, JsonError> {
    let mut s =
        serde_json::to_string_pretty(value).map_err(|source| JsonError { document, source })?;
    s.push('\n');
    Ok(s)
}

/// `missing ICCID declared at FILE:LINE:COL is not at provider `NAME``.
pub(crate) fn missing_line(style: Style, sim: &crate::plan::MissingSim, provider: &str) -> String {
    format!(
        "{} {} declared at {} is not at provider `{provider}`",
        style.red("missing"),
        sim.iccid,
        crate::text::inert(&sim.declared_at)
    )
}

/// `? ICCID "name"  id ID` for an unmanaged SIM.
pub(crate) fn unmanaged_line(sim: &crate::plan::UnmanagedSim) -> String {
    let name = sim
        .name
        .as_deref()
        .map(|n| format!(" {n:?}"))
        .unwrap_or_default();
    format!("? {}{name}  id {}", sim.iccid, crate::text::inert(&sim.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_that_cannot_be_written_as_json_is_an_error_never_empty() {
        let fine = pretty_json("plan", &serde_json::json!({"a": 1})).unwrap();
        assert_eq!(fine, "{\n  \"a\": 1\n}\n");
        // JSON object keys are strings: a map keyed by pairs cannot be written.
        let unwritable = std::collections::BTreeMap::from([((1, 2), 3)]);
        let err = pretty_json("apply report", &unwritable).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot write the apply report as JSON: key must be a string"
        );
    }
}
