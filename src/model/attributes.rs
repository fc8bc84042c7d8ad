//! [`Attributes`]: a SIM's attribute names and values, compact.
//!
//! A million SIMs that each carry `{site: .., floor: ..}` would cost a tree
//! map node and four owned strings apiece (about 700 bytes) as a
//! `BTreeMap<String, String>`. Here the pairs are one sorted slice of
//! shared strings, and manifests hand out one copy of each name and value
//! per document. Equality, order and serialization are by content, never
//! by which copy is shared; the serialized form is the plain map.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Attribute name → value, sorted by name, one value per name.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Attributes(Box<[(Arc<str>, Arc<str>)]>);

impl Attributes {
    /// Sorts `pairs` by name; of two pairs with one name the later wins.
    pub fn from_shared(mut pairs: Vec<(Arc<str>, Arc<str>)>) -> Attributes {
        // Stable, so the later of two equal names stays last in its run.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Arc<str>, Arc<str>)> = Vec::with_capacity(pairs.len());
        for pair in pairs {
            match out.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => out.push(pair),
            }
        }
        Attributes(out.into_boxed_slice())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.0.binary_search_by(|(n, _)| (**n).cmp(name)).ok()?;
        Some(&self.0[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.0.iter().map(|(n, v)| (&**n, &**v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `self` with `over`'s pairs on top (a SIM's own over its fleet's).
    pub fn overlaid(&self, over: &Attributes) -> Attributes {
        Attributes::from_shared(self.0.iter().chain(over.0.iter()).cloned().collect())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Attributes {
        let shared = |s: &str| Arc::<str>::from(s);
        Attributes::from_shared(
            iter.into_iter()
                .map(|(k, v)| (shared(k.as_ref()), shared(v.as_ref())))
                .collect(),
        )
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attributes, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer).map(Attributes::from_iter)
    }
}

impl JsonSchema for Attributes {
    fn schema_name() -> Cow<'static, str> {
        <BTreeMap<String, String>>::schema_name()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeMap<String, String>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_name_later_pairs_win_and_serialized_as_a_map() {
        let a: Attributes = [("site", "north"), ("floor", "2"), ("site", "south")]
            .into_iter()
            .collect();
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [("floor", "2"), ("site", "south")]
        );
        assert_eq!((a.get("site"), a.get("x")), (Some("south"), None));
        let own: Attributes = [("floor", "3")].into_iter().collect();
        assert_eq!(a.overlaid(&own).get("floor"), Some("3"));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"floor":"2","site":"south"}"#);
        assert_eq!(serde_json::from_str::<Attributes>(&json).unwrap(), a);
    }
}
