//! The I/O half of planning: narrow the manifests to a selection, read
//! every provider concerned (concurrently), and build the plan.
//!
//! Providers come connected: starting sandboxes and resolving credentials
//! is the caller's, so this module never touches the emulator or a secret.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures_util::future::join_all;

use super::ProviderPlan;
use super::select::selected;
use super::{Plan, build};
use crate::manifest::{Manifests, UnknownProvider};
use crate::provider::{Inventory, Provider, ReadScope};
use crate::stop::{Stop, Stopped};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("--provider: {0}")]
    UnknownProvider(#[from] UnknownProvider),
    #[error("--select {selector}: matches no SIM declared in the manifests{}",
        of_providers(.providers))]
    SelectsNothing {
        selector: String,
        providers: Vec<String>,
    },
}

/// ` of provider `a` and `b``, or nothing for every provider.
fn of_providers(providers: &[String]) -> String {
    if providers.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = providers.iter().map(|p| format!("`{p}`")).collect();
    let noun = if quoted.len() == 1 {
        "provider"
    } else {
        "providers"
    };
    format!(" of {noun} {}", crate::wording::words(&quoted, "and"))
}

/// What `--provider` and `--select` narrow a run to.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these providers (none: all).
    pub providers: Vec<String>,
    /// Only SIMs matching one of these selectors (none: all).
    pub select: Vec<String>,
}

impl Selection {
    /// Keeps the selected SIMs; an unknown provider name is an error.
    pub fn narrow(&self, mut manifests: Manifests) -> Result<Manifests, PlanError> {
        for name in &self.providers {
            manifests.provider(name)?;
        }
        let wanted = |p: &str| self.providers.is_empty() || self.providers.iter().any(|n| n == p);
        manifests.sims.retain(|s| wanted(&s.provider));
        // A selector that matches nothing is a typo, not an empty plan that
        // CI would read as "no changes".
        for selector in &self.select {
            let one = std::slice::from_ref(selector);
            if !manifests
                .sims
                .iter()
                .any(|s| selected(&s.iccid, &s.fields, one))
            {
                return Err(PlanError::SelectsNothing {
                    selector: selector.clone(),
                    providers: self.providers.clone(),
                });
            }
        }
        manifests
            .sims
            .retain(|s| selected(&s.iccid, &s.fields, &self.select));
        Ok(manifests)
    }

    /// The providers a narrowed run reads: those of the remaining SIMs,
    /// plus any named with `--provider`.
    pub fn concerned(&self, manifests: &Manifests) -> BTreeSet<String> {
        manifests
            .sims
            .iter()
            .map(|s| s.provider.to_string())
            .chain(self.providers.iter().cloned())
            .collect()
    }

    /// With `--select`, SIMs outside the selection are not "unmanaged".
    fn hides_unmanaged(&self) -> bool {
        !self.select.is_empty()
    }
}

/// Detail reads cost one request per SIM: when that adds up to more than
/// half a minute, what to say before the wait begins, with the numbers.
fn detail_read_cost(config: &crate::config::ProviderConfig, sims: usize) -> Option<String> {
    let limits = &config.limits;
    // The sliding window lets a full window's budget go at once.
    let burst = (limits.rate_limit * limits.rate_window).floor() as usize;
    let seconds = sims.saturating_sub(burst) as f64 / limits.rate_limit;
    if seconds < 30.0 {
        return None;
    }
    let fields: Vec<&str> = config
        .kind
        .capabilities()
        .detail_fields
        .iter()
        .map(|f| f.manifest_name())
        .collect();
    let time = if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{:.0} min", seconds / 60.0)
    };
    let fields = fields.join(", ");
    Some(format!(
        "provider `{}`: reading {fields} of {sims} SIMs costs {sims} requests, about {time} at \
         {}/s; it is spent only on SIMs whose manifests set {fields} (`{{}}` and `null` \
         included, on the SIM or in the fleet's `defaults`): leave {fields} out of the \
         manifests unless you manage them (`simfleet export` writes none for a SIM that has none)",
        config.name, limits.rate_limit
    ))
}

/// Everything read from the connected providers: the inventories that
/// could be read, and each provider that could not, with why.
pub struct Reads {
    pub inventories: BTreeMap<String, Inventory>,
    pub unreadable: Vec<(String, String)>,
}

/// Reads every connected provider concurrently, each as far as the
/// (already narrowed) manifests need, unless `stop` is raised first.
pub async fn read_all(
    manifests: &Manifests,
    providers: &BTreeMap<String, Arc<dyn Provider>>,
    stop: &Stop,
) -> Result<Reads, Stopped> {
    let reads = providers.iter().map(|(name, client)| async move {
        let desired = manifests.sims.iter().filter(|s| *s.provider == **name);
        let scope = ReadScope::new(client.kind(), desired);
        if let Some(cost) = manifests
            .providers
            .get(name)
            .and_then(|config| detail_read_cost(config, scope.details.len()))
        {
            tracing::warn!("{cost}");
        }
        (name.clone(), client.read_inventory(&scope).await)
    });
    let mut out = Reads {
        inventories: BTreeMap::new(),
        unreadable: Vec::new(),
    };
    for (provider, result) in stop.unless_raised(join_all(reads)).await? {
        match result {
            Ok(inventory) => {
                out.inventories.insert(provider, inventory);
            }
            Err(e) => out.unreadable.push((provider, e.to_string())),
        }
    }
    Ok(out)
}

/// Reads every connected provider and builds the plan of the (already
/// narrowed) manifests. A provider that cannot be read is in the plan with
/// its error, so the others' plans still show. A raised `stop` ends the
/// read: no plan.
pub async fn read_and_plan(
    manifests: &Manifests,
    selection: &Selection,
    providers: &BTreeMap<String, Arc<dyn Provider>>,
    stop: &Stop,
) -> Result<Plan, Stopped> {
    let Reads {
        inventories,
        unreadable,
    } = read_all(manifests, providers, stop).await?;
    let mut plan = build(manifests, &inventories);
    for (name, error) in unreadable {
        let Some(config) = manifests.providers.get(&name) else {
            continue;
        };
        let managed = manifests
            .sims
            .iter()
            .filter(|s| *s.provider == *name)
            .count();
        plan.providers
            .push(ProviderPlan::unreadable(config, managed, error));
    }
    plan.providers.sort_by(|a, b| a.name.cmp(&b.name));
    if selection.hides_unmanaged() {
        plan.providers.iter_mut().for_each(|p| {
            p.unmanaged.clear();
            p.unmanaged_count = 0;
        });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Endpoint, Limits, ProviderConfig};
    use crate::kind::ProviderKind;

    /// A provider whose attributes cost a request per SIM to read.
    fn detailed(rate: f64) -> ProviderConfig {
        let kind = ProviderKind::ALL
            .into_iter()
            .find(|k| k.capabilities().detail_fields == [crate::model::Field::Attributes])
            .expect("a kind that reads attributes SIM by SIM");
        ProviderConfig {
            name: "e".into(),
            kind,
            endpoint: Endpoint::Sandbox { seed: "s".into() },
            limits: Limits::documented(rate, 1.0, 8),
            settings: BTreeMap::new(),
            iccid_luhn: true,
            max_change_percent: None,
            origin: String::new(),
        }
    }

    #[test]
    fn a_costly_detail_read_is_announced_with_its_numbers() {
        assert_eq!(
            detail_read_cost(&detailed(10.0), 5_000).as_deref(),
            Some(
                "provider `e`: reading attributes of 5000 SIMs costs 5000 requests, about 8 min at \
                 10/s; it is spent only on SIMs whose manifests set attributes (`{}` and `null` \
                 included, on the SIM or in the fleet's `defaults`): leave attributes out of the \
                 manifests unless you manage them (`simfleet export` writes none for a SIM that \
                 has none)"
            )
        );
        assert_eq!(detail_read_cost(&detailed(10.0), 200), None);
        assert_eq!(detail_read_cost(&detailed(1000.0), 5_000), None);
    }
}
