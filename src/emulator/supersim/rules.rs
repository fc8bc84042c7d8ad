//! What `POST /Sims/{Sid}` may do to a SIM, by the text's rules
//! (docs/providers.md, "Twilio / KORE Super SIM"): a unique name is taken
//! at once and must be the account's only one; a Status or Fleet change
//! is scheduled, refused while one is (83009, 83010), needs a Fleet to
//! activate (83007) and to stay ready or active (83008), and follows the
//! documented status moves (83010).
//!
//! A pure decision on the account as it is: it changes nothing, so a
//! refused request leaves the SIM exactly as it was.

use axum::http::StatusCode;

use super::state::{SupersimState, is_sid};

/// What a request asks, its parameters already read.
#[derive(Debug, Default)]
pub struct Asked {
    pub unique_name: Option<String>,
    pub status: Option<String>,
    pub fleet: Option<String>,
}

/// What the request does when it is taken.
#[derive(Debug, PartialEq)]
pub struct Decision {
    /// The new unique name (`None` clears it), set at once.
    pub unique_name: Option<Option<String>>,
    /// The status and Fleet the SIM is scheduled to settle in.
    pub settles: Option<(String, Option<String>)>,
}

/// A refusal in the text's terms: the HTTP status and the Twilio code.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

fn refuse(status: StatusCode, code: u32, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

/// The status values `Status` takes (`sim_enum_status_update`).
const SETTABLE: [&str; 3] = ["ready", "active", "inactive"];

/// The status moves the text documents or implies: ready only from new,
/// never back to new; new -> inactive (a new SIM cannot connect anyway) is
/// assumed refused, ready -> inactive assumed taken.
const MOVES: [(&str, &str); 6] = [
    ("new", "ready"),
    ("new", "active"),
    ("ready", "active"),
    ("ready", "inactive"),
    ("active", "inactive"),
    ("inactive", "active"),
];

/// The Twilio-style code for a duplicate unique name, which the text does
/// not give: made from the HTTP status, as 20404 and 20429 are.
pub const DUPLICATE: u32 = 20409;

/// Decides request `asked` on SIM `i` of `state`.
pub fn decide(state: &SupersimState, i: usize, asked: &Asked) -> Result<Decision, Refusal> {
    let sim = &state.sims[i];
    let bad = |message: String| refuse(StatusCode::BAD_REQUEST, 20001, message);
    let unique_name = match asked.unique_name.as_deref() {
        None => None,
        Some(name) if sim.unique_name.as_deref() == Some(name) => None,
        Some("") => sim.unique_name.is_some().then_some(None),
        Some(name) if is_sid(name, "HS") => {
            return Err(bad(format!("UniqueName {name} looks like a Sim SID")));
        }
        Some(name) => {
            if state.find_sim(name).is_some() {
                return Err(refuse(
                    StatusCode::CONFLICT,
                    DUPLICATE,
                    format!("UniqueName {name} is already another Sim's"),
                ));
            }
            Some(Some(name.to_owned()))
        }
    };
    let scheduled = sim.status == "scheduled";
    if asked.fleet.is_some() && scheduled {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            83009,
            "Unable to update your Super SIM's Fleet while it is in status scheduled",
        ));
    }
    let fleet = match asked.fleet.as_deref() {
        None => sim.fleet_sid.clone(),
        Some("") => None,
        Some(key) => match state.find_fleet(key) {
            Some(fleet) => Some(fleet.sid.clone()),
            None => return Err(bad(format!("Fleet {key} was not found"))),
        },
    };
    let status = match asked.status.as_deref() {
        None => sim.status.clone(),
        Some(wanted) if !SETTABLE.contains(&wanted) => {
            return Err(bad(format!(
                "Status must be one of ready, active or inactive, not {wanted}"
            )));
        }
        Some(wanted) if wanted == sim.status => sim.status.clone(),
        Some(wanted) => {
            if scheduled || !MOVES.contains(&(sim.status.as_str(), wanted)) {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    83010,
                    format!(
                        "Your Super SIM cannot be updated from its current status ({}) to the \
                         desired status ({wanted})",
                        sim.status
                    ),
                ));
            }
            wanted.to_owned()
        }
    };
    let moves = status != sim.status;
    if moves && status == "active" && fleet.is_none() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            83007,
            "Your Super SIM cannot be activated without being assigned to a Fleet",
        ));
    }
    if matches!(status.as_str(), "ready" | "active") && fleet.is_none() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            83008,
            "Your Super SIM must be assigned to a Fleet while it is in status 'ready' or 'active'",
        ));
    }
    let settles = (moves || fleet != sim.fleet_sid).then_some((status, fleet));
    Ok(Decision {
        unique_name,
        settles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::supersim::state::{Fleet, Sim};

    fn account(status: &str, fleet: Option<&str>) -> SupersimState {
        let mut state = SupersimState::default();
        state.generate(0);
        let mut sim: Sim = serde_json::from_value(serde_json::json!({
            "sid": format!("HS{}", "1".repeat(32)),
            "iccid": "89883070000123456789",
            "status": status,
            "unique_name": "one",
        }))
        .unwrap();
        sim.fleet_sid = fleet.map(|f| state.find_fleet(f).unwrap().sid.clone());
        state.sims.push(sim);
        let mut other = state.sims[0].clone();
        other.sid = format!("HS{}", "2".repeat(32));
        other.unique_name = Some("two".into());
        state.sims.push(other);
        state
    }

    fn asked(status: Option<&str>, fleet: Option<&str>) -> Asked {
        Asked {
            unique_name: None,
            status: status.map(str::to_owned),
            fleet: fleet.map(str::to_owned),
        }
    }

    fn code(state: &SupersimState, asked: &Asked) -> u32 {
        decide(state, 0, asked).unwrap_err().code
    }

    #[test]
    fn status_moves_follow_the_text() {
        let fleet = Some("generated-fleet-1");
        for (from, to) in MOVES {
            let state = account(from, fleet);
            let decision = decide(&state, 0, &asked(Some(to), None)).unwrap();
            let sid = state.sims[0].fleet_sid.clone();
            assert_eq!(
                decision.settles,
                Some((to.to_owned(), sid)),
                "{from} -> {to}"
            );
        }
        for (from, to) in [
            ("active", "ready"),
            ("inactive", "ready"),
            ("new", "inactive"),
        ] {
            assert_eq!(code(&account(from, fleet), &asked(Some(to), None)), 83010);
        }
        let same = decide(&account("active", fleet), 0, &asked(Some("active"), None));
        assert_eq!(same.unwrap().settles, None);
        for wrong in ["new", "scheduled", "suspended", "Active"] {
            assert_eq!(
                code(&account("active", fleet), &asked(Some(wrong), None)),
                20001
            );
        }
    }

    #[test]
    fn fleets_are_needed_to_activate_and_to_stay_ready_or_active() {
        let new = account("new", None);
        assert_eq!(code(&new, &asked(Some("active"), None)), 83007);
        assert_eq!(code(&new, &asked(Some("ready"), None)), 83008);
        let both = decide(&new, 0, &asked(Some("active"), Some("generated-fleet-2")));
        let fleet: &Fleet = &new.fleets[1];
        assert_eq!(
            both.unwrap().settles,
            Some(("active".into(), Some(fleet.sid.clone())))
        );
        let active = account("active", Some("generated-fleet-1"));
        assert_eq!(code(&active, &asked(None, Some(""))), 83008);
        let off = decide(&active, 0, &asked(Some("inactive"), Some(""))).unwrap();
        assert_eq!(off.settles, Some(("inactive".into(), None)));
        assert_eq!(code(&active, &asked(None, Some("nope"))), 20001);
    }

    #[test]
    fn a_scheduled_sim_takes_a_name_but_no_fleet_or_status() {
        let mut state = account("active", Some("generated-fleet-1"));
        state.sims[0].status = "scheduled".into();
        assert_eq!(code(&state, &asked(None, Some("generated-fleet-2"))), 83009);
        assert_eq!(code(&state, &asked(Some("inactive"), None)), 83010);
        let renamed = Asked {
            unique_name: Some("renamed".into()),
            ..Asked::default()
        };
        let decision = decide(&state, 0, &renamed).unwrap();
        assert_eq!(decision.unique_name, Some(Some("renamed".into())));
        assert_eq!(decision.settles, None);
    }

    #[test]
    fn unique_names_are_the_accounts_only_ones() {
        let state = account("active", Some("generated-fleet-1"));
        let name = |n: &str| Asked {
            unique_name: Some(n.into()),
            ..Asked::default()
        };
        let taken = decide(&state, 0, &name("two")).unwrap_err();
        assert_eq!(
            (taken.status, taken.code),
            (StatusCode::CONFLICT, DUPLICATE)
        );
        assert_eq!(code(&state, &name(&format!("HS{}", "3".repeat(32)))), 20001);
        assert_eq!(decide(&state, 0, &name("one")).unwrap().unique_name, None);
        assert_eq!(
            decide(&state, 0, &name("")).unwrap().unique_name,
            Some(None)
        );
    }
}
