//! Mistakes in command-line flags are said in words before anything is
//! read: a selector shows the forms it may take, a provider name the
//! providers there are (`a, b and c`, never a Rust list).

use serde_json::json;
use simfleet::model::Field;

use crate::support::kind_with;
use crate::workspace::{Workspace, providers, sims_of};

/// The forms every selector error shows.
const FORMS: &str = "a selector is an ICCID (18 to 22 digits), `tag=NAME` or `name~GLOB`";

#[test]
fn a_selector_that_is_no_selector_shows_the_forms_and_name_equals_gets_name_tilde() {
    let ws = Workspace::example(kind_with(|caps| caps.supports(Field::Name)), &[]);
    let provider = ws.provider_name();
    let commands: [&[&str]; 4] = [
        &["plan"],
        &["apply", "--auto-approve"],
        &["drift"],
        &["export", "--provider", &provider, "--out", "x"],
    ];
    for command in commands {
        let with = |selector: &str| {
            let mut args = command.to_vec();
            args.extend(["--select", selector]);
            ws.on_manifests(&args)
        };
        let name = with("name=pump-17");
        assert_eq!(name.code, 1, "{command:?}: {}", name.stderr);
        name.assert_stderr("names are matched with `name~GLOB`");
        name.assert_stderr("use `name~pump-17`");
        name.assert_stderr(FORMS);
        let tag = with("tag~pumps");
        assert_eq!(tag.code, 1, "{command:?}: {}", tag.stderr);
        tag.assert_stderr("use `tag=pumps`");
        let other = with("pump-17");
        assert_eq!(other.code, 1, "{command:?}: {}", other.stderr);
        other.assert_stderr(FORMS);
        assert!(!other.stderr.contains("matches no SIM"), "{}", other.stderr);
    }
    assert_eq!(ws.emulator().total(), 0, "nothing may be read");
    // The right form selects: a glob over the name of a SIM the plan changes.
    let planned = ws.planned();
    let name = planned["providers"][0]["sims"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| s["name"].as_str())
        .expect("the example plans a named SIM")
        .to_owned();
    let glob = format!("name~{}*", &name[..name.len() - 1]);
    let right = ws.on_manifests(&["plan", "--select", &glob]);
    assert_eq!(right.code, 0, "{}", right.stderr);
    right.assert_stdout(&name);
}

#[test]
fn an_unknown_provider_is_answered_with_the_declared_ones_in_words() {
    // Three providers nobody contacts: the name is checked first.
    let ws = Workspace::new().env("K", "key");
    let entry = |kind: &str, key: &str| json!({"type": kind, "url": "http://127.0.0.1:9/x", "credentials": {key: {"env": "K"}}});
    ws.manifest(
        "m/providers.yaml",
        &[providers(json!({
            "alpha": entry("onomondo", "token"),
            "beta": entry("infobip", "api_key"),
            "gamma": entry("onomondo", "token"),
        }))],
    );
    ws.fleet(
        "alpha",
        sims_of(&["89457387300000024185".into()], |_| json!({})),
    );
    let declared = "they declare `alpha`, `beta` and `gamma`";
    let iccid = "89457387300000024185";
    let commands: [&[&str]; 7] = [
        &["plan", "--provider", "nope"],
        &["apply", "--auto-approve", "--provider", "nope"],
        &["drift", "--provider", "nope"],
        &["export", "--provider", "nope"],
        &["doctor", "--provider", "nope"],
        &["usage", "--provider", "nope"],
        &["sim", "show", iccid, "--provider", "nope"],
    ];
    for args in commands {
        let run = ws.on_manifests(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        run.assert_stderr(format!(
            "error: --provider: no provider `nope` in the manifests; {declared}"
        ));
        assert!(!run.stderr.contains("[\""), "{}", run.stderr);
    }
    let slip = ws.on_manifests(&["plan", "--provider", "btea"]);
    slip.assert_stderr("no provider `btea` in the manifests (did you mean `beta`?)");
}

#[test]
fn every_command_has_its_own_man_page() {
    let ws = Workspace::new();
    let plan = ws.run(&["man", "plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    plan.assert_stdout(".TH simfleet-plan 1");
    plan.assert_stdout("detailed\\-exitcode");
    let nested = ws.run(&["man", "sim", "show"]);
    assert_eq!(nested.code, 0, "{}", nested.stderr);
    nested.assert_stdout(".TH simfleet-sim-show 1");

    let all = ws.run(&["man", "--out-dir", "pages"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    // One page per command the CLI defines, at every depth.
    let mut expected = Vec::new();
    let root = <simfleet::cli::Cli as clap::CommandFactory>::command();
    pages(&root, "simfleet", &mut expected);
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(ws.path().join("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    assert!(written.len() > 15, "{written:?}");

    let typo = ws.run(&["man", "plna"]);
    assert_eq!(typo.code, 1);
    typo.assert_stderr("`simfleet` has no command `plna` (did you mean `plan`?)");
}

/// `simfleet.1`, `simfleet-plan.1`, ... for `command` and below it.
fn pages(command: &clap::Command, name: &str, out: &mut Vec<String>) {
    out.push(format!("{name}.1"));
    for sub in command.get_subcommands() {
        pages(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}
