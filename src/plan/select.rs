//! `--select` narrowing: an ICCID, `tag=NAME` or `name~GLOB`.

use crate::model::{Field, Fields, Iccid, Value};

/// The forms a selector takes, as every selector error says them.
const FORMS: &str = "an ICCID (18 to 22 digits), `tag=NAME` or `name~GLOB`";

/// Why a `--select` value is no selector. Each message shows the forms
/// a selector takes; clap names the value given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// `name=x`: names are matched by glob, so the form is `name~`.
    #[error(
        "names are matched with `name~GLOB` (`*` and `?` match any text): use `name~{value}`; a selector is {FORMS}"
    )]
    NameWithEquals { value: String },
    /// `tag~x`: tags are matched whole.
    #[error("tags are matched whole with `tag=NAME`: use `tag={value}`; a selector is {FORMS}")]
    TagWithTilde { value: String },
    /// `iccid=...`: an ICCID is given as it is.
    #[error("an ICCID is given as it is: use `{value}`; a selector is {FORMS}")]
    KeyedIccid { value: String },
    #[error("`{key}` needs a value; a selector is {FORMS}")]
    Empty { key: &'static str },
    #[error("not a selector; a selector is {FORMS}")]
    Unknown,
}

/// Checks that `text` is a selector, before anything is read.
pub fn check(text: &str) -> Result<(), SelectorError> {
    for key in ["tag=", "name~"] {
        if text == key {
            return Err(SelectorError::Empty { key });
        }
        if text.starts_with(key) {
            return Ok(());
        }
    }
    if Iccid::parse(text).is_some() {
        return Ok(());
    }
    let Some(at) = text.find(['=', '~']) else {
        return Err(SelectorError::Unknown);
    };
    let (key, value) = (
        &text[..at],
        crate::text::inert(&text[at + 1..]).into_owned(),
    );
    let is = |words: &[&str]| words.iter().any(|w| key.eq_ignore_ascii_case(w));
    Err(if is(&["name", "label"]) {
        SelectorError::NameWithEquals { value }
    } else if is(&["tag", "tags"]) {
        SelectorError::TagWithTilde { value }
    } else if is(&["iccid"]) {
        SelectorError::KeyedIccid { value }
    } else {
        SelectorError::Unknown
    })
}

/// True when a SIM with these fields matches any selector (or there are
/// none). Live SIMs are matched as if declared with their live fields.
pub fn selected(iccid: &Iccid, fields: &Fields, selectors: &[String]) -> bool {
    selectors.is_empty() || selectors.iter().any(|s| matches(iccid, fields, s))
}

fn matches(iccid: &Iccid, fields: &Fields, selector: &str) -> bool {
    if let Some(tag) = selector.strip_prefix("tag=") {
        return matches!(fields.get(&Field::Tags), Some(Value::Set(tags)) if tags.contains(tag));
    }
    if let Some(pattern) = selector.strip_prefix("name~") {
        return matches!(fields.get(&Field::Name), Some(Value::Text(name)) if glob(pattern, name));
    }
    iccid.as_str() == selector
}

/// `*` matches any run of characters, `?` any one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, at)) = backtrack {
            pi = star + 1;
            ti = at + 1;
            backtrack = Some((star, at + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::{SelectorError, check, glob};

    #[test]
    fn selectors_are_checked_and_mistakes_named() {
        assert_eq!(check("tag=pumps"), Ok(()));
        assert_eq!(check("name~pump-*"), Ok(()));
        assert_eq!(check("89457387300000024185"), Ok(()));
        let name = check("name=pump-17").unwrap_err();
        assert!(matches!(name, SelectorError::NameWithEquals { .. }));
        assert!(name.to_string().contains("`name~pump-17`"), "{name}");
        assert!(matches!(
            check("tag~a"),
            Err(SelectorError::TagWithTilde { .. })
        ));
        assert!(matches!(
            check("iccid=1"),
            Err(SelectorError::KeyedIccid { .. })
        ));
        assert!(matches!(check("tag="), Err(SelectorError::Empty { .. })));
        let other = check("pump").unwrap_err().to_string();
        assert!(other.contains("`tag=NAME` or `name~GLOB`"), "{other}");
    }

    #[test]
    fn globs() {
        assert!(glob("pump-*", "pump-17"));
        assert!(glob("p?mp-1*", "pump-17"));
        assert!(glob("*", ""));
        assert!(!glob("pump-?", "pump-17"));
        assert!(glob("*-1*7", "pump-1-7"));
    }
}
