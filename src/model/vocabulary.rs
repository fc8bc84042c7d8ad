//! The values a provider accepts for its enumerated fields (Onomondo's tag
//! names), which of them this account may not take off a SIM, and the
//! other spellings a value goes by (a Super SIM Fleet's SID for its unique
//! name), so a manifest may use either and still plan no change.
//!
//! Providers fill it from what they list; only the diff reads it, to refuse
//! a plan the provider would refuse. It must not hold per-SIM state.

use std::collections::BTreeMap;

use super::{Field, Fields, Value};

/// Known values per field; a field without an entry is not enumerated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    // value → whether it may be removed from a SIM
    fields: BTreeMap<Field, BTreeMap<String, bool>>,
    // another spelling → the value as the provider shows it
    spellings: BTreeMap<Field, BTreeMap<String, String>>,
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

    /// Says that `other` is another spelling of `value` for `field`: a
    /// desired `other` is compared as `value`.
    pub fn spelling(&mut self, field: Field, other: impl Into<String>, value: impl Into<String>) {
        let spellings = self.spellings.entry(field).or_default();
        spellings.insert(other.into(), value.into());
    }

    /// `value` as the provider shows it, where it is another spelling.
    pub fn canonical(&self, field: Field, value: Value) -> Value {
        let shown = match &value {
            Value::Text(text) => self.spellings.get(&field).and_then(|s| s.get(text)),
            _ => None,
        };
        shown.map_or(value, |v| Value::Text(v.clone()))
    }

    /// `fields` with every value in the provider's own spelling.
    pub fn canonical_fields(&self, fields: &Fields) -> Fields {
        if self.spellings.is_empty() {
            return fields.clone();
        }
        fields
            .iter()
            .map(|(&field, value)| (field, self.canonical(field, value.clone())))
            .collect()
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

    #[test]
    fn another_spelling_reads_as_the_value_the_provider_shows() {
        let mut v = Vocabulary::new();
        let text = |t: &str| Value::Text(t.to_owned());
        v.spelling(Field::Name, "FL01", "pumps");
        assert_eq!(v.canonical(Field::Name, text("FL01")), text("pumps"));
        assert_eq!(v.canonical(Field::Name, text("pumps")), text("pumps"));
        assert_eq!(v.canonical(Field::Tags, text("FL01")), text("FL01"));
        assert_eq!(v.canonical(Field::Name, Value::Null), Value::Null);
    }
}
