//! How one SIM's changes ended, typed: what the provider refused and why, a
//! call with no usable answer, a monitor or a re-read SIM that failed or
//! never settled, a provider that had stopped answering before anything
//! was sent.

use std::time::SystemTime;

use super::http::{Down, HttpError};
use crate::model::{Iccid, SimWork};

/// A provider's words as a failure shows them: at most 300 characters of
/// an already redacted body, inert for a terminal.
fn shown(text: String) -> String {
    let cut: String = text.chars().take(300).collect();
    crate::text::inert(&cut).into_owned()
}

/// Why a SIM's changes did not (all) take effect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimFailure {
    /// The provider answered with an error status; `text` is its own words.
    #[error("{call}: HTTP {status}: {text}")]
    Rejected {
        call: String,
        status: u16,
        text: String,
    },
    /// No usable answer: transport error, undecodable body.
    #[error("{detail}")]
    NoAnswer { detail: String },
    /// The SIM's line of a bulk answer says it failed.
    #[error("bulk update: {detail}")]
    Bulk { detail: String },
    /// The change cannot be expressed in the provider's API.
    #[error("{detail}")]
    Inexpressible { detail: String },
    /// The call was sent and its answer lost (a 5xx, a timeout, a dropped
    /// connection): it may have taken effect. Apply re-reads the SIM.
    #[error("{call}: the answer was lost ({detail}); it may have taken effect")]
    Unknown { call: String, detail: String },
    /// The answer of a write that starts an operation was lost and
    /// re-reads do not show the change yet: it may still land, so it is
    /// not sent again in this run.
    #[error(
        "{call}: the answer was lost ({detail}) and re-reads do not show the change yet; it \
         starts an operation at the provider, so it is not sent again in this run: plan again \
         to see where it stands"
    )]
    Unsettled { call: String, detail: String },
    /// The answer was lost, and a re-read shows the change is not there.
    #[error("not applied: {detail}")]
    NotApplied { detail: String },
    /// Never sent: the run was interrupted first.
    #[error("not sent: the run was interrupted")]
    Interrupted,
    /// Nothing was sent for it: its provider had stopped answering
    /// (`reason`, from the provider's breaker).
    #[error("not attempted: {reason}")]
    NotAttempted { reason: String },
    #[error("monitor {id} ended InError: {detail}")]
    MonitorFailed { id: String, detail: String },
    #[error("monitor {id} still InProgress after {seconds}s; the change may still complete")]
    MonitorTimeout { id: String, seconds: u64 },
    /// The provider took a change that completes later, and re-reads of
    /// the SIM did not show it done (`provider/follow.rs`): it may still
    /// land, so it is not sent again.
    #[error(
        "{call}: the provider took the change, but {detail}; it may still complete, so it is \
         not sent again in this run: plan again to see where it stands"
    )]
    Unfinished { call: String, detail: String },
}

impl SimFailure {
    /// From a transport error, with the provider's error body summarised by
    /// `extract` (which returns `None` for bodies not in the provider's shape).
    pub fn from_http(err: &HttpError, extract: fn(&str) -> Option<String>) -> SimFailure {
        if err.outcome_unknown() {
            let (call, detail) = match err {
                HttpError::Status {
                    method,
                    path,
                    status,
                    body,
                } => (
                    format!("{method} {path}"),
                    format!(
                        "HTTP {status}: {}",
                        shown(extract(body).unwrap_or_else(|| body.clone()))
                    ),
                ),
                HttpError::Transport { call, cause, .. } => (call.clone(), cause.clone()),
                HttpError::Shape { call, detail, .. } => (call.clone(), detail.clone()),
                HttpError::Decode { call, source, .. } => {
                    (call.clone(), format!("unreadable answer: {source}"))
                }
                other => (String::new(), other.to_string()),
            };
            return SimFailure::Unknown { call, detail };
        }
        match err {
            HttpError::Status {
                method,
                path,
                status,
                body,
            } => SimFailure::Rejected {
                call: format!("{method} {path}"),
                status: *status,
                text: shown(extract(body).unwrap_or_else(|| body.clone())),
            },
            HttpError::ProviderDown(down) => SimFailure::not_attempted(down),
            other => SimFailure::NoAnswer {
                detail: other.to_string(),
            },
        }
    }

    /// Whether the change may have taken effect (reported as unknown, not
    /// as failed).
    pub fn may_have_landed(&self) -> bool {
        matches!(
            self,
            SimFailure::Unknown { .. }
                | SimFailure::Unsettled { .. }
                | SimFailure::MonitorTimeout { .. }
                | SimFailure::Unfinished { .. }
        )
    }

    /// Nothing was sent for the SIM because its provider is down.
    pub fn not_attempted(down: &Down) -> SimFailure {
        SimFailure::NotAttempted {
            reason: down.to_string(),
        }
    }

    /// What a SIM's `NotAttempted` becomes once some of its changes went
    /// out: it failed, it was not left alone.
    pub fn partly_sent(self) -> SimFailure {
        match self {
            SimFailure::NotAttempted { reason } => SimFailure::NoAnswer {
                detail: format!("only part of its changes were sent: {reason}"),
            },
            other => other,
        }
    }

    pub fn inexpressible(detail: impl Into<String>) -> SimFailure {
        SimFailure::Inexpressible {
            detail: detail.into(),
        }
    }
}

/// How one SIM's changes in a phase ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOutcome {
    pub iccid: Iccid,
    pub result: Result<(), SimFailure>,
    /// How it completed, when that is worth reporting (e.g. "after monitor M").
    pub note: Option<String>,
}

impl SimOutcome {
    /// The outcome once its provider is down, told by whether any write
    /// of its batch was tried (`wrote`): a SIM the breaker stopped after
    /// part of its changes went out failed, it was not left alone; one
    /// whose call got no answer before any write was tried (a read it
    /// needed) was not attempted.
    pub fn when_down(self, down: &Down, wrote: bool) -> SimOutcome {
        let result = match self.result {
            Err(failure @ SimFailure::NotAttempted { .. }) if wrote => Err(failure.partly_sent()),
            Err(SimFailure::NoAnswer { .. }) if !wrote => Err(SimFailure::not_attempted(down)),
            other => other,
        };
        SimOutcome { result, ..self }
    }
}

/// A SIM's outcome as the adapter hands it on: when its last call
/// finished, `None` when nothing was sent for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub outcome: SimOutcome,
    pub finished: Option<SystemTime>,
}

impl Written {
    /// Every SIM of `batch` with `failure`, nothing having been sent for it.
    pub fn unsent(batch: &[SimWork], failure: &SimFailure) -> Vec<Written> {
        batch
            .iter()
            .map(|w| Written {
                outcome: SimOutcome {
                    iccid: w.iccid.clone(),
                    result: Err(failure.clone()),
                    note: None,
                },
                finished: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::http::Where;

    fn down() -> Down {
        Down {
            at: Where {
                provider: "p".into(),
                origin: String::new(),
            },
            failures: 8,
            last: "GET u: connection refused".into(),
        }
    }

    fn outcome(result: Result<(), SimFailure>) -> SimOutcome {
        SimOutcome {
            iccid: Iccid::from_live("89457387300000024185"),
            result,
            note: None,
        }
    }

    #[test]
    fn once_down_a_sim_is_not_attempted_only_if_none_of_its_writes_was_tried() {
        let unsent = Err(SimFailure::not_attempted(&down()));
        let no_answer = Err(SimFailure::NoAnswer {
            detail: "GET tags: connection refused".into(),
        });
        // Its batch tried no write: nothing changed at the provider.
        for result in [unsent.clone(), no_answer.clone()] {
            let judged = outcome(result).when_down(&down(), false);
            assert_eq!(judged.result, unsent);
        }
        // Part of its changes went out before the breaker opened: failed.
        let judged = outcome(unsent.clone()).when_down(&down(), true);
        assert!(
            matches!(&judged.result, Err(SimFailure::NoAnswer { detail })
                if detail.starts_with("only part of its changes were sent: ")),
            "{judged:?}"
        );
        // Outcomes the provider gave stay as they are.
        let lost = Err(SimFailure::Unknown {
            call: "PATCH u".into(),
            detail: "connection reset".into(),
        });
        for (result, wrote) in [
            (Ok(()), true),
            (lost.clone(), true),
            (no_answer.clone(), true),
        ] {
            let judged = outcome(result.clone()).when_down(&down(), wrote);
            assert_eq!(judged.result, result);
        }
    }
}
