//! Every field any kind manages, found through the kind table: reading a
//! field's name back (saved plans, plan JSON) and the schema of field
//! names. The model defines what a field is; only this layer knows every
//! provider's rows, so the name lookup lives here and nowhere else.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, Deserializer};

use super::ProviderKind;
use crate::model::{Field, FieldSpec};

impl ProviderKind {
    /// The kind's own fields, in plan order.
    pub fn own_fields(self) -> impl Iterator<Item = &'static FieldSpec> {
        self.capabilities().fields.iter().filter_map(|f| f.spec())
    }

    /// The manifest block its own fields are written in, if it has any.
    pub fn block(self) -> Option<&'static str> {
        self.own_fields().next().map(|spec| spec.block)
    }
}

/// Every field: the shared ones, then each kind's own, in plan order.
pub fn every_field() -> Vec<Field> {
    let own = ProviderKind::ALL
        .into_iter()
        .flat_map(|kind| kind.own_fields().map(Field::Own));
    let mut all: Vec<Field> = Field::SHARED.into_iter().chain(own).collect();
    all.sort();
    all.dedup();
    all
}

/// The field named `name` (`status`, `<block>.<key>`).
pub fn field_named(name: &str) -> Option<Field> {
    Field::shared(name).or_else(|| {
        ProviderKind::ALL
            .into_iter()
            .flat_map(ProviderKind::own_fields)
            .find(|spec| spec.name == name)
            .map(Field::Own)
    })
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        let name = Cow::<str>::deserialize(d)?;
        field_named(&name).ok_or_else(|| {
            let names: Vec<&str> = every_field().iter().map(|f| f.manifest_name()).collect();
            de::Error::custom(format!(
                "unknown field `{name}`; expected one of {}",
                names.join(", ")
            ))
        })
    }
}

impl JsonSchema for Field {
    fn schema_name() -> Cow<'static, str> {
        "Field".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = every_field().iter().map(|f| f.manifest_name()).collect();
        schemars::json_schema!({
            "description": "A managed field, by its manifest name (a provider's own fields prefixed with its block).",
            "type": "string",
            "enum": names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_from_its_name_and_only_from_it() {
        for field in every_field() {
            assert_eq!(field_named(field.manifest_name()), Some(field));
            let json = serde_json::to_string(&field).unwrap();
            assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), field);
        }
        for spec in every_field().iter().filter_map(|f| f.spec()) {
            assert_eq!(
                field_named(spec.key),
                None,
                "{} read without its block",
                spec.name
            );
        }
        assert!(serde_json::from_str::<Field>("\"nonsense\"").is_err());
    }

    #[test]
    fn a_kinds_own_fields_are_written_in_its_own_block() {
        for kind in ProviderKind::ALL {
            for spec in kind.own_fields() {
                assert_eq!(spec.block, kind.as_str(), "{}", spec.name);
                assert_eq!(spec.name, format!("{}.{}", spec.block, spec.key));
            }
        }
    }
}
