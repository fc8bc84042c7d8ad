//! [`Fields`]: the managed fields of one SIM, desired or live, in the
//! order [`Field`] declares.
//!
//! A SIM carries two to five fields, so a sorted vector is both smaller and
//! faster than a tree map: a million desired SIMs and a million live ones
//! are held at once during a plan. It must behave as a map (one value per
//! field, iterated in field order) and serialize as one, so saved plans
//! and JSON output keep their shape.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Field, Value};

/// Field → value, at most one value per field, sorted by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(Field, Value)>);

impl Fields {
    pub fn new() -> Fields {
        Fields(Vec::new())
    }

    fn find(&self, field: Field) -> Result<usize, usize> {
        self.0.binary_search_by(|(f, _)| f.cmp(&field))
    }

    pub fn get(&self, field: &Field) -> Option<&Value> {
        self.find(*field).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, field: &Field) -> bool {
        self.find(*field).is_ok()
    }

    /// Sets `field`, returning the value it replaces.
    pub fn insert(&mut self, field: Field, value: Value) -> Option<Value> {
        match self.find(field) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (field, value));
                None
            }
        }
    }

    pub fn remove(&mut self, field: &Field) -> Option<Value> {
        self.find(*field).ok().map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Field, &Value)> {
        self.0.iter().map(|(f, v)| (f, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Field, &mut Value)> {
        self.0.iter_mut().map(|(f, v)| (&*f, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Field> {
        self.0.iter().map(|(f, _)| f)
    }

    /// Gives back spare capacity: fields are set once and then kept for
    /// the whole run.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

/// As for a map: indexing a field that is not there is a bug in the caller.
impl std::ops::Index<&Field> for Fields {
    type Output = Value;
    fn index(&self, field: &Field) -> &Value {
        match self.get(field) {
            Some(value) => value,
            None => panic!("no field `{}`", field.manifest_name()),
        }
    }
}

impl Extend<(Field, Value)> for Fields {
    fn extend<I: IntoIterator<Item = (Field, Value)>>(&mut self, iter: I) {
        for (field, value) in iter {
            self.insert(field, value);
        }
    }
}

impl FromIterator<(Field, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (Field, Value)>>(iter: I) -> Fields {
        let mut fields = Fields::new();
        fields.extend(iter);
        fields
    }
}

impl<const N: usize> From<[(Field, Value); N]> for Fields {
    fn from(pairs: [(Field, Value); N]) -> Fields {
        pairs.into_iter().collect()
    }
}

impl IntoIterator for Fields {
    type Item = (Field, Value);
    type IntoIter = std::vec::IntoIter<(Field, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a Field, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Field, Value)>,
        fn(&'a (Field, Value)) -> (&'a Field, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(f, v)| (f, v))
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(f, v)| (f, v)))
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        let map = BTreeMap::<Field, Value>::deserialize(deserializer)?;
        Ok(Fields(map.into_iter().collect()))
    }
}

impl JsonSchema for Fields {
    fn schema_name() -> Cow<'static, str> {
        <BTreeMap<Field, Value>>::schema_name()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeMap<Field, Value>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map_in_field_order() {
        let mut f = Fields::from([
            (Field::Tags, Value::Null),
            (Field::Status, Value::Null),
            (Field::Name, Value::Text("a".into())),
        ]);
        assert_eq!(
            f.insert(Field::Name, Value::Text("b".into())),
            Some(Value::Text("a".into()))
        );
        let order: Vec<Field> = f.keys().copied().collect();
        assert_eq!(order, [Field::Status, Field::Name, Field::Tags]);
        assert_eq!(f.remove(&Field::Status), Some(Value::Null));
        assert!(!f.contains_key(&Field::Status));
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"{"name":"b","tags":null}"#);
        assert_eq!(serde_json::from_str::<Fields>(&json).unwrap(), f);
    }
}
