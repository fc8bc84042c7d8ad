//! What a seed (or a saved account) may hold, and generated accounts for
//! scale tests: every state the emulator loads passes [`SupersimState::check`],
//! so handlers may rely on well-formed SIDs, unique names and SIMs that
//! are ready or active only with a Fleet.

use std::collections::HashSet;

use super::state::{
    Fleet, STATUSES, Sim, SupersimState, default_data_limit, default_date,
    default_network_access_profile, is_sid, payg, post,
};
use crate::emulator::generated_iccid;
use crate::text::inert;

impl SupersimState {
    /// A seed must hold what the API could: well-formed SIDs, unique
    /// names and SIDs, known statuses, SIMs that may connect only with a
    /// Fleet. Fleets named by unique name become their SIDs.
    pub fn check(&mut self) -> Result<(), String> {
        if !is_sid(&self.account_sid, "AC") {
            return Err(format!(
                "supersim account_sid {}: must be AC and 32 hexadecimal digits",
                inert(&self.account_sid)
            ));
        }
        if ![200, 202].contains(&self.fleet_update_status) {
            return Err(format!(
                "supersim fleet_update_status {}: must be 200 or 202",
                self.fleet_update_status
            ));
        }
        let mut sids = HashSet::new();
        let mut fleet_names = HashSet::new();
        for fleet in &self.fleets {
            let shown = inert(&fleet.sid);
            if !is_sid(&fleet.sid, "HF") {
                return Err(format!(
                    "supersim Fleet {shown}: sid must be HF and 32 hexadecimal digits"
                ));
            }
            if !sids.insert(fleet.sid.clone()) {
                return Err(format!("supersim Fleet {shown}: the sid is used twice"));
            }
            if let Some(name) = &fleet.unique_name {
                let why = if is_sid(name, "HF") {
                    "looks like a SID"
                } else if !fleet_names.insert(name.clone()) {
                    "is another Fleet's"
                } else {
                    continue;
                };
                return Err(format!(
                    "supersim Fleet {shown}: unique_name {} {why}",
                    inert(name)
                ));
            }
        }
        let fleets = self.fleets.clone();
        let resolve = |key: &str| {
            let by_name = |f: &&Fleet| f.unique_name.as_deref() == Some(key);
            fleets
                .iter()
                .find(|f| f.sid == key || by_name(f))
                .map(|f| f.sid.clone())
        };
        let mut iccids = HashSet::new();
        let mut sim_names = HashSet::new();
        for sim in &mut self.sims {
            let shown = inert(&sim.sid).into_owned();
            let bad = |what: &str| Err(format!("supersim SIM {shown}: {what}"));
            if !is_sid(&sim.sid, "HS") {
                return bad("sid must be HS and 32 hexadecimal digits");
            }
            if !sids.insert(sim.sid.clone()) {
                return bad("the sid is used twice");
            }
            // The text types `iccid` as "string|null": a Sim may have none.
            if let Some(iccid) = &sim.iccid {
                let digits = iccid.bytes().all(|b| b.is_ascii_digit());
                if !digits || !(18..=22).contains(&iccid.len()) {
                    return bad("iccid must be 18 to 22 digits or null");
                }
                if !iccids.insert(iccid.clone()) {
                    return bad("the iccid is another SIM's");
                }
            }
            if let Some(name) = &sim.unique_name {
                if is_sid(name, "HS") {
                    return bad("unique_name looks like a SID");
                }
                if !sim_names.insert(name.clone()) {
                    return bad("unique_name is another SIM's");
                }
            }
            if !STATUSES.contains(&sim.status.as_str()) {
                return bad("status must be new, ready, active, inactive or scheduled");
            }
            if (sim.status == "scheduled") != sim.scheduled.is_some() {
                return bad("a scheduled SIM, and only one, says what it settles in (`scheduled`)");
            }
            let unknown = |key: &str| {
                format!(
                    "supersim SIM {shown}: Fleet {} is not the account's",
                    inert(key)
                )
            };
            if let Some(key) = &sim.fleet_sid {
                sim.fleet_sid = Some(resolve(key).ok_or_else(|| unknown(key))?);
            }
            if let Some(change) = &mut sim.scheduled {
                if !["new", "ready", "active", "inactive"].contains(&change.status.as_str()) {
                    return bad("a scheduled change settles in new, ready, active or inactive");
                }
                if let Some(key) = &change.fleet_sid {
                    change.fleet_sid = Some(resolve(key).ok_or_else(|| unknown(key))?);
                }
            }
            let settled = match &sim.scheduled {
                Some(change) => (change.status.as_str(), &change.fleet_sid),
                None => (sim.status.as_str(), &sim.fleet_sid),
            };
            if matches!(settled, ("ready" | "active", None)) {
                return bad("a ready or active SIM must be in a Fleet");
            }
        }
        Ok(())
    }

    /// Two Fleets, then `count` SIMs cycling through active, inactive and
    /// new (without a Fleet); every other one has a unique name.
    pub fn generate(&mut self, count: usize) {
        let fleet_sids = [1, 2].map(|n| format!("HFa0a0{n:028x}"));
        for (n, sid) in fleet_sids.iter().enumerate() {
            if !self.fleets.iter().any(|f| &f.sid == sid) {
                self.fleets.push(generated_fleet(sid, n));
            }
        }
        let start = self.sims.len();
        self.sims.extend((start..start + count).map(|n| {
            let (status, fleet) = match n % 3 {
                0 => ("active", Some(fleet_sids[0].clone())),
                1 => ("inactive", Some(fleet_sids[1].clone())),
                _ => ("new", None),
            };
            Sim {
                sid: format!("HSa0a0{n:028x}"),
                iccid: Some(generated_iccid("8988307000", n)),
                unique_name: (n % 2 == 0).then(|| format!("generated-{n}")),
                status: status.to_owned(),
                fleet_sid: fleet,
                date_created: default_date(),
                date_updated: default_date(),
                scheduled: None,
            }
        }));
    }
}

fn generated_fleet(sid: &str, n: usize) -> Fleet {
    Fleet {
        sid: sid.to_owned(),
        unique_name: Some(format!("generated-fleet-{}", n + 1)),
        data_enabled: true,
        data_limit: default_data_limit(),
        data_metering: payg(),
        sms_commands_enabled: false,
        sms_commands_url: None,
        sms_commands_method: post(),
        ip_commands_url: None,
        ip_commands_method: post(),
        network_access_profile_sid: default_network_access_profile(),
        date_created: default_date(),
        date_updated: default_date(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::kind::ProviderKind;

    const FLEET: &str = "HF00000000000000000000000000000001";

    /// An account of one Fleet `pumps` and `sims`, checked.
    fn checked(sims: Value) -> Result<SupersimState, String> {
        let mut state: SupersimState = serde_json::from_value(json!({
            "fleets": [{"sid": FLEET, "unique_name": "pumps"}],
            "sims": sims,
        }))
        .map_err(|e| e.to_string())?;
        state.check().map(|()| state)
    }

    fn sim(sid_digit: char, status: &str) -> Value {
        json!({
            "sid": format!("HS{}", sid_digit.to_string().repeat(32)),
            "iccid": format!("8988307000000000000{sid_digit}"),
            "status": status,
        })
    }

    #[test]
    fn fleets_named_by_unique_name_become_their_sids() {
        let mut active = sim('1', "active");
        active["fleet_sid"] = json!("pumps");
        let mut scheduled = sim('2', "scheduled");
        scheduled["scheduled"] = json!({"status": "active", "fleet_sid": "pumps"});
        let state = checked(json!([active, scheduled])).unwrap();
        assert_eq!(state.sims[0].fleet_sid.as_deref(), Some(FLEET));
        let change = state.sims[1].scheduled.as_ref().unwrap();
        assert_eq!(change.fleet_sid.as_deref(), Some(FLEET));
    }

    #[test]
    fn seeds_the_api_could_not_hold_are_refused() {
        let with = |mut sim: Value, key: &str, value: Value| {
            sim[key] = value;
            sim
        };
        let one =
            |status: &str, key: &str, value: Value| json!([with(sim('1', status), key, value)]);
        let cases = [
            (one("new", "sid", json!("HS123")), "sid must be HS"),
            (
                json!([
                    sim('1', "new"),
                    with(sim('2', "new"), "sid", sim('1', "new")["sid"].clone())
                ]),
                "the sid is used twice",
            ),
            (
                json!([
                    sim('1', "new"),
                    with(sim('2', "new"), "iccid", sim('1', "new")["iccid"].clone())
                ]),
                "the iccid is another SIM's",
            ),
            (
                one("new", "iccid", json!("8988")),
                "iccid must be 18 to 22 digits",
            ),
            (
                json!([
                    with(sim('1', "new"), "unique_name", json!("a")),
                    with(sim('2', "new"), "unique_name", json!("a")),
                ]),
                "unique_name is another SIM's",
            ),
            (
                one("new", "unique_name", sim('3', "new")["sid"].clone()),
                "looks like a SID",
            ),
            (json!([sim('1', "suspended")]), "status must be new"),
            (json!([sim('1', "active")]), "must be in a Fleet"),
            (json!([sim('1', "ready")]), "must be in a Fleet"),
            (
                one("active", "fleet_sid", json!("nowhere")),
                "is not the account's",
            ),
            (json!([sim('1', "scheduled")]), "says what it settles in"),
            (
                one("new", "scheduled", json!({"status": "inactive"})),
                "says what it settles in",
            ),
            (
                one("scheduled", "scheduled", json!({"status": "active"})),
                "must be in a Fleet",
            ),
            (
                one("scheduled", "scheduled", json!({"status": "scheduled"})),
                "settles in new, ready",
            ),
        ];
        for (sims, why) in cases {
            match checked(sims.clone()) {
                Ok(_) => panic!("accepted: {sims}"),
                Err(message) => assert!(message.contains(why), "{sims}: {message}"),
            }
        }
        let mut state = SupersimState::default();
        state.account_sid = "AC1".into();
        assert!(state.check().is_err());
        let mut state = SupersimState::default();
        state.fleet_update_status = 201;
        let refused = state.check().unwrap_err();
        assert!(refused.contains("must be 200 or 202"), "{refused}");
    }

    #[test]
    fn sims_without_an_iccid_are_held_as_the_text_allows() {
        let without = |digit| {
            let mut sim = sim(digit, "new");
            sim["iccid"] = Value::Null;
            sim
        };
        let mut absent = sim('3', "new");
        absent.as_object_mut().unwrap().remove("iccid");
        let state = checked(json!([without('1'), without('2'), absent])).unwrap();
        assert!(state.sims.iter().all(|s| s.iccid.is_none()));
    }

    #[test]
    fn the_sandbox_credentials_open_the_default_account() {
        let account = SupersimState::default();
        let credentials = ProviderKind::Supersim.capabilities().sandbox_credentials;
        assert!(credentials.contains(&("account_sid", account.account_sid.as_str())));
        assert!(credentials.contains(&("auth_token", account.auth_token.as_str())));
    }

    #[test]
    fn generated_accounts_pass_the_check_and_mix_statuses() {
        let mut state = SupersimState::default();
        state.generate(30);
        state.generate(30);
        state.check().unwrap();
        assert_eq!((state.sims.len(), state.fleets.len()), (60, 2));
        for status in ["active", "inactive", "new"] {
            let count = state.sims.iter().filter(|s| s.status == status).count();
            assert_eq!(count, 20, "{status}");
        }
    }
}
