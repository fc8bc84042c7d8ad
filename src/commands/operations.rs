//! `sim show`, `usage`, `sms`, `diagnose`: check, connect only the provider
//! concerned, ask, print. Every refusal happens before a client exists.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use simfleet::kind::Operation;
use simfleet::manifest::Manifests;
use simfleet::model::Iccid;
use simfleet::operations::{self as ops, parse_iccid};
use simfleet::provider::{Provider, ReadScope};
use simfleet::render::operations as view;

use super::output::{out, outln};
use super::session::{connect, load};
use simfleet::cli::{DiagnoseArgs, Format, ShowArgs, SimTarget, SmsArgs, UsageArgs};
use simfleet::trust::Trust;

/// Runs `f` against one connected provider, then stops its sandbox (saving
/// state: SMS and diagnostics are recorded there).
async fn with_provider<T>(
    trust: &Trust,
    manifests: &Manifests,
    name: &str,
    f: impl AsyncFnOnce(&dyn Provider) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let concerned = BTreeSet::from([name.to_owned()]);
    let connected = connect(super::session::configs(manifests, &concerned), trust).await?;
    let result = match connected.clients.get(name) {
        Some(client) => f(client.as_ref()).await,
        None => Err(anyhow::anyhow!("provider `{name}` could not be connected")),
    };
    connected.sandboxes.stop(true).await?;
    result
}

/// Loads manifests and resolves the SIM's provider for `op`.
fn resolve(target: &SimTarget, op: Operation) -> anyhow::Result<(Manifests, Iccid, String)> {
    let iccid = parse_iccid(&target.iccid)?;
    let manifests = load(&target.paths)?;
    let provider = ops::target(&manifests, &iccid, target.provider.as_deref(), op)?;
    Ok((manifests, iccid, provider))
}

pub async fn show(args: ShowArgs, trust: &Trust) -> anyhow::Result<u8> {
    let (manifests, iccid, name) = resolve(&args.target, Operation::ShowSim)?;
    let kind = manifests.providers[&name].kind;
    // Everything about this one SIM, details included.
    let scope = ReadScope {
        details: BTreeSet::from([iccid.clone()]),
        ..ReadScope::default()
    };
    let sims = with_provider(trust, &manifests, &name, async |client: &dyn Provider| {
        client
            .read_sims(std::slice::from_ref(&iccid), &scope)
            .await
            .with_context(|| format!("reading SIM {iccid} at provider `{name}`"))
    })
    .await?;
    let Some(sim) = sims.into_iter().find(|s| s.iccid == iccid) else {
        anyhow::bail!("SIM {iccid} is not at provider `{name}`");
    };
    match args.format {
        Format::Text => out!("{}", view::render_sim(&name, kind, &sim))?,
        Format::Json => outln!("{}", serde_json::to_string_pretty(&sim)?)?,
    }
    Ok(0)
}

pub async fn usage(args: UsageArgs, trust: &Trust) -> anyhow::Result<u8> {
    let manifests = load(&args.paths)?;
    // Provider → SIMs asked for (empty: all of them).
    let mut wanted: BTreeMap<String, Vec<Iccid>> = BTreeMap::new();
    if args.sims.is_empty() {
        for name in ops::providers_offering(&manifests, &args.providers, Operation::Usage)? {
            wanted.insert(name, Vec::new());
        }
    } else {
        let only = match args.providers.as_slice() {
            [] => None,
            [one] => Some(one.as_str()),
            _ => anyhow::bail!("with --sim, give at most one --provider"),
        };
        for text in &args.sims {
            let iccid = parse_iccid(text)?;
            let name = ops::target(&manifests, &iccid, only, Operation::Usage)?;
            wanted.entry(name).or_default().push(iccid);
        }
    }
    let concerned: BTreeSet<String> = wanted.keys().cloned().collect();
    let connected = connect(super::session::configs(&manifests, &concerned), trust).await?;
    let mut rows = Vec::new();
    let mut failure = None;
    for (name, iccids) in &wanted {
        match connected.clients[name].usage(iccids).await {
            Ok(records) => rows.extend(records.into_iter().map(|r| (name.clone(), r))),
            Err(e) => {
                failure =
                    Some(anyhow::Error::new(e).context(format!("usage at provider `{name}`")));
                break;
            }
        }
    }
    connected.sandboxes.stop(true).await?;
    if let Some(e) = failure {
        return Err(e);
    }
    out!("{}", view::render_usage(&rows, args.format.into())?)?;
    Ok(0)
}

pub async fn sms(args: SmsArgs, trust: &Trust) -> anyhow::Result<u8> {
    let (manifests, iccid, name) = resolve(&args.target, Operation::Sms)?;
    ops::check_sms_text(manifests.providers[&name].kind, &args.text)?;
    with_provider(trust, &manifests, &name, async |client: &dyn Provider| {
        client
            .send_sms(&iccid, &args.text)
            .await
            .with_context(|| format!("sending SMS to {iccid} at provider `{name}`"))
    })
    .await?;
    outln!(
        "SMS sent to {iccid} at provider `{name}` ({} characters).",
        args.text.chars().count()
    )?;
    Ok(0)
}

pub async fn diagnose(args: DiagnoseArgs, trust: &Trust) -> anyhow::Result<u8> {
    let (manifests, iccid, name) = resolve(&args.target, Operation::Diagnose)?;
    let action = with_provider(trust, &manifests, &name, async |client: &dyn Provider| {
        client
            .diagnose(&iccid)
            .await
            .with_context(|| format!("diagnostics of {iccid} at provider `{name}`"))
    })
    .await?;
    outln!("Diagnostics started for {iccid} at provider `{name}`: action {action}.")?;
    Ok(0)
}
