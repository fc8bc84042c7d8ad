//! What the emulated Infobip IoT account holds: credentials, SIMs with their
//! usage counters, and a record of the SMS, diagnostics and actions asked for,
//! so tests can see what a client did.

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::emulator::generated_iccid;
use crate::kind::SANDBOX_KEY;

/// The statuses of the text's "Sim Report Response".
pub const STATUSES: [&str; 5] = [
    "Imported",
    "Activation Ready",
    "Active",
    "Suspended",
    "Deactivated",
];

/// Status moves the API performs (docs/providers.md); everything else is a 400.
pub const TRANSITIONS: [(&str, &str); 3] = [
    ("Activation Ready", "Active"),
    ("Active", "Suspended"),
    ("Suspended", "Active"),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfobipState {
    #[serde(default = "default_username")]
    pub username: String,
    #[serde(default = "default_key")]
    pub password: String,
    #[serde(default = "default_key")]
    pub api_key: String,
    #[serde(default)]
    pub sims: Vec<Sim>,
    /// Every SMS accepted, in order.
    #[serde(default)]
    pub sms: Vec<SentSms>,
    /// Every action answered with an `actionId`, in order.
    #[serde(default)]
    pub actions: Vec<Action>,
}

impl Default for InfobipState {
    fn default() -> Self {
        InfobipState {
            username: default_username(),
            password: default_key(),
            api_key: default_key(),
            sims: Vec::new(),
            sms: Vec::new(),
            actions: Vec::new(),
        }
    }
}

fn default_username() -> String {
    "simfleet".to_owned()
}

fn default_key() -> String {
    SANDBOX_KEY.to_owned()
}

fn default_time() -> String {
    "2019-06-04T11:42:49".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sim {
    pub iccid: String,
    #[serde(default)]
    pub name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub imsi: Option<String>,
    #[serde(default)]
    pub msisdn: Option<String>,
    #[serde(default)]
    pub service_profile_id: Option<String>,
    #[serde(default = "default_time")]
    pub created_at: String,
    #[serde(default = "default_time")]
    pub updated_at: String,
    #[serde(default)]
    pub usage: Usage,
}

/// Current-month counters; `None` is shown as `null`, as in the text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    #[serde(default)]
    pub data_bytes: u64,
    #[serde(default)]
    pub sms_sent: Option<u64>,
    #[serde(default)]
    pub sms_received: Option<u64>,
    #[serde(default)]
    pub calls_sent: Option<u64>,
    #[serde(default)]
    pub calls_received: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentSms {
    pub iccid: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub id: String,
    pub iccid: String,
    /// `name`, `status` or `diagnostic`.
    pub kind: String,
}

impl InfobipState {
    /// Seeds must use the documented status spellings.
    pub fn check(&self) -> Result<(), String> {
        match self
            .sims
            .iter()
            .find(|s| !STATUSES.contains(&s.status.as_str()))
        {
            Some(sim) => Err(format!(
                "infobip SIM {} has status `{}`; expected {}",
                sim.iccid,
                crate::text::inert(&sim.status),
                crate::wording::words(&STATUSES, "or")
            )),
            None => Ok(()),
        }
    }

    pub fn generate(&mut self, count: usize) {
        let start = self.sims.len();
        self.sims.extend((start..start + count).map(|n| Sim {
            iccid: generated_iccid("8938100022", n),
            name: None,
            status: STATUSES[1 + n % 3].to_owned(),
            imsi: None,
            msisdn: None,
            service_profile_id: None,
            created_at: default_time(),
            updated_at: default_time(),
            usage: Usage {
                data_bytes: (n as u64 % 97) * 1_048_576,
                ..Usage::default()
            },
        }));
    }

    pub(super) fn find(&self, iccid: &str) -> Option<usize> {
        self.sims.iter().position(|s| s.iccid == iccid)
    }

    /// Records an action and returns its id, UUID-shaped like the text's.
    pub(super) fn action(&mut self, iccid: &str, kind: &str) -> String {
        let n = self.actions.len() as u64 + 1;
        let id = format!("f597d319-de5c-4524-9378-{n:012x}");
        self.actions.push(Action {
            id: id.clone(),
            iccid: iccid.to_owned(),
            kind: kind.to_owned(),
        });
        id
    }
}

/// A SIM as in "Sim Report Response"; absent optional fields are left out,
/// as the text's first example does.
pub(super) fn render(sim: &Sim) -> Json {
    let mut out = json!({
        "iccid": sim.iccid,
        "status": sim.status,
        "createdAt": sim.created_at,
        "updatedAt": sim.updated_at,
        "model": {"type": "Standard", "provisioning": "UICC", "size": "Trio (2FF, 3FF, 4FF)"},
    });
    if let Some(obj) = out.as_object_mut() {
        let optional = [
            ("name", &sim.name),
            ("imsi", &sim.imsi),
            ("msisdn", &sim.msisdn),
            ("serviceProfileId", &sim.service_profile_id),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                obj.insert(key.to_owned(), json!(v));
            }
        }
    }
    out
}

/// Usage as in the text's response examples.
pub(super) fn render_usage(sim: &Sim) -> Json {
    json!({
        "iccid": sim.iccid,
        "receivedSmsCount": sim.usage.sms_received,
        "sentSmsCount": sim.usage.sms_sent,
        "usedDataBytes": sim.usage.data_bytes,
        "receivedCallsCount": sim.usage.calls_received,
        "sentCallsCount": sim.usage.calls_sent,
    })
}
