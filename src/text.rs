//! Untrusted text made inert for where it is shown. SIM names, tags and
//! attributes come from manifests a pull request's author writes; error
//! bodies, names and states come from providers. Neither may steer a
//! terminal (escape sequences, carriage returns), a pull-request comment
//! (HTML, mentions, markdown, the plan's hidden marker) or a spreadsheet
//! (formula cells).
//!
//! Every renderer passes such values through the function for its medium;
//! nothing here knows what a value means.

use std::borrow::Cow;

/// Characters that move or restyle what a terminal or an editor shows:
/// C0 and C1 controls (ESC, CR, BS ...), DEL, and the Unicode bidi
/// controls that reorder text (the "Trojan Source" set).
fn steering(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every steering character written as a visible escape
/// (`\u{1b}`), newlines and tabs included: one value stays one line.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(steering) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if steering(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The same, keeping line breaks: for whole messages of several lines.
pub fn inert_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| inert(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` as a double-quoted YAML scalar (the JSON string syntax, which
/// YAML reads back unchanged), every steering character and every
/// character YAML may not hold as it is (U+FEFF, U+FFFE, U+FFFF) written as
/// a `\uXXXX` escape: a written manifest, shown on a terminal, is inert,
/// and loads back to exactly `text`.
pub fn yaml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if steering(c) || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
                // Every such character is in the Basic Multilingual Plane.
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The longest value a markdown table cell shows; longer ones are cut.
pub const MAX_CELL: usize = 200;

/// `text` as literal markdown (GitHub's flavour, table cells included):
/// steering characters escaped, HTML and entities neutralised, markdown
/// punctuation backslash-escaped, `@` kept from mentioning anyone, and at
/// most [`MAX_CELL`] characters. Never put the result in a code span:
/// there backslashes and entities show as they are.
pub fn markdown(text: &str) -> String {
    markdown_within(text, MAX_CELL)
}

/// The same, cut at `max` characters (longer messages in list items).
pub fn markdown_within(text: &str, max: usize) -> String {
    let chars: Vec<char> = inert(text).chars().collect();
    let mut out = String::with_capacity(chars.len() + 16);
    for (n, &c) in chars.iter().enumerate() {
        let (before, after) = (&chars[..n], &chars[n + 1..]);
        if n == max {
            out.push('…');
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // An entity, not a backslash: GitHub links mentions either way
            // after a backslash.
            '@' => out.push_str("&#64;"),
            // GitHub links bare `scheme://...` and `www.` text: as entities
            // the same characters show, but nothing is linked.
            ':' if after.starts_with(&['/', '/']) => out.push_str("&#58;"),
            '.' if before.len() >= 3
                && before[before.len() - 3..]
                    .iter()
                    .all(|c| c.eq_ignore_ascii_case(&'w')) =>
            {
                out.push_str("&#46;");
            }
            // What makes emphasis, code, links, tables, strike-through or
            // headings; values never start a line, so list marks stay.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line
/// break; a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// tab, carriage return first) gets a leading `'`.
pub fn csv(cell: &str) -> String {
    let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    };
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steering_characters_become_visible_escapes() {
        assert_eq!(inert("pump-1"), "pump-1");
        assert_eq!(inert("a\x1b]0;owned\x07b"), "a\\u{1b}]0;owned\\u{7}b");
        assert_eq!(inert("x\ry"), "x\\u{d}y");
        assert_eq!(inert("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(inert_lines("one\ntwo\x1b"), "one\ntwo\\u{1b}");
    }

    #[test]
    fn markdown_values_are_literal() {
        let hostile = "<!-- simfleet:plan --> <img src=x> @team `code` **bold** [l](u) \r\r \
                       https://evil.example/x WWW.evil.example a@b.example";
        let out = markdown(hostile);
        for gone in [
            "<!--", "<img", "@team", "`code`", "**", "[l](u)", "\r", "://", "WWW.", "a@b",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(
            out.contains("&#64;team") && out.contains("&lt;img"),
            "{out}"
        );
        assert_eq!(markdown(&"x".repeat(500)).chars().count(), MAX_CELL + 1);
    }

    #[test]
    fn yaml_scalars_are_inert_and_read_back_unchanged() {
        let hostile = "a\"b\\c\nd\te\x1b]0;x\x07\u{7f}\u{85}\u{202e}\u{2066}\u{feff}f";
        let written = yaml(hostile);
        assert!(!written.chars().any(steering), "{written}");
        assert_eq!(yaml("pump-1"), "\"pump-1\"");
        let read: String = serde_saphyr::from_str(&written).expect("YAML");
        assert_eq!(read, hostile);
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv("plain"), "plain");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
        assert_eq!(csv("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv("-1"), "'-1");
        assert_eq!(csv("@SUM(A1)"), "'@SUM(A1)");
    }
}
