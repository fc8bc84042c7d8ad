//! Sandboxes: providers served by the built-in emulator inside this process,
//! over loopback HTTP, with state kept under `.simfleet/sandbox/` so that
//! plan → apply → plan converges across runs.
//!
//! A sandbox's state is re-seeded when its seed file changes. Nothing here
//! talks to a real provider.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{App, EmulatorError, Running, StateError, WorldState, write_json};
use crate::config::{Endpoint, ProviderConfig};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox `{provider}`: {source}")]
    State {
        provider: String,
        #[source]
        source: StateError,
    },
    #[error("sandbox `{provider}`: {source}")]
    Serve {
        provider: String,
        #[source]
        source: EmulatorError,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    seed: String,
    seed_digest: String,
    state: WorldState,
}

struct Sandbox {
    provider: String,
    mount: &'static str,
    running: Running,
    state_path: PathBuf,
    seed: PathBuf,
    seed_digest: String,
}

/// Running sandboxes, by provider name.
#[derive(Default)]
pub struct Sandboxes {
    running: Vec<Sandbox>,
}

impl Sandboxes {
    /// Starts one emulator per sandbox provider among `providers`.
    pub async fn start<'a>(
        providers: impl IntoIterator<Item = &'a ProviderConfig>,
        dir: &Path,
    ) -> Result<Sandboxes, SandboxError> {
        let mut out = Sandboxes::default();
        for config in providers {
            let Endpoint::Sandbox { seed } = &config.endpoint else {
                continue;
            };
            let provider = config.name.clone();
            let state_err = |source| SandboxError::State {
                provider: provider.clone(),
                source,
            };
            let bytes = std::fs::read(seed).map_err(|source| {
                state_err(StateError::Read {
                    path: seed.display().to_string(),
                    source,
                })
            })?;
            let seed_digest = crate::digest::Digest::of(&bytes);
            let state_path = dir.join(format!("{provider}.json"));
            let saved = std::fs::read_to_string(&state_path)
                .ok()
                .and_then(|t| serde_json::from_str::<Saved>(&t).ok())
                .filter(|s| s.seed_digest == seed_digest);
            let world = match saved {
                Some(s) => s.state,
                None => WorldState::load(seed).map_err(state_err)?,
            };
            let app = App::new(world, BTreeMap::new());
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let running =
                super::serve(app, addr, false)
                    .await
                    .map_err(|source| SandboxError::Serve {
                        provider: provider.clone(),
                        source,
                    })?;
            out.running.push(Sandbox {
                provider,
                mount: config.kind.mount(),
                running,
                state_path,
                seed: seed.clone(),
                seed_digest,
            });
        }
        Ok(out)
    }

    pub fn url(&self, provider: &str) -> Option<String> {
        self.running
            .iter()
            .find(|s| s.provider == provider)
            .map(|s| s.running.url(s.mount))
    }

    /// Stops every sandbox and, when `persist`, saves its state.
    pub async fn stop(self, persist: bool) -> Result<(), SandboxError> {
        for sandbox in self.running {
            let state = sandbox.running.stop().await;
            if !persist {
                continue;
            }
            let saved = Saved {
                seed: sandbox.seed.display().to_string(),
                seed_digest: sandbox.seed_digest,
                state,
            };
            write_json(&sandbox.state_path, &saved).map_err(|source| SandboxError::State {
                provider: sandbox.provider,
                source,
            })?;
        }
        Ok(())
    }
}
