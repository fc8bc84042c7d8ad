//! What the emulated Soracom account holds: its AuthKey, SIM groups and
//! SIMs, each with its profiles (ICCIDs) and their subscribers (IMSIs).
//! Seeds use the wire field names; the Sim answer is rendered from this in
//! `render.rs`. Nothing here answers a request.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::emulator::generated_iccid;
use crate::kind::SANDBOX_KEY;

/// Every status the Sim object's `status` takes.
pub const STATUSES: [&str; 6] = [
    "ready",
    "active",
    "inactive",
    "standby",
    "suspended",
    "terminated",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SoracomState {
    #[serde(default = "default_key_id")]
    pub auth_key_id: String,
    #[serde(default = "default_key")]
    pub auth_key: String,
    #[serde(default = "default_operator")]
    pub operator_id: String,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub sims: Vec<Sim>,
    /// Position of each SIM by `simId`, so a page or a SIM is found without
    /// walking a million-SIM account; built on first use (SIMs are only
    /// ever added by seeds and `--generate`, which drop it).
    #[serde(skip)]
    index: Option<HashMap<String, usize>>,
}

impl Default for SoracomState {
    fn default() -> Self {
        SoracomState {
            auth_key_id: default_key_id(),
            auth_key: default_key(),
            operator_id: default_operator(),
            groups: Vec::new(),
            sims: Vec::new(),
            index: None,
        }
    }
}

fn default_key_id() -> String {
    "keyId-simfleet".to_owned()
}

fn default_key() -> String {
    SANDBOX_KEY.to_owned()
}

fn default_operator() -> String {
    "OP0000000001".to_owned()
}

fn default_type() -> String {
    "uicc".to_owned()
}

fn default_module() -> String {
    "nano".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Group {
    pub group_id: String,
    /// The group's name is its tag `name`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sim {
    pub sim_id: String,
    /// `ready`, `active`, `inactive`, `standby`, `suspended` or `terminated`.
    pub status: String,
    /// The name is the tag `name`; the others are custom tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub group_id: Option<String>,
    pub speed_class: String,
    #[serde(default)]
    pub imei_lock: Option<ImeiLock>,
    /// `false`: termination protection is on (the default of a new SIM).
    #[serde(default)]
    pub termination_enabled: bool,
    /// `uicc`, `euicc` or `virtual`.
    #[serde(default = "default_type", rename = "type")]
    pub sim_type: String,
    #[serde(default = "default_module")]
    pub module_type: String,
    #[serde(default)]
    pub active_profile_id: Option<String>,
    /// ICCID to profile: a SIM with several profiles is one SIM.
    pub profiles: BTreeMap<String, Profile>,
    #[serde(default)]
    pub session_status: Option<Session>,
    #[serde(default)]
    pub created_time: u64,
    #[serde(default)]
    pub last_modified_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImeiLock {
    pub imei: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Profile {
    pub iccid: String,
    #[serde(default)]
    pub primary_imsi: Option<String>,
    #[serde(default)]
    pub ota_supported: bool,
    /// IMSI to subscriber.
    #[serde(default)]
    pub subscribers: BTreeMap<String, Subscriber>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subscriber {
    pub imsi: String,
    #[serde(default)]
    pub msisdn: Option<String>,
    /// The plan, e.g. `plan01s`: it decides the speed classes allowed.
    pub subscription: String,
}

/// The SIM's current session, as far as an IMEI lock needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub online: bool,
    #[serde(default)]
    pub imei: Option<String>,
}

impl Sim {
    /// The plans of every subscriber of every profile.
    pub fn subscriptions(&self) -> impl Iterator<Item = &str> {
        let subscribers = self.profiles.values().flat_map(|p| p.subscribers.values());
        subscribers.map(|s| s.subscription.as_str())
    }
}

/// Ids are path segments and page keys in headers: visible ASCII, no
/// `/`, `?`, `#` or `%`, so each reads back as it was written.
fn key_text(id: &str) -> Result<(), String> {
    let fits = |b: u8| b.is_ascii_graphic() && !b"/?#%".contains(&b);
    if !id.is_empty() && id.bytes().all(fits) {
        Ok(())
    } else {
        Err(format!("{id:?} must be visible ASCII without / ? # %"))
    }
}

impl SoracomState {
    /// Seeds must use the documented values, and identities must be
    /// unique: a `simId` and an ICCID name one SIM.
    pub fn check(&mut self) -> Result<(), String> {
        for group in &self.groups {
            key_text(&group.group_id).map_err(|e| format!("soracom group id: {e}"))?;
        }
        let mut iccids = HashMap::new();
        let mut ids = HashSet::new();
        for sim in &self.sims {
            let id = &sim.sim_id;
            key_text(id).map_err(|e| format!("soracom simId: {e}"))?;
            if !ids.insert(id.as_str()) {
                return Err(format!("soracom: simId {id} is given twice"));
            }
            if !STATUSES.contains(&sim.status.as_str()) {
                return Err(format!(
                    "soracom SIM {id}: status must be one of {}, got {:?}",
                    STATUSES.join("|"),
                    sim.status
                ));
            }
            if sim.profiles.is_empty() {
                return Err(format!("soracom SIM {id}: a SIM has at least one profile"));
            }
            for (key, profile) in &sim.profiles {
                if *key != profile.iccid {
                    return Err(format!(
                        "soracom SIM {id}: profile {key} gives iccid {}",
                        profile.iccid
                    ));
                }
                if let Some(other) = iccids.insert(key.as_str(), id.as_str()) {
                    return Err(format!("soracom: ICCID {key} is on SIMs {other} and {id}"));
                }
            }
            if let Some(group) = &sim.group_id
                && !self.groups.iter().any(|g| &g.group_id == group)
            {
                return Err(format!("soracom SIM {id}: no group {group}"));
            }
        }
        self.index = None;
        Ok(())
    }

    /// Adds `count` SIMs of one profile each on `plan01s`, mostly active.
    /// Their `simId` differs from their ICCID, as real ones do.
    pub fn generate(&mut self, count: usize) {
        let start = self.sims.len();
        self.sims.extend((start..start + count).map(|n| {
            let iccid = generated_iccid("894231022", n);
            let imsi = format!("295050{n:09}");
            let subscriber = Subscriber {
                imsi: imsi.clone(),
                msisdn: Some(format!("423{n:09}")),
                subscription: "plan01s".to_owned(),
            };
            let profile = Profile {
                iccid: iccid.clone(),
                primary_imsi: Some(imsi.clone()),
                ota_supported: false,
                subscribers: BTreeMap::from([(imsi, subscriber)]),
            };
            Sim {
                sim_id: format!("{}", 8_942_310_230_000_000_000u64 + n as u64),
                status: if n % 4 == 3 { "inactive" } else { "active" }.to_owned(),
                tags: BTreeMap::new(),
                group_id: None,
                speed_class: "s1.standard".to_owned(),
                imei_lock: None,
                termination_enabled: false,
                sim_type: default_type(),
                module_type: default_module(),
                active_profile_id: Some(iccid.clone()),
                profiles: BTreeMap::from([(iccid, profile)]),
                session_status: None,
                created_time: 0,
                last_modified_time: 0,
            }
        }));
        self.index = None;
    }

    /// The position of SIM `sim_id`.
    pub fn find(&mut self, sim_id: &str) -> Option<usize> {
        let sims = &self.sims;
        let index = self.index.get_or_insert_with(|| {
            let ids = sims.iter().enumerate();
            ids.map(|(i, s)| (s.sim_id.clone(), i)).collect()
        });
        index.get(sim_id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> SoracomState {
        let mut state = SoracomState::default();
        state.generate(2);
        state
    }

    #[test]
    fn generated_sims_pass_the_seed_check_and_are_found_by_sim_id() {
        let mut state = two();
        assert_eq!(state.check(), Ok(()));
        let id = state.sims[1].sim_id.clone();
        assert_eq!(state.find(&id), Some(1));
        let iccid = state.sims[1].profiles.keys().next().unwrap().clone();
        assert_eq!(state.find(&iccid), None, "an ICCID is no simId");
    }

    #[test]
    fn seeds_give_each_sim_and_iccid_once_with_known_values() {
        let mut twice = two();
        twice.sims[1].sim_id = twice.sims[0].sim_id.clone();
        assert!(twice.check().unwrap_err().contains("given twice"));

        let mut shared = two();
        let profile = shared.sims[0].profiles.clone();
        shared.sims[1].profiles.extend(profile);
        assert!(shared.check().unwrap_err().contains("is on SIMs"));

        let mut status = two();
        status.sims[0].status = "testing".into();
        assert!(status.check().unwrap_err().contains("status"));

        let mut group = two();
        group.sims[0].group_id = Some("nope".into());
        assert!(group.check().unwrap_err().contains("no group"));

        let mut path = two();
        path.sims[0].sim_id = "a/b".into();
        assert!(path.check().is_err());
    }
}
