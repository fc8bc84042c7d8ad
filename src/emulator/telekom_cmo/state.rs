//! What the emulated T IoT Hub CMO tenant holds: OAuth client, connectivity
//! products (CELLULAR SIMs and SATELLITE products), custom properties and
//! the monitors of asynchronous status changes.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::emulator::generated_iccid;
use crate::kind::SANDBOX_KEY;

/// Backends that answer status changes at once; the others answer 202
/// with a monitor link (the sync/async updates page, docs/providers.md).
pub const SYNC_BACKENDS: [&str; 4] = ["JASPER", "TMUS", "IOTA", "1NCE"];
pub const ASYNC_BACKENDS: [&str; 6] = ["TMSP", "INTELSAT", "AIRLINQ", "STC", "TURKCELL", "GALAXY1"];
pub const SETTABLE: [&str; 3] = ["ACTIVE", "SUSPENDED", "INACTIVE"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CmoState {
    #[serde(default = "default_tenant")]
    pub tenant: String,
    #[serde(default = "default_client")]
    pub client_id: String,
    #[serde(default = "default_secret")]
    pub client_secret: String,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub monitors: Vec<Monitor>,
}

impl Default for CmoState {
    fn default() -> Self {
        CmoState {
            tenant: default_tenant(),
            client_id: default_client(),
            client_secret: default_secret(),
            products: Vec::new(),
            monitors: Vec::new(),
        }
    }
}

fn default_tenant() -> String {
    "sandbox".to_owned()
}

fn default_client() -> String {
    "simfleet".to_owned()
}

fn default_secret() -> String {
    SANDBOX_KEY.to_owned()
}

fn cellular() -> String {
    "CELLULAR".to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Product {
    /// `BACKEND-<iccid>` for SIMs.
    pub id: String,
    #[serde(default = "cellular")]
    pub connectivity_type: String,
    pub status: String,
    #[serde(default)]
    pub custom_property: Vec<Property>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Property {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitor {
    pub id: String,
    pub product_id: String,
    pub target: String,
    pub previous: String,
    /// `InProgress`, `Completed` or `InError`.
    pub state: String,
    pub fails: bool,
    /// When the monitor settles; not persisted (reloaded ones settle at once).
    #[serde(skip)]
    pub due: Option<Instant>,
}

impl Product {
    pub fn backend(&self) -> &str {
        self.id.split_once('-').map_or("", |(b, _)| b)
    }

    pub fn iccid(&self) -> &str {
        self.id.split_once('-').map_or("", |(_, i)| i)
    }

    pub fn is_async(&self) -> bool {
        ASYNC_BACKENDS.contains(&self.backend())
    }

    pub fn summary(&self) -> Json {
        json!({"id": self.id, "connectivityType": self.connectivity_type, "status": self.status})
    }

    pub fn sim_card(&self, base: &str) -> Json {
        let characteristic = |name: &str, value: &str| json!({"name": name, "value": value});
        json!({
            "id": format!("{}-simCard", self.id),
            "href": format!("{base}/product/{}-simCard", self.id),
            "isBundle": false,
            "status": self.status,
            "productCharacteristic": [
                characteristic("ICCID", self.iccid()),
                characteristic("simNotes", ""),
            ],
            "customProperty": self.custom_property,
            "@baseType": "product",
            "@type": "simCard",
        })
    }

    pub fn detail(&self, base: &str) -> Json {
        let mut out = json!({
            "id": self.id,
            "href": format!("{base}/product/{}", self.id),
            "isBundle": true,
            "status": self.status,
            "connectivityType": self.connectivity_type,
            "productCharacteristic": [{"name": "SYSTEM", "value": self.backend()}],
            "@baseType": "product",
            "@type": "IoTConnection",
        });
        if self.connectivity_type == "CELLULAR"
            && let Some(obj) = out.as_object_mut()
        {
            obj.insert(
                "productRelationship".into(),
                json!([{"type": "BUNDLED", "product": self.sim_card(base)}]),
            );
        }
        out
    }
}

impl CmoState {
    pub fn check(&self) -> Result<(), String> {
        for p in &self.products {
            let known = SYNC_BACKENDS.contains(&p.backend()) || p.is_async();
            if !known || p.iccid().is_empty() {
                return Err(format!(
                    "telekom-cmo product {}: id must be BACKEND-<iccid> with BACKEND {}",
                    crate::text::inert(&p.id),
                    crate::wording::words(
                        &[SYNC_BACKENDS.as_slice(), ASYNC_BACKENDS.as_slice()].concat(),
                        "or"
                    )
                ));
            }
        }
        Ok(())
    }

    /// Half the generated SIMs on a sync backend, half on an async one.
    pub fn generate(&mut self, count: usize) {
        let start = self.products.len();
        self.products
            .extend((start..start + count).map(|n| Product {
                id: format!(
                    "{}-{}",
                    if n % 2 == 0 { "JASPER" } else { "TMSP" },
                    generated_iccid("8949020000", n)
                ),
                connectivity_type: cellular(),
                status: ["ACTIVE", "INACTIVE", "SUSPENDED"][n % 3].to_owned(),
                custom_property: Vec::new(),
            }));
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.products.iter().position(|p| p.id == id)
    }

    /// Settles monitors whose time has come, applying their status change.
    pub fn settle(&mut self) {
        let now = Instant::now();
        for m in &mut self.monitors {
            if m.state != "InProgress" || m.due.is_some_and(|d| now < d) {
                continue;
            }
            m.state = if m.fails { "InError" } else { "Completed" }.to_owned();
            if let Some(p) = self.products.iter_mut().find(|p| p.id == m.product_id) {
                p.status = if m.fails {
                    m.previous.clone()
                } else {
                    m.target.clone()
                };
            }
        }
    }
}
