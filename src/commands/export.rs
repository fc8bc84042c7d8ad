//! `simfleet export`: manifests that reproduce one provider's live state,
//! or only the SIMs no manifest declares yet. What is written is
//! `simfleet::export`'s; this runs it: checks first, then one read, then
//! the documents to a folder or stdout.

use std::collections::{BTreeSet, HashSet};

use anyhow::Context;
use simfleet::export::{self, Destination, Options};
use simfleet::model::Iccid;
use simfleet::plan::select::selected;
use simfleet::provider::ReadScope;
use simfleet::text::inert;

use super::Ui;
use super::output::{errln, out};
use super::session::{configs, connect, load};
use super::signals::{Interrupted, hooked, reading};
use simfleet::cli::ExportArgs;
use simfleet::render::progress::Stage;

pub async fn run(args: ExportArgs, ui: Ui, trust: &simfleet::trust::Trust) -> anyhow::Result<u8> {
    let manifests = load(&args.paths)?;
    let config = manifests.provider(&args.provider).context("--provider")?;
    let options = Options {
        all_fields: args.all_fields,
        group_by: args.group_by.map(Into::into),
        unmanaged_only: args.unmanaged_only,
    };
    // Everything that can refuse the run does so before any request.
    export::check(config, &options)?;
    let destination = Destination::of(&args.out);
    destination.check_before_reading(&config.name, options.unmanaged_only)?;
    let connected = connect(
        configs(&manifests, &BTreeSet::from([args.provider.clone()])),
        trust,
    )
    .await?;
    let stop = hooked();
    let result = async {
        let client = connected
            .clients
            .get(&args.provider)
            .context("the provider did not connect")?;
        let watch = connected.watch(ui, Stage::Reading);
        let everything = ReadScope::default();
        let read = stop.unless_raised(client.read_inventory(&everything));
        let mut sims = reading(read, watch).await??.sims;
        sims.retain(|sim| selected(&sim.iccid, &sim.fields, &args.select));
        // A SIM listed by a provider id for want of an ICCID (a Super SIM
        // whose `iccid` is null) cannot be declared: said, not written.
        let (kept, unnamed): (Vec<_>, Vec<_>) = sims
            .into_iter()
            .partition(|sim| Iccid::parse(sim.iccid.as_str()).is_some());
        sims = kept;
        if let Some(first) = unnamed.first() {
            errln!(
                "warning: {} SIM(s) of provider `{}` have no ICCID (listed by their id, such as \
                 {}): a manifest cannot declare them, so they are not exported",
                unnamed.len(),
                config.name,
                first.iccid
            );
        }
        if options.unmanaged_only {
            let declared: HashSet<_> = manifests
                .sims
                .iter()
                .filter(|s| *s.provider == *config.name)
                .map(|s| &s.iccid)
                .collect();
            // Declared by any of its ICCIDs (Soracom's profiles), it is managed.
            sims.retain(|sim| !sim.iccids().any(|i| declared.contains(i)));
            if sims.is_empty() {
                errln!(
                    "No unmanaged SIMs at provider `{}`: nothing written.",
                    config.name
                );
                return Ok(0);
            }
        }
        // Fields that cost a request per SIM are read only for the SIMs
        // being exported.
        if !config.kind.capabilities().detail_fields.is_empty() && !sims.is_empty() {
            let iccids: Vec<_> = sims.iter().map(|s| s.iccid.clone()).collect();
            let scope = ReadScope {
                details: iccids.iter().cloned().collect(),
                ..ReadScope::default()
            };
            let watch = connected.watch(ui, Stage::Reading);
            let read = stop.unless_raised(client.read_sims(&iccids, &scope));
            sims = reading(read, watch).await??;
        }
        sims.sort_by(|a, b| a.iccid.cmp(&b.iccid));
        let documents = export::documents(config, &sims, &options);
        // A stop raised since the read still means nothing is written.
        if stop.is_raised() {
            errln!("{Interrupted}");
            return Err(Interrupted.into());
        }
        destination.write(&documents)?;
        let (place, unit) = match &destination {
            Destination::Stdout => {
                out!("{}", export::stream(&documents))?;
                ("stdout".to_owned(), "documents")
            }
            Destination::Folder(folder) => {
                (inert(&folder.display().to_string()).into_owned(), "files")
            }
        };
        errln!(
            "Exported {} SIM(s) of provider `{}` to {place} ({} {unit}).",
            sims.len(),
            config.name,
            documents.len()
        );
        Ok(0)
    }
    .await;
    connected.sandboxes.stop(false).await?;
    result
}
