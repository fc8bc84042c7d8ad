//! The normalised model shared by manifests, providers, plan and apply.
//!
//! Every provider's live state and every manifest's desired state are expressed
//! as a map of [`Field`] to [`Value`], so that diffing is a generic operation over
//! two maps and lives in exactly one place (`plan::diff`). Provider modules must
//! translate their wire shapes into these types; they must not invent fields or
//! compare values themselves.

mod attributes;
mod fields;
mod names;
mod vocabulary;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub use attributes::Attributes;
pub use fields::Fields;
pub use names::{Interner, Names};
pub use vocabulary::Vocabulary;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A SIM's ICCID: 18 to 22 decimal digits. The check digit is verified at
/// validation time (a provider may opt out), not here, so live SIMs with
/// unusual ICCIDs can still be represented.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Iccid(String);

impl Iccid {
    /// Accepts 18 to 22 ASCII digits.
    pub fn parse(text: &str) -> Option<Iccid> {
        Iccid::valid(text).then(|| Iccid(text.to_owned()))
    }

    /// [`Iccid::parse`] keeping the string it is given, or giving it back.
    pub fn parse_owned(text: String) -> Result<Iccid, String> {
        if Iccid::valid(&text) {
            Ok(Iccid(text))
        } else {
            Err(text)
        }
    }

    fn valid(text: &str) -> bool {
        (18..=22).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
    }

    /// Wraps a live identifier without checking it: providers report what they
    /// hold, and simfleet must be able to list it even when it is malformed.
    pub fn from_live(text: impl Into<String>) -> Iccid {
        Iccid(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Luhn (mod 10) check over all digits, the last being the check digit.
    pub fn luhn_ok(&self) -> bool {
        match self.0.as_bytes().split_last() {
            Some((check, body)) if check.is_ascii_digit() => {
                // `body` is a prefix of a UTF-8 string cut before an ASCII byte.
                let body = std::str::from_utf8(body).unwrap_or_default();
                check - b'0' == luhn_check_digit(body)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Iccid {
    /// Inert: a live ICCID is whatever a provider sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::inert(&self.0))
    }
}

/// The Luhn check digit for a string of ASCII digits.
pub fn luhn_check_digit(body: &str) -> u8 {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0') % 10);
        // Counting from the right, every other digit starting with the first
        // is doubled, because the check digit will take position 0.
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    // The result is below 10, so the cast cannot truncate.
    ((10 - sum % 10) % 10) as u8
}

/// Normalised SIM status (docs/providers.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Inactive => "inactive",
        }
    }
}

/// Onomondo data limit as managed by simfleet (usage counters are not managed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataLimit {
    /// Bytes allowed per period.
    pub total: u64,
    /// Period: `hourly`, `daily`, `monthly` ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Bytes after which an alert is raised; null for none.
    #[serde(default)]
    pub alert_threshold: Option<u64>,
}

/// A managed field. The order here is the order fields are shown in plans.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Status,
    Name,
    Tags,
    Package,
    Portfolio,
    Attributes,
    NetworkWhitelist,
    ImeiLock,
    Connector,
    DataLimit,
}

impl Field {
    /// The name as written in manifests (provider blocks prefixed).
    pub fn manifest_name(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Name => "name",
            Field::Tags => "tags",
            Field::Package => "package",
            Field::Portfolio => "portfolio",
            Field::Attributes => "attributes",
            Field::NetworkWhitelist => "onomondo.network_whitelist",
            Field::ImeiLock => "onomondo.imei_lock",
            Field::Connector => "onomondo.connector",
            Field::DataLimit => "onomondo.data_limit",
        }
    }
}

/// A field's value, desired or live. `Null` is "empty": no label, no connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    Null,
    Status(Status),
    Text(String),
    Set(Names),
    Map(Attributes),
    // Boxed: it is the largest and the rarest value, and every field's
    // value is as large as the largest.
    DataLimit(Box<DataLimit>),
}

impl Value {
    /// The attribute map this value holds; empty for null (no attributes)
    /// and for anything that is not a map. Shares the names and values.
    pub fn attributes(&self) -> Attributes {
        match self {
            Value::Map(map) => map.clone(),
            _ => Attributes::default(),
        }
    }

    /// Gives a value read back from untagged JSON the type of its field:
    /// a text such as "active" reads as a status, and is text again here
    /// unless the field is the status.
    pub fn retype(&mut self, field: Field) {
        if let (true, Value::Status(s)) = (field != Field::Status, &*self) {
            *self = Value::Text(s.as_str().to_owned());
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Status(s) => f.write_str(s.as_str()),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Set(items) => {
                let list: Vec<std::borrow::Cow<str>> =
                    items.iter().map(crate::text::inert).collect();
                write!(f, "[{}]", list.join(", "))
            }
            Value::Map(map) => {
                let list: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}={v:?}", crate::text::inert(k)))
                    .collect();
                write!(f, "{{{}}}", list.join(", "))
            }
            Value::DataLimit(d) => {
                let alert = d
                    .alert_threshold
                    .map_or("none".to_owned(), |a| a.to_string());
                write!(f, "{} bytes {} (alert at {alert})", d.total, d.kind)
            }
        }
    }
}

/// Desired state of one SIM after defaults are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSim {
    pub iccid: Iccid,
    /// The provider name from the Providers document.
    pub provider: Arc<str>,
    pub fields: Fields,
    /// Plan refuses to suspend or deactivate this SIM.
    pub protect: bool,
    /// Where the SIM entry is written, for messages (see [`Files::show`]).
    pub origin: Origin,
    /// Its fleet: an index into the run's [`Fleet`] list.
    pub fleet: u32,
}

/// A Fleet document: its name and the defaults its SIMs share, so that a
/// problem of a default is said once, where it is written.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub name: Arc<str>,
    /// Where `defaults` is written, when the fleet has any.
    pub defaults_at: Option<Origin>,
    /// The defaults as written (before any SIM's own values).
    pub defaults: Fields,
}

/// A place in a manifest: the file's index in the run's [`Files`], then
/// line and column. Twelve bytes per SIM, where a shared path would take
/// twenty-four; [`Files::show`] turns it into `file:line:column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub file: u32,
    pub line: u32,
    pub column: u32,
}

/// The manifest files that desired SIMs were read from, in load order; an
/// [`Origin`] names one by index.
#[derive(Debug, Clone, Default)]
pub struct Files(Vec<Arc<Path>>);

impl Files {
    /// Index of `file`, added if it is not the last one added: fleets of one
    /// file arrive together, so a file that came back later only costs a
    /// second slot, never a wrong name.
    pub fn index(&mut self, file: &Arc<Path>) -> u32 {
        if self.0.last().is_none_or(|last| !Arc::ptr_eq(last, file)) {
            self.0.push(file.clone());
        }
        // Every file is held in memory while loading, so a run cannot reach
        // 2^32 of them; saturating keeps this total anyway.
        u32::try_from(self.0.len() - 1).unwrap_or(u32::MAX)
    }

    /// The file an origin points into.
    pub fn path(&self, origin: Origin) -> &Path {
        self.0
            .get(origin.file as usize)
            .map_or(Path::new("?"), |file| file.as_ref())
    }

    /// `file:line:column` of an origin.
    pub fn show(&self, origin: Origin) -> String {
        let file = self.path(origin).display();
        format!("{file}:{}:{}", origin.line, origin.column)
    }
}

/// A live state that simfleet must not try to change (docs/providers.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Condition {
    /// Converging toward active by itself: no action, shown as in progress.
    InProgress(String),
    /// A provider state the customer cannot change: reported, never "fixed".
    Locked(String),
}

/// Live state of one SIM as read from its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LiveSim {
    pub iccid: Iccid,
    /// The provider's own identifier (Onomondo's 9-digit SIM id, CMO's product id).
    pub id: String,
    pub fields: Fields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

/// Apply phases, in execution order (docs/architecture.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// To active, unsuspend.
    Enable,
    /// Everything that is not a status change.
    Configure,
    /// To suspended or inactive.
    Restrict,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Enable, Phase::Configure, Phase::Restrict];

    /// The phase a change to `field` with target `after` belongs to.
    pub fn of(field: Field, after: &Value) -> Phase {
        match (field, after) {
            (Field::Status, Value::Status(Status::Active)) => Phase::Enable,
            (Field::Status, _) => Phase::Restrict,
            _ => Phase::Configure,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Enable => "enable",
            Phase::Configure => "configure",
            Phase::Restrict => "restrict",
        }
    }
}

/// One field of one SIM moving from its live value to its desired value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    pub field: Field,
    pub phase: Phase,
    pub before: Value,
    pub after: Value,
    /// Set when the provider's rules added this change on the way to the
    /// desired state (e.g. unsuspend before a package change); says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// The changes of one SIM that one provider call set carries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimWork {
    pub iccid: Iccid,
    /// The provider's identifier for the SIM.
    pub id: String,
    pub changes: Vec<Change>,
}

/// What turns one set into another: members added and removed, in order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SetDelta<'a> {
    pub added: Vec<&'a str>,
    pub removed: Vec<&'a str>,
}

/// The delta from `before` to `after`; values that are not sets count as empty.
pub fn set_delta<'a>(before: &'a Value, after: &'a Value) -> SetDelta<'a> {
    let empty = |v: &'a Value| match v {
        Value::Set(s) => s.iter().collect(),
        _ => BTreeSet::new(),
    };
    let (before, after): (BTreeSet<&str>, BTreeSet<&str>) = (empty(before), empty(after));
    SetDelta {
        added: after.difference(&before).copied().collect(),
        removed: before.difference(&after).copied().collect(),
    }
}

/// What turns one key/value map into another, in key order: keys removed
/// or changed (from the old map), then keys added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MapDelta<'a> {
    pub removed: Vec<&'a str>,
    pub changed: Vec<(&'a str, &'a str)>,
    pub added: Vec<(&'a str, &'a str)>,
}

pub fn map_delta<'a>(have: &'a Attributes, want: &'a Attributes) -> MapDelta<'a> {
    let mut delta = MapDelta::default();
    for (key, old) in have.iter() {
        match want.get(key) {
            None => delta.removed.push(key),
            Some(new) if new != old => delta.changed.push((key, new)),
            Some(_) => {}
        }
    }
    delta.added = want.iter().filter(|(k, _)| have.get(k).is_none()).collect();
    delta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_documented_iccids_and_rejects_typos() {
        for good in [
            "89457387300000024185",
            "89457387300000024177",
            "89457387300002791013",
        ] {
            assert!(Iccid::parse(good).unwrap().luhn_ok(), "{good}");
        }
        assert!(!Iccid::parse("89457387300000024186").unwrap().luhn_ok());
    }

    #[test]
    fn deltas_list_what_to_add_change_and_remove() {
        let set = |items: &[&str]| Value::Set(items.iter().collect());
        let (before, after) = (set(&["a", "b"]), set(&["b", "c"]));
        let d = set_delta(&before, &after);
        assert_eq!((d.added, d.removed), (vec!["c"], vec!["a"]));
        let map = |pairs: &[(&str, &str)]| pairs.iter().copied().collect::<Attributes>();
        let (have, want) = (
            map(&[("cost", "1"), ("legacy", "x"), ("same", "s")]),
            map(&[("cost", "2"), ("same", "s"), ("site", "hh")]),
        );
        let d = map_delta(&have, &want);
        assert_eq!(d.removed, vec!["legacy"]);
        assert_eq!(d.changed, vec![("cost", "2")]);
        assert_eq!(d.added, vec![("site", "hh")]);
    }

    #[test]
    fn iccid_length_and_digits() {
        assert!(Iccid::parse("12345678901234567").is_none());
        assert!(Iccid::parse("12345678901234567890123").is_none());
        assert!(Iccid::parse("8945738730000002418x").is_none());
        assert!(Iccid::parse("123456789012345678").is_some());
    }
}
