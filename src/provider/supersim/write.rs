//! Super SIM writes: one form-encoded `POST /Sims/{Sid}` per SIM carrying
//! every change it has (`UniqueName`, `Status`, `Fleet`), since a second
//! POST while the first is `scheduled` would be refused (83009, 83010) and
//! a SIM without a Fleet is activated only with `Fleet` and `Status` in
//! the same request (83007).
//!
//! A name alone is set at once and safe to send again. A status or Fleet
//! change answers 202 `scheduled`, or 200 with the Sim as it then is: the
//! POST is never sent twice (it is not `repeatable`; a lost answer is
//! settled by apply's re-read, where `scheduled` or the target counts as
//! applied). Unless a 200 shows the change done, the SIM is polled with
//! the shared bounded follow until it leaves `scheduled`, then compared
//! with what was asked. This module never sends a Fleet change for a SIM
//! it knows is scheduled: plan leaves such a SIM's started fields alone.

use reqwest::{Method, StatusCode};

use super::Supersim;
use super::read::SCHEDULED;
use super::wire::WireSim;
use crate::kind::supersim::FLEET;
use crate::model::{Change, Field, SimWork, Status, Value};
use crate::provider::follow::{self, Followed, Polling, Step};
use crate::provider::http::{HttpError, Request};
use crate::provider::{Client, ProviderError, SimFailure, SimOutcome};

/// The form parameters that carry `changes`, in the text's names; an
/// empty `UniqueName` or `Fleet` clears it.
pub fn form(changes: &[Change]) -> Result<Vec<(&'static str, String)>, SimFailure> {
    let text = |v: &Value| match v {
        Value::Text(t) => t.clone(),
        _ => String::new(),
    };
    changes
        .iter()
        .map(|change| match change.field {
            Field::Name => Ok(("UniqueName", text(&change.after))),
            Field::Status => match change.after {
                Value::Status(Status::Active) => Ok(("Status", "active".into())),
                Value::Status(Status::Inactive) => Ok(("Status", "inactive".into())),
                ref other => Err(SimFailure::inexpressible(format!(
                    "Super SIM cannot set the status {other}"
                ))),
            },
            field if field == Field::Own(&FLEET) => Ok(("Fleet", text(&change.after))),
            other => Err(SimFailure::inexpressible(format!(
                "Super SIM cannot set {}",
                other.manifest_name()
            ))),
        })
        .collect()
}

/// What the answer to a status or Fleet POST said of the change.
#[derive(Debug, Clone, Copy)]
enum Answered {
    /// Under way: a 202, or a 200 whose Sim is `scheduled`.
    Scheduled,
    /// A 200 whose Sim (if it could be read) does not show the change.
    Unshown,
}

/// Whether `changes` start an operation at the provider (status, Fleet).
fn starts_operation(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.field != Field::Name)
}

impl Supersim {
    pub(super) async fn apply_sim(&self, work: &SimWork) -> SimOutcome {
        let outcome = |result, note| SimOutcome {
            iccid: work.iccid.clone(),
            result,
            note,
        };
        match self.post(work).await {
            Ok(note) => outcome(Ok(()), note),
            Err(failure) => outcome(Err(failure), None),
        }
    }

    /// Sends the SIM's one POST and, when it was scheduled, follows it.
    async fn post(&self, work: &SimWork) -> Result<Option<String>, SimFailure> {
        let params = form(&work.changes)?;
        if params.is_empty() {
            return Ok(None);
        }
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let segment: String = form_urlencoded::byte_serialize(work.id.as_bytes()).collect();
        let mut req = Request::new(Method::POST, format!("/Sims/{segment}")).form(&pairs);
        if !starts_operation(&work.changes) {
            // A name only sets a value: twice leaves what once does.
            req = req.repeatable();
        }
        let resp = self.http.send(req).await.map_err(|e| Self::failure(&e))?;
        let resp = resp.into_success().map_err(|e| Self::failure(&e))?;
        if !starts_operation(&work.changes) {
            // A name is set at once, even on a SIM whose earlier change is
            // still scheduled: there is nothing of ours to follow.
            return Ok(None);
        }
        let call = format!("POST {}", resp.url);
        // A 202 is scheduled whatever its body says. A 200 is read: the
        // text lists Fleet changes under 200 while [T8] calls them
        // asynchronous, so its Sim may show the change done, or
        // `scheduled`. Only a body that shows the change is taken as done;
        // anything else is followed by re-reading, never by resending.
        let answered = match resp.status {
            StatusCode::ACCEPTED => Answered::Scheduled,
            _ => match resp.decode::<WireSim>() {
                Ok(sim) if sim.status.as_deref() == Some("scheduled") => Answered::Scheduled,
                Ok(sim) if self.shows(&sim, &work.changes).await => {
                    return Ok(Some("completed at once".into()));
                }
                _ => Answered::Unshown,
            },
        };
        self.follow(work, &call, answered).await.map(Some)
    }

    /// Whether `sim`, a write's answer that is not `scheduled`, shows every
    /// one of `changes` done. The Fleets it names are learnt first; when
    /// they cannot be read, it does not show them.
    async fn shows(&self, sim: &WireSim, changes: &[Change]) -> bool {
        self.learn_fleets(std::slice::from_ref(sim)).await.is_ok()
            && self.missed(sim, changes).is_empty()
    }

    /// Polls the SIM until it is not `scheduled` (never resending), then
    /// checks it settled in what `work` asked; `answered` is what the
    /// write's answer said, for the outcome's words.
    async fn follow(
        &self,
        work: &SimWork,
        call: &str,
        answered: Answered,
    ) -> Result<String, SimFailure> {
        let unfinished = |detail: String| SimFailure::Unfinished {
            call: call.to_owned(),
            detail,
        };
        let probe = || async {
            match self.sim_by_sid(&work.id).await {
                Ok(sim) if sim.status.as_deref() == Some("scheduled") => {
                    Step::Pending(SCHEDULED.into())
                }
                Ok(sim) => Step::Done(sim),
                // The provider's breaker says once that it stopped answering.
                Err(ProviderError::Http(HttpError::ProviderDown(_))) => Step::Stop(unfinished(
                    "the SIM cannot be re-read: the provider stopped answering".into(),
                )),
                Err(e) => Step::Stop(unfinished(format!("the SIM cannot be re-read: {e}"))),
            }
        };
        let policy = Polling::STANDARD;
        let (sim, polls) = match follow::poll(policy, probe).await {
            Followed::Done { value, polls } => (value, polls),
            Followed::Stopped(failure) => return Err(failure),
            Followed::Expired { polls, last } => {
                return Err(unfinished(format!(
                    "{polls} re-reads in {} s still show {last}",
                    policy.limit.as_secs()
                )));
            }
        };
        let missed = self.missed(&sim, &work.changes);
        let reads = format!("{polls} re-read{}", if polls == 1 { "" } else { "s" });
        match (missed.is_empty(), answered) {
            (true, Answered::Scheduled) => {
                Ok(format!("completed: the SIM left scheduled after {reads}"))
            }
            (true, Answered::Unshown) => Ok(format!(
                "completed: the answer did not show it, {reads} did"
            )),
            (false, Answered::Scheduled) => Err(SimFailure::NotApplied {
                detail: format!(
                    "{call}: the SIM left scheduled without {}",
                    missed.join(", ")
                ),
            }),
            (false, Answered::Unshown) => Err(SimFailure::NotApplied {
                detail: format!(
                    "{call}: neither the answer nor {reads} show {}",
                    missed.join(", ")
                ),
            }),
        }
    }

    /// The changes `sim` does not show, described.
    fn missed(&self, sim: &WireSim, changes: &[Change]) -> Vec<String> {
        let live = self.to_live(sim);
        let book = self.book();
        changes
            .iter()
            .filter(|change| match change.field {
                field if field == Field::Own(&FLEET) => {
                    !book.is(sim.fleet_sid.as_deref(), &change.after)
                }
                field => live.fields.get(&field) != Some(&change.after),
            })
            .map(|change| {
                format!(
                    "{} {}",
                    change.field.manifest_name(),
                    crate::text::inert(&change.after.to_string())
                )
            })
            .collect()
    }
}
