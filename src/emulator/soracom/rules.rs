//! Soracom's rules for a SIM's writes, as its text gives them
//! (docs/providers.md, "Soracom"): which status actions a SIM accepts,
//! which speed classes its subscription allows, what an IMEI lock may say.
//!
//! Pure functions over a SIM: they judge, never change state or answer a
//! request. A refusal carries the status, code and message the handler
//! sends in Soracom's error shape.

use axum::http::StatusCode;

use super::state::Sim;

/// A write the API refuses: its status, Soracom `code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn bad(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::NOT_FOUND,
            code: "EMU0404",
            message: message.into(),
        }
    }
}

/// The status actions, each `POST /sims/{sim_id}/<path>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Activate,
    Deactivate,
    Suspend,
    Standby,
    Terminate,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Activate,
        Action::Deactivate,
        Action::Suspend,
        Action::Standby,
        Action::Terminate,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Action::Activate => "activate",
            Action::Deactivate => "deactivate",
            Action::Suspend => "suspend",
            Action::Standby => "set_to_standby",
            Action::Terminate => "terminate",
        }
    }

    /// The status the SIM is in afterwards.
    pub fn target(self) -> &'static str {
        match self {
            Action::Activate => "active",
            Action::Deactivate => "inactive",
            Action::Suspend => "suspended",
            Action::Standby => "standby",
            Action::Terminate => "terminated",
        }
    }
}

/// Plans whose SIMs cannot go to `standby`.
const NO_STANDBY: [&str; 2] = ["plan-D", "plan-K"];

/// Whether `sim` may take any write: a terminated SIM takes none.
pub fn writable(sim: &Sim) -> Result<(), Refusal> {
    if sim.status == "terminated" {
        return Err(Refusal::bad(
            "EMU0002",
            "The SIM is terminated; it cannot be changed.",
        ));
    }
    Ok(())
}

/// Whether `sim` may take status action `action`. Every status but
/// `terminated` may go to every other by an action (nothing leads back to
/// `ready`); an action towards the status a SIM is in changes nothing.
pub fn may(sim: &Sim, action: Action) -> Result<(), Refusal> {
    writable(sim)?;
    if action == Action::Standby && sim.subscriptions().any(|s| NO_STANDBY.contains(&s)) {
        return Err(Refusal::bad(
            "EMU0003",
            "The specified SIM does not support \"standby.\"",
        ));
    }
    if action == Action::Terminate && !sim.termination_enabled {
        return Err(Refusal::bad(
            "EMU0004",
            "Termination protection is on: call enable_termination first.",
        ));
    }
    Ok(())
}

/// The speed classes `subscription` allows; `None` when its speed class
/// cannot be changed.
fn speed_classes(subscription: &str) -> Option<&'static [&'static str]> {
    const S1: &[&str] = &[
        "s1.minimum",
        "s1.slow",
        "s1.standard",
        "s1.fast",
        "s1.4xfast",
    ];
    const US: &[&str] = &[
        "s1.minimum",
        "s1.slow",
        "s1.standard",
        "s1.fast",
        "s1.4xfast",
        "s1.8xfast",
    ];
    const DU: &[&str] = &["u1.standard", "u1.slow"];
    const ANY: &[&str] = &[
        "s1.minimum",
        "s1.slow",
        "s1.standard",
        "s1.fast",
        "s1.4xfast",
        "s1.8xfast",
        "u1.standard",
        "u1.slow",
    ];
    match subscription {
        "plan01s" | "plan01s-LDV" | "planXM1" | "planX3" | "planP1" | "plan-D" | "plan-K2"
        | "plan-K" => Some(S1),
        "plan-US" => Some(US),
        "plan-DU" => Some(DU),
        "plan-KM1" => None,
        // A plan the text gives no table for takes any documented class.
        _ => Some(ANY),
    }
}

/// Whether `sim` may take speed class `class`: every subscription on it
/// must allow it, and a virtual SIM has only its one.
pub fn speed_class(sim: &Sim, class: &str) -> Result<(), Refusal> {
    writable(sim)?;
    let allowed = sim.sim_type != "virtual"
        && sim
            .subscriptions()
            .all(|s| speed_classes(s).is_some_and(|classes| classes.contains(&class)));
    if allowed {
        Ok(())
    } else {
        Err(Refusal::bad(
            "EMU0005",
            "The specified speed class does not exist to the subscription. For example, \
             arc.standard cannot be specified for plan01s.",
        ))
    }
}

/// The IMEI a lock request for `sim` locks to: the given one (15 digits,
/// optionally `|ANONYMOUS`), or, when blank, the IMEI of the SIM's
/// session if it is online.
pub fn imei_lock(sim: &Sim, given: &str) -> Result<String, Refusal> {
    writable(sim)?;
    if given.is_empty() {
        let session = sim.session_status.as_ref().filter(|s| s.online);
        return match session.and_then(|s| s.imei.clone()) {
            Some(imei) => Ok(imei),
            None => Err(Refusal::bad(
                "EMU0006",
                "The IMEI is not specified even though the SIM is offline.",
            )),
        };
    }
    let digits = given.strip_suffix("|ANONYMOUS").unwrap_or(given);
    if digits.len() == 15 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(given.to_owned())
    } else {
        Err(Refusal::bad("EMU0007", "The IMEI string is invalid."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::soracom::SoracomState;
    use crate::emulator::soracom::state::STATUSES;

    fn sim(status: &str, subscription: &str) -> Sim {
        let mut state = SoracomState::default();
        state.generate(1);
        let mut sim = state.sims.remove(0);
        sim.status = status.to_owned();
        for profile in sim.profiles.values_mut() {
            for s in profile.subscribers.values_mut() {
                s.subscription = subscription.to_owned();
            }
        }
        sim
    }

    #[test]
    fn every_status_but_terminated_takes_every_action_but_protected_termination() {
        for status in STATUSES.into_iter().filter(|s| *s != "terminated") {
            for action in Action::ALL {
                let result = may(&sim(status, "plan01s"), action);
                assert_eq!(
                    result.is_ok(),
                    action != Action::Terminate,
                    "{status} {action:?}"
                );
            }
            let mut unprotected = sim(status, "plan01s");
            unprotected.termination_enabled = true;
            assert_eq!(may(&unprotected, Action::Terminate), Ok(()));
        }
        for action in Action::ALL {
            let refused = may(&sim("terminated", "plan01s"), action).unwrap_err();
            assert_eq!(refused.code, "EMU0002");
        }
    }

    #[test]
    fn standby_is_refused_on_the_plans_without_it() {
        for plan in NO_STANDBY {
            let refused = may(&sim("ready", plan), Action::Standby).unwrap_err();
            assert_eq!(
                refused.message,
                "The specified SIM does not support \"standby.\""
            );
        }
        assert_eq!(may(&sim("ready", "plan-US"), Action::Standby), Ok(()));
    }

    #[test]
    fn speed_classes_follow_the_subscription() {
        assert!(speed_class(&sim("active", "plan01s"), "s1.fast").is_ok());
        assert!(speed_class(&sim("active", "plan01s"), "s1.8xfast").is_err());
        assert!(speed_class(&sim("active", "plan-US"), "s1.8xfast").is_ok());
        assert!(speed_class(&sim("active", "plan-DU"), "u1.slow").is_ok());
        assert!(speed_class(&sim("active", "plan-DU"), "s1.fast").is_err());
        assert!(speed_class(&sim("active", "plan-KM1"), "s1.fast").is_err());
        assert!(speed_class(&sim("active", "plan01s"), "arc.standard").is_err());
        let mut virtual_sim = sim("active", "plan01s");
        virtual_sim.sim_type = "virtual".to_owned();
        assert!(speed_class(&virtual_sim, "s1.fast").is_err());
    }

    #[test]
    fn imei_locks_take_fifteen_digits_or_the_online_imei() {
        let offline = sim("active", "plan01s");
        assert_eq!(
            imei_lock(&offline, "123456789012345").unwrap(),
            "123456789012345"
        );
        assert_eq!(
            imei_lock(&offline, "123456789012345|ANONYMOUS").unwrap(),
            "123456789012345|ANONYMOUS"
        );
        for bad in ["12345678901234", "12345678901234x", "123456789012345|OTHER"] {
            assert_eq!(
                imei_lock(&offline, bad).unwrap_err().code,
                "EMU0007",
                "{bad}"
            );
        }
        assert_eq!(imei_lock(&offline, "").unwrap_err().code, "EMU0006");
        let mut online = offline.clone();
        online.session_status = Some(crate::emulator::soracom::state::Session {
            online: true,
            imei: Some("353168044272803".into()),
        });
        assert_eq!(imei_lock(&online, "").unwrap(), "353168044272803");
    }
}
