//! What the emulated Super SIM account holds: its Twilio credentials (the
//! account SID and auth token) and KORE client, its Fleets, and its SIMs,
//! each with the change it is `scheduled` to settle in, and the settling
//! of those changes when they are due. Seeds use the wire's snake_case
//! names (`seed` checks them).
//!
//! Nothing here answers requests: the handlers decide, this keeps.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::kind::SANDBOX_KEY;

/// Every status a Sim shows (docs/providers.md, "Twilio / KORE Super SIM").
pub const STATUSES: [&str; 5] = ["new", "ready", "active", "inactive", "scheduled"];

/// The sandbox account (the kind row's sandbox `account_sid`).
pub const SANDBOX_ACCOUNT: &str = "AC5a9db0c0de5a9db0c0de5a9db0c0de00";

/// The Network Access Profile of Fleets whose seed names none.
const DEFAULT_NETWORK_ACCESS_PROFILE: &str = "HA5a9db0c0de5a9db0c0de5a9db0c0de00";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupersimState {
    #[serde(default = "default_account")]
    pub account_sid: String,
    #[serde(default = "default_secret")]
    pub auth_token: String,
    /// KORE's API client, traded for bearer tokens at its token endpoint.
    #[serde(default = "default_client")]
    pub client_id: String,
    #[serde(default = "default_secret")]
    pub client_secret: String,
    #[serde(default)]
    pub fleets: Vec<Fleet>,
    #[serde(default)]
    pub sims: Vec<Sim>,
    /// The HTTP status of an update that changes a SIM's Fleet and not
    /// its status: 202 (scheduled; [T8] calls Fleet changes asynchronous)
    /// or 200 (the spec lists its Fleet examples under 200), the SIM then
    /// shown as it is: still scheduled, or settled when the schedule
    /// delay is zero.
    #[serde(default = "accepted", skip_serializing_if = "is_accepted")]
    pub fleet_update_status: u16,
    /// SIMs with a scheduled change, so settling does not scan the account
    /// on every request; `None` until the first settle finds them.
    #[serde(skip)]
    scheduled: Option<Vec<usize>>,
}

impl Default for SupersimState {
    fn default() -> Self {
        SupersimState {
            account_sid: default_account(),
            auth_token: default_secret(),
            client_id: default_client(),
            client_secret: default_secret(),
            fleets: Vec::new(),
            sims: Vec::new(),
            fleet_update_status: accepted(),
            scheduled: None,
        }
    }
}

fn accepted() -> u16 {
    202
}

fn is_accepted(status: &u16) -> bool {
    *status == accepted()
}

fn default_account() -> String {
    SANDBOX_ACCOUNT.to_owned()
}

fn default_client() -> String {
    "simfleet".to_owned()
}

fn default_secret() -> String {
    SANDBOX_KEY.to_owned()
}

pub(super) fn default_date() -> String {
    "2024-01-01T00:00:00Z".to_owned()
}

pub(super) fn default_network_access_profile() -> String {
    DEFAULT_NETWORK_ACCESS_PROFILE.to_owned()
}

fn yes() -> bool {
    true
}

pub(super) fn post() -> String {
    "POST".to_owned()
}

/// The resource schema's default (the create parameter's says 1,000: the
/// text notes the two disagree).
pub(super) fn default_data_limit() -> u64 {
    250
}

pub(super) fn payg() -> String {
    "payg".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sim {
    pub sid: String,
    /// `null` where the Sim has none (the text types it "string|null").
    #[serde(default)]
    pub iccid: Option<String>,
    #[serde(default)]
    pub unique_name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub fleet_sid: Option<String>,
    #[serde(default = "default_date")]
    pub date_created: String,
    #[serde(default = "default_date")]
    pub date_updated: String,
    /// What a `scheduled` SIM settles in; never shown on the wire, where
    /// the target is not exposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<Scheduled>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduled {
    /// The status the SIM settles in (the one asked for, or its earlier one
    /// when only its Fleet changes).
    pub status: String,
    /// The Fleet it settles with.
    #[serde(default)]
    pub fleet_sid: Option<String>,
    /// When it settles, in milliseconds since the epoch; a seed leaves it
    /// out and the change settles the configured delay after the emulator
    /// first sees it. Wall-clock, so a saved sandbox settles across runs.
    #[serde(default)]
    pub due_ms: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    pub sid: String,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default = "yes")]
    pub data_enabled: bool,
    #[serde(default = "default_data_limit")]
    pub data_limit: u64,
    #[serde(default = "payg")]
    pub data_metering: String,
    #[serde(default)]
    pub sms_commands_enabled: bool,
    #[serde(default)]
    pub sms_commands_url: Option<String>,
    #[serde(default = "post")]
    pub sms_commands_method: String,
    #[serde(default)]
    pub ip_commands_url: Option<String>,
    #[serde(default = "post")]
    pub ip_commands_method: String,
    #[serde(default = "default_network_access_profile")]
    pub network_access_profile_sid: String,
    #[serde(default = "default_date")]
    pub date_created: String,
    #[serde(default = "default_date")]
    pub date_updated: String,
}

/// Whether `text` is a SID of the resource with two-letter `prefix`: the
/// prefix and 32 hexadecimal digits.
pub fn is_sid(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// An ISO 8601 GMT time (`2015-07-30T20:00:00Z`), now.
pub fn now_date() -> String {
    crate::clock::rfc3339(SystemTime::now())
}

impl SupersimState {
    /// The SIM addressed by `key`: its SID or its unique name.
    pub fn find_sim(&self, key: &str) -> Option<usize> {
        let by_name = |s: &Sim| s.unique_name.as_deref() == Some(key);
        self.sims.iter().position(|s| s.sid == key || by_name(s))
    }

    /// The Fleet addressed by `key`: its SID or its unique name.
    pub fn find_fleet(&self, key: &str) -> Option<&Fleet> {
        let by_name = |f: &&Fleet| f.unique_name.as_deref() == Some(key);
        self.fleets.iter().find(|f| f.sid == key || by_name(f))
    }

    /// Puts SIM `i` in `scheduled` until `change` settles.
    pub fn schedule(&mut self, i: usize, change: Scheduled) {
        let sim = &mut self.sims[i];
        sim.status = "scheduled".to_owned();
        sim.scheduled = Some(change);
        sim.date_updated = now_date();
        if let Some(index) = &mut self.scheduled {
            index.push(i);
        }
    }

    /// Settles the scheduled changes whose time has come at `now` (ms);
    /// one that has no time yet (a seed's) gets `now + delay`.
    pub fn settle(&mut self, now: u64, delay: Duration) {
        let delay = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        let sims = &mut self.sims;
        let index = self.scheduled.get_or_insert_with(|| {
            let scheduled = |i: &usize| sims[*i].scheduled.is_some();
            (0..sims.len()).filter(scheduled).collect()
        });
        index.retain(|&i| {
            let sim = &mut sims[i];
            let Some(change) = &mut sim.scheduled else {
                return false;
            };
            let due = *change.due_ms.get_or_insert(now.saturating_add(delay));
            if now < due {
                return true;
            }
            sim.status = change.status.clone();
            sim.fleet_sid = change.fleet_sid.clone();
            sim.scheduled = None;
            sim.date_updated = now_date();
            false
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_scheduled_change_settles_when_due_and_keeps_its_time_when_saved() {
        let mut state: SupersimState = serde_json::from_value(json!({"sims": [{
            "sid": format!("HS{}", "1".repeat(32)),
            "iccid": "89883070000000000001",
            "status": "scheduled",
            "scheduled": {"status": "active", "fleet_sid": format!("HF{}", "1".repeat(32))},
        }]}))
        .unwrap();
        // A seed's change gets its time when first seen.
        state.settle(1_000, Duration::from_millis(500));
        assert_eq!(state.sims[0].status, "scheduled");
        let saved = serde_json::to_value(&state).unwrap();
        assert_eq!(saved["sims"][0]["scheduled"]["due_ms"], 1_500);
        let mut state: SupersimState = serde_json::from_value(saved).unwrap();
        state.settle(1_499, Duration::from_secs(60));
        assert_eq!(state.sims[0].status, "scheduled");
        state.settle(1_500, Duration::from_secs(60));
        let sim = &state.sims[0];
        assert_eq!(
            (sim.status.as_str(), sim.scheduled.is_none()),
            ("active", true)
        );
        assert_eq!(sim.fleet_sid, Some(format!("HF{}", "1".repeat(32))));
        let saved = serde_json::to_value(&state).unwrap();
        assert_eq!(saved["sims"][0].get("scheduled"), None);
    }
}
