//! `simfleet man`: man pages (roff) generated from the command line's own
//! definition, so they cannot fall behind `--help`: simfleet's on stdout,
//! one command's (`man plan`, `man sim show`), or every page into a folder
//! for packagers (`man --out-dir DIR`: `simfleet.1`, `simfleet-plan.1`, ...).
//!
//! It must not describe anything itself: every word comes from `cli`.

use std::path::Path;

use anyhow::{Context, bail};
use clap::CommandFactory;
use simfleet::cli::{Cli, ManArgs};
use simfleet::wording::{closest, words};

use super::output;

pub fn run(args: &ManArgs) -> anyhow::Result<u8> {
    let mut root = Cli::command().disable_help_subcommand(true);
    // Built, subcommands carry their page names (`simfleet-plan`).
    root.build();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_all(&root, dir)?;
        return Ok(0);
    }
    let mut page = &root;
    for name in &args.command {
        let Some(sub) = page.find_subcommand(name) else {
            let names: Vec<&str> = page.get_subcommands().map(|c| c.get_name()).collect();
            let hint =
                closest(name, &names).map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            bail!(
                "`{}` has no command `{name}`{hint}; its commands are {}",
                title(page).replace('-', " "),
                words(&quoted, "and")
            );
        };
        page = sub;
    }
    // Into memory first: a closed stdout is then found by `output`.
    let mut roff = Vec::new();
    man(page).render(&mut roff)?;
    output::stdout(&String::from_utf8_lossy(&roff))?;
    Ok(0)
}

/// The page of `command`, naming simfleet and its version as its source
/// (a subcommand has no version of its own).
fn man(command: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command.clone()).source(format!("simfleet {}", env!("CARGO_PKG_VERSION")))
}

/// `simfleet-sim-show`, as a page is named.
fn title(command: &clap::Command) -> &str {
    command.get_display_name().unwrap_or(command.get_name())
}

/// The page of `command` and of every command below it, into `dir`.
fn write_all(command: &clap::Command, dir: &Path) -> anyhow::Result<()> {
    let page = man(command);
    let path = dir.join(page.get_filename());
    let mut roff = Vec::new();
    page.render(&mut roff)?;
    std::fs::write(&path, roff).with_context(|| format!("cannot write {}", path.display()))?;
    for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
        write_all(sub, dir)?;
    }
    Ok(())
}
