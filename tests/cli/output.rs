//! The output edge: a closed stdout or stderr never panics a command, log
//! lines are plain words (colour only on a terminal or when asked), and a
//! warning that repeats is said once with a count.

use std::io::Read as _;
use std::process::{Output, Stdio};

use serde_json::json;
use simfleet::kind::{Operation, ProviderKind};

use crate::support::{kind_with, kind_without_tokens};
use crate::workspace::{Workspace, sims_of};

/// The first kind that answers every command these tests close streams on
/// (`sim show` and `usage` too), and its bundled example.
fn example() -> (ProviderKind, Workspace) {
    let kind = kind_with(|caps| caps.offers(Operation::ShowSim) && caps.offers(Operation::Usage));
    (kind, Workspace::example(kind, &[]))
}

/// What a shell reports for a program ended by SIGPIPE: simfleet's exit
/// code when its stdout is closed early.
const CLOSED: i32 = 141;

/// A pipe whose reading end is already gone: every write to it fails.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

/// Runs `args` in `ws` with stdout closed and stderr captured.
fn with_stdout_closed(ws: &Workspace, args: &[&str]) -> Output {
    ws.command(args)
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .expect("run simfleet")
}

/// Runs `args` in `ws` with stderr closed and stdout captured.
fn with_stderr_closed(ws: &Workspace, args: &[&str]) -> Output {
    ws.command(args)
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .expect("run simfleet")
}

#[test]
fn a_closed_stdout_ends_every_command_and_format_quietly_with_141() {
    let (kind, ws) = example();
    let saved = ws.on_manifests(&["plan", "--out", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let planned = ws.planned();
    let iccid = planned["providers"][0]["sims"][0]["iccid"]
        .as_str()
        .expect("the example plans a SIM")
        .to_owned();
    let iccid = iccid.as_str();
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["validate", "m"],
        vec!["schema", "plan"],
        vec!["man"],
        vec!["man", "plan"],
        vec!["completions", "bash"],
        vec!["doctor", "m"],
        vec!["sim", "show", iccid, "m"],
        vec!["sim", "show", "--format", "json", iccid, "m"],
    ];
    for format in ["text", "json", "markdown", "diff"] {
        runs.push(vec!["plan", "--format", format, "m"]);
        runs.push(vec!["drift", "--format", format, "m"]);
        runs.push(vec!["show", "--format", format, "plan.json"]);
    }
    for format in ["text", "csv", "json"] {
        runs.push(vec!["usage", "--format", format, "m"]);
    }
    for args in &runs {
        let run = with_stdout_closed(&ws, args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(CLOSED), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} said: {stderr}");
    }
    let before = ws.emulator().records(kind);
    // apply prints its plan before writing: with nobody reading, it stops
    // there and writes nothing.
    let apply = with_stdout_closed(&ws, &["apply", "--auto-approve", "m"]);
    assert_eq!(apply.status.code(), Some(CLOSED));
    assert_eq!(
        ws.emulator().records(kind),
        before,
        "nothing may be written"
    );
    // Its JSON report comes after the writes, which are all carried out.
    let args = ["apply", "--auto-approve", "--format", "json", "m"];
    let apply = with_stdout_closed(&ws, &args);
    assert_eq!(apply.status.code(), Some(CLOSED));
    assert!(apply.stderr.is_empty(), "{:?}", apply.stderr);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        plan.code, 0,
        "the apply must have finished: {}",
        plan.stdout
    );
}

#[test]
fn a_closed_stderr_changes_nothing_but_what_is_said() {
    let (_, ws) = example();
    // A failing command, a run with progress and warnings, and an apply.
    let bad = with_stderr_closed(&ws, &["plan", "--provider", "nope", "m"]);
    assert_eq!(bad.status.code(), Some(1));
    let args = ["-v", "--progress-interval", "0.1", "plan", "m"];
    let plan = with_stderr_closed(&ws, &args);
    assert_eq!(plan.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&plan.stdout).contains("to change"));
    let apply = with_stderr_closed(&ws, &["-v", "apply", "--auto-approve", "m"]);
    assert_eq!(apply.status.code(), Some(0));
    let again = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
}

/// A workspace whose credential file others may read: every plan logs
/// one warning about it. Its kind is the first whose sandbox takes one
/// credential, so one file holds it.
fn warned() -> Workspace {
    use std::os::unix::fs::PermissionsExt;
    let kind = kind_with(|caps| caps.sandbox_credentials.len() == 1);
    let (key, value) = kind.capabilities().sandbox_credentials[0];
    let ws = Workspace::generated(kind, 1, &[]).provider(
        "iot",
        kind,
        json!({"credentials": {key: {"file": "token.txt"}}}),
    );
    let token = ws.file("m/token.txt", value);
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let iccids = ws.emulator().iccids(kind);
    ws.fleet("iot", sims_of(&iccids, |_| json!({})));
    ws
}

/// `warning: ...` as simfleet words it: no timestamp, level column,
/// module path or escape sequence.
fn assert_plain(stderr: &str) {
    let line = stderr
        .lines()
        .find(|l| l.contains("can be read by other users"))
        .unwrap_or_else(|| panic!("no warning in:\n{stderr}"));
    assert!(line.starts_with("warning: m/providers.yaml:"), "{line}");
    for noise in ["\x1b", "WARN", "simfleet::"] {
        assert!(!line.contains(noise), "{noise:?} in {line:?}");
    }
}

#[test]
fn log_lines_are_plain_words_without_a_terminal_or_colour() {
    let ws = warned();
    let piped = ws.on_manifests(&["--credentials-dir", "m", "plan"]);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert_plain(&piped.stderr);
    let never = ws.on_manifests(&["--color", "never", "--credentials-dir", "m", "plan"]);
    assert_plain(&never.stderr);
    let ws = ws.env("NO_COLOR", "1");
    let no_color = ws.on_manifests(&["--credentials-dir", "m", "plan"]);
    assert_plain(&no_color.stderr);
    // More detail with -v, still in words.
    let verbose = ws.on_manifests(&["-v", "--credentials-dir", "m", "plan"]);
    assert_plain(&verbose.stderr);
    assert!(!verbose.stderr.contains("simfleet::"), "{}", verbose.stderr);
    // Asked for, colour comes back (CI logs that render ANSI).
    let always = ws.on_manifests(&["--color", "always", "--credentials-dir", "m", "plan"]);
    always.assert_stderr("\x1b[33m\x1b[1mwarning\x1b[0m\x1b[0m: m/providers.yaml:");
}

#[test]
fn log_lines_keep_their_colour_on_a_terminal() {
    let ws = warned();
    let (mut terminal, stderr) = pseudo_terminal();
    let mut child = ws
        .command(&["--credentials-dir", "m", "plan", "m"])
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("run simfleet");
    // The terminal's side of the child is closed after it exits; what it
    // wrote is read until then.
    let status = child.wait().expect("wait");
    let mut said = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = terminal.read(&mut chunk) {
        if n == 0 {
            break;
        }
        said.extend_from_slice(&chunk[..n]);
    }
    let said = String::from_utf8_lossy(&said);
    assert_eq!(status.code(), Some(0), "{said}");
    assert!(
        said.contains("\x1b[33m\x1b[1mwarning\x1b[0m\x1b[0m: m/providers.yaml:"),
        "{said:?}"
    );
}

/// A pseudo-terminal: the reading side, and the side to give a child.
fn pseudo_terminal() -> (std::fs::File, Stdio) {
    use std::os::fd::FromRawFd as _;
    let (mut main, mut child) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the integers given;
    // null name, termios and window size are allowed.
    let made = unsafe {
        libc::openpty(
            &mut main,
            &mut child,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(made, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned by nothing else.
    unsafe {
        (
            std::fs::File::from_raw_fd(main),
            Stdio::from(std::fs::File::from_raw_fd(child)),
        )
    }
}

#[test]
fn a_repeated_warning_is_said_once_and_counted_at_the_end() {
    // A provider whose every connection is dropped unanswered: each of the
    // five attempts of the first read is a retry warning of one shape.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            crate::support::read_head(&mut stream);
            drop(stream);
        }
    });
    let ws = Workspace::new().env("K", "key");
    // A kind without a token endpoint: its first request is the listing.
    let kind = kind_without_tokens();
    let credentials = crate::support::credentials_from(kind, "K");
    ws.manifest(
        "m/providers.yaml",
        &[crate::workspace::providers(json!({"p": {
            "type": kind.as_str(), "url": url, "credentials": credentials,
        }}))],
    );
    ws.fleet(
        "p",
        sims_of(&["89457387300000024185".into()], |_| json!({})),
    );
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    let retries: Vec<&str> = plan
        .stderr
        .lines()
        .filter(|l| l.contains("trying again"))
        .collect();
    assert_eq!(retries.len(), 2, "{}", plan.stderr);
    assert!(
        retries[0].starts_with("warning: GET ") && retries[0].contains("(provider `p` at "),
        "{}",
        plan.stderr
    );
    assert!(
        retries[0].ends_with("trying again (2 of 5)"),
        "{}",
        plan.stderr
    );
    assert!(
        retries[1].ends_with("trying again (2 of 5) (repeated 3 more times)"),
        "{}",
        plan.stderr
    );
}
