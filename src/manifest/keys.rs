//! The keys a SIM entry (or a fleet's `defaults`) takes: the one list that
//! decoding, the "expected one of" message and the JSON Schema all read.
//! Shared keys are written here; a provider's block (`onomondo:`) and its
//! keys come from the kind table, so adding a provider adds no key here.

use schemars::{Schema, SchemaGenerator, json_schema};

use crate::kind::ProviderKind;
use crate::model::{FieldSpec, PartKind, Shape, Status};

/// The keys of a SIM entry (`label` is written for `name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimKey {
    Iccid,
    Name,
    Status,
    Tags,
    Package,
    Portfolio,
    Attributes,
    Protect,
    /// A provider's own block, keyed by its kind's name.
    Block(ProviderKind),
}

/// A shared key as data: its name, alias, whether its value is text, and
/// its schema.
struct Key {
    key: SimKey,
    name: &'static str,
    alias: Option<&'static str>,
    /// A number written here is a mistake worth showing as written.
    text: bool,
    schema: fn(&mut SchemaGenerator) -> Schema,
    doc: &'static str,
}

const SHARED: [Key; 8] = [
    Key {
        key: SimKey::Iccid,
        name: "iccid",
        alias: None,
        text: true,
        schema: |g| g.subschema_for::<Option<String>>(),
        doc: "18-22 digits, quoted.",
    },
    Key {
        key: SimKey::Name,
        name: "name",
        alias: Some("label"),
        text: true,
        schema: |g| g.subschema_for::<Option<String>>(),
        doc: "Display name (`label` is accepted as an alias).",
    },
    Key {
        key: SimKey::Status,
        name: "status",
        alias: None,
        text: false,
        schema: |g| g.subschema_for::<Option<Status>>(),
        doc: "The SIM's status; the provider's row says which it takes.",
    },
    Key {
        key: SimKey::Tags,
        name: "tags",
        alias: None,
        text: false,
        schema: |g| g.subschema_for::<Option<Vec<String>>>(),
        doc: "The exact set of tag names.",
    },
    Key {
        key: SimKey::Package,
        name: "package",
        alias: None,
        text: true,
        schema: |g| g.subschema_for::<Option<String>>(),
        doc: "The package (tariff) the SIM is on.",
    },
    Key {
        key: SimKey::Portfolio,
        name: "portfolio",
        alias: None,
        text: true,
        schema: |g| g.subschema_for::<Option<String>>(),
        doc: "The portfolio the SIM belongs to.",
    },
    Key {
        key: SimKey::Attributes,
        name: "attributes",
        alias: None,
        text: false,
        schema: |g| g.subschema_for::<Option<std::collections::BTreeMap<String, String>>>(),
        doc: "The exact set of attributes.",
    },
    Key {
        key: SimKey::Protect,
        name: "protect",
        alias: None,
        text: false,
        schema: |g| g.subschema_for::<Option<bool>>(),
        doc: "Refuse to suspend or deactivate this SIM.",
    },
];

impl SimKey {
    /// Every key: the shared ones, then each kind's block.
    pub fn all() -> impl Iterator<Item = SimKey> {
        let blocks = ProviderKind::ALL
            .into_iter()
            .filter(|k| k.block().is_some())
            .map(SimKey::Block);
        SHARED.iter().map(|k| k.key).chain(blocks)
    }

    /// The key written `text` (`label` reads as `name`).
    pub fn parse(text: &str) -> Option<SimKey> {
        let shared = SHARED
            .iter()
            .find(|k| k.name == text || k.alias == Some(text));
        match shared {
            Some(k) => Some(k.key),
            None => SimKey::all().find(|k| k.name() == text),
        }
    }

    /// As written in manifests (`name` may also be written `label`).
    pub fn name(self) -> &'static str {
        match self {
            SimKey::Block(kind) => kind.block().unwrap_or(kind.as_str()),
            shared => SHARED
                .iter()
                .find(|k| k.key == shared)
                .map_or("?", |k| k.name),
        }
    }

    /// Whether its value is text.
    pub fn is_text(self) -> bool {
        SHARED.iter().any(|k| k.key == self && k.text)
    }

    /// Its bit in an entry's set of written keys.
    pub fn bit(self) -> u32 {
        let index = match self {
            SimKey::Block(kind) => {
                SHARED.len()
                    + ProviderKind::ALL
                        .iter()
                        .position(|k| *k == kind)
                        .unwrap_or(0)
            }
            shared => SHARED.iter().position(|k| k.key == shared).unwrap_or(0),
        };
        1 << index
    }

    /// The key a field is written under.
    pub fn of(field: crate::model::Field) -> SimKey {
        use crate::model::Field;
        match field {
            Field::Status => SimKey::Status,
            Field::Name => SimKey::Name,
            Field::Tags => SimKey::Tags,
            Field::Package => SimKey::Package,
            Field::Portfolio => SimKey::Portfolio,
            Field::Attributes => SimKey::Attributes,
            // Every block is its kind's name (`kind::fields` tests it); a
            // field of no kind could only be written as an unknown key.
            Field::Own(spec) => {
                ProviderKind::parse(spec.block).map_or(SimKey::Protect, SimKey::Block)
            }
        }
    }
}

/// Every key as written, aliases included: the "expected one of" list.
pub fn expected() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for key in SimKey::all() {
        if let Some(alias) = SHARED.iter().find(|k| k.key == key).and_then(|k| k.alias) {
            names.push(alias);
        }
        names.push(key.name());
    }
    names
}

/// The schema of a SIM entry, from the same list.
pub fn sim_schema(generator: &mut SchemaGenerator) -> Schema {
    let mut properties = serde_json::Map::new();
    for key in &SHARED {
        let mut schema = (key.schema)(generator);
        schema.insert("description".into(), key.doc.into());
        properties.insert(key.name.into(), schema.to_value());
        if let Some(alias) = key.alias {
            let mut schema = (key.schema)(generator);
            let doc = format!("Alias of `{}` (give one of them).", key.name);
            schema.insert("description".into(), doc.into());
            properties.insert(alias.into(), schema.to_value());
        }
    }
    for kind in ProviderKind::ALL {
        let Some(block) = kind.block() else { continue };
        let fields: serde_json::Map<String, serde_json::Value> = kind
            .own_fields()
            .map(|spec| (spec.key.to_owned(), field_schema(spec)))
            .collect();
        let doc = format!("Settings of {block} SIMs only.");
        let schema = json_schema!({
            "description": doc,
            "type": ["object", "null"],
            "additionalProperties": false,
            "properties": fields,
        });
        properties.insert(block.into(), schema.to_value());
    }
    json_schema!({
        "description": "Desired state of one SIM (or, under `defaults`, of every SIM).\nAn absent field is not managed; `null` means \"ensure empty\".",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

fn field_schema(spec: &FieldSpec) -> serde_json::Value {
    let mut schema = match spec.shape {
        Shape::Text => serde_json::json!({"type": ["string", "null"]}),
        Shape::OneOf(words) => {
            let mut allowed: Vec<serde_json::Value> = words.iter().map(|w| (*w).into()).collect();
            allowed.push(serde_json::Value::Null);
            // An unquoted YAML boolean is its word.
            let booleans = words.iter().all(|w| matches!(*w, "true" | "false"));
            if booleans {
                allowed.extend([true.into(), false.into()]);
            }
            serde_json::json!({"enum": allowed})
        }
        Shape::Id => serde_json::json!({
            "oneOf": [
                {"type": "string", "pattern": "^[0-9]+$"},
                {"type": "integer", "minimum": 0},
                {"type": "null"},
            ]
        }),
        Shape::Set => serde_json::json!({"type": ["array", "null"], "items": {"type": "string"}}),
        Shape::Map => serde_json::json!({
            "type": ["object", "null"],
            "additionalProperties": {"type": "string"},
        }),
        Shape::Record(parts) => {
            let properties: serde_json::Map<String, serde_json::Value> = parts
                .iter()
                .map(|part| {
                    let base = match part.kind {
                        PartKind::Count => "integer",
                        PartKind::Text => "string",
                    };
                    let ty = if part.required {
                        serde_json::json!(base)
                    } else {
                        serde_json::json!([base, "null"])
                    };
                    let mut schema = serde_json::json!({"type": ty, "description": part.doc});
                    if part.kind == PartKind::Count {
                        schema["minimum"] = 0.into();
                    }
                    (part.key.to_owned(), schema)
                })
                .collect();
            let required: Vec<&str> = parts.iter().filter(|p| p.required).map(|p| p.key).collect();
            serde_json::json!({
                "type": ["object", "null"],
                "additionalProperties": false,
                "properties": properties,
                "required": required,
            })
        }
    };
    schema["description"] = spec.doc.into();
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_from_its_name_and_has_its_own_bit() {
        let mut bits = 0u32;
        for key in SimKey::all() {
            assert_eq!(SimKey::parse(key.name()), Some(key));
            assert_eq!(bits & key.bit(), 0, "{key:?}");
            bits |= key.bit();
        }
        assert_eq!(SimKey::parse("label"), Some(SimKey::Name));
        assert_eq!(SimKey::parse("nmae"), None);
    }

    #[test]
    fn the_schema_lists_exactly_the_keys_decoding_accepts() {
        let schema = sim_schema(&mut SchemaGenerator::default()).to_value();
        let mut listed: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut accepted = expected();
        listed.sort_unstable();
        accepted.sort_unstable();
        assert_eq!(listed, accepted);
    }
}
