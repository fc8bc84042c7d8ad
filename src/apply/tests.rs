//! The executor, through the real adapter, against a client that records
//! every write and read and can raise the run's stop from inside a write:
//! what was not sent when the stop was raised is never sent, and the
//! report says the run was interrupted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::{ApplyReport, execute};
use crate::config::{Connection, Limits};
use crate::kind::ProviderKind;
use crate::model::{Change, Field, Iccid, LiveSim, Phase, SimWork, Status, Value};
use crate::plan::safety::Verdict;
use crate::plan::{FORMAT_VERSION, Plan, ProviderPlan, SIMFLEET_VERSION, SimPlan};
use crate::provider::http::{Auth, HttpClient, HttpSettings, Where};
use crate::provider::listing::{At, Next, Page};
use crate::provider::{Adapter, Client, Provider, ProviderError, SimOutcome};
use crate::secret::Secret;
use crate::stop::Stop;

/// A client that writes nothing anywhere: it notes each SIM written and
/// each read, and raises `stop` while writing `raise_at`.
struct Scripted {
    http: HttpClient,
    stop: Stop,
    raise_at: Option<(Iccid, Phase)>,
    seen: Arc<Seen>,
}

/// A kind that renames a SIM in one answered call of its own: one write a
/// SIM, nothing asynchronous.
fn kind() -> ProviderKind {
    let plain = |k: &ProviderKind| {
        let caps = k.capabilities();
        caps.supports(crate::model::Field::Name)
            && !caps.one_write_per_sim
            && !caps.asynchronous_writes
    };
    ProviderKind::ALL
        .into_iter()
        .find(plain)
        .expect("a kind that renames plainly")
}

/// What a [`Scripted`] client was asked to do.
#[derive(Default)]
struct Seen {
    written: Mutex<Vec<Iccid>>,
    reads: AtomicUsize,
}

impl Client for Scripted {
    // Never looked up: the adapter below is given its kind.
    const KIND: ProviderKind = ProviderKind::ALL[0];
    type Wire = LiveSim;
    const PAGE: usize = 100;

    fn auth(_: &Connection) -> Auth {
        Auth::Header(Secret::new("unused"))
    }

    fn new(_: &Connection, _: HttpClient) -> Result<Self, ProviderError> {
        unreachable!("made by `scripted`")
    }

    fn http(&self) -> &HttpClient {
        &self.http
    }

    fn error_text(_: &str) -> Option<String> {
        None
    }

    async fn page(&self, _: At) -> Result<Page<LiveSim>, ProviderError> {
        self.seen.reads.fetch_add(1, Ordering::SeqCst);
        Ok(Page {
            items: Vec::new(),
            next: Next::End,
            total: Some(0),
            url: "http://127.0.0.1/sims".into(),
            at: Where::default(),
        })
    }

    async fn get(&self, _: &Iccid) -> Result<Option<LiveSim>, ProviderError> {
        self.seen.reads.fetch_add(1, Ordering::SeqCst);
        Ok(None)
    }

    fn to_live(&self, wire: &LiveSim) -> LiveSim {
        wire.clone()
    }

    async fn write_one(&self, work: &SimWork) -> SimOutcome {
        let phase = work.changes[0].phase;
        let at = (work.iccid.clone(), phase);
        if self.raise_at.as_ref() == Some(&at) {
            // Ctrl-C while this call is in flight: it still lands.
            self.stop.raise();
        }
        self.seen.written.lock().unwrap().push(work.iccid.clone());
        SimOutcome {
            iccid: work.iccid.clone(),
            result: Ok(()),
            note: None,
        }
    }
}

fn iccid(n: u32) -> Iccid {
    let body = format!("894573873000000{n:04}");
    let check = crate::model::luhn_check_digit(&body);
    Iccid::parse_owned(format!("{body}{check}")).unwrap()
}

fn change(field: Field, phase: Phase, before: Value, after: Value) -> Change {
    Change {
        field,
        phase,
        before,
        after,
        step: None,
    }
}

fn rename(to: &str) -> Change {
    let text = |t: &str| Value::Text(t.into());
    change(Field::Name, Phase::Configure, text("old"), text(to))
}

fn status(phase: Phase, from: Status, to: Status) -> Change {
    change(Field::Status, phase, Value::Status(from), Value::Status(to))
}

fn sim(n: u32, changes: Vec<Change>) -> SimPlan {
    let live = LiveSim {
        iccid: iccid(n),
        id: n.to_string(),
        fields: Default::default(),
        condition: None,
        aliases: Vec::new(),
    };
    SimPlan {
        iccid: iccid(n),
        id: n.to_string(),
        declared_at: String::new(),
        name: None,
        protect: false,
        changes,
        live,
        desired: Default::default(),
    }
}

/// Four SIMs in three phases: SIM 1 is enabled; SIMs 2, 3 and 4 are
/// renamed, one write each; SIM 2 is then suspended.
fn plan() -> Plan {
    use Status::{Active, Inactive, Suspended};
    let sims = vec![
        sim(1, vec![status(Phase::Enable, Inactive, Active)]),
        sim(
            2,
            vec![rename("b"), status(Phase::Restrict, Active, Suspended)],
        ),
        sim(3, vec![rename("c")]),
        sim(4, vec![rename("d")]),
    ];
    Plan {
        format_version: FORMAT_VERSION,
        simfleet_version: SIMFLEET_VERSION.into(),
        providers: vec![ProviderPlan::of_sims(kind(), sims)],
        safety: Verdict::default(),
    }
}

/// Runs `plan()` one call at a time through the adapter; returns the
/// report, the SIMs written in order, and how many reads were made.
async fn run(stop: &Stop, raise_at: Option<(Iccid, Phase)>) -> (ApplyReport, Vec<Iccid>, usize) {
    let connection = Connection {
        provider: "p".into(),
        kind: kind(),
        url: "http://127.0.0.1:9".into(),
        credentials: BTreeMap::new(),
        settings: BTreeMap::new(),
        limits: Limits::documented(1000.0, 1.0, 1),
        origin: "m/providers.yaml:3:5".into(),
    };
    let http = HttpClient::new(
        &HttpSettings::of(&connection),
        Auth::Header(Secret::new("unused")),
        Arc::default(),
    )
    .unwrap();
    let seen = Arc::new(Seen::default());
    let client = Arc::new(Adapter::around(
        Scripted {
            http,
            stop: stop.clone(),
            raise_at,
            seen: seen.clone(),
        },
        kind(),
        1,
    ));
    let providers: BTreeMap<String, Arc<dyn Provider>> =
        BTreeMap::from([("p".to_owned(), client as Arc<dyn Provider>)]);
    let report = execute(&plan(), &providers, stop).await;
    let written = seen.written.lock().unwrap().clone();
    (report, written, seen.reads.load(Ordering::SeqCst))
}

#[tokio::test]
async fn without_a_stop_every_phase_is_sent_and_read_back() {
    let (report, written, reads) = run(&Stop::new(), None).await;
    assert!(!report.interrupted);
    assert_eq!(written, [iccid(1), iccid(2), iccid(3), iccid(4), iccid(2)]);
    assert_eq!(report.totals().interrupted, 0);
    // The read-back asked for every SIM applied.
    assert!(reads > 0);
}

#[tokio::test]
async fn a_stop_raised_before_applying_sends_nothing_and_the_report_says_interrupted() {
    let stop = Stop::new();
    stop.raise();
    let (report, written, reads) = run(&stop, None).await;
    assert!(report.interrupted);
    assert_eq!(written, []);
    assert_eq!(reads, 0, "nothing is read back after a stop");
    let totals = report.totals();
    assert_eq!((totals.applied, totals.interrupted), (0, 4));
    let text = crate::render::report::text(&report);
    assert!(
        text.starts_with(
            "Apply interrupted: 0 SIMs applied, 0 failed, 4 not applied (never sent), 0 unknown"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_stop_raised_while_applying_leaves_the_rest_unsent_and_the_report_says_interrupted() {
    // Raised while SIM 2's rename is in flight: the batches of SIMs 3
    // and 4 in the same phase, and SIM 2's later phase, are not sent.
    let stop = Stop::new();
    let (report, written, reads) = run(&stop, Some((iccid(2), Phase::Configure))).await;
    assert!(report.interrupted);
    assert_eq!(written, [iccid(1), iccid(2)]);
    assert_eq!(reads, 0, "nothing is read back after a stop");
    let p = &report.providers[0];
    assert_eq!(p.applied, [iccid(1)]);
    assert_eq!(p.interrupted, [iccid(3), iccid(4), iccid(2)]);
    assert!(p.failed.is_empty() && p.unknown.is_empty() && p.skipped.is_empty());
    let text = crate::render::report::text(&report);
    assert!(
        text.starts_with(
            "Apply interrupted: 1 SIM applied, 0 failed, 3 not applied (never sent), 0 unknown"
        ),
        "{text}"
    );
}
