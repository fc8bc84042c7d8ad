//! The CI recipes in `examples/ci/` are YAML their CI systems can read, and
//! every simfleet command line in them parses with the current CLI: a
//! renamed flag or command fails here, not in a user's pipeline.

use clap::Parser as _;
use serde_json::Value;
use simfleet::cli::Cli;

use crate::support::repo;

/// The shell scripts of a workflow: GitHub's `run` steps, GitLab's
/// `script`, `before_script` and `after_script` (strings or lists of them).
fn scripts(doc: &Value, out: &mut Vec<String>) {
    fn all(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| all(v, out)),
            _ => {}
        }
    }
    match doc {
        Value::Array(items) => items.iter().for_each(|v| scripts(v, out)),
        Value::Object(map) => {
            for (key, value) in map {
                if matches!(
                    key.as_str(),
                    "run" | "script" | "before_script" | "after_script"
                ) {
                    all(value, out);
                } else {
                    scripts(value, out);
                }
            }
        }
        _ => {}
    }
}

/// Shell words of one script: continuations joined, quotes removed
/// (variables stay as written: they are values to the CLI), operators kept
/// as their own words.
fn words(script: &str) -> Vec<String> {
    let script = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in script.lines() {
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut started = false;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    started = true;
                }
                (None, c)
                    if c.is_whitespace() || matches!(c, ';' | '|' | '>' | '&' | '(' | ')') =>
                {
                    if started || !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                        started = false;
                    }
                    if !c.is_whitespace() {
                        out.push(c.to_string());
                    }
                }
                (None, c) => word.push(c),
            }
        }
        if started || !word.is_empty() {
            out.push(word);
        }
        out.push(";".into());
    }
    out
}

/// The simfleet invocations among `words`: from a `simfleet` in command
/// position to the next shell operator.
fn invocations(words: &[String]) -> Vec<Vec<String>> {
    let operator = |w: &str| matches!(w, ";" | "|" | ">" | "&" | "(" | ")");
    let mut found = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let at_command = i == 0 || operator(&words[i - 1]);
        if w == "simfleet" && at_command {
            let args = words[i..]
                .iter()
                .take_while(|w| !operator(w) && !w.starts_with("2"))
                .cloned()
                .collect();
            found.push(args);
        }
    }
    found
}

#[test]
fn every_simfleet_command_in_the_ci_recipes_parses_with_the_current_cli() {
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        let path = repo().join("examples/ci").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
        let mut found = Vec::new();
        scripts(&doc, &mut found);
        let commands: Vec<Vec<String>> =
            found.iter().flat_map(|s| invocations(&words(s))).collect();
        for args in &commands {
            if let Err(e) = Cli::try_parse_from(args) {
                panic!("{name}: `{}` does not parse:\n{e}", args.join(" "));
            }
        }
        // The loop is there: plan with a saved plan and markdown, apply of
        // that plan, drift.
        let has = |sub: &str, flag: &str| {
            commands
                .iter()
                .any(|c| c.get(1).is_some_and(|s| s == sub) && c.iter().any(|a| a == flag))
        };
        assert!(
            has("plan", "--out") && has("plan", "markdown"),
            "{name}: {commands:?}"
        );
        assert!(has("apply", "--auto-approve"), "{name}: {commands:?}");
        assert!(has("drift", "markdown"), "{name}: {commands:?}");
        assert!(
            text.contains("<!-- simfleet:plan -->"),
            "{name}: the comment marker"
        );
    }
}

#[test]
fn the_command_finder_sees_flags_and_stops_at_redirections() {
    let found = invocations(&words(
        "set +e\nsimfleet plan --out plan.json \\\n  --format \"markdown\" m/ > plan.md\ncode=$?",
    ));
    assert_eq!(
        found,
        vec![vec![
            "simfleet",
            "plan",
            "--out",
            "plan.json",
            "--format",
            "markdown",
            "m/"
        ]]
    );
    // And a wrong flag is caught by the CLI, so the check can fail.
    assert!(Cli::try_parse_from(["simfleet", "plan", "--bogus", "m/"]).is_err());
}
