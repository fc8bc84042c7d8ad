//! The JSON Schemas simfleet publishes in `schema/`: manifests (for
//! editors), and the JSON it prints (plan, saved plan, drift, apply report) for
//! machines reading it. `simfleet schema NAME` prints them; a test keeps the
//! committed files equal to what this prints.

/// The documents that have a schema, by name.
pub const NAMES: [&str; 5] = ["manifest", "plan", "saved-plan", "drift", "apply"];

/// The JSON Schema of document `name`; `None` for an unknown name.
pub fn of(name: &str) -> Option<serde_json::Value> {
    let schema = match name {
        "manifest" => return Some(crate::manifest::json_schema()),
        "plan" => schemars::schema_for!(crate::plan::PlanDocument),
        "saved-plan" => schemars::schema_for!(crate::plan::saved::SavedPlan),
        "drift" => schemars::schema_for!(crate::plan::drift::Drift),
        "apply" => schemars::schema_for!(crate::apply::ReportDocument),
        _ => return None,
    };
    serde_json::to_value(schema).ok()
}
