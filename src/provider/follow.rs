//! Following a change a provider took but has not finished: polled with
//! growing pauses until it settles or a bound runs out, never sent again.
//!
//! A provider says how such a change stands in one of two ways: a monitor
//! of the operation (CMO's `/monitor/{id}`), or the SIM itself, which takes
//! the new value later (a status answered `scheduled`, as Twilio's Super
//! SIM does; a CMO 202 without a monitor link). [`poll`] is the one bounded
//! loop under both; [`until_shown`] re-reads a SIM by its ICCID until a
//! field shows its target. This module only reads: it must never send a
//! write, so a change that started an operation is never started twice.
//! What the bound leaves open is reported as possibly landed
//! ([`SimFailure::Unfinished`] or the caller's own), which apply never
//! resends.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::{Client, ProviderError, SimFailure};
use crate::model::{Condition, Field, Iccid, LiveSim, Value};

/// How often and how long a change is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// The pause before the first poll; doubled after each, up to `longest`.
    pub first: Duration,
    pub longest: Duration,
    /// No poll starts past this much time after following began.
    pub limit: Duration,
}

impl Polling {
    /// From 250 ms, doubling to 5 s, for at most 10 minutes: CMO monitors
    /// and SIMs followed after a write.
    pub const STANDARD: Polling = Polling {
        first: Duration::from_millis(250),
        longest: Duration::from_secs(5),
        limit: Duration::from_secs(600),
    };
}

/// What one poll found.
#[derive(Debug)]
pub enum Step<T> {
    Done(T),
    /// Not yet: what it shows, for the message when time runs out.
    Pending(String),
    /// Following ends here with this outcome (failed, or unreadable).
    Stop(SimFailure),
}

/// How following ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Followed<T> {
    Done {
        value: T,
        polls: u32,
    },
    Stopped(SimFailure),
    /// The bound ran out with the change still pending: what the last poll
    /// showed.
    Expired {
        polls: u32,
        last: String,
    },
}

/// Polls `probe` with `policy`'s pauses until it says done or stop, or no
/// further poll fits in `policy.limit`.
pub async fn poll<T, F, Fut>(policy: Polling, mut probe: F) -> Followed<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Step<T>>,
{
    let deadline = Instant::now() + policy.limit;
    let mut wait = policy.first;
    let mut polls = 0;
    let mut last = String::from("no answer yet");
    loop {
        if Instant::now() + wait > deadline {
            return Followed::Expired { polls, last };
        }
        tokio::time::sleep(wait).await;
        polls += 1;
        match probe().await {
            Step::Done(value) => return Followed::Done { value, polls },
            Step::Stop(failure) => return Followed::Stopped(failure),
            Step::Pending(shows) => last = shows,
        }
        wait = (wait * 2).min(policy.longest);
    }
}

/// Re-reads SIM `iccid` through `client` until `field` shows `target`
/// and the SIM is no longer in progress; `call` names the write that was
/// taken (`PATCH URL`), for messages. Says how it completed.
pub async fn until_shown<C: Client>(
    client: &C,
    iccid: &Iccid,
    field: Field,
    target: &Value,
    call: String,
) -> Result<String, SimFailure> {
    let read = || async { Ok(client.get(iccid).await?.map(|w| client.to_live(&w))) };
    until(Polling::STANDARD, read, field, target, call).await
}

/// [`until_shown`] with the SIM read by `read` (`None`: not found).
pub async fn until<F, Fut>(
    policy: Polling,
    mut read: F,
    field: Field,
    target: &Value,
    call: String,
) -> Result<String, SimFailure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<LiveSim>, ProviderError>>,
{
    let unfinished = |detail: String| SimFailure::Unfinished {
        call: call.clone(),
        detail,
    };
    let probe = || {
        let sim = read();
        async move {
            match sim.await {
                // The provider's words, inert for a terminal.
                Ok(Some(sim)) => match shows(&sim, field, target) {
                    Seen::There => Step::Done(()),
                    Seen::Not(what) => Step::Pending(crate::text::inert(&what).into_owned()),
                    Seen::Locked(why) => Step::Stop(unfinished(format!(
                        "the SIM is now locked: {}",
                        crate::text::inert(&why)
                    ))),
                },
                Ok(None) => Step::Stop(unfinished("the SIM is no longer found".into())),
                Err(e) => Step::Stop(unfinished(format!("the SIM cannot be re-read: {e}"))),
            }
        }
    };
    match poll(policy, probe).await {
        Followed::Done { polls, .. } => Ok(format!(
            "completed: the SIM showed it after {polls} re-read{}",
            if polls == 1 { "" } else { "s" }
        )),
        Followed::Stopped(failure) => Err(failure),
        Followed::Expired { polls, last } => Err(unfinished(format!(
            "{polls} re-reads in {} s still show {last}",
            policy.limit.as_secs()
        ))),
    }
}

/// How a re-read SIM stands toward its target.
enum Seen {
    There,
    /// Not yet: what it shows.
    Not(String),
    /// Locked while it was followed: it will not get there by itself.
    Locked(String),
}

/// Whether `sim` shows `field` at `target`, settled.
fn shows(sim: &LiveSim, field: Field, target: &Value) -> Seen {
    match &sim.condition {
        Some(Condition::InProgress(why)) => Seen::Not(format!("it in progress ({why})")),
        Some(Condition::Locked(why)) => Seen::Locked(why.clone()),
        None if sim.fields.get(&field) == Some(target) => Seen::There,
        None => {
            let value = sim.fields.get(&field);
            let value = value.map_or_else(|| "nothing".to_owned(), Value::to_string);
            Seen::Not(format!("{} {value}", field.manifest_name()))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::model::{Fields, Status};

    fn sim(status: Status, condition: Option<Condition>) -> LiveSim {
        LiveSim {
            iccid: Iccid::from_live("89457387300000024185"),
            id: "1".into(),
            fields: Fields::from([(Field::Status, Value::Status(status))]),
            condition,
            aliases: Vec::new(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn polls_follow_the_schedule_until_the_bound_and_no_further() {
        // 0.25 + 0.5 + 1 + 2 + 4 s, then every 5 s: 5 polls by 7.75 s and
        // 118 more by 597.75 s; the next would start at 602.75 s.
        let polls = Cell::new(0);
        let followed: Followed<()> = poll(Polling::STANDARD, || {
            polls.set(polls.get() + 1);
            async { Step::Pending("scheduled".into()) }
        })
        .await;
        assert_eq!(
            followed,
            Followed::Expired {
                polls: 123,
                last: "scheduled".into()
            }
        );
        assert_eq!(polls.get(), 123);
    }

    #[tokio::test(start_paused = true)]
    async fn a_sim_is_re_read_until_it_shows_the_target_settled() {
        let answers = [
            sim(Status::Inactive, None),
            sim(
                Status::Active,
                Some(Condition::InProgress("scheduled".into())),
            ),
            sim(Status::Active, None),
        ];
        let reads = Cell::new(0);
        let read = || {
            let n = reads.get();
            reads.set(n + 1);
            let answer = answers[n].clone();
            async move { Ok(Some(answer)) }
        };
        let target = Value::Status(Status::Active);
        let done = until(
            Polling::STANDARD,
            read,
            Field::Status,
            &target,
            "PATCH u".into(),
        )
        .await;
        assert_eq!(
            done.unwrap(),
            "completed: the SIM showed it after 3 re-reads"
        );
        assert_eq!(reads.get(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_sim_that_never_gets_there_is_unfinished_after_the_bound_never_failed() {
        let reads = Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            async { Ok(Some(sim(Status::Inactive, None))) }
        };
        let target = Value::Status(Status::Active);
        let policy = Polling {
            first: Duration::from_secs(1),
            longest: Duration::from_secs(1),
            limit: Duration::from_secs(10),
        };
        let failure = until(policy, read, Field::Status, &target, "POST u".into())
            .await
            .unwrap_err();
        assert_eq!(reads.get(), 10);
        assert!(failure.may_have_landed(), "{failure}");
        assert_eq!(
            failure.to_string(),
            "POST u: the provider took the change, but 10 re-reads in 10 s still show status \
             inactive; it may still complete, so it is not sent again in this run: plan again to \
             see where it stands"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_sim_that_cannot_be_re_read_ends_following_as_possibly_landed() {
        let reads = Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            async { Ok(None) }
        };
        let target = Value::Status(Status::Active);
        let failure = until(
            Polling::STANDARD,
            read,
            Field::Status,
            &target,
            "POST u".into(),
        )
        .await
        .unwrap_err();
        assert_eq!(reads.get(), 1);
        assert!(failure.may_have_landed(), "{failure}");
        assert!(failure.to_string().contains("the SIM is no longer found"));
    }
}
