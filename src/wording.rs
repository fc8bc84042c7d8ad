//! How messages word what they list and what they guess: `a, b and c`
//! (never a Rust debug list), and "did you mean `name`?" for a word that
//! is one slip away from a known one.
//!
//! It knows no manifest, command or provider: callers pass the words and
//! quote them as their message does. Nothing here makes text inert; that
//! is `text`'s.

/// `a`, `a and b`, `a, b and c` (`last` is the joining word: "and", "or").
pub fn words<S: AsRef<str>>(items: &[S], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., end] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} {last} {}", rest.join(", "), end.as_ref())
        }
    }
}

/// The candidate closest to `word`, when it is close enough to be a slip:
/// at most one edit for words of up to four characters, two up to eight,
/// three beyond; ties go to the earlier candidate.
pub fn closest<'a, S: AsRef<str>>(word: &str, candidates: &'a [S]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let allowed = match word.chars().count() {
        0 => return None,
        1..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    candidates
        .iter()
        .map(|c| (distance(&word, &c.as_ref().to_lowercase()), c.as_ref()))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits (insert, delete, replace, swap two neighbours) that turn `a` into
/// `b`: the optimal string alignment distance. Words here are short.
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows: two back for a swap, one back, and this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let replace = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + replace);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            row[j] = best;
        }
        std::mem::swap(&mut before, &mut last);
        std::mem::swap(&mut last, &mut row);
    }
    last[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_words() {
        assert_eq!(words::<&str>(&[], "and"), "");
        assert_eq!(words(&["a"], "and"), "a");
        assert_eq!(words(&["a", "b"], "or"), "a or b");
        assert_eq!(words(&["a", "b", "c"], "and"), "a, b and c");
    }

    #[test]
    fn edits_are_counted_with_swaps() {
        assert_eq!(distance("name", "name"), 0);
        assert_eq!(distance("nmae", "name"), 1);
        assert_eq!(distance("stauts", "status"), 1);
        assert_eq!(distance("tag", "tags"), 1);
        assert_eq!(distance("colour", "status"), 5);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn only_a_slip_is_suggested() {
        let keys = ["iccid", "name", "label", "status", "tags"];
        assert_eq!(closest("nmae", &keys), Some("name"));
        assert_eq!(closest("lable", &keys), Some("label"));
        assert_eq!(closest("Status", &keys), Some("status"));
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(closest("x", &keys), None);
    }
}
