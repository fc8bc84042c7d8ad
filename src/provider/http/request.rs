//! One HTTP request and its response as provider clients see them, and the
//! transport's error. Plain data: nothing here sends anything.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use std::sync::Arc;

use super::breaker::Down;
pub use super::place::Where;
use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{method} {url}: no answer within the `timeout` of {at}")]
    TimedOut {
        method: Method,
        url: String,
        at: Where,
    },
    /// `cause` names what failed (refused, DNS, TLS, ...) in words.
    #[error("cannot connect to {url} after {attempts} attempts ({at}): {cause}")]
    Unreachable {
        url: String,
        attempts: u32,
        at: Where,
        cause: String,
        #[source]
        source: reqwest::Error,
    },
    #[error(
        "{method} {url}: the response is larger than {limit} bytes (`max_response_bytes` of {at})"
    )]
    TooLarge {
        method: Method,
        url: String,
        limit: u64,
        at: Where,
    },
    #[error(
        "{call}: {at} refused the credentials {keys} (check their values){}",
        if body.is_empty() { String::new() } else { format!(": {body}") }
    )]
    Unauthorized {
        /// `METHOD path: HTTP status` (401, or a token endpoint's 400
        /// `invalid_client`).
        call: String,
        at: Where,
        /// The credential keys used, quoted (never their values).
        keys: String,
        body: String,
    },
    #[error("GET {url}: HTTP 404: no such list at this address; check the `url` of {at}")]
    NoSuchList { url: String, at: Where },
    /// A redirect, which simfleet never follows (`call` is `METHOD URL:
    /// HTTP status`).
    #[error(
        "{call} to {location}: simfleet follows no redirect (it could take the credentials \
         elsewhere); check the `url` of {at}"
    )]
    Redirect {
        call: String,
        location: String,
        at: Where,
    },
    /// No answer: `cause` names why (connection reset, closed before an
    /// answer, ...) in words.
    #[error("{call}: {cause} ({at})")]
    Transport {
        /// `METHOD URL`.
        call: String,
        at: Where,
        cause: String,
        #[source]
        source: reqwest::Error,
    },
    /// Not sent: the provider's breaker is open after connection failures
    /// in a row (`provider/http/breaker.rs`).
    #[error(transparent)]
    ProviderDown(Arc<Down>),
    #[error("{method} {path}: HTTP {status}: {body}")]
    Status {
        method: Method,
        path: String,
        status: u16,
        body: String,
    },
    /// `call` is `METHOD URL`.
    #[error(
        "{at}: {call}: the answer cannot be read ({source}); \
         `simfleet doctor --record DIR` saves it for a bug report"
    )]
    Decode {
        call: String,
        at: Where,
        #[source]
        source: serde_json::Error,
    },
    /// An answer whose shape simfleet does not understand: never read as
    /// an empty or shorter list. `call` is `METHOD URL`.
    #[error(
        "{at}: {call}: {detail}; `simfleet doctor --record DIR` saves the answer \
         for a bug report"
    )]
    Shape {
        call: String,
        at: Where,
        detail: String,
    },
    /// A token endpoint refused the request for a reason other than the
    /// credentials.
    #[error(transparent)]
    TokenRefused(Box<TokenRefusal>),
    /// A token answer that cannot be read: the request it was for was
    /// never sent.
    #[error(transparent)]
    TokenUnreadable(Box<HttpError>),
    /// A token endpoint's non-success answer, before the client judges it.
    #[error("{method} {url}: HTTP {status}: {body}")]
    TokenStatus {
        method: Method,
        url: String,
        status: u16,
        body: String,
    },
    /// A request whose body cannot be written as JSON: never sent, so
    /// certainly without effect.
    #[error(
        "{method} {path}: the request body cannot be written as JSON ({source}); nothing was sent to {at}"
    )]
    Encode {
        method: Method,
        path: String,
        at: Where,
        #[source]
        source: Arc<serde_json::Error>,
    },
    #[error("cannot build HTTP client: {source}")]
    Build {
        #[source]
        source: reqwest::Error,
    },
    #[error("credential is not valid in an HTTP header")]
    BadCredential,
}

impl HttpError {
    /// Whether no answer came at all (the connection failed, was lost, or
    /// timed out): what the provider's breaker counts. HTTP answers, of
    /// any status, are not.
    pub fn is_connection_failure(&self) -> bool {
        match self {
            HttpError::Transport { source, .. } | HttpError::Unreachable { source, .. } => {
                !source.is_builder()
            }
            HttpError::TimedOut { .. } => true,
            _ => false,
        }
    }

    /// Whether the request may have taken effect although no good answer
    /// came: a 5xx, a timeout, a connection lost after it was sent. A
    /// connection that was never made and a 4xx mean it did not.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            HttpError::Transport { source, .. } => !source.is_connect() && !source.is_builder(),
            HttpError::Status { status, .. } => *status >= 500,
            // A success whose body cannot be read: the call was carried out.
            HttpError::TimedOut { .. }
            | HttpError::TooLarge { .. }
            | HttpError::Decode { .. }
            | HttpError::Shape { .. } => true,
            _ => false,
        }
    }

    /// The same error with `secrets` (and scheme credentials) blanked out
    /// of a provider's error body.
    pub(super) fn redacted(mut self, secrets: &[crate::secret::Secret]) -> HttpError {
        if let HttpError::Status { body, .. }
        | HttpError::Unauthorized { body, .. }
        | HttpError::TokenStatus { body, .. } = &mut self
        {
            *body = crate::secret::redact(body, secrets);
        }
        self
    }

    /// The message with the provider's error body summarised by `extract`
    /// (which returns `None` for bodies that are not the provider's shape).
    pub fn describe(&self, extract: fn(&str) -> Option<String>) -> String {
        match self {
            HttpError::Status {
                method,
                path,
                status,
                body,
            } => match extract(body) {
                Some(text) => format!("{method} {path}: HTTP {status}: {text}"),
                None => self.to_string(),
            },
            other => other.to_string(),
        }
    }
}

/// A token endpoint's refusal; `fix` names the setting to check.
#[derive(Debug, thiserror::Error)]
#[error("{method} {url}: HTTP {status}: {at} got no access token{}: {fix}",
    if error.is_empty() { String::new() } else { format!(" ({error})") })]
pub struct TokenRefusal {
    pub method: Method,
    pub url: String,
    pub status: u16,
    pub at: Where,
    /// The OAuth2 `error` (and `error_description`) it gave.
    pub error: String,
    pub fix: &'static str,
}

/// Whether a request may be sent again when its answer is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Twice leaves the same state as once: reads, writes that set a value.
    Safe,
    /// Twice does it twice (an SMS, a diagnostic, a create, a write that
    /// starts an asynchronous operation): sent once, and retried only when
    /// it certainly did not arrive (429, no connection). When its answer is
    /// lost, the caller re-reads instead.
    Once,
}

/// One request, relative to the client's base URL.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// GETs default to [`Repeat::Safe`], everything else to
    /// [`Repeat::Once`] until its call site declares it repeatable.
    pub repeat: Repeat,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<(&'static str, Vec<u8>)>,
    /// An `Authorization` value for this request only (tokens), replacing
    /// the client's own.
    pub authorization: Option<Secret>,
    /// A list endpoint: its 404 means the base URL is wrong, not that
    /// something is missing.
    pub listing: bool,
    /// Why the JSON body could not be written; such a request is refused
    /// before it is sent ([`Request::sendable`]), never sent empty.
    unencodable: Option<Arc<serde_json::Error>>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            repeat: if method == Method::GET {
                Repeat::Safe
            } else {
                Repeat::Once
            },
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            authorization: None,
            listing: false,
            unencodable: None,
        }
    }

    /// Marks a request for a whole list (SIMs, tags, products).
    pub fn listing(mut self) -> Self {
        self.listing = true;
        self
    }

    /// Declares a write safe to send again: it sets a value, so twice
    /// leaves what once does. Say why at the call site.
    pub fn repeatable(mut self) -> Self {
        self.repeat = Repeat::Safe;
        self
    }

    pub fn authorization(mut self, value: Secret) -> Self {
        self.authorization = Some(value);
        self
    }

    /// An `application/x-www-form-urlencoded` body.
    pub fn form(mut self, fields: &[(&str, &str)]) -> Self {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.body = Some(("application/x-www-form-urlencoded", body.into_bytes()));
        self
    }

    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    pub fn json(self, body: &impl serde::Serialize) -> Self {
        self.json_as("application/json", body)
    }

    /// A JSON body sent under another media type (e.g. JSON Patch). A
    /// body that cannot be written (a map with keys that are not strings,
    /// a failing `Serialize`) makes the request unsendable, not empty.
    pub fn json_as(mut self, content_type: &'static str, body: &impl serde::Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Some((content_type, bytes));
                self.unencodable = None;
            }
            Err(e) => {
                self.body = None;
                self.unencodable = Some(Arc::new(e));
            }
        }
        self
    }

    /// Whether the request can be sent as built: an error naming it and
    /// the provider (`at`) when its body could not be written.
    pub(super) fn sendable(&self, at: &Where) -> Result<(), HttpError> {
        match &self.unencodable {
            None => Ok(()),
            Some(source) => Err(HttpError::Encode {
                method: self.method.clone(),
                path: self.path.clone(),
                at: at.clone(),
                source: source.clone(),
            }),
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub method: Method,
    /// The request path relative to the base URL, as the client built it.
    pub path: String,
    /// The full URL asked, query included.
    pub url: String,
    pub status: StatusCode,
    /// The answer's headers (a monitor's `Location`, paging links); the
    /// request's own headers, which carry secrets, are never kept.
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// Which provider answered, for messages.
    pub at: Where,
    /// The session grant the request carried, if it came from a session.
    pub(super) grant: Option<Arc<super::grant::Grant>>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header of the answer as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as `T`, or an error carrying the status and body for non-2xx.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, HttpError> {
        let ok = self.into_success()?;
        ok.decode()
    }

    /// The body of a success as `T`, the response kept for later questions.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|source| HttpError::Decode {
            call: format!("{} {}", self.method, self.url),
            at: self.at.clone(),
            source,
        })
    }

    /// The error for an answer that lacks `key`, naming the keys it has.
    pub fn missing(&self, key: &str, what: &str) -> HttpError {
        let keys = match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(serde_json::Value::Object(map)) if map.is_empty() => "an empty object".to_owned(),
            Ok(serde_json::Value::Object(map)) => {
                let keys: Vec<String> = map
                    .keys()
                    .take(12)
                    .map(|k| format!("`{}`", crate::text::inert(k)))
                    .collect();
                format!("keys {}", keys.join(", "))
            }
            Ok(serde_json::Value::Array(_)) => "a bare array".to_owned(),
            Ok(other) => format!("a JSON {}", json_kind(&other)),
            Err(_) => "no JSON".to_owned(),
        };
        self.shape(format!("the answer has no `{key}` ({what}); it has {keys}"))
    }

    /// A shape error about this answer.
    pub fn shape(&self, detail: impl Into<String>) -> HttpError {
        HttpError::Shape {
            call: format!("{} {}", self.method, self.url),
            at: self.at.clone(),
            detail: detail.into(),
        }
    }

    pub fn into_success(self) -> Result<Response, HttpError> {
        if self.status.is_success() {
            return Ok(self);
        }
        Err(HttpError::Status {
            body: crate::text::inert(&self.text().chars().take(500).collect::<String>())
                .into_owned(),
            method: self.method,
            path: self.path,
            status: self.status.as_u16(),
        })
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::{Connection, Limits};
    use crate::provider::http::{Auth, HttpClient, HttpSettings};

    #[tokio::test]
    async fn a_body_that_cannot_be_written_as_json_is_refused_unsent_never_sent_empty() {
        // JSON object keys are strings: a map keyed by pairs cannot be
        // written.
        let body: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
        let req = Request::new(Method::PATCH, "/sims/1").json(&body);
        assert!(req.body.is_none());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let connection = Connection {
            provider: "p".into(),
            kind: crate::kind::ProviderKind::ALL[0],
            url: format!("http://{}", listener.local_addr().unwrap()),
            credentials: BTreeMap::new(),
            settings: BTreeMap::new(),
            limits: Limits::documented(1000.0, 1.0, 1),
            origin: "m/providers.yaml:3:5".into(),
        };
        let http = HttpClient::new(
            &HttpSettings::of(&connection),
            Auth::Header(crate::secret::Secret::new("key")),
            Arc::default(),
        )
        .unwrap();
        let err = http.send(req).await.unwrap_err();
        assert!(matches!(err, HttpError::Encode { .. }), "{err:?}");
        assert!(!err.outcome_unknown() && !err.is_connection_failure());
        assert_eq!(
            err.to_string(),
            "PATCH /sims/1: the request body cannot be written as JSON (key must be a string); \
             nothing was sent to provider `p` at m/providers.yaml:3:5"
        );
        // Nothing reached the provider's address.
        listener.set_nonblocking(true).unwrap();
        let accepted = listener.accept().map(|_| ()).map_err(|e| e.kind());
        assert_eq!(accepted, Err(std::io::ErrorKind::WouldBlock));
    }
}
