//! `--format diff`: as `kubectl diff` shows it, a unified diff per provider
//! between live state written as manifest YAML and the declared YAML, of
//! the SIMs that differ and only their managed fields.

use similar::TextDiff;

use super::Style;
use crate::manifest::write::sim_entry;
use crate::model::{Fields, Iccid, Value};
use crate::plan::Plan;
use crate::plan::drift::Drift;

/// One SIM's side of the diff: its fields as YAML.
type Side = Fields;

fn provider_diff(name: &str, sims: &[(Iccid, Side, Side)], style: Style) -> String {
    if sims.is_empty() {
        return String::new();
    }
    let live: String = sims.iter().map(|(i, l, _)| sim_entry(i, l)).collect();
    let declared: String = sims.iter().map(|(i, _, d)| sim_entry(i, d)).collect();
    let diff = TextDiff::from_lines(&live, &declared);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("live/{name}"), &format!("declared/{name}"))
        .to_string();
    text.lines()
        .map(|line| {
            let painted = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => style.green(line),
                Some(b'-') if !line.starts_with("---") => style.red(line),
                Some(b'@') => style.bold(line),
                _ => line.to_owned(),
            };
            painted + "\n"
        })
        .collect()
}

pub fn plan(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    for p in &plan.providers {
        let sims: Vec<(Iccid, Side, Side)> = p
            .sims
            .iter()
            .map(|s| {
                let live = s
                    .desired
                    .keys()
                    .map(|f| (*f, s.live.fields.get(f).cloned().unwrap_or(Value::Null)))
                    .collect();
                (s.iccid.clone(), live, s.desired.clone())
            })
            .collect();
        if let Some(destination) = &p.destination {
            out += &format!("# provider {}: {destination}\n", p.name);
        }
        out.push_str(&provider_diff(&p.name, &sims, style));
    }
    out
}

pub fn drift(drift: &Drift, style: Style) -> String {
    let mut out = String::new();
    for p in &drift.providers {
        let sims: Vec<(Iccid, Side, Side)> = p
            .drifted
            .iter()
            .chain(&p.locked)
            .map(|s| {
                let live = s.differences.iter().map(|d| (d.field, d.live.clone()));
                let declared = s.differences.iter().map(|d| (d.field, d.declared.clone()));
                (s.iccid.clone(), live.collect(), declared.collect())
            })
            .collect();
        out.push_str(&provider_diff(&p.name, &sims, style));
    }
    out
}
