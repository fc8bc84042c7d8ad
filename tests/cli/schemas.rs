//! The JSON Schemas in `schema/`: each is what `simfleet schema NAME`
//! prints (freshness), every example validates against the manifest
//! schema, and JSON outputs in the tests validate against theirs.

use serde_json::Value;

use crate::support::{repo, simfleet};

fn committed(name: &str) -> Value {
    let path = repo().join(format!("schema/{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Fails the test unless `json` is valid under `schema/<name>.schema.json`.
pub fn assert_valid(name: &str, json: &str) {
    let instance: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let schema = committed(name);
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{json}");
}

#[test]
fn committed_schemas_are_up_to_date() {
    for name in simfleet::schema::NAMES {
        let run = simfleet(&repo(), &["schema", name], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let printed: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            committed(name),
            printed,
            "schema/{name}.schema.json is stale: run `cargo run -- schema {name} > schema/{name}.schema.json`"
        );
    }
}

#[test]
fn every_example_validates_against_the_manifest_schema() {
    let schema = committed("manifest");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let mut files = Vec::new();
    let mut pending = vec![repo().join("examples")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml")
                && !path.starts_with(repo().join("examples/ci"))
            {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_str_multiple(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for doc in docs {
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
        }
    }
}

#[test]
fn plan_json_validates_against_its_schema() {
    let ws = crate::workspace::Workspace::new().with_examples();
    let plan = ws.run(&["plan", "--format", "json", "examples/onomondo"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert_valid("plan", &plan.stdout);
}
