//! What the emulated Onomondo account holds, its seed format and rendering
//! of SIMs in the documented response shapes: a listed or found SIM without
//! its data limit, a single SIM (GET, PATCH) with it, as the text shows.

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::emulator::generated_iccid;
use crate::kind::SANDBOX_KEY;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnomondoState {
    #[serde(default = "default_key")]
    pub api_key: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub sims: Vec<Sim>,
    /// Whether the account has the Pro package, the text's minimum for
    /// seeing and updating a SIM's alert threshold. Without it (assumed):
    /// the threshold reads `null` and an update that carries one is refused.
    #[serde(default = "yes")]
    pub pro: bool,
}

impl Default for OnomondoState {
    fn default() -> Self {
        OnomondoState {
            api_key: default_key(),
            tags: Vec::new(),
            sims: Vec::new(),
            pro: true,
        }
    }
}

fn default_key() -> String {
    SANDBOX_KEY.to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default = "yes")]
    pub can_write: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataLimit {
    pub total: u64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub alert_threshold: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sim {
    pub id: String,
    pub iccid: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub network_whitelist: Option<String>,
    #[serde(default)]
    pub imei_lock: Option<String>,
    #[serde(default)]
    pub connector: Option<String>,
    #[serde(default)]
    pub activated: bool,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub usage: u64,
    /// Tag ids (a seed may give names; they are resolved on load).
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub data_limit: Option<DataLimit>,
}

impl OnomondoState {
    /// Seeds may name tags on SIMs by name; state keeps ids.
    pub fn resolve_tag_names(&mut self) -> Result<(), String> {
        for sim in &mut self.sims {
            for tag in &mut sim.tags {
                if self.tags.iter().any(|t| &t.id == tag) {
                    continue;
                }
                match self.tags.iter().find(|t| &t.name == tag) {
                    Some(t) => *tag = t.id.clone(),
                    None => return Err(format!("SIM {} names unknown tag {tag:?}", sim.iccid)),
                }
            }
        }
        Ok(())
    }

    pub fn generate(&mut self, count: usize) {
        let start = self.sims.len();
        self.sims.extend((start..start + count).map(|n| Sim {
            id: format!("{:09}", n + 1),
            iccid: generated_iccid("8945738730", n),
            label: None,
            network_whitelist: None,
            imei_lock: None,
            connector: None,
            activated: n % 4 != 0,
            online: false,
            usage: 0,
            tags: Vec::new(),
            data_limit: None,
        }));
    }

    /// Tags with `can_write: false` stay on the SIMs that carry them.
    pub(super) fn writable(&self, tag_id: &str) -> bool {
        self.tags
            .iter()
            .find(|t| t.id == tag_id)
            .is_none_or(|t| t.can_write)
    }

    pub(super) fn find(&self, key: &str) -> Option<usize> {
        self.sims.iter().position(|s| s.id == key || s.iccid == key)
    }

    /// A SIM as the list and find answers show it: no `data_limit`.
    pub(super) fn render(&self, sim: &Sim) -> Json {
        let tags: Vec<Json> = sim
            .tags
            .iter()
            .filter_map(|id| self.tags.iter().find(|t| &t.id == id))
            .map(
                |t| json!({"name": t.name, "id": t.id, "can_write": t.can_write, "color": t.color}),
            )
            .collect();
        json!({
            "id": sim.id,
            "iccid": sim.iccid,
            "label": sim.label,
            "network_whitelist": sim.network_whitelist,
            "imei_lock": sim.imei_lock,
            "connector": sim.connector,
            "activated": sim.activated,
            "ipv4": format!("100.64.{}.{}", sim.id.len() % 256, sim.usage % 256),
            "online": sim.online,
            "online_at": null,
            "last_came_online_at": null,
            "network": {"name": null, "country": null, "country_code": null, "mcc": null, "mnc": null},
            "usage": sim.usage,
            "tags": tags,
        })
    }

    /// A SIM as `GET /sims/{id}` and the PATCH answer show it: with its
    /// `data_limit` when it has one (a SIM without one: the key is absent,
    /// assumed).
    pub(super) fn render_single(&self, sim: &Sim) -> Json {
        let mut out = self.render(sim);
        if let (Some(limit), Some(obj)) = (&sim.data_limit, out.as_object_mut()) {
            let alert = limit.alert_threshold.filter(|_| self.pro);
            obj.insert(
                "data_limit".into(),
                json!({"used": 0, "total": limit.total, "type": limit.kind,
                       "period": null, "alert_threshold": alert, "resets_at": null}),
            );
        }
        out
    }
}
