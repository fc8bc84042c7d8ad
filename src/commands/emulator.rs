//! `simfleet emulator`: serve the provider APIs until interrupted.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use simfleet::cli::EmulatorArgs;
use simfleet::emulator::{self, App, Faults, ProviderSettings, WorldState};
use simfleet::kind::ProviderKind;

use super::output::{errln, outln};

pub async fn run(args: EmulatorArgs) -> anyhow::Result<u8> {
    let mut world = match &args.state {
        Some(path) => WorldState::load(path)?,
        None => WorldState::default(),
    };
    for spec in &args.generate {
        world.generate(spec)?;
    }
    let settings = ProviderSettings {
        rate_limit: args.rate_limit,
        rate_window: Duration::from_secs_f64(args.rate_window),
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            fail_every: args.fail_every,
            fail_status: args.fail_status,
            rate: args.fault_rate.clamp(0.0, 1.0),
            kinds: args.faults.clone(),
            echo_credentials: args.echo_credentials,
            down_after: args.down_after,
            methods: args
                .fault_methods
                .iter()
                .map(|m| m.to_ascii_uppercase())
                .collect(),
        },
        token_lifetime: Duration::from_secs(args.token_expiry),
        provision_delay: Duration::from_millis(args.provision_delay_ms),
        monitor_delay: Duration::from_millis(args.monitor_delay_ms),
        monitor_fail_every: args.monitor_fail_every,
        schedule_delay: Duration::from_millis(args.schedule_delay_ms),
    };
    // The same settings for every emulated provider.
    let settings: BTreeMap<ProviderKind, ProviderSettings> = ProviderKind::ALL
        .into_iter()
        .map(|k| (k, settings.clone()))
        .collect();
    let admin_token = match args.admin_token {
        Some(token) => Some(token),
        None if !args.listen.ip().is_loopback() => {
            let token = made_up_token();
            errln!("admin token for /_emulator/* (send as `Authorization: Bearer ...`): {token}");
            Some(token)
        }
        None => None,
    };
    let recordings = match &args.replay {
        Some(dir) => simfleet::recording::load(dir)?,
        None => Vec::new(),
    };
    let overrides = emulator::Overrides::new(recordings, args.not_found.clone());
    let running = emulator::serve(
        App::with_overrides(world, settings, overrides),
        args.listen,
        args.allow_remote,
        admin_token,
    )
    .await?;
    // Tests and scripts read the bound address from this first line.
    outln!("listening on http://{}", running.addr)?;
    tokio::signal::ctrl_c()
        .await
        .context("waiting for ctrl-c")?;
    running.stop().await;
    Ok(0)
}

/// 128 random bits, hex: each RandomState is keyed afresh by the OS.
fn made_up_token() -> String {
    use std::hash::BuildHasher;
    let draw = || std::collections::hash_map::RandomState::new().hash_one(0u8);
    format!("{:016x}{:016x}", draw(), draw())
}
