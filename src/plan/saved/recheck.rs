//! A saved plan's SIMs compared with a fresh read of them: which moved
//! away from what the plan was computed from (stale), which already hold
//! what it asks for (applied, by an earlier run of the same plan). Pure:
//! the read is the caller's.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Condition, Field, Iccid, LiveSim, Value};
use crate::plan::Plan;
use crate::provider::Inventory;

/// A planned SIM whose live state changed since the plan was made.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleSim {
    pub provider: String,
    pub iccid: Iccid,
    /// `None`: the SIM is no longer at the provider.
    pub fields: Option<Vec<(Field, Value, Value)>>,
}

impl std::fmt::Display for StaleSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "provider `{}` SIM {}: ", self.provider, self.iccid)?;
        let Some(fields) = &self.fields else {
            return f.write_str("no longer at the provider");
        };
        let changed: Vec<String> = fields
            .iter()
            .map(|(field, then, now)| format!("{} was {then}, is now {now}", field.manifest_name()))
            .collect();
        f.write_str(&changed.join("; "))
    }
}

/// A saved plan's SIMs read again: which moved away from the plan, which
/// already hold what it asks for.
#[derive(Debug, Default)]
pub struct Recheck {
    /// SIMs whose state is neither what the plan was computed from nor,
    /// field by field, what it asks for: the plan no longer applies.
    pub stale: Vec<StaleSim>,
    /// SIMs with at least one planned field already at its planned value
    /// (an apply of this plan ran before, whole or in part).
    pub applied: BTreeSet<(String, Iccid)>,
}

/// Compares every planned SIM's fresh state with the state the plan was
/// computed from. A field that moved to the value the plan asks for is
/// applied, not stale: a retried apply finds its own work done.
pub fn recheck(plan: &Plan, fresh: &BTreeMap<String, Inventory>) -> Recheck {
    let mut out = Recheck::default();
    for provider in &plan.providers {
        // A provider not read at all holds none of its SIMs: each is
        // stale, so the plan is refused, never applied unchecked.
        let now: BTreeMap<&Iccid, &LiveSim> = fresh
            .get(&provider.name)
            .map(|inventory| {
                let sims = inventory.sims.iter();
                // A SIM answers to each of its ICCIDs (Soracom's profiles).
                sims.flat_map(|s| s.iccids().map(move |i| (i, s))).collect()
            })
            .unwrap_or_default();
        for sim in &provider.sims {
            let Some(current) = now.get(&sim.iccid) else {
                out.stale.push(StaleSim {
                    provider: provider.name.clone(),
                    iccid: sim.iccid.clone(),
                    fields: None,
                });
                continue;
            };
            // Every field read, managed here or not: the reviewer approved
            // the plan against the whole SIM as it was.
            let read: BTreeSet<&Field> = sim
                .live
                .fields
                .keys()
                .chain(current.fields.keys())
                .collect();
            let planned = |field: &Field| {
                let last = sim.changes.iter().rev().find(|c| c.field == *field);
                last.map(|c| &c.after)
            };
            let mut applied = false;
            let mut fields: Vec<(Field, Value, Value)> = read
                .into_iter()
                .filter_map(|field| {
                    let then = sim.live.fields.get(field).cloned().unwrap_or(Value::Null);
                    let is = current.fields.get(field).cloned().unwrap_or(Value::Null);
                    if then == is {
                        return None;
                    }
                    if planned(field) == Some(&is) {
                        applied = true;
                        return None;
                    }
                    Some((*field, then, is))
                })
                .collect();
            if current.condition != sim.live.condition {
                // Shown on the status line: a lock or an operation in flight.
                let describe = |c: &Option<Condition>| match c {
                    None => Value::Null,
                    Some(Condition::InProgress(why)) => Value::Text(format!("in progress: {why}")),
                    Some(Condition::Locked(why)) => Value::Text(format!("locked: {why}")),
                };
                fields.push((
                    Field::Status,
                    describe(&sim.live.condition),
                    describe(&current.condition),
                ));
            }
            if !fields.is_empty() {
                out.stale.push(StaleSim {
                    provider: provider.name.clone(),
                    iccid: sim.iccid.clone(),
                    fields: Some(fields),
                });
            } else if applied {
                out.applied
                    .insert((provider.name.clone(), sim.iccid.clone()));
            }
        }
    }
    out
}
