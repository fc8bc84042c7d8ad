//! The narrow contract a provider implements (docs/architecture.md, "The
//! provider contract"): how to authenticate, list and get SIMs, map a wire
//! record to the model, read per-SIM details, write one batch, and summarise
//! the provider's error bodies.
//!
//! An implementation speaks its provider's wire format and nothing else: it
//! must not diff, decide what to read (the adapter chooses list or get), run
//! its own fan-out over many SIMs, or retry (the HTTP layer does).

use std::future::Future;

use super::http::{Auth, HttpClient, HttpError};
use super::listing::{At, Page};
use super::{ProviderError, SimFailure, SimOutcome, UsageRecord, Wanted};
use crate::config::Connection;
use crate::kind::{Operation, ProviderKind};
use crate::model::{Field, Fields, Iccid, LiveSim, SimWork, Value, Vocabulary};

pub trait Client: Send + Sync + Sized + 'static {
    /// The kind this client serves: the registry finds it by this.
    const KIND: ProviderKind;

    /// A SIM as the provider's list and get calls return it.
    type Wire: Send + Sync + 'static;

    /// SIMs one [`Client::write`] call takes; 1 where the API has no bulk call.
    const BATCH: usize = 1;

    /// SIMs one page of [`Client::list`] holds: with the size of the last
    /// listing, it tells whether listing again or one GET per SIM is cheaper.
    const PAGE: usize;

    /// Write calls in flight per unit of `concurrency`. Above 1 where a
    /// write mostly waits without a request in flight (CMO monitors): the
    /// HTTP layer still caps requests at `concurrency`.
    const WAITING_WRITES: usize = 1;

    /// An auxiliary list `vocabulary` may need on a real account
    /// (Onomondo's tags), by the name `doctor` shows for its check.
    const AUXILIARY: Option<&'static str> = None;

    /// Whether [`Client::write`] tells, SIM by SIM, if any call for it
    /// went out: its `NotAttempted` is then exact. Otherwise, once the
    /// provider is down, a SIM of a batch that tried any write counts as
    /// partly sent (a bulk call may have carried part of its changes).
    const SENT_PER_SIM: bool = false;

    /// How requests authenticate, from the connection's credentials.
    fn auth(connection: &Connection) -> Auth;

    fn new(connection: &Connection, http: HttpClient) -> Result<Self, ProviderError>;

    /// The client's HTTP layer (`doctor` asks it for a token and for the
    /// exchanges it kept).
    fn http(&self) -> &HttpClient;

    /// The provider's own text in an error body, if the body has its shape.
    fn error_text(body: &str) -> Option<String>;

    /// One page of the account's SIM listing and where the rest is; the
    /// shared lister (`listing::all`) follows the pages. An answer that
    /// does not say whether more follow is a shape error, never an end.
    fn page(&self, at: At) -> impl Future<Output = Result<Page<Self::Wire>, ProviderError>> + Send;

    /// Whether a listed record is a SIM (CMO also lists satellite
    /// products). Records that are not are dropped after the listing: they
    /// still count toward a page's length (a short page ends a listing),
    /// but never as SIMs or as unmanaged ones.
    fn is_sim(_wire: &Self::Wire) -> bool {
        true
    }

    /// One SIM; `None` when the provider does not hold it.
    fn get(
        &self,
        iccid: &Iccid,
    ) -> impl Future<Output = Result<Option<Self::Wire>, ProviderError>> + Send;

    /// Several SIMs in few calls, where the API has a search by ICCID (CMO's
    /// find); `None` when it has not, and the adapter lists or gets instead.
    fn find(
        &self,
        _iccids: &[Iccid],
    ) -> impl Future<Output = Result<Option<Vec<Self::Wire>>, ProviderError>> + Send {
        async { Ok(None) }
    }

    fn to_live(&self, wire: &Self::Wire) -> LiveSim;

    /// The detail fields of one SIM (`Capabilities::detail_fields`), read
    /// only for SIMs whose manifests manage them.
    fn details(
        &self,
        _sim: &LiveSim,
    ) -> impl Future<Output = Result<Fields, ProviderError>> + Send {
        async { Ok(Fields::new()) }
    }

    /// The values the provider accepts for enumerated fields (tag names),
    /// asked after the listing was converted: `wanted` holds the values
    /// the manifests declare, so a client reads an auxiliary list only
    /// when its SIMs do not already show them all.
    fn vocabulary(
        &self,
        _wanted: &Wanted,
    ) -> impl Future<Output = Result<Vocabulary, ProviderError>> + Send {
        async { Ok(Vocabulary::new()) }
    }

    /// Reads the [`Client::AUXILIARY`] list in full, for `doctor`, and
    /// says what it holds.
    fn auxiliary(&self) -> impl Future<Output = Result<String, ProviderError>> + Send {
        async { Ok(String::new()) }
    }

    /// Carries out one SIM's changes of one phase, in order; the first
    /// failure ends them. Clients without a bulk call implement this.
    fn write_one(&self, work: &SimWork) -> impl Future<Output = SimOutcome> + Send {
        async {
            SimOutcome {
                iccid: work.iccid.clone(),
                result: Err(SimFailure::inexpressible("this provider writes in batches")),
                note: None,
            }
        }
    }

    /// Carries out the changes of at most [`Client::BATCH`] SIMs; one
    /// outcome per SIM. By default, one SIM after the other.
    fn write(&self, batch: &[SimWork]) -> impl Future<Output = Vec<SimOutcome>> + Send {
        async move {
            let mut out = Vec::with_capacity(batch.len());
            for work in batch {
                out.push(self.write_one(work).await);
            }
            out
        }
    }

    fn usage(
        &self,
        _iccids: &[Iccid],
    ) -> impl Future<Output = Result<Vec<UsageRecord>, ProviderError>> + Send {
        async { Err(ProviderError::unsupported(Operation::Usage)) }
    }

    fn send_sms(
        &self,
        _iccid: &Iccid,
        _text: &str,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send {
        async { Err(ProviderError::unsupported(Operation::Sms)) }
    }

    fn diagnose(
        &self,
        _iccid: &Iccid,
    ) -> impl Future<Output = Result<String, ProviderError>> + Send {
        async { Err(ProviderError::unsupported(Operation::Diagnose)) }
    }

    /// Key/value pairs read per SIM as the `attributes` detail field.
    fn attribute_field(pairs: impl IntoIterator<Item = (String, String)>) -> Fields {
        Fields::from([(Field::Attributes, Value::Map(pairs.into_iter().collect()))])
    }

    /// A failed call as a per-SIM failure in the provider's words.
    fn failure(err: &HttpError) -> SimFailure {
        SimFailure::from_http(err, Self::error_text)
    }
}
