//! Test only: every place the code cites a document of `docs/` resolves.
//! A comment may name a file (`docs/providers.md`) or a section of it
//! (`docs/architecture.md, "The pipeline"`, wrapped over comment lines or
//! not); the file must exist and the section must be one of its headings,
//! whole or without a closing parenthesis (`Onomondo` for "Onomondo
//! (`type: onomondo`)"). It reads files and never changes one.

use std::path::{Path, PathBuf};

/// One citation: where it is, the document, and the section if named.
#[derive(Debug)]
struct Citation {
    at: String,
    file: String,
    section: Option<String>,
}

/// Every `.rs` file below `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The text of a comment line (`//`, `///`, `//!`), without its marker.
fn comment(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("//")?;
    Some(rest.trim_start_matches(['/', '!']).trim())
}

/// The citations in one file. Consecutive comment lines are read as one
/// text, so a citation wrapped at a line end is found whole.
fn citations(shown: &str, text: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    // (first line number, joined text) of each run of comment lines.
    let mut runs: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        match (comment(line), open) {
            (Some(said), true) => {
                let run = runs.last_mut().expect("a run is open");
                run.1.push(' ');
                run.1.push_str(said);
            }
            (Some(said), false) => {
                runs.push((n + 1, said.to_owned()));
                open = true;
            }
            (None, _) => open = false,
        }
    }
    for (line, run) in runs {
        let mut rest = run.as_str();
        while let Some(i) = rest.find("docs/") {
            rest = &rest[i + "docs/".len()..];
            let name_len = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c)))
                .unwrap_or(rest.len());
            let Some(after) = rest[name_len..].strip_prefix(".md") else {
                continue;
            };
            let file = format!("{}.md", &rest[..name_len]);
            let section = after
                .strip_prefix(", \"")
                .and_then(|s| s.split_once('"'))
                .map(|(section, _)| section.to_owned());
            out.push(Citation {
                at: format!("{shown}:{line}"),
                file,
                section,
            });
        }
    }
    out
}

/// The headings of a markdown text, as titles.
fn headings(markdown: &str) -> Vec<&str> {
    markdown
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect()
}

/// Whether `section` names `heading`: whole, or the heading without a
/// closing parenthesised part.
fn names(section: &str, heading: &str) -> bool {
    let short = match heading.rsplit_once(" (") {
        Some((short, tail)) if tail.ends_with(')') => short,
        _ => heading,
    };
    section == heading || section == short
}

#[test]
fn every_document_and_section_the_code_cites_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for path in sources(&root.join("src")) {
        let shown = path.strip_prefix(root).unwrap().display().to_string();
        found.extend(citations(&shown, &std::fs::read_to_string(&path).unwrap()));
    }
    // The scan itself works: the code base cites both forms many times.
    assert!(found.len() >= 20, "{found:#?}");
    assert!(found.iter().filter(|c| c.section.is_some()).count() >= 5);
    let mut broken = Vec::new();
    for c in &found {
        let Ok(doc) = std::fs::read_to_string(root.join("docs").join(&c.file)) else {
            broken.push(format!("{}: docs/{} does not exist", c.at, c.file));
            continue;
        };
        if let Some(section) = &c.section
            && !headings(&doc).iter().any(|h| names(section, h))
        {
            broken.push(format!(
                "{}: docs/{} has no section \"{section}\"",
                c.at, c.file
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "broken references:\n{}",
        broken.join("\n")
    );
}

#[test]
fn citations_are_read_across_comment_lines_and_only_from_comments() {
    let text = "//! Contract (docs/architecture.md, \"The\n//! provider contract\"): x.\n\
                let s = \"docs/nowhere.md\";\n/// See docs/providers.md.\n";
    let found = citations("f.rs", text);
    let said: Vec<(&str, &str, Option<&str>)> = found
        .iter()
        .map(|c| (c.at.as_str(), c.file.as_str(), c.section.as_deref()))
        .collect();
    assert_eq!(
        said,
        [
            ("f.rs:1", "architecture.md", Some("The provider contract")),
            ("f.rs:4", "providers.md", None),
        ]
    );
    assert!(names("Onomondo", "Onomondo (`type: onomondo`)"));
    assert!(names("The pipeline", "The pipeline"));
    assert!(!names("Eseye", "Eseye Infinity (`type: eseye`)"));
    assert!(!names("The", "The pipeline"));
}
