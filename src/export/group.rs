//! `export --group-by`: which fleet each exported SIM goes to.
//!
//! Every SIM lands in exactly one group, decided by the live state alone,
//! so the same state always gives the same files. It decides nothing about
//! what a SIM's entry says: that is `defaults`'.

use std::collections::BTreeMap;

use crate::model::{Field, Fields, Value};

/// What to group exported SIMs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Tag,
    Status,
    Package,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::Tag, GroupBy::Status, GroupBy::Package];

    /// As written on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Tag => "tag",
            GroupBy::Status => "status",
            GroupBy::Package => "package",
        }
    }

    /// The field whose value decides the group.
    pub fn field(self) -> Field {
        match self {
            GroupBy::Tag => Field::Tags,
            GroupBy::Status => Field::Status,
            GroupBy::Package => Field::Package,
        }
    }
}

/// Each SIM's group, in the order of `sims`; `None` for a SIM without a
/// value. By tag, a SIM with several tags goes to the group of the tag
/// that most SIMs of the export carry (of equally common ones, the first
/// by name): a fleet then gathers the SIMs of its main tag, whatever else
/// some of them carry.
pub fn keys(by: GroupBy, sims: &[Fields]) -> Vec<Option<String>> {
    let field = by.field();
    let mut carried: BTreeMap<&str, usize> = BTreeMap::new();
    for sim in sims {
        if let Some(Value::Set(tags)) = sim.get(&field) {
            for tag in tags.iter() {
                *carried.entry(tag).or_default() += 1;
            }
        }
    }
    sims.iter()
        .map(|sim| match sim.get(&field)? {
            Value::Status(status) => Some(status.as_str().to_owned()),
            Value::Text(text) => Some(text.clone()),
            // Tags come sorted by name, and `max_by_key` keeps the last of
            // equal keys: reversed, that is the first by name.
            Value::Set(tags) => tags
                .iter()
                .rev()
                .max_by_key(|tag| carried.get(tag).copied().unwrap_or(0))
                .map(str::to_owned),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Names, Status};

    fn tagged(tags: &[&str]) -> Fields {
        Fields::from([(Field::Tags, Value::Set(Names::from_iter(tags)))])
    }

    #[test]
    fn a_sim_with_several_tags_joins_its_most_common_tag() {
        let sims = [
            tagged(&["site-1", "fleet"]),
            tagged(&["fleet"]),
            tagged(&["b", "a"]),
            tagged(&[]),
            Fields::new(),
        ];
        let keys = keys(GroupBy::Tag, &sims);
        let keys: Vec<Option<&str>> = keys.iter().map(Option::as_deref).collect();
        assert_eq!(
            keys,
            [Some("fleet"), Some("fleet"), Some("a"), None, None],
            "ties go to the first name"
        );
    }

    #[test]
    fn status_and_package_group_by_their_value() {
        let sims = [
            Fields::from([(Field::Status, Value::Status(Status::Active))]),
            Fields::from([(Field::Package, Value::Text("pkg-1".into()))]),
        ];
        assert_eq!(
            keys(GroupBy::Status, &sims),
            [Some("active".to_owned()), None]
        );
        assert_eq!(
            keys(GroupBy::Package, &sims),
            [None, Some("pkg-1".to_owned())]
        );
    }
}
