//! `--select` narrowing: an ICCID, `tag=NAME` or `name~GLOB`.

use crate::model::{Field, Fields, Iccid, Value};

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
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("pump-*", "pump-17"));
        assert!(glob("p?mp-1*", "pump-17"));
        assert!(glob("*", ""));
        assert!(!glob("pump-?", "pump-17"));
        assert!(glob("*-1*7", "pump-1-7"));
    }
}
