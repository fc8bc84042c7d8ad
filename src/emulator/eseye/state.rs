//! What the emulated Eseye Infinity account holds: OAuth client, packages,
//! portfolios, and SIMs with suspensions and attributes. Seeds use the wire
//! field names.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::emulator::generated_iccid;
use crate::kind::SANDBOX_KEY;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EseyeState {
    #[serde(default = "default_client")]
    pub client_id: String,
    #[serde(default = "default_secret")]
    pub client_secret: String,
    /// Package ids that exist on the account.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Portfolio ids that exist on the account.
    #[serde(default)]
    pub portfolios: Vec<String>,
    #[serde(default)]
    pub sims: Vec<Sim>,
    #[serde(default)]
    pub next_attribute_id: u64,
    /// SIMs in `pendingProvision`, so settling does not scan the account on
    /// every request; `None` until the first settle finds them (a loaded
    /// state may hold some).
    #[serde(skip)]
    pending: Option<Vec<usize>>,
}

impl Default for EseyeState {
    fn default() -> Self {
        EseyeState {
            client_id: default_client(),
            client_secret: default_secret(),
            packages: Vec::new(),
            portfolios: Vec::new(),
            sims: Vec::new(),
            next_attribute_id: 0,
            pending: None,
        }
    }
}

fn default_client() -> String {
    "simfleet".to_owned()
}

fn default_secret() -> String {
    SANDBOX_KEY.to_owned()
}

fn no() -> String {
    "no".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sim {
    pub iccid: String,
    pub sim_id: String,
    #[serde(default)]
    pub mno_id: String,
    pub portfolio_id: String,
    pub package_id: String,
    /// `available`, `pendingProvision` or `active`.
    pub status: String,
    #[serde(default = "no")]
    pub customer_suspend: String,
    #[serde(default = "no")]
    pub admin_suspend: String,
    #[serde(default = "no")]
    pub system_suspend: String,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    /// When a `pendingProvision` SIM becomes `active`; not persisted (a
    /// reloaded pending SIM is done at once).
    #[serde(skip)]
    pub provisioned_at: Option<Instant>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub id: String,
    pub key: String,
    pub value: String,
}

impl Sim {
    pub fn suspended(&self) -> bool {
        [
            &self.customer_suspend,
            &self.admin_suspend,
            &self.system_suspend,
        ]
        .iter()
        .any(|s| s.as_str() == "yes")
    }

    pub fn render(&self) -> Json {
        json!({
            "iccid": self.iccid,
            "simId": self.sim_id,
            "mnoId": self.mno_id,
            "portfolioId": self.portfolio_id,
            "packageId": self.package_id,
            "status": self.status,
            "customerSuspend": self.customer_suspend,
            "adminSuspend": self.admin_suspend,
            "systemSuspend": self.system_suspend,
        })
    }

    /// The value of list filter `key` on this SIM, if `key` is a filter.
    pub fn filter_value(&self, key: &str) -> Option<&str> {
        Some(match key {
            "iccid" => &self.iccid,
            "simId" => &self.sim_id,
            "mnoId" => &self.mno_id,
            "portfolioId" => &self.portfolio_id,
            "packageId" => &self.package_id,
            "status" => &self.status,
            "customerSuspend" => &self.customer_suspend,
            "adminSuspend" => &self.admin_suspend,
            "systemSuspend" => &self.system_suspend,
            _ => return None,
        })
    }
}

pub fn render_attribute(a: &Attribute) -> Json {
    json!({"id": a.id, "key": a.key, "value": a.value})
}

impl EseyeState {
    /// Seeds must use the documented values.
    pub fn check(&self) -> Result<(), String> {
        for sim in &self.sims {
            let flags = [
                &sim.customer_suspend,
                &sim.admin_suspend,
                &sim.system_suspend,
            ];
            if !["available", "pendingProvision", "active"].contains(&sim.status.as_str())
                || flags.iter().any(|f| !["yes", "no"].contains(&f.as_str()))
            {
                return Err(format!(
                    "eseye SIM {}: status must be available|pendingProvision|active and \
                     suspensions yes|no",
                    sim.iccid
                ));
            }
        }
        Ok(())
    }

    pub fn generate(&mut self, count: usize) {
        for id in ["pkg-standard", "pkg-premium"] {
            if !self.packages.iter().any(|p| p == id) {
                self.packages.push(id.to_owned());
            }
        }
        if !self.portfolios.iter().any(|p| p == "pf-default") {
            self.portfolios.push("pf-default".to_owned());
        }
        let start = self.sims.len();
        self.sims.extend((start..start + count).map(|n| Sim {
            iccid: generated_iccid("8944538523", n),
            sim_id: format!("{}", 100_000 + n),
            mno_id: "1".to_owned(),
            portfolio_id: "pf-default".to_owned(),
            package_id: "pkg-standard".to_owned(),
            status: if n % 2 == 0 { "active" } else { "available" }.to_owned(),
            customer_suspend: no(),
            admin_suspend: no(),
            system_suspend: no(),
            attributes: Vec::new(),
            provisioned_at: None,
        }));
    }

    /// Promotes pending SIMs whose provisioning time has come.
    pub fn settle(&mut self) {
        let now = Instant::now();
        let sims = &mut self.sims;
        let pending = self.pending.get_or_insert_with(|| {
            let pending = |i: &usize| sims[*i].status == "pendingProvision";
            (0..sims.len()).filter(pending).collect()
        });
        pending.retain(|&i| {
            let sim = &mut sims[i];
            if sim.status != "pendingProvision" {
                return false;
            }
            if sim.provisioned_at.is_some_and(|t| now < t) {
                return true;
            }
            sim.status = "active".to_owned();
            sim.provisioned_at = None;
            false
        });
    }

    /// Records that SIM `i` went into `pendingProvision`.
    pub fn provisioning(&mut self, i: usize) {
        if let Some(pending) = &mut self.pending {
            pending.push(i);
        }
    }

    pub fn find(&self, iccid: &str) -> Option<usize> {
        self.sims.iter().position(|s| s.iccid == iccid)
    }
}
