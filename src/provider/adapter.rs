//! The one generic adapter from a [`Client`] to a [`Provider`]: builds the
//! HTTP client, chooses between listing and per-SIM reads, fans out detail
//! reads and write batches under the provider's concurrency, and stops
//! handing out work once the provider's breaker opened. Everything a
//! provider would otherwise repeat lives here, once.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use futures_util::stream::{self, StreamExt};

use super::doctor::{Check, Outcome};
use super::http::{self, HttpClient, HttpError, HttpSettings, Recorder};
use super::listing::{self, At};
use super::{
    BoxFuture, Client, Inventory, Provider, ProviderError, ReadScope, SimFailure, UsageRecord,
    Written,
};
use crate::config::Connection;
use crate::kind::ProviderKind;
use crate::model::{Iccid, LiveSim, SimWork};
use crate::stop::Stop;
use crate::tally::Tally;

/// Before any listing in this run, above this many SIMs listing
/// everything is taken to cost fewer requests than one GET per SIM.
const SINGLE_READ_MAX: usize = 50;

pub struct Adapter<C: Client> {
    client: C,
    kind: ProviderKind,
    /// Calls in flight at once; the HTTP layer enforces the same limit.
    concurrency: usize,
    tally: Arc<Tally>,
    /// SIMs in this run's last full listing (0: none yet): a listing costs
    /// about `listed / C::PAGE` requests, a GET per SIM one each.
    listed: AtomicUsize,
}

impl<C: Client> Adapter<C> {
    /// The provider of `connection`; with `recorder`, every exchange is
    /// kept, redacted (`doctor`).
    pub fn connect(
        connection: &Connection,
        recorder: Option<Arc<Recorder>>,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        let tally = Arc::new(Tally::default());
        let settings = HttpSettings {
            recorder,
            ..HttpSettings::of(connection)
        };
        let http = HttpClient::new(&settings, C::auth(connection), tally.clone())?;
        Ok(Arc::new(Adapter {
            client: C::new(connection, http)?,
            kind: connection.kind,
            concurrency: connection.limits.concurrency.max(1) as usize,
            tally,
            listed: AtomicUsize::new(0),
        }))
    }

    /// An adapter around a client a test made itself (one it can watch).
    #[cfg(test)]
    pub(crate) fn around(client: C, kind: ProviderKind, concurrency: usize) -> Self {
        Adapter {
            client,
            kind,
            concurrency,
            tally: Arc::default(),
            listed: AtomicUsize::new(0),
        }
    }

    /// The wire records of `iccids` that the provider holds, read the
    /// cheapest way: a search where the API has one, else one listing or
    /// one GET each, whichever takes fewer requests.
    async fn chosen(&self, iccids: &[Iccid]) -> Result<Vec<C::Wire>, ProviderError> {
        if let Some(found) = self.client.find(iccids).await? {
            return Ok(found);
        }
        let listed = self.listed.load(Ordering::Relaxed);
        let list = match listed {
            0 => iccids.len() > SINGLE_READ_MAX,
            _ => iccids.len() >= listed.div_ceil(C::PAGE.max(1)),
        };
        if list {
            let wanted: BTreeSet<&Iccid> = iccids.iter().collect();
            let mut all = self.list().await?;
            all.retain(|w| self.client.to_live(w).iccids().any(|i| wanted.contains(i)));
            return Ok(all);
        }
        self.tally.expect(iccids.len());
        let reads = iccids.iter().map(|i| self.client.get(i)).collect();
        let found = bounded(reads, self.concurrency).await;
        let mut out = Vec::new();
        for one in found {
            out.extend(one?);
        }
        Ok(out)
    }

    /// A read's error once the provider is down: the breaker's one account
    /// of it (how many failures, the last one), whichever of the requests
    /// failed first in the read's order.
    fn read_error(&self, e: ProviderError) -> ProviderError {
        match (e, self.client.http().down()) {
            (ProviderError::Http(h), Some(down))
                if h.is_connection_failure() || matches!(h, HttpError::ProviderDown(_)) =>
            {
                ProviderError::Http(HttpError::ProviderDown(down))
            }
            (e, _) => e,
        }
    }

    /// Every SIM, remembering how many there were.
    async fn list(&self) -> Result<Vec<C::Wire>, ProviderError> {
        let mut all = listing::all(
            |at| self.client.page(at),
            |wire| self.client.to_live(wire).iccid.to_string(),
            &self.tally,
            self.concurrency,
        )
        .await?;
        all.retain(C::is_sim);
        self.listed.store(all.len().max(1), Ordering::Relaxed);
        Ok(all)
    }

    /// Wire records into the model in listing order, giving each record's
    /// memory back as it is converted: a million-SIM listing and its model
    /// never both exist in full (the peak is the larger of the two, not
    /// their sum).
    fn convert(&self, mut wire: Vec<C::Wire>) -> Vec<LiveSim> {
        const CHUNK: usize = 1 << 16;
        let mut sims: Vec<LiveSim> = Vec::with_capacity(wire.len().min(CHUNK));
        while let Some(record) = wire.pop() {
            if sims.len() == sims.capacity() {
                sims.reserve_exact(CHUNK);
                wire.shrink_to_fit();
            }
            sims.push(self.client.to_live(&record));
        }
        // Popped from the back.
        sims.reverse();
        sims
    }

    /// Adds the details of the SIMs in `scope`, read under the concurrency.
    async fn with_details(
        &self,
        mut sims: Vec<LiveSim>,
        scope: &ReadScope,
    ) -> Result<Vec<LiveSim>, ProviderError> {
        let wanted: Vec<usize> = (0..sims.len())
            .filter(|&i| scope.details.contains(&sims[i].iccid))
            .collect();
        self.tally.expect(wanted.len());
        let reads = wanted
            .iter()
            .map(|&i| self.client.details(&sims[i]))
            .collect();
        let details = bounded(reads, self.concurrency).await;
        for (i, fields) in wanted.into_iter().zip(details) {
            sims[i].fields.extend(fields?);
        }
        Ok(sims)
    }
}

impl<C: Client> Provider for Adapter<C> {
    fn kind(&self) -> ProviderKind {
        self.kind
    }

    fn tally(&self) -> Arc<Tally> {
        self.tally.clone()
    }

    fn read_inventory<'a>(
        &'a self,
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Inventory, ProviderError>> {
        Box::pin(async move {
            let read = async {
                let sims = self.convert(self.list().await?);
                // The client has seen every SIM: it knows which declared
                // values the SIMs already show and reads an auxiliary list
                // only for the rest, while the details are read.
                let (sims, vocabulary) = tokio::join!(
                    self.with_details(sims, scope),
                    self.client.vocabulary(&scope.wanted)
                );
                Ok(Inventory {
                    sims: sims?,
                    vocabulary: vocabulary?,
                })
            };
            read.await.map_err(|e| self.read_error(e))
        })
    }

    fn read_sims<'a>(
        &'a self,
        iccids: &'a [Iccid],
        scope: &'a ReadScope,
    ) -> BoxFuture<'a, Result<Vec<LiveSim>, ProviderError>> {
        Box::pin(async move {
            let read = async {
                let wire = self.chosen(iccids).await?;
                let sims = known_as_asked(self.convert(wire), iccids);
                self.with_details(sims, scope).await
            };
            read.await.map_err(|e| self.read_error(e))
        })
    }

    fn apply<'a>(&'a self, work: &'a [SimWork], stop: &'a Stop) -> BoxFuture<'a, Vec<Written>> {
        Box::pin(async move {
            let batches = work
                .chunks(C::BATCH.max(1))
                .map(|batch| async move {
                    // Checked as each batch is about to leave: batches run
                    // lazily, so after an interrupt, or once the provider is
                    // down, nothing new is sent.
                    if stop.is_raised() {
                        return Written::unsent(batch, &SimFailure::Interrupted);
                    }
                    if let Some(down) = self.client.http().down() {
                        return Written::unsent(batch, &SimFailure::not_attempted(&down));
                    }
                    let (outcomes, wrote) = http::tracking_writes(self.client.write(batch)).await;
                    let finished = SystemTime::now();
                    let down = self.client.http().down();
                    let outcomes: Vec<Written> = outcomes
                        .into_iter()
                        .map(|o| {
                            let outcome = match &down {
                                Some(down) if !C::SENT_PER_SIM => o.when_down(down, wrote),
                                _ => o,
                            };
                            let sent =
                                !matches!(outcome.result, Err(SimFailure::NotAttempted { .. }));
                            Written {
                                finished: sent.then_some(finished),
                                outcome,
                            }
                        })
                        .collect();
                    let failed = outcomes
                        .iter()
                        .filter(|w| w.outcome.result.is_err())
                        .count();
                    self.tally.wrote(outcomes.len() - failed, failed);
                    outcomes
                })
                .collect();
            let outcomes = bounded(batches, self.concurrency * C::WAITING_WRITES.max(1)).await;
            outcomes.into_iter().flatten().collect()
        })
    }

    fn usage<'a>(
        &'a self,
        iccids: &'a [Iccid],
    ) -> BoxFuture<'a, Result<Vec<UsageRecord>, ProviderError>> {
        Box::pin(self.client.usage(iccids))
    }

    fn doctor<'a>(&'a self) -> BoxFuture<'a, Vec<Check>> {
        Box::pin(self.checks())
    }

    fn send_sms<'a>(
        &'a self,
        iccid: &'a Iccid,
        text: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.client.send_sms(iccid, text))
    }

    fn diagnose<'a>(&'a self, iccid: &'a Iccid) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(self.client.diagnose(iccid))
    }
}

impl<C: Client> Adapter<C> {
    /// `doctor`'s checks, in order; one that others need skips them when
    /// it fails. Reads only.
    async fn checks(&self) -> Vec<Check> {
        let http = self.client.http();
        let kept = || http.recorder().map(Recorder::take).unwrap_or_default();
        let mut checks = Vec::new();
        let skip = |checks: &mut Vec<Check>, why: &str| {
            let names = ["list", "sim"].into_iter().chain(C::AUXILIARY);
            for name in names {
                checks.push(Check::new(name, Outcome::Skipped(why.into()), Vec::new()));
            }
        };
        if let Some(token) = http.token_check().await {
            let passed = token.is_ok();
            let said = token.map(|s| format!("an access token valid for {s} s"));
            checks.push(Check::of("token", said, kept()));
            if !passed {
                skip(&mut checks, "no access token");
                return checks;
            }
        }
        // `None`: the list cannot be read; `Some(None)`: it lists no SIM.
        let first = match self.client.page(At::First).await {
            Ok(page) => {
                checks.push(Check::of("list", Ok::<_, String>(described(&page)), kept()));
                let sim = page.items.iter().find(|w| C::is_sim(w));
                Some(sim.map(|w| self.client.to_live(w).iccid))
            }
            Err(e) => {
                checks.push(Check::of("list", Err(e), kept()));
                None
            }
        };
        let outcome = match &first {
            None => Outcome::Skipped("the list cannot be read".into()),
            Some(None) => Outcome::Skipped("the first page lists no SIM".into()),
            Some(Some(iccid)) => match self.client.get(iccid).await {
                Ok(Some(_)) => Outcome::Passed(format!("SIM {iccid} reads")),
                Ok(None) => Outcome::Failed(format!(
                    "SIM {iccid} is listed, but reading it alone answers 404"
                )),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        };
        checks.push(Check::new("sim", outcome, kept()));
        if let Some(name) = C::AUXILIARY {
            let read = self.client.auxiliary().await;
            checks.push(Check::of(name, read, kept()));
        }
        checks
    }
}

/// What a first page says about the listing, for `doctor`.
fn described<T>(page: &listing::Page<T>) -> String {
    let n = page.items.len();
    let s = if n == 1 { "" } else { "s" };
    let rest = match (&page.next, page.total) {
        (_, Some(total)) if total <= n => "the whole list".to_owned(),
        (listing::Next::End, _) => "the whole list".to_owned(),
        (_, Some(total)) => format!("{total} in all"),
        (listing::Next::Cursor(_), None) => "more follow (a cursor)".to_owned(),
        (listing::Next::Numbered { size }, None) if n < *size => "the whole list".to_owned(),
        (listing::Next::Numbered { .. }, None) => "more pages may follow".to_owned(),
    };
    format!("{n} record{s} on the first page, {rest}; the shape is understood")
}

/// `sims` each under the ICCID it was asked for (`iccids`), where a SIM
/// with several was asked for by another than its own: callers find what
/// they asked for by the ICCID they asked with.
fn known_as_asked(sims: Vec<LiveSim>, iccids: &[Iccid]) -> Vec<LiveSim> {
    let asked: BTreeSet<&Iccid> = iccids.iter().collect();
    sims.into_iter()
        .map(|sim| {
            if asked.contains(&sim.iccid) {
                return sim;
            }
            match sim.aliases.iter().find(|a| asked.contains(a)).cloned() {
                Some(alias) => sim.known_as(&alias),
                None => sim,
            }
        })
        .collect()
}

/// Runs `futures` with at most `limit` in flight; results in input order.
async fn bounded<F: Future>(futures: Vec<F>, limit: usize) -> Vec<F::Output> {
    stream::iter(futures).buffered(limit).collect().await
}
