//! Where credentials may go, decided by the operator: simfleet runs on pull
//! requests, whose author writes the manifests, with the repository's
//! secrets in the environment. A provider's requests (API and token) go
//! only to its kind's documented hosts and to loopback; any other host,
//! plain http off loopback, and credential files outside an allowed folder
//! need the operator's flags (`--allow-host`, `--allow-insecure-http`,
//! `--credentials-dir`) or environment. No manifest key widens any of it.
//!
//! URLs are judged after parsing, never as strings. This module decides
//! and says why; it reads no file content and sends nothing.

use std::path::{Path, PathBuf};

use crate::kind::ProviderKind;

/// What the operator allows beyond the documented hosts and loopback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// Hosts (or `*.domain` patterns) credentials may also go to.
    pub allow_hosts: Vec<String>,
    /// Folders credential files may be read from (as given).
    pub credentials_dirs: Vec<PathBuf>,
    /// Plain http to hosts other than loopback.
    pub allow_insecure_http: bool,
}

/// A URL as a check found it: its scheme and host, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: String,
}

/// The scheme and host of `raw`, or why it is no URL credentials may be
/// sent to: not absolute http(s), white space, user info, no host.
pub fn parse_url(raw: &str) -> Result<Target, String> {
    if raw.is_empty() {
        return Err("is empty".into());
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{}` holds white space or control characters",
            raw.escape_default()
        ));
    }
    // The parser also accepts `http:host` and upper-case schemes: the
    // written text must already be a plain absolute URL, its scheme in
    // lower case as every other part of simfleet compares it.
    let https = if raw.starts_with("https://") {
        true
    } else if raw.starts_with("http://") {
        false
    } else if raw
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        || raw
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    {
        return Err(format!("`{raw}`: write the scheme in lower case"));
    } else {
        return Err(format!(
            "`{raw}` is not an absolute http:// or https:// URL"
        ));
    };
    let url = reqwest::Url::parse(raw).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{raw}` carries user info (`...@`): credentials go in `credentials`, and the host \
             is what follows the `@`"
        ));
    }
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err(format!("`{raw}` names no host"));
    };
    Ok(Target {
        https,
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
    })
}

/// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `host` matches `pattern`: whole labels, case-insensitive; a
/// leading `*` label stands for one or more labels, an inner `*` for
/// exactly one. Never a suffix of a label: `*.example.com` does not
/// match `evilexample.com`.
pub fn matches(pattern: &str, host: &str) -> bool {
    let pattern: Vec<String> = pattern.split('.').map(str::to_ascii_lowercase).collect();
    let host: Vec<&str> = host.split('.').collect();
    let (leading, rest) = match pattern.split_first() {
        Some((first, rest)) if first == "*" => (true, rest),
        _ => (false, pattern.as_slice()),
    };
    if host.len() < rest.len() + usize::from(leading) || (!leading && host.len() != rest.len()) {
        return false;
    }
    let tail = &host[host.len() - rest.len()..];
    let labels_match = rest
        .iter()
        .zip(tail)
        .all(|(p, h)| (p == "*" && !h.is_empty()) || p.eq_ignore_ascii_case(h));
    labels_match
        && host[..host.len() - rest.len()]
            .iter()
            .all(|l| !l.is_empty())
}

/// Why credentials may not go to `raw` for a provider of `kind`, or where
/// they may; `None` where they may. The reason names the operator's flag.
pub fn refusal(trust: &Trust, kind: ProviderKind, raw: &str) -> Option<String> {
    let target = match parse_url(raw) {
        Ok(target) => target,
        Err(why) => return Some(why),
    };
    if is_loopback(&target.host) {
        return None;
    }
    let documented = kind.capabilities().hosts;
    let known = documented.iter().any(|p| matches(p, &target.host));
    let allowed = trust.allow_hosts.iter().any(|p| matches(p, &target.host));
    if !known && !allowed {
        return Some(format!(
            "`{}` is not a documented host of {kind} providers ({}); if it is yours, allow it \
             with --allow-host {} (or SIMFLEET_ALLOW_HOSTS)",
            target.host,
            crate::wording::words(documented, "and"),
            target.host
        ));
    }
    if !target.https && !trust.allow_insecure_http {
        return Some(format!(
            "`{raw}` would send credentials unencrypted: use https://, or allow plain http \
             with --allow-insecure-http"
        ));
    }
    None
}

impl Trust {
    /// The folder of `credentials_dirs` that holds `file` (both resolved,
    /// links followed), or why it may not be read.
    pub fn credential_file(&self, file: &Path) -> Result<PathBuf, String> {
        let hint = "allow its folder with --credentials-dir (or SIMFLEET_CREDENTIALS_DIRS)";
        if self.credentials_dirs.is_empty() {
            return Err(format!(
                "{} is not read: credential files are read only from folders the operator \
                 allows; {hint}",
                file.display()
            ));
        }
        let real = std::fs::canonicalize(file)
            .map_err(|e| format!("cannot resolve {}: {e}", file.display()))?;
        for dir in &self.credentials_dirs {
            if let Ok(dir) = std::fs::canonicalize(dir)
                && real.starts_with(&dir)
            {
                return Ok(real);
            }
        }
        Err(format!(
            "{} is not under an allowed credentials folder; {hint}",
            file.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_whole_labels_only() {
        assert!(matches("api.onomondo.com", "API.onomondo.com"));
        assert!(matches("*.api.infobip.com", "x1y2.api.infobip.com"));
        assert!(matches("*.api.infobip.com", "a.b.api.infobip.com"));
        assert!(!matches("*.api.infobip.com", "api.infobip.com"));
        assert!(!matches("*.api.infobip.com", "evilapi.infobip.com"));
        assert!(!matches("*.myiot-t.com", "myiot-t.com.evil.net"));
        let cognito = "eseye-idp-prod.auth.*.amazoncognito.com";
        assert!(matches(
            cognito,
            "eseye-idp-prod.auth.eu-west-1.amazoncognito.com"
        ));
        assert!(!matches(
            cognito,
            "attacker.auth.eu-west-1.amazoncognito.com"
        ));
        assert!(!matches(
            cognito,
            "eseye-idp-prod.auth.a.b.amazoncognito.com"
        ));
    }

    #[test]
    fn url_tricks_are_refused_or_read_for_what_they_are() {
        let trust = Trust::default();
        let mut checked = 0;
        for kind in ProviderKind::ALL {
            let refused = |url: &str| refusal(&trust, kind, url);
            assert_eq!(refused("http://127.0.0.1:8080/x"), None, "{kind}");
            assert_eq!(refused("http://[::1]:9/x"), None, "{kind}");
            for host in kind
                .capabilities()
                .hosts
                .iter()
                .filter(|h| !h.contains('*'))
            {
                assert_eq!(refused(&format!("https://{host}")), None, "{kind}");
                for trick in [
                    format!("HTTPS://{host}"),
                    format!("https://user:pw@{host}"),
                    format!("http://{host}"),
                    format!("ftp://{host}"),
                ] {
                    assert!(refused(&trick).is_some(), "{kind}: {trick}");
                }
                checked += 1;
            }
            for trick in [
                "HTTP://collector.example.net",
                "http:collector.example.net/",
                " http://127.0.0.1/",
                "http://localhost:1@collector.example.net/",
                "https://collector.example.net",
            ] {
                assert!(refused(trick).is_some(), "{kind}: {trick}");
            }
            let why = refused("https://collector.example.net").unwrap_or_default();
            assert!(why.contains("--allow-host collector.example.net"), "{why}");
            let open = Trust {
                allow_hosts: vec!["collector.example.net".into()],
                allow_insecure_http: true,
                ..Trust::default()
            };
            assert_eq!(refusal(&open, kind, "http://collector.example.net"), None);
        }
        assert!(checked > 0, "no kind documents a plain host");
    }

    #[test]
    fn credential_files_are_read_only_from_allowed_folders() {
        let dir = std::env::temp_dir().join(format!("simfleet-trust-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("secrets")).unwrap();
        let file = dir.join("secrets/key");
        std::fs::write(&file, "k").unwrap();
        assert!(Trust::default().credential_file(&file).is_err());
        let trust = Trust {
            credentials_dirs: vec![dir.join("secrets")],
            ..Trust::default()
        };
        assert!(trust.credential_file(&file).is_ok());
        assert!(
            trust
                .credential_file(&dir.join("secrets/../secrets/key"))
                .is_ok()
        );
        std::fs::write(dir.join("other"), "x").unwrap();
        assert!(
            trust
                .credential_file(&dir.join("secrets/../other"))
                .is_err()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
