//! The file and fleet names of an export.
//!
//! Every file name starts with the provider's name and a `.`, which no
//! identifier holds: two providers' exports never collide. Values that
//! become part of a name (tags, packages, an ICCID a provider sent) pass
//! through [`slug`], so no name leaves the output folder, hides itself or
//! differs from another only in case.

use crate::config::MAX_NAME;
use crate::digest::Digest;
use crate::model::LiveSim;

use super::GroupBy;

/// The longest part of a file name made from a value.
const MAX_SLUG: usize = 32;

/// The Providers document's file.
pub fn providers_file(provider: &str) -> String {
    format!("{provider}.providers.yaml")
}

/// Whether `file` (a name in the output folder) belongs to an earlier
/// export of `provider`: its Providers file, or a fleet file
/// `provider.….NNN.yaml`. Such a folder would declare the SIMs twice.
pub fn of_export(provider: &str, file: &str) -> bool {
    if file == providers_file(provider) {
        return true;
    }
    let rest = file
        .strip_prefix(provider)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".yaml"));
    rest.and_then(|r| r.rsplit('.').next())
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Where an export's fleet names start: the provider, and for SIMs no
/// manifest declares, `unmanaged-` and the first one's ICCID, so a later
/// adoption into the same folder gets names of its own.
pub struct Stem {
    file: String,
    fleet: String,
}

impl Stem {
    pub fn new(provider: &str, unmanaged: Option<&[LiveSim]>) -> Stem {
        match unmanaged {
            None => Stem {
                file: provider.to_owned(),
                fleet: provider.to_owned(),
            },
            Some(sims) => {
                let first = sims.first().map_or("none", |s| s.iccid.as_str());
                Stem {
                    file: format!("{provider}.unmanaged-{}", slug(first)),
                    fleet: format!("{provider}-unmanaged"),
                }
            }
        }
    }

    /// The file name and the fleet name (an identifier) of the `n`th file
    /// (from 1) of group `part`.
    pub fn names(&self, part: Option<&str>, n: usize) -> (String, String) {
        let (file, fleet) = match part {
            Some(part) => (
                format!("{}.{part}.{n:03}.yaml", self.file),
                format!("{}-{part}-{n:03}", self.fleet),
            ),
            None => (
                format!("{}.{n:03}.yaml", self.file),
                format!("{}-{n:03}", self.fleet),
            ),
        };
        (file, identifier(fleet))
    }
}

/// The part of a file name a group gives: `tag-NAME`, or `no-tag` for the
/// SIMs without one (no `tag-` value can read `no-tag`).
pub fn group_part(by: GroupBy, key: Option<&str>) -> String {
    match key {
        Some(value) => format!("{}-{}", by.name(), slug(value)),
        None => format!("no-{}", by.name()),
    }
}

/// `value` as part of a name: lower-case letters, digits, `-` and `_`
/// (anything else becomes `-`), at most [`MAX_SLUG`] characters; when that
/// changed anything, a digest of `value` follows, so distinct values keep
/// distinct names (`Prod` is `prod-…`, `prod` is `prod`).
pub fn slug(value: &str) -> String {
    let kept: String = value
        .chars()
        .take(MAX_SLUG)
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    if kept == value && !kept.is_empty() {
        return kept;
    }
    format!("{kept}-{}", short_digest(value))
}

/// Eight hex digits of `text`'s digest.
fn short_digest(text: &str) -> String {
    let hex = Digest::of(text.as_bytes());
    // `fnv1a64:` and sixteen hex digits.
    hex.chars().skip("fnv1a64:".len()).take(8).collect()
}

/// `name` cut to an identifier's length, a digest of the whole standing
/// for what was cut. Its characters are already an identifier's.
fn identifier(name: String) -> String {
    if name.len() <= MAX_NAME {
        return name;
    }
    let digest = short_digest(&name);
    // ASCII only (provider names and slugs), so any cut is a boundary.
    format!("{}-{digest}", &name[..MAX_NAME - digest.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_safe_distinct_name_parts() {
        assert_eq!(slug("fleet-a_1"), "fleet-a_1");
        for hostile in ["../../etc", "Prod", "", ".hidden", "a/b", "x\u{202e}y"] {
            let s = slug(hostile);
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{s}"
            );
            assert_ne!(s, slug("prod"), "{hostile}");
        }
        assert_ne!(slug("Prod"), slug("PROD"));
        assert!(slug("Site A").starts_with("site-a-"), "{}", slug("Site A"));
        assert!(slug(&"x".repeat(500)).len() <= MAX_SLUG + 9);
    }

    #[test]
    fn fleet_names_are_identifiers_and_files_start_with_the_provider() {
        let long = "p".repeat(MAX_NAME);
        let (file, fleet) = Stem::new(&long, None).names(Some("tag-x"), 7);
        assert_eq!(file, format!("{long}.tag-x.007.yaml"));
        assert!(
            crate::config::identifier("fleet", &fleet).is_ok(),
            "{fleet}"
        );
        let (file, fleet) = Stem::new("iot", None).names(None, 1);
        assert_eq!((file.as_str(), fleet.as_str()), ("iot.001.yaml", "iot-001"));
    }

    #[test]
    fn an_earlier_export_is_recognised_by_its_names_only() {
        for file in [
            "iot.providers.yaml",
            "iot.001.yaml",
            "iot.tag-x.012.yaml",
            "iot.unmanaged-8945.001.yaml",
        ] {
            assert!(of_export("iot", file), "{file}");
        }
        for file in [
            "iot.yaml",
            "iot-2.001.yaml",
            "iot.notes.yaml",
            "meters.001.yaml",
            "iot.001.yml",
        ] {
            assert!(!of_export("iot", file), "{file}");
        }
    }
}
