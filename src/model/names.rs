//! [`Names`]: a set of names (tags), and the [`Interner`] that lets a
//! fleet's SIMs share one copy of each name.
//!
//! A fleet of a million SIMs usually carries a few dozen distinct tags; a
//! tree set of owned strings per SIM would cost hundreds of bytes each.
//! Here a set is a sorted slice of shared strings. Equality, order and
//! serialization are by content, never by which copy is shared.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A set of names, sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Names(Box<[Arc<str>]>);

impl Names {
    /// Sorts and deduplicates `names`.
    pub fn from_shared(mut names: Vec<Arc<str>>) -> Names {
        names.sort_unstable();
        names.dedup();
        Names(names.into_boxed_slice())
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + Clone {
        self.0.iter().map(|n| &**n)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search_by(|n| (**n).cmp(name)).is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members of both sets.
    pub fn union(&self, other: &Names) -> Names {
        Names::from_shared(self.0.iter().chain(other.0.iter()).cloned().collect())
    }
}

impl<S: AsRef<str>> FromIterator<S> for Names {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Names {
        Names::from_shared(iter.into_iter().map(|s| Arc::from(s.as_ref())).collect())
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for Names {
    fn from(names: [S; N]) -> Names {
        names.into_iter().collect()
    }
}

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Names, D::Error> {
        Vec::<String>::deserialize(deserializer).map(Names::from_iter)
    }
}

impl JsonSchema for Names {
    fn schema_name() -> Cow<'static, str> {
        <BTreeSet<String>>::schema_name()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeSet<String>>::json_schema(generator)
    }
}

/// Hands out one shared copy per distinct name.
#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>>);

impl Interner {
    pub fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(name) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(name);
        self.0.insert(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_without_repeats_and_shared() {
        let names: Names = ["b", "a", "b"].into_iter().collect();
        assert_eq!(names.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(names.contains("a") && !names.contains("c"));
        let mut interner = Interner::default();
        let (x, y) = (interner.intern("site"), interner.intern("site"));
        assert!(Arc::ptr_eq(&x, &y));
        let other: Names = ["c"].into_iter().collect();
        assert_eq!(names.union(&other).len(), 3);
        assert_eq!(serde_json::to_string(&names).unwrap(), r#"["a","b"]"#);
    }
}
