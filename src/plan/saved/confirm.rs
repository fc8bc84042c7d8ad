//! Confirming a saved plan before it is applied: its providers read again
//! as `plan` reads them (concurrently, each read bounded by its HTTP
//! layer, all cut short by a stop), its SIMs compared with the state it
//! was made from, and the plan derived again from the reviewed manifests
//! and that read. It only reads; what to say and whether to apply is the
//! caller's.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{SavedPlan, StaleSim, differences, recheck};
use crate::manifest::Manifests;
use crate::plan::{Plan, build, read_all};
use crate::provider::Provider;
use crate::stop::{Stop, Stopped};

/// What reading a saved plan's providers again found.
#[derive(Debug)]
pub enum Confirmation {
    /// Providers that could not be read, with why: nothing is confirmed.
    Unreadable(Vec<(String, String)>),
    /// Planned SIMs whose state moved away from the plan since it was made.
    Stale(Vec<StaleSim>),
    /// Where the file says other than the manifests and live state give.
    Differs(Vec<String>),
    /// The file says what the manifests and live state give.
    Confirmed {
        /// What to apply: the plan derived again, never the file's.
        plan: Plan,
        /// Planned SIMs already holding planned values (an earlier apply
        /// of the same plan, whole or in part).
        done: usize,
    },
}

/// Reads the providers of the (already narrowed) `manifests` again and
/// checks `saved` against that read and the manifests, in that order: a
/// provider unread, a SIM gone stale, a difference from the derived plan.
/// As much is read as `plan` read, the whole selection, so that SIMs the
/// file leaves out are found too.
pub async fn confirm(
    saved: &SavedPlan,
    manifests: &Manifests,
    providers: &BTreeMap<String, Arc<dyn Provider>>,
    stop: &Stop,
) -> Result<Confirmation, Stopped> {
    let reads = read_all(manifests, providers, stop).await?;
    if !reads.unreadable.is_empty() {
        return Ok(Confirmation::Unreadable(reads.unreadable));
    }
    let recheck = recheck(&saved.plan, &reads.inventories);
    if !recheck.stale.is_empty() {
        return Ok(Confirmation::Stale(recheck.stale));
    }
    let derived = build(manifests, &reads.inventories);
    let differences = differences(saved, &derived, &manifests.providers, &recheck.applied);
    if !differences.is_empty() {
        return Ok(Confirmation::Differs(differences));
    }
    Ok(Confirmation::Confirmed {
        plan: derived,
        done: recheck.applied.len(),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::Barrier;

    use super::*;
    use crate::config::{Endpoint, Limits, ProviderConfig};
    use crate::kind::ProviderKind;
    use crate::model::{Iccid, LiveSim, SimWork};
    use crate::plan::safety::Verdict;
    use crate::plan::{FORMAT_VERSION, SIMFLEET_VERSION};
    use crate::provider::{
        BoxFuture, Inventory, ProviderError, ReadScope, UsageRecord, Written, doctor,
    };

    /// A provider that only reads: it counts its reads, may wait at a
    /// barrier it shares with another before answering, or refuse.
    struct Reader {
        meet: Option<Arc<Barrier>>,
        refuses: bool,
        reads: Arc<AtomicUsize>,
    }

    impl Provider for Reader {
        fn kind(&self) -> ProviderKind {
            ProviderKind::ALL[0]
        }
        fn tally(&self) -> Arc<crate::tally::Tally> {
            Arc::default()
        }
        fn read_inventory<'a>(
            &'a self,
            _: &'a ReadScope,
        ) -> BoxFuture<'a, Result<Inventory, ProviderError>> {
            Box::pin(async move {
                self.reads.fetch_add(1, Ordering::SeqCst);
                if let Some(meet) = &self.meet {
                    meet.wait().await;
                }
                if self.refuses {
                    return Err(ProviderError::Unsupported { command: "list" });
                }
                Ok(Inventory::default())
            })
        }
        fn read_sims<'a>(
            &'a self,
            _: &'a [Iccid],
            _: &'a ReadScope,
        ) -> BoxFuture<'a, Result<Vec<LiveSim>, ProviderError>> {
            unreachable!("a saved plan is confirmed from whole listings")
        }
        fn apply<'a>(&'a self, _: &'a [SimWork], _: &'a Stop) -> BoxFuture<'a, Vec<Written>> {
            unreachable!("confirming writes nothing")
        }
        fn usage<'a>(
            &'a self,
            _: &'a [Iccid],
        ) -> BoxFuture<'a, Result<Vec<UsageRecord>, ProviderError>> {
            unreachable!()
        }
        fn send_sms<'a>(
            &'a self,
            _: &'a Iccid,
            _: &'a str,
        ) -> BoxFuture<'a, Result<(), ProviderError>> {
            unreachable!()
        }
        fn diagnose<'a>(&'a self, _: &'a Iccid) -> BoxFuture<'a, Result<String, ProviderError>> {
            unreachable!()
        }
        fn doctor<'a>(&'a self) -> BoxFuture<'a, Vec<doctor::Check>> {
            unreachable!()
        }
    }

    fn config(name: &str) -> ProviderConfig {
        ProviderConfig {
            name: name.into(),
            kind: ProviderKind::ALL[0],
            endpoint: Endpoint::Sandbox {
                seed: "sandbox/infobip.yaml".into(),
            },
            limits: Limits::documented(10.0, 1.0, 8),
            settings: BTreeMap::new(),
            iccid_luhn: true,
            max_change_percent: None,
            origin: format!("m/providers.yaml:{}:3", name.len()),
        }
    }

    /// Providers `a` and `b`, declared and connected, and a saved plan of
    /// them with nothing to change.
    fn two(
        reader: impl Fn() -> Reader,
    ) -> (SavedPlan, Manifests, BTreeMap<String, Arc<dyn Provider>>) {
        let configs = [config("a"), config("b")];
        let manifests = Manifests {
            providers: configs
                .iter()
                .map(|c| (c.name.clone(), c.clone()))
                .collect(),
            sims: Vec::new(),
            files: Default::default(),
            fleets: Vec::new(),
            digest: "fnv1a64:0".into(),
            warnings: Vec::new(),
        };
        let plan = Plan {
            format_version: FORMAT_VERSION,
            simfleet_version: SIMFLEET_VERSION.into(),
            providers: Vec::new(),
            safety: Verdict::default(),
        };
        let saved = SavedPlan::new(
            plan,
            configs.to_vec(),
            manifests.digest.clone(),
            vec!["m".into()],
            Default::default(),
        );
        let providers = ["a", "b"]
            .into_iter()
            .map(|n| (n.to_owned(), Arc::new(reader()) as Arc<dyn Provider>))
            .collect();
        (saved, manifests, providers)
    }

    #[tokio::test(start_paused = true)]
    async fn the_providers_are_read_at_once_and_the_plan_is_confirmed() {
        // Each read waits until the other has begun: read one after the
        // other, the first would wait forever (and the paused clock lets
        // the bound below pass at once).
        let meet = Arc::new(Barrier::new(2));
        let reads = Arc::new(AtomicUsize::new(0));
        let (saved, manifests, providers) = two(|| Reader {
            meet: Some(meet.clone()),
            refuses: false,
            reads: reads.clone(),
        });
        let stop = Stop::new();
        let confirm = confirm(&saved, &manifests, &providers, &stop);
        let confirmed = tokio::time::timeout(std::time::Duration::from_secs(60), confirm)
            .await
            .expect("the providers were read one after the other");
        match confirmed {
            Ok(Confirmation::Confirmed { plan, done }) => {
                assert!(!plan.has_changes());
                assert_eq!(done, 0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_provider_that_cannot_be_read_confirms_nothing() {
        let reads = Arc::new(AtomicUsize::new(0));
        let (saved, manifests, providers) = two(|| Reader {
            meet: None,
            refuses: true,
            reads: reads.clone(),
        });
        match confirm(&saved, &manifests, &providers, &Stop::new()).await {
            Ok(Confirmation::Unreadable(unread)) => {
                let names: Vec<&str> = unread.iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(names, ["a", "b"]);
                assert!(unread[0].1.contains("`list` is not offered"), "{unread:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_raised_stop_reads_nothing() {
        let reads = Arc::new(AtomicUsize::new(0));
        let (saved, manifests, providers) = two(|| Reader {
            meet: None,
            refuses: false,
            reads: reads.clone(),
        });
        let stop = Stop::new();
        stop.raise();
        let confirmed = confirm(&saved, &manifests, &providers, &stop).await;
        assert!(matches!(confirmed, Err(Stopped)), "{confirmed:?}");
        assert_eq!(reads.load(Ordering::SeqCst), 0);
    }
}
