//! First contact with an account, read only: the checks `simfleet doctor`
//! runs through a connected provider, each with the exchanges it made.
//!
//! A check may read (a token, the first list page, one SIM, an auxiliary
//! list) and must never write. Its outcome says what was found or what was
//! wrong in the words of the error that stood for it; the command prints
//! them with their URLs and statuses and may save the exchanges.

use crate::recording::Exchange;

/// One check and how it went.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    /// The requests it made, redacted.
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    Failed(String),
    /// Not run: an earlier check it needs failed, or there was nothing to do.
    Skipped(String),
}

impl Check {
    pub fn new(name: &'static str, outcome: Outcome, exchanges: Vec<Exchange>) -> Check {
        Check {
            name,
            outcome,
            exchanges,
        }
    }

    pub fn of<E: std::fmt::Display>(
        name: &'static str,
        result: Result<String, E>,
        exchanges: Vec<Exchange>,
    ) -> Check {
        let outcome = match result {
            Ok(said) => Outcome::Passed(said),
            Err(e) => Outcome::Failed(e.to_string()),
        };
        Check::new(name, outcome, exchanges)
    }

    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed(_))
    }
}
