//! Positions of keys inside SIM entries, found in the text only when a
//! message needs one.
//!
//! Asking the parser for the position of every key costs about a tenth of
//! parsing a large fleet, and messages are rare; so entries keep only where
//! they start, and a problem about one key ([`Diagnostic::key`]) is moved
//! to that key here, by reading its file again. This is a reading of block
//! and single-line flow style: when the key is not found where those put
//! it, the problem keeps the entry's position, which is never wrong, only
//! less precise.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use super::diagnostic::Diagnostic;
use super::node::{MAX_FILE_BYTES, Pos};

/// Moves each problem that names a key to where the key is written.
pub fn refine(problems: &mut [Diagnostic]) {
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    for problem in problems.iter_mut() {
        let Some(key) = problem.key.take() else {
            continue;
        };
        let text = texts.entry(problem.file.clone()).or_insert_with_key(read);
        // `name` may be written as its alias.
        let spellings: &[&str] = match key.as_str() {
            "name" => &["name", "label"],
            other => &[other],
        };
        let found = text.as_deref().and_then(|text| {
            spellings
                .iter()
                .find_map(|key| find_key(text, problem.pos, key))
        });
        if let Some(pos) = found {
            problem.pos = pos;
        }
    }
}

/// The file as it is now, if it is still a plain file within the limit.
fn read(file: &PathBuf) -> Option<String> {
    let meta = fs::metadata(file).ok()?;
    (meta.is_file() && meta.len() <= MAX_FILE_BYTES)
        .then(|| fs::read_to_string(file).ok())
        .flatten()
}

/// Where `key` is written in the mapping that starts at `at`.
pub fn find_key(text: &str, at: Pos, key: &str) -> Option<Pos> {
    let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let first = usize::try_from(at.line).ok()?.checked_sub(1)?;
    let mut lines = text.lines().enumerate().skip(first);
    let (_, line) = lines.next()?;
    let start = line.char_indices().nth(column).map(|(i, _)| i)?;
    let rest = &line[start..];
    if is_key(rest, key) {
        return Some(at);
    }
    // Flow style: `{iccid: "…", name: x}` on the entry's line.
    for (i, c) in rest.char_indices() {
        if c == '{' || c == ',' {
            let after = &rest[i + 1..];
            let trimmed = after.trim_start();
            if is_key(trimmed, key) {
                let skipped = rest[..i + 1].chars().count() + after.len() - trimmed.len();
                return Some(Pos {
                    line: at.line,
                    column: at.column + u32::try_from(skipped).ok()?,
                });
            }
        }
    }
    // Block style: the entry's keys start its column on the lines below.
    for (n, line) in lines {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if indent < column {
            return None; // past the entry
        }
        if indent == column && is_key(body, key) {
            return Some(Pos {
                line: u32::try_from(n + 1).ok()?,
                column: at.column,
            });
        }
    }
    None
}

/// The plain scalar written after `key:` at `at` (where [`find_key`]
/// found the key), up to white space, a comment or the end of a flow
/// entry: how a number was written, before YAML read it.
pub fn scalar_after_key<'a>(text: &'a str, at: Pos, key: &str) -> Option<&'a str> {
    let line = text
        .lines()
        .nth(usize::try_from(at.line).ok()?.checked_sub(1)?)?;
    let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let start = line.char_indices().nth(column).map(|(i, _)| i)?;
    let rest = &line[start..];
    let rest = rest
        .strip_prefix(key)
        .or_else(|| quoted(rest, key, '"'))
        .or_else(|| quoted(rest, key, '\''))?;
    let value = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = value
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']' | '#'))
        .unwrap_or(value.len());
    Some(&value[..end]).filter(|v| !v.is_empty())
}

/// `text` starts with `key` (plain or quoted) and its colon.
fn is_key(text: &str, key: &str) -> bool {
    let rest = text
        .strip_prefix(key)
        .or_else(|| quoted(text, key, '"'))
        .or_else(|| quoted(text, key, '\''));
    rest.is_some_and(|r| r.trim_start().starts_with(':'))
}

fn quoted<'a>(text: &'a str, key: &str, quote: char) -> Option<&'a str> {
    text.strip_prefix(quote)?
        .strip_prefix(key)?
        .strip_prefix(quote)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn finds_keys_in_block_and_flow_entries() {
        let text = "sims:\n  - iccid: \"1\"\n    tags:\n      - a\n    # note\n    status: active\n  - iccid: \"2\"\n    status: x\n  - {iccid: \"3\", \"status\": y}\n";
        assert_eq!(find_key(text, at(2, 5), "iccid"), Some(at(2, 5)));
        assert_eq!(find_key(text, at(2, 5), "status"), Some(at(6, 5)));
        // The next entry's key is not this entry's.
        assert_eq!(find_key(text, at(2, 5), "name"), None);
        assert_eq!(find_key(text, at(9, 5), "status"), Some(at(9, 18)));
        assert_eq!(find_key(text, at(40, 1), "status"), None);
    }

    #[test]
    fn numbers_are_read_as_written() {
        let text = "  - iccid: 89457387300000024185 # x\n  - {iccid: 8945e3, name: a}\n";
        assert_eq!(
            scalar_after_key(text, at(1, 5), "iccid"),
            Some("89457387300000024185")
        );
        assert_eq!(scalar_after_key(text, at(2, 6), "iccid"), Some("8945e3"));
        assert_eq!(scalar_after_key(text, at(2, 6), "name"), None);
    }
}
