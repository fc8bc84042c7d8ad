//! `--select` narrowing: an ICCID, `tag=NAME` or `name~GLOB`.

use crate::model::{DesiredSim, Field, Value};

/// True when `sim` matches any selector (or there are none).
pub fn selected(sim: &DesiredSim, selectors: &[String]) -> bool {
    selectors.is_empty() || selectors.iter().any(|s| matches(sim, s))
}

fn matches(sim: &DesiredSim, selector: &str) -> bool {
    if let Some(tag) = selector.strip_prefix("tag=") {
        return matches!(sim.fields.get(&Field::Tags), Some(Value::Set(tags)) if tags.contains(tag));
    }
    if let Some(pattern) = selector.strip_prefix("name~") {
        return matches!(sim.fields.get(&Field::Name), Some(Value::Text(name)) if glob(pattern, name));
    }
    sim.iccid.as_str() == selector
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
