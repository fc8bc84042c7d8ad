//! Reading a value out of a provider's JSON record by its key path, once
//! for every client: a SIM's identity at `iccid`, inside an embedded
//! object (`sim.iccid`), in a map (`profiles.*.iccid`) or as a map's key
//! (`profiles.~`).
//!
//! A record that lacks a value its client cannot do without is an error
//! naming the provider, the URL, the record (`sims[3]`) and the key paths
//! tried, never a record dropped or read as empty: a SIM missing from a
//! listing would plan as missing, or vanish from `unmanaged`. This module
//! only finds values and says what is missing; what a value means is the
//! client's (`Client::to_live`).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::http::{HttpError, Response, Where};

/// A value a record must hold: the key paths that may hold it, in order
/// of preference, and what it is, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Keys separated by `.`; `*` is any member of an object or element
    /// of an array (the first that holds the rest of the path); `~`, last,
    /// is the name of the object's first member (a map keyed by the value
    /// itself, whose members may not repeat it).
    pub paths: &'static [&'static str],
    pub what: &'static str,
}

/// The answer records came from, for messages: its call and provider.
#[derive(Debug, Clone)]
pub struct Source {
    /// `METHOD URL`.
    call: String,
    at: Where,
}

impl Source {
    pub fn of(resp: &Response) -> Source {
        Source::new(format!("{} {}", resp.method, resp.url), resp.at.clone())
    }

    pub fn new(call: String, at: Where) -> Source {
        Source { call, at }
    }

    /// The text at the first of `key`'s paths that `record` holds; the
    /// record is `place` in the answer (`sims[3]`; empty for the whole
    /// answer).
    pub fn text<'v>(
        &self,
        record: &'v Value,
        place: &str,
        key: &Key,
    ) -> Result<&'v str, HttpError> {
        // An empty text is no value: the next path may hold one (emnify's
        // `sim.iccid` where `iccid_with_luhn` is `""`).
        let mut empty = None;
        for path in key.paths {
            match find(record, path) {
                Some(Found::Text(text)) if !text.is_empty() => return Ok(text),
                Some(Found::Text(_)) => {
                    empty.get_or_insert(path);
                }
                Some(Found::Other(other)) => {
                    return Err(self.error(format!(
                        "{} has `{path}` ({}) as {}, not as text",
                        named(place),
                        key.what,
                        kind(other)
                    )));
                }
                None => {}
            }
        }
        if let Some(path) = empty {
            return Err(self.error(format!(
                "{} has an empty `{path}` ({})",
                named(place),
                key.what
            )));
        }
        Err(self.error(absent(record, place, key)))
    }

    /// The list `list` of an answer, each record as `T` once it holds
    /// `identity`: the first record without it is an error.
    pub fn typed<T: DeserializeOwned>(
        &self,
        list: &str,
        records: Vec<Value>,
        identity: &Key,
    ) -> Result<Vec<T>, HttpError> {
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| self.one(record, &format!("{list}[{i}]"), identity))
            .collect()
    }

    /// One record as `T` once it holds `identity`.
    pub fn one<T: DeserializeOwned>(
        &self,
        record: Value,
        place: &str,
        identity: &Key,
    ) -> Result<T, HttpError> {
        self.text(&record, place, identity)?;
        serde_json::from_value(record)
            .map_err(|e| self.error(format!("{} cannot be read: {e}", named(place))))
    }

    fn error(&self, detail: String) -> HttpError {
        HttpError::Shape {
            call: self.call.clone(),
            at: self.at.clone(),
            detail,
        }
    }
}

/// What a path leads to: text (a string, or a member's name), or another
/// value.
enum Found<'v> {
    Text(&'v str),
    Other(&'v Value),
}

/// What `path` leads to in `record`, a trailing `~` included (see
/// [`Key::paths`]); `None` where a key is missing, the value is `null`,
/// or the object `~` names has no member.
fn find<'v>(record: &'v Value, path: &str) -> Option<Found<'v>> {
    let Some(parent) = path.strip_suffix('~') else {
        return lookup(record, path).map(|value| match value {
            Value::String(text) => Found::Text(text),
            other => Found::Other(other),
        });
    };
    let object = match parent.strip_suffix('.') {
        Some(parent) => lookup(record, parent)?,
        None => record,
    };
    match object {
        Value::Object(map) => map.keys().next().map(|k| Found::Text(k)),
        _ => None,
    }
}

/// The value at `path` in `record` (see [`Key::paths`]); `None` where a
/// key is missing or the value is `null`.
pub fn lookup<'v>(record: &'v Value, path: &str) -> Option<&'v Value> {
    match path.split_once('.') {
        None => step(record, path).find(|v| !v.is_null()),
        Some((first, rest)) => step(record, first).find_map(|inner| lookup(inner, rest)),
    }
}

/// The values one key leads to: one for a name, every member for `*`.
fn step<'v>(value: &'v Value, key: &str) -> Box<dyn Iterator<Item = &'v Value> + 'v> {
    match (value, key) {
        (Value::Object(map), "*") => Box::new(map.values()),
        (Value::Array(items), "*") => Box::new(items.iter()),
        (Value::Object(map), name) => Box::new(map.get(name).into_iter()),
        _ => Box::new(std::iter::empty()),
    }
}

/// Why no path of `key` is in `record`: the paths, and what the record
/// holds where the first path stops.
fn absent(record: &Value, place: &str, key: &Key) -> String {
    let paths: Vec<String> = key.paths.iter().map(|p| format!("`{p}`")).collect();
    let detail = format!(
        "{} has no {} ({})",
        named(place),
        paths.join(" nor "),
        key.what
    );
    let Some(first) = key.paths.first() else {
        return detail;
    };
    // Where the first path stops: the longest start of it that is there.
    let keys: Vec<&str> = first.split('.').collect();
    for n in (1..keys.len()).rev() {
        let start = keys[..n].join(".");
        if let Some(value) = lookup(record, &start) {
            return format!("{detail}; `{start}` {}", holds(value));
        }
    }
    format!("{detail}; it {}", holds(record))
}

/// A record's place in its answer, for a message.
fn named(place: &str) -> String {
    if place.is_empty() {
        "the answer".into()
    } else {
        format!("`{place}`")
    }
}

/// What a value holds, for a message: its keys, or its JSON kind.
fn holds(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "is an empty object".into(),
        Value::Object(map) => {
            let keys: Vec<String> = map
                .keys()
                .take(12)
                .map(|k| format!("`{}`", crate::text::inert(k)))
                .collect();
            format!("has keys {}", keys.join(", "))
        }
        other => format!("is {}", kind(other)),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ICCID: Key = Key {
        paths: &["sim.iccid_with_luhn", "sim.iccid"],
        what: "the SIM's ICCID",
    };

    fn source() -> Source {
        let at = Where {
            provider: "p".into(),
            origin: "m/providers.yaml:3:3".into(),
        };
        Source::new("GET http://127.0.0.1:9/api/v1/endpoint?page=1".into(), at)
    }

    #[test]
    fn a_value_is_read_at_a_nested_path_in_order_of_preference() {
        let both = json!({"sim": {"iccid": "8988303000006738593", "iccid_with_luhn": "89883030000067385937"}});
        let short = json!({"sim": {"iccid": "8988303000006738593", "iccid_with_luhn": null}});
        assert_eq!(
            source().text(&both, "[0]", &ICCID).unwrap(),
            "89883030000067385937"
        );
        assert_eq!(
            source().text(&short, "[0]", &ICCID).unwrap(),
            "8988303000006738593"
        );
        // An empty text is no value: the next path is read.
        let empty = json!({"sim": {"iccid": "8988303000006738593", "iccid_with_luhn": ""}});
        assert_eq!(
            source().text(&empty, "[0]", &ICCID).unwrap(),
            "8988303000006738593"
        );
        let nothing = json!({"sim": {"iccid": "", "iccid_with_luhn": ""}});
        let err = source().text(&nothing, "[0]", &ICCID).unwrap_err();
        assert!(
            err.to_string().contains("empty `sim.iccid_with_luhn`"),
            "{err}"
        );
        let profiles =
            json!({"profiles": {"8981100000000000000": {"iccid": "8981100000000000000"}}});
        assert_eq!(
            lookup(&profiles, "profiles.*.iccid"),
            Some(&json!("8981100000000000000"))
        );
    }

    #[test]
    fn a_record_without_its_nested_key_names_provider_url_record_and_path() {
        let records = vec![
            json!({"id": 1, "sim": {"iccid": "8988303000006738593"}}),
            json!({"id": 2, "sim": {"id": 44, "status": {"id": 1}}}),
        ];
        let err = source()
            .typed::<serde_json::Value>("", records, &ICCID)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "provider `p` at m/providers.yaml:3:3: GET http://127.0.0.1:9/api/v1/endpoint?page=1: \
             `[1]` has no `sim.iccid_with_luhn` nor `sim.iccid` (the SIM's ICCID); `sim` has keys \
             `id`, `status`; `simfleet doctor --record DIR` saves the answer for a bug report"
        );
        // No `sim` at all: what the record holds instead.
        let err = source()
            .typed::<serde_json::Value>("sims", vec![json!({"id": 3})], &ICCID)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`sims[0]` has no `sim.iccid_with_luhn` nor `sim.iccid` (the SIM's ICCID); it has keys `id`"), "{err}");
    }

    #[test]
    fn a_map_key_and_then_a_plain_key_stand_in_where_inner_values_are_missing() {
        const KEYED: Key = Key {
            paths: &["items.*.code", "items.~", "id"],
            what: "the record's code",
        };
        let inner = json!({"id": "r-1", "items": {"k-2": {"code": "c-2"}}});
        let keyed = json!({"id": "r-1", "items": {"k-2": {"other": 1}}});
        let blank = json!({"id": "r-1", "items": {"k-2": {"code": ""}}});
        let no_items = json!({"id": "r-1", "items": {}});
        let null_items = json!({"id": "r-1", "items": null});
        let text = |record: &Value| source().text(record, "[0]", &KEYED).unwrap().to_owned();
        assert_eq!(text(&inner), "c-2");
        assert_eq!(text(&keyed), "k-2");
        assert_eq!(text(&blank), "k-2");
        assert_eq!(text(&no_items), "r-1");
        assert_eq!(text(&null_items), "r-1");
        // `~` of a whole record names its first member.
        let whole = Key {
            paths: &["~"],
            what: "a name",
        };
        let only = json!({"only": 1});
        assert_eq!(source().text(&only, "[0]", &whole).unwrap(), "only");
        // None of them: every path is named, and what the record holds.
        let err = source()
            .text(&json!({"status": "x", "items": {}}), "sims[1]", &KEYED)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "`sims[1]` has no `items.*.code` nor `items.~` nor `id` (the record's code); \
                 `items` is an empty object"
            ),
            "{err}"
        );
    }

    #[test]
    fn an_identity_that_is_not_text_is_an_error_never_a_rounded_number() {
        // 20 digits do not fit a u64: read as a number, digits would be lost.
        let record = json!({"sim": {"iccid_with_luhn": 89883030000067385937u128 as f64}});
        let err = source()
            .text(&record, "[0]", &ICCID)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "`[0]` has `sim.iccid_with_luhn` (the SIM's ICCID) as a number, not as text"
            ),
            "{err}"
        );
    }
}
