//! Sandboxes: providers served by the built-in emulator inside this process,
//! over loopback HTTP, with state kept under `.simfleet/sandbox/` so that
//! plan → apply → plan converges across runs.
//!
//! A sandbox's state is re-seeded when its seed file changes, and never
//! silently otherwise: a damaged state file is an error. One run at a time
//! holds the state folder's lock, from start to the last save, so two runs
//! never overwrite each other's changes. Nothing here talks to a real
//! provider.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    #[error(
        "sandbox `{provider}`: the saved state {path} is damaged ({detail}); \
         delete it to start again from the seed {seed}"
    )]
    Damaged {
        provider: String,
        path: String,
        seed: String,
        detail: String,
    },
    #[error(
        "sandbox `{provider}`: the seed {seed} is not inside the current folder {here}; a \
         manifest names only files of the repository simfleet runs in"
    )]
    Outside {
        provider: String,
        seed: String,
        here: String,
    },
    #[error("cannot lock the sandbox state folder {path}: {source}")]
    Lock {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the sandbox state in {path} is in use by another simfleet run; \
         gave up after waiting {seconds} s"
    )]
    Busy { path: String, seconds: u64 },
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
    /// The state folder's lock, released when this is dropped.
    _lock: Option<std::fs::File>,
}

/// How long a run waits for another to release the sandbox state.
const LOCK_WAIT: Duration = Duration::from_secs(600);

/// Takes the state folder's exclusive lock, waiting (bounded) for a run
/// that holds it. The OS releases it if this process dies.
async fn lock(dir: &Path) -> Result<std::fs::File, SandboxError> {
    let path = dir.join(".lock");
    let failed = |source| SandboxError::Lock {
        path: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(failed)?;
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
            Err(std::fs::TryLockError::WouldBlock) => {}
        }
        if !told {
            tracing::warn!(
                "waiting for another simfleet run to finish with the sandbox state in {}",
                dir.display()
            );
            told = true;
        }
        if started.elapsed() > LOCK_WAIT {
            return Err(SandboxError::Busy {
                path: dir.display().to_string(),
                seconds: LOCK_WAIT.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Sandboxes {
    /// Starts one emulator per sandbox provider among `providers`.
    pub async fn start<'a>(
        providers: impl IntoIterator<Item = &'a ProviderConfig>,
        dir: &Path,
    ) -> Result<Sandboxes, SandboxError> {
        let mut out = Sandboxes::default();
        let providers: Vec<&ProviderConfig> = providers.into_iter().collect();
        if providers.iter().any(|c| c.is_sandbox()) {
            no_links(dir)?;
            out._lock = Some(lock(dir).await?);
        }
        for config in providers {
            let Endpoint::Sandbox { seed } = &config.endpoint else {
                continue;
            };
            let provider = config.name.clone();
            let state_err = |source| SandboxError::State {
                provider: provider.clone(),
                source,
            };
            inside_working_dir(&provider, seed)?;
            let bytes = super::state::read_state_file(seed).map_err(state_err)?;
            let seed_digest = crate::digest::Digest::of(&bytes);
            let state_path = dir.join(format!("{provider}.json"));
            let saved =
                saved_state(&state_path, &provider, seed)?.filter(|s| s.seed_digest == seed_digest);
            let world = match saved {
                Some(s) => s.state,
                None => WorldState::load(seed).map_err(state_err)?,
            };
            let app = App::new(world, BTreeMap::new());
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let running = super::serve(app, addr, false, None)
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

/// Refuses a state folder that is, or sits in, a symbolic link: state
/// would be read and written wherever the link points.
fn no_links(dir: &Path) -> Result<(), SandboxError> {
    let mut at = PathBuf::new();
    for part in dir.components() {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(SandboxError::Lock {
                path: dir.display().to_string(),
                source: std::io::Error::other(format!(
                    "{} is a symbolic link; sandbox state stays in a real folder",
                    at.display()
                )),
            });
        }
    }
    Ok(())
}

/// A manifest (a pull request's, perhaps) chooses the seed: it may name a
/// file of the folder simfleet runs in, links resolved, and nothing else.
fn inside_working_dir(provider: &str, seed: &Path) -> Result<(), SandboxError> {
    let here = std::env::current_dir().and_then(|d| d.canonicalize());
    let at = seed.canonicalize();
    if let (Ok(here), Ok(at)) = (&here, &at)
        && at.starts_with(here)
    {
        return Ok(());
    }
    if let Err(source) = at {
        // Missing, or behind a folder it may not enter: said as such.
        return Err(SandboxError::State {
            provider: provider.to_owned(),
            source: super::state::StateError::Read {
                path: seed.display().to_string(),
                source,
            },
        });
    }
    Err(SandboxError::Outside {
        provider: provider.to_owned(),
        seed: seed.display().to_string(),
        here: here.map_or_else(|e| format!("(unknown: {e})"), |h| h.display().to_string()),
    })
}

/// The state a run saved, if any. An unreadable or unparsable file is an
/// error: replacing it from the seed would silently undo applied changes.
fn saved_state(path: &Path, provider: &str, seed: &Path) -> Result<Option<Saved>, SandboxError> {
    let damaged = |detail: String| SandboxError::Damaged {
        provider: provider.to_owned(),
        path: path.display().to_string(),
        seed: seed.display().to_string(),
        detail,
    };
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let bytes = super::state::read_state_file(path).map_err(|e| damaged(e.to_string()))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| damaged(e.to_string()))
}
