//! What the emulated emnify account holds: its application token, service
//! and tariff profiles, and endpoints, each with at most one SIM. Seeds
//! name statuses by their descriptions (`Enabled`, `Activated`); answers
//! are rendered from this in `render.rs`. Nothing here answers a request.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::limits::Limits;
use crate::emulator::generated_iccid;
use crate::kind::SANDBOX_KEY;

/// Endpoint statuses by id: `{"id": 0, "description": "Enabled"}`.
pub const ENDPOINT_STATUSES: [&str; 3] = ["Enabled", "Disabled", "Deleted"];
/// SIM statuses by id.
pub const SIM_STATUSES: [&str; 5] = [
    "Issued",
    "Activated",
    "Suspended",
    "Deleted",
    "Factory Test",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmnifyState {
    #[serde(default = "default_token")]
    pub application_token: String,
    #[serde(default)]
    pub service_profiles: Vec<Profile>,
    #[serde(default)]
    pub tariff_profiles: Vec<Profile>,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Rate buckets, failed logins and the bulk call under way: forgotten
    /// on restart, as a provider's would be for a new client.
    #[serde(skip)]
    pub limits: Limits,
    /// Position of each endpoint by id; dropped whenever seeds or
    /// `--generate` add endpoints.
    #[serde(skip)]
    index: Option<HashMap<u64, usize>>,
}

impl Default for EmnifyState {
    fn default() -> Self {
        EmnifyState {
            application_token: default_token(),
            service_profiles: Vec::new(),
            tariff_profiles: Vec::new(),
            endpoints: Vec::new(),
            limits: Limits::default(),
            index: None,
        }
    }
}

fn default_token() -> String {
    SANDBOX_KEY.to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: u64,
    pub name: String,
    /// Comma-separated, as the API carries it; `None` reads as null.
    #[serde(default)]
    pub tags: Option<String>,
    /// `Enabled`, `Disabled` or `Deleted`.
    pub status: String,
    pub service_profile: u64,
    pub tariff_profile: u64,
    #[serde(default)]
    pub imei: Option<String>,
    #[serde(default)]
    pub imei_lock: bool,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub sim: Option<Sim>,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub last_updated: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sim {
    pub id: u64,
    /// 19 digits, no check digit.
    pub iccid: String,
    /// `iccid` and its Luhn check digit.
    pub iccid_with_luhn: String,
    #[serde(default)]
    pub imsi: Option<String>,
    #[serde(default)]
    pub msisdn: Option<String>,
    /// `Issued`, `Activated`, `Suspended`, `Deleted` or `Factory Test`.
    pub status: String,
}

/// The id of `description` in `table`.
pub fn status_id(table: &[&str], description: &str) -> Option<u64> {
    let at = table.iter().position(|d| *d == description)?;
    u64::try_from(at).ok()
}

impl EmnifyState {
    /// Seeds use the documented statuses, known profiles and unique ids;
    /// a SIM's two ICCIDs agree and each names one SIM.
    pub fn check(&mut self) -> Result<(), String> {
        let mut ids = BTreeSet::new();
        let mut sims = BTreeSet::new();
        let mut iccids = BTreeSet::new();
        for e in &self.endpoints {
            let id = e.id;
            if !ids.insert(id) {
                return Err(format!("emnify: endpoint id {id} is given twice"));
            }
            if status_id(&ENDPOINT_STATUSES, &e.status).is_none() {
                return Err(format!(
                    "emnify endpoint {id}: status must be one of {}, got {:?}",
                    ENDPOINT_STATUSES.join("|"),
                    e.status
                ));
            }
            if !self
                .service_profiles
                .iter()
                .any(|p| p.id == e.service_profile)
            {
                return Err(format!(
                    "emnify endpoint {id}: no service profile {}",
                    e.service_profile
                ));
            }
            if !self
                .tariff_profiles
                .iter()
                .any(|p| p.id == e.tariff_profile)
            {
                return Err(format!(
                    "emnify endpoint {id}: no tariff profile {}",
                    e.tariff_profile
                ));
            }
            let Some(sim) = &e.sim else { continue };
            if status_id(&SIM_STATUSES, &sim.status).is_none() {
                return Err(format!(
                    "emnify SIM {}: status must be one of {}, got {:?}",
                    sim.id,
                    SIM_STATUSES.join("|"),
                    sim.status
                ));
            }
            let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
            let check = crate::model::luhn_check_digit(&sim.iccid);
            if !digits(&sim.iccid, 19) || sim.iccid_with_luhn != format!("{}{check}", sim.iccid) {
                return Err(format!(
                    "emnify SIM {}: iccid must be 19 digits and iccid_with_luhn the same with \
                     its Luhn check digit",
                    sim.id
                ));
            }
            if !sims.insert(sim.id) || !iccids.insert(sim.iccid.clone()) {
                return Err(format!("emnify: SIM {} is on two endpoints", sim.id));
            }
        }
        self.index = None;
        Ok(())
    }

    /// Adds `count` endpoints, each with an Activated SIM, mostly Enabled.
    pub fn generate(&mut self, count: usize) {
        for (profiles, name) in [
            (&mut self.service_profiles, "Default Policy"),
            (&mut self.tariff_profiles, "Default Tariff"),
        ] {
            if profiles.is_empty() {
                profiles.push(Profile {
                    id: 1,
                    name: name.to_owned(),
                });
            }
        }
        let (service, tariff) = (self.service_profiles[0].id, self.tariff_profiles[0].id);
        let start = self.endpoints.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        let first_sim = self
            .endpoints
            .iter()
            .filter_map(|e| e.sim.as_ref())
            .map(|s| s.id);
        let first_sim = first_sim.max().unwrap_or(0) + 1;
        let before = self.endpoints.len();
        self.endpoints.extend((0..count).map(|n| {
            let with_luhn = generated_iccid("8988303000", before + n);
            let iccid = with_luhn[..19].to_owned();
            let step = n as u64;
            Endpoint {
                id: start + step,
                name: format!("device-{}", before + n),
                tags: None,
                status: if n % 4 == 3 { "Disabled" } else { "Enabled" }.to_owned(),
                service_profile: service,
                tariff_profile: tariff,
                imei: None,
                imei_lock: false,
                ip_address: None,
                sim: Some(Sim {
                    id: first_sim + step,
                    iccid,
                    iccid_with_luhn: with_luhn,
                    imsi: Some(format!("295050{:09}", before + n)),
                    msisdn: None,
                    status: "Activated".to_owned(),
                }),
                created: String::new(),
                last_updated: String::new(),
            }
        }));
        self.index = None;
    }

    /// The position of endpoint `id`.
    pub fn find(&mut self, id: u64) -> Option<usize> {
        let endpoints = &self.endpoints;
        let index = self.index.get_or_insert_with(|| {
            endpoints
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id, i))
                .collect()
        });
        index.get(&id).copied()
    }

    /// The endpoint holding SIM `sim_id`.
    pub fn holder_of(&mut self, sim_id: u64) -> Option<&mut Endpoint> {
        let has = |e: &Endpoint| e.sim.as_ref().is_some_and(|s| s.id == sim_id);
        self.endpoints.iter_mut().find(|e| has(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_endpoints_pass_the_seed_check() {
        let mut state = EmnifyState::default();
        state.generate(3);
        assert_eq!(state.check(), Ok(()));
        let id = state.endpoints[2].id;
        assert_eq!(state.find(id), Some(2));
    }

    #[test]
    fn seeds_with_a_wrong_check_digit_or_unknown_status_are_refused() {
        let mut bad = EmnifyState::default();
        bad.generate(1);
        if let Some(sim) = bad.endpoints[0].sim.as_mut() {
            sim.iccid_with_luhn.pop();
            sim.iccid_with_luhn.push('x');
        }
        assert!(bad.check().unwrap_err().contains("Luhn"));
        let mut status = EmnifyState::default();
        status.generate(1);
        status.endpoints[0].status = "Sleeping".into();
        assert!(status.check().unwrap_err().contains("status"));
    }
}
