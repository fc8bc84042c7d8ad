//! Why a request got no answer, in words: connection refused, DNS lookup
//! failed, TLS handshake failed, timed out, connection reset or closed.
//!
//! reqwest says only "error sending request for url (...)"; the cause sits
//! further down its `source()` chain (hyper-util's connect error, hyper's
//! error, an `io::Error`, sometimes an `io::Error` inside another). This
//! module walks that chain once for every transport error. It must never
//! decide whether to retry (that is `transport`'s) and never show more than
//! the error texts of the chain: no header, no body, nothing secret.

use std::error::Error;
use std::io::ErrorKind;

/// The cause of `err` in words, for messages: what happened, then the
/// system's own words where they add something.
pub(super) fn named(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "timed out".into();
    }
    of_chain(err.source(), err.is_connect())
}

/// The cause named from a chain of errors, the outermost first;
/// `connecting` when the failure came while the connection was being made
/// (where malformed data can only be a TLS handshake's).
fn of_chain(first: Option<&(dyn Error + 'static)>, connecting: bool) -> String {
    let mut deepest = None;
    let mut dns = false;
    let mut next = first;
    while let Some(e) = next {
        // hyper-util's connect error names its step; the resolver's own
        // words follow it in the chain.
        dns |= e.to_string() == "dns error";
        if let Some(hyper) = e.downcast_ref::<hyper::Error>()
            && let Some(words) = hyper_cause(hyper)
        {
            return words.into();
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(words) = io_cause(io, connecting, dns)
        {
            return words;
        }
        deepest = Some(e);
        next = e.source();
    }
    let said = deepest.map(|e| crate::text::inert(&e.to_string()).into_owned());
    match (dns, said) {
        (true, Some(said)) => format!("DNS lookup failed ({said})"),
        (true, None) => "DNS lookup failed".into(),
        (false, Some(said)) => said,
        (false, None) => "no answer (no cause given)".into(),
    }
}

/// What hyper says it saw, where it is about the connection.
fn hyper_cause(e: &hyper::Error) -> Option<&'static str> {
    if e.is_incomplete_message() {
        Some("connection closed before an answer came")
    } else if e.is_timeout() {
        Some("timed out")
    } else if e.is_parse() {
        Some("the answer is not HTTP")
    } else {
        None
    }
}

/// An `io::Error` in words. One may wrap another (the TLS layer's
/// errors do), whose kind is the telling one, so the inner ones are
/// looked at too.
fn io_cause(e: &std::io::Error, connecting: bool, dns: bool) -> Option<String> {
    let mut current = e;
    loop {
        let text = crate::text::inert(&current.to_string()).into_owned();
        let words = match current.kind() {
            ErrorKind::ConnectionRefused => Some("connection refused".to_owned()),
            ErrorKind::ConnectionReset => Some("connection reset".to_owned()),
            ErrorKind::ConnectionAborted => Some("connection aborted".to_owned()),
            ErrorKind::TimedOut => Some("timed out".to_owned()),
            ErrorKind::HostUnreachable => Some("host unreachable".to_owned()),
            ErrorKind::NetworkUnreachable => Some("network unreachable".to_owned()),
            ErrorKind::AddrNotAvailable => Some("address not available".to_owned()),
            ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof | ErrorKind::NotConnected => {
                Some("connection closed".to_owned())
            }
            _ if dns => Some(format!("DNS lookup failed ({text})")),
            // A TCP connect fails with the kinds above: malformed data
            // while connecting is the TLS handshake's.
            ErrorKind::InvalidData if connecting => Some(format!("TLS handshake failed ({text})")),
            _ => None,
        };
        if words.is_some() {
            return words;
        }
        match current
            .get_ref()
            .and_then(|e| e.downcast_ref::<std::io::Error>())
        {
            Some(inner) => current = inner,
            None => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a message and an optional source, like hyper-util's
    /// connect error.
    #[derive(Debug)]
    struct Step(&'static str, Option<std::io::Error>);

    impl std::fmt::Display for Step {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Step {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_ref().map(|e| e as _)
        }
    }

    #[test]
    fn a_failed_lookup_is_named_with_the_resolvers_words() {
        let lookup = std::io::Error::other("failed to lookup address information");
        let step = Step("dns error", Some(lookup));
        assert_eq!(
            of_chain(Some(&step), true),
            "DNS lookup failed (failed to lookup address information)"
        );
    }

    #[test]
    fn malformed_data_while_connecting_is_the_tls_handshake() {
        let inner = std::io::Error::new(ErrorKind::InvalidData, "invalid peer certificate");
        let outer = std::io::Error::other(inner);
        let step = Step("client error (Connect)", Some(outer));
        assert_eq!(
            of_chain(Some(&step), true),
            "TLS handshake failed (invalid peer certificate)"
        );
    }

    #[test]
    fn io_kinds_are_named_and_unknown_chains_say_their_deepest_words() {
        let refused = std::io::Error::from(ErrorKind::ConnectionRefused);
        let step = Step("tcp connect error", Some(refused));
        assert_eq!(of_chain(Some(&step), true), "connection refused");
        let reset = std::io::Error::from(ErrorKind::ConnectionReset);
        assert_eq!(of_chain(Some(&reset), false), "connection reset");
        let odd = Step("something \u{1b}[31modd", None);
        assert_eq!(of_chain(Some(&odd), false), "something \\u{1b}[31modd");
        assert_eq!(of_chain(None, false), "no answer (no cause given)");
    }

    /// A plain TCP server on loopback: `serve` gets each connection.
    fn server(serve: fn(std::net::TcpStream)) -> std::net::SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream);
            }
        });
        addr
    }

    async fn failure(url: String) -> reqwest::Error {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap();
        client.get(url).send().await.unwrap_err()
    }

    #[tokio::test]
    async fn real_failures_on_loopback_are_named() {
        use std::io::{Read, Write};
        // Bound, then closed: nothing listens there.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let e = failure(format!("http://{closed}/x")).await;
        assert_eq!(named(&e), "connection refused");

        let plain = server(|mut s| {
            let _ = s.read(&mut [0u8; 1024]);
            let _ = s.write_all(b"HTTP/1.1 400 Bad\r\ncontent-length: 0\r\n\r\n");
        });
        let e = failure(format!("https://{plain}/x")).await;
        assert!(
            named(&e).starts_with("TLS handshake failed ("),
            "{}",
            named(&e)
        );

        let mute = server(|mut s| {
            let _ = s.read(&mut [0u8; 1024]);
        });
        let e = failure(format!("http://{mute}/x")).await;
        assert_eq!(named(&e), "connection closed before an answer came");
    }
}
