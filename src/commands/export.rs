//! `simfleet export`: manifests that reproduce one provider's live state.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use simfleet::manifest::write;
use simfleet::plan::select::selected;
use simfleet::provider::ReadScope;

use super::Ui;
use super::output::errln;
use super::session::{configs, connect, load};
use simfleet::cli::ExportArgs;
use simfleet::render::progress::Stage;

pub async fn run(args: ExportArgs, ui: Ui, trust: &simfleet::trust::Trust) -> anyhow::Result<u8> {
    let manifests = load(&args.paths)?;
    let config = manifests.provider(&args.provider).context("--provider")?;
    let connected = connect(
        configs(&manifests, &BTreeSet::from([args.provider.clone()])),
        trust,
    )
    .await?;
    let result = async {
        let client = connected
            .clients
            .get(&args.provider)
            .context("the provider did not connect")?;
        let watch = connected.watch(ui, Stage::Reading);
        let inventory = client.read_inventory(&ReadScope::default()).await;
        watch.finish();
        let inventory = inventory?;
        let mut sims = inventory.sims;
        sims.retain(|sim| selected(&sim.iccid, &sim.fields, &args.select));
        if !config.kind.capabilities().detail_fields.is_empty() && !sims.is_empty() {
            let iccids: Vec<_> = sims.iter().map(|s| s.iccid.clone()).collect();
            let scope = ReadScope {
                details: iccids.iter().cloned().collect(),
                ..ReadScope::default()
            };
            let watch = connected.watch(ui, Stage::Reading);
            let read = client.read_sims(&iccids, &scope).await;
            watch.finish();
            sims = read?;
        }
        sims.sort_by(|a, b| a.iccid.cmp(&b.iccid));
        let files = write::export(config, &sims);
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        for (name, _) in &files {
            let path = args.out.join(name);
            // `symlink_metadata`: a link, even a dangling one, counts as
            // there; writing through it would land outside --out.
            if std::fs::symlink_metadata(&path).is_ok() {
                bail!("{} exists; export writes only new files", path.display());
            }
        }
        for (name, text) in &files {
            let path = args.out.join(name);
            // `create_new`: a file or link that appeared since the check
            // above is not written through either.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        errln!(
            "Exported {} SIM(s) of provider `{}` to {} ({} files).",
            sims.len(),
            args.provider,
            args.out.display(),
            files.len()
        );
        Ok(0)
    }
    .await;
    connected.sandboxes.stop(false).await?;
    result
}
