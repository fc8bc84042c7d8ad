//! The values a provider accepts for its enumerated fields (Onomondo's tag
//! names), and which of them this account may not take off a SIM.
//!
//! Providers fill it from what they list; only the diff reads it, to refuse
//! a plan the provider would refuse. It must not hold per-SIM state.

use std::collections::BTreeMap;

use super::Field;

/// Known values per field; a field without an entry is not enumerated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    // value → whether it may be removed from a SIM
    fields: BTreeMap<Field, BTreeMap<String, bool>>,
}

impl Vocabulary {
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares `field` enumerated, even while it has no values yet (an
    /// account without tags still refuses every tag).
    pub fn enumerate(&mut self, field: Field) {
        self.fields.entry(field).or_default();
    }

    /// Adds a known value; `removable` is false where the provider marks it
    /// read-only (Onomondo's `can_write: false`).
    pub fn insert(&mut self, field: Field, value: impl Into<String>, removable: bool) {
        self.fields
            .entry(field)
            .or_default()
            .insert(value.into(), removable);
    }

    /// Whether `field` is enumerated at all.
    pub fn is_enumerated(&self, field: Field) -> bool {
        self.fields.contains_key(&field)
    }

    /// Whether `value` is a known value of an enumerated `field`; every
    /// value is allowed for a field that is not enumerated.
    pub fn accepts(&self, field: Field, value: &str) -> bool {
        self.fields
            .get(&field)
            .is_none_or(|known| known.contains_key(value))
    }

    /// Whether the provider lets `value` be removed; values it does not
    /// list are removable (nothing says otherwise).
    pub fn removable(&self, field: Field, value: &str) -> bool {
        self.fields
            .get(&field)
            .and_then(|known| known.get(value))
            .is_none_or(|&removable| removable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_enumerated_fields_restrict_values_and_unlisted_values_are_removable() {
        let mut v = Vocabulary::new();
        assert!(v.accepts(Field::Tags, "any"));
        v.enumerate(Field::Tags);
        assert!(!v.accepts(Field::Tags, "any"));
        v.insert(Field::Tags, "pumps", true);
        v.insert(Field::Tags, "Supplier", false);
        assert!(v.accepts(Field::Tags, "pumps") && v.accepts(Field::Name, "x"));
        assert!(v.removable(Field::Tags, "pumps") && v.removable(Field::Tags, "gone"));
        assert!(!v.removable(Field::Tags, "Supplier"));
    }
}
