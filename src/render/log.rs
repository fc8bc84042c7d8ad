//! Log lines on stderr in simfleet's own words: `warning: ...`, `error:
//! ...`, with no timestamp, module path or field syntax; the level word in
//! colour only when the caller says so (a terminal, `--color`, NO_COLOR).
//!
//! A warning that comes back in the same shape (the same call, the same
//! words, only its numbers differ: a rate-limit wait, a retry) is printed
//! the first time and counted after; [`Log::finish`] ends the run with one
//! line per such warning saying how often it came back. This is the one
//! place repeats are folded: call sites just log.
//!
//! The layer only formats and counts; it never filters by level (the
//! subscriber's filter does) and never prints to stdout.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use super::Style;

/// Where finished lines go (stderr in the binary; a buffer in tests).
pub type Sink = Box<dyn Fn(&str) + Send + Sync>;

/// The tracing layer; clones share their counts.
#[derive(Clone)]
pub struct Log {
    shared: Arc<Shared>,
}

struct Shared {
    style: Style,
    sink: Sink,
    repeats: Mutex<Repeats>,
}

/// Warnings and errors seen, by shape.
#[derive(Default)]
struct Repeats {
    by_shape: HashMap<Shape, usize>,
    /// First line and later occurrences, in the order first seen.
    seen: Vec<(String, usize)>,
}

/// What makes two log events "the same": the call that logged them and
/// their words with every free-standing number blanked.
#[derive(Hash, PartialEq, Eq)]
struct Shape {
    callsite: tracing::callsite::Identifier,
    words: String,
}

impl Log {
    pub fn new(style: Style, sink: Sink) -> Log {
        Log {
            shared: Arc::new(Shared {
                style,
                sink,
                repeats: Mutex::new(Repeats::default()),
            }),
        }
    }

    /// A layer writing to stderr; a closed stderr loses the line, never the run.
    pub fn stderr(style: Style) -> Log {
        Log::new(
            style,
            Box::new(|line| {
                use std::io::Write as _;
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }),
        )
    }

    /// Says how often each folded warning came back; call once, at the end.
    pub fn finish(&self) {
        let seen = {
            let mut repeats = self.lock();
            std::mem::take(&mut repeats.seen)
        };
        for (line, more) in seen.into_iter().filter(|(_, more)| *more > 0) {
            let times = if more == 1 {
                "once more".to_owned()
            } else {
                format!("{more} more times")
            };
            (self.shared.sink)(&format!("{line} (repeated {times})\n"));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Repeats> {
        // Counting goes on after a panic elsewhere: the counts stay sound.
        self.shared
            .repeats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: Subscriber> Layer<S> for Log {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut said = Said::default();
        event.record(&mut said);
        let mut text = crate::text::inert_lines(&said.message);
        if !said.fields.is_empty() {
            let _ = write!(text, " ({})", said.fields.join(", "));
        }
        let from = meta.target().split("::").next().unwrap_or_default();
        if from != "simfleet" && !from.is_empty() {
            let _ = write!(text, " [{from}]");
        }
        let style = self.shared.style;
        let word = match *meta.level() {
            Level::ERROR => style.red(&style.bold("error")),
            Level::WARN => style.yellow(&style.bold("warning")),
            Level::INFO => style.green("info"),
            Level::DEBUG => "debug".to_owned(),
            Level::TRACE => "trace".to_owned(),
        };
        let line = format!("{word}: {text}");
        if *meta.level() <= Level::WARN {
            let shape = Shape {
                callsite: meta.callsite(),
                words: blank_numbers(&text),
            };
            let mut repeats = self.lock();
            let Repeats { by_shape, seen } = &mut *repeats;
            if let Some(&at) = by_shape.get(&shape) {
                seen[at].1 += 1;
                return;
            }
            by_shape.insert(shape, seen.len());
            seen.push((line.clone(), 0));
        }
        (self.shared.sink)(&format!("{line}\n"));
    }
}

/// An event's message and its other fields as `name value`.
#[derive(Default)]
struct Said {
    message: String,
    fields: Vec<String>,
}

impl Visit for Said {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}"));
    }
}

impl Said {
    fn put(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            self.message = value;
        } else {
            let value = crate::text::inert(&value).into_owned();
            self.fields.push(format!("{} {value}", field.name()));
        }
    }
}

/// `text` with each number that stands on its own (not part of a word
/// such as `token1`) as `#`: `waiting 12 s` and `waiting 47 s` read alike.
fn blank_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_number = c.is_ascii_digit() && !previous.is_some_and(char::is_alphanumeric);
        if !starts_number {
            out.push(c);
            previous = Some(c);
            continue;
        }
        let mut last = c;
        while let Some(&next) = chars.peek() {
            if next.is_ascii_digit() || (next == '.' && last != '.') {
                last = next;
                chars.next();
            } else {
                break;
            }
        }
        out.push('#');
        if last == '.' {
            out.push('.');
        }
        previous = Some('#');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;

    fn captured(style: Style) -> (Log, Arc<Mutex<String>>) {
        let out = Arc::new(Mutex::new(String::new()));
        let sink = out.clone();
        let log = Log::new(
            style,
            Box::new(move |line| sink.lock().expect("buffer").push_str(line)),
        );
        (log, out)
    }

    #[test]
    fn lines_are_plain_words() {
        let (log, out) = captured(Style { color: false });
        let subscriber = tracing_subscriber::registry().with(log.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("provider `a`: slow\x1b[31m");
            tracing::info!(provider = "a", sims = 3, "answers lost");
            tracing::error!("gone");
        });
        log.finish();
        let out = out.lock().expect("buffer").clone();
        assert_eq!(
            out,
            "warning: provider `a`: slow\\u{1b}[31m\ninfo: answers lost (provider a, sims 3)\n\
             error: gone\n"
        );
    }

    #[test]
    fn a_repeated_warning_is_said_once_then_counted() {
        let (log, out) = captured(Style { color: true });
        let subscriber = tracing_subscriber::registry().with(log.clone());
        tracing::subscriber::with_default(subscriber, || {
            for wait in [12, 47, 3] {
                tracing::warn!("provider `a`: its rate budget is spent; waiting {wait} s");
            }
            // Names that differ only in a digit are different warnings.
            for file in ["token1.txt", "token2.txt"] {
                tracing::warn!("{file} can be read");
            }
        });
        log.finish();
        let out = out.lock().expect("buffer").clone();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].ends_with("waiting 12 s"), "{out}");
        assert!(lines[0].contains("\x1b["), "colour when asked: {out}");
        assert!(
            lines[3].ends_with("waiting 12 s (repeated 2 more times)"),
            "{out}"
        );
    }

    #[test]
    fn numbers_standing_alone_are_blanked() {
        assert_eq!(
            blank_numbers("waiting 12 s (2 of 5)"),
            "waiting # s (# of #)"
        );
        assert_eq!(blank_numbers("/sims/8945 at 1.5 s."), "/sims/# at # s.");
        assert_eq!(blank_numbers("token1.txt"), "token1.txt");
    }
}
