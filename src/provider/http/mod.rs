//! The one HTTP layer of provider clients: auth (a fixed header, OAuth2
//! tokens or another login session), timeouts, concurrency, pacing, retries, and the breaker that
//! stops calling a provider that stopped answering.
//!
//! Every provider request, token requests included, goes through
//! [`HttpClient::send`] and the one transport below it, so pacing and retry
//! behave the same everywhere. This module must never log or return header
//! values (they carry secrets) and never interpret response bodies: that is
//! the provider's job.

mod breaker;
mod cause;
mod grant;
mod limiter;
mod place;
mod recorder;
mod request;
mod token;
mod transport;
mod tried;
mod window;

use std::sync::Arc;

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;

pub use breaker::{Down, threshold as breaker_threshold};
pub use recorder::Recorder;
pub use request::{HttpError, Repeat, Request, Response, TokenRefusal, Where};
pub use token::{Granted, Session};
pub use tried::tracking_writes;

use crate::config::{Connection, Limits};
use crate::kind::{RateHeaders, RateWindow};
use crate::secret::Secret;
use crate::tally::Tally;
use grant::Grant;
use token::{SessionCache, header_value};
use transport::Transport;

/// Transport settings of one provider.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub base_url: String,
    pub limits: Limits,
    /// Rate windows held on top of the account's `rate_limit x
    /// rate_window`: the kind's declared ones (`Capabilities::rate_windows`).
    pub windows: Vec<RateWindow>,
    /// The headers the provider's answers say their budget in.
    pub rate_headers: RateHeaders,
    /// Credential values, blanked out of any error body a provider sends.
    pub redact: Vec<Secret>,
    /// Credential keys, named (never their values) when the provider
    /// refuses them.
    pub credential_keys: Vec<String>,
    pub at: Where,
    /// Keeps every exchange, redacted (`doctor` only).
    pub recorder: Option<Arc<Recorder>>,
}

impl HttpSettings {
    /// The settings every provider client uses, from its connection.
    pub fn of(connection: &Connection) -> Self {
        // Each credential, and each pair as a Basic header encodes it (a
        // server may echo the base64 without the scheme word).
        let values: Vec<&Secret> = connection.credentials.values().collect();
        let mut redact: Vec<Secret> = values.iter().map(|s| (*s).clone()).collect();
        for a in &values {
            for b in &values {
                let pair = format!("{}:{}", a.expose(), b.expose());
                redact.push(Secret::new(
                    base64::engine::general_purpose::STANDARD.encode(pair),
                ));
            }
        }
        HttpSettings {
            base_url: connection.url.clone(),
            limits: connection.limits.clone(),
            windows: connection.kind.capabilities().rate_windows.to_vec(),
            rate_headers: connection.kind.capabilities().rate_headers,
            redact,
            credential_keys: connection.credentials.keys().cloned().collect(),
            at: Where {
                provider: connection.provider.clone(),
                origin: connection.origin.clone(),
            },
            recorder: None,
        }
    }
}

/// How a provider authenticates its requests.
#[derive(Debug)]
pub enum Auth {
    /// The full `Authorization` value (e.g. `Basic ...`, or a bare key).
    Header(Secret),
    /// OAuth2 client credentials: this request fetches a token, sent as
    /// `Bearer` and renewed before it expires and once on a 401.
    Tokens(Request),
    /// Another login (`token::Session`): its answer grants the headers
    /// every request carries, renewed as tokens are.
    Session(Session),
}

#[derive(Debug)]
enum Attach {
    Fixed(HeaderName, HeaderValue),
    Session(Box<SessionCache>),
}

#[derive(Debug)]
pub struct HttpClient {
    transport: Transport,
    attach: Attach,
    permits: Semaphore,
    tally: Arc<Tally>,
    redact: Vec<Secret>,
    credential_keys: Vec<String>,
}

impl HttpClient {
    /// `tally` counts every answered request, for progress display.
    pub fn new(settings: &HttpSettings, auth: Auth, tally: Arc<Tally>) -> Result<Self, HttpError> {
        let attach = match auth {
            Auth::Header(secret) => Attach::Fixed(AUTHORIZATION, header_value(&secret)?),
            Auth::Tokens(fetch) => Attach::Session(Box::new(SessionCache::new(Session {
                fetch,
                read: token::oauth,
            }))),
            Auth::Session(login) => Attach::Session(Box::new(SessionCache::new(login))),
        };
        Ok(HttpClient {
            transport: Transport::new(settings)?,
            attach,
            permits: Semaphore::new(settings.limits.concurrency.max(1) as usize),
            tally,
            redact: settings.redact.clone(),
            credential_keys: settings.credential_keys.clone(),
        })
    }

    /// Sends `req` under the provider's concurrency limit, retrying as the
    /// transport's policy says; with tokens, a 401 renews the token once.
    /// Non-success statuses other than retried ones go back to the caller.
    pub async fn send(&self, req: Request) -> Result<Response, HttpError> {
        req.sendable(self.transport.at())?;
        let mut renewed = false;
        loop {
            let mut used = None;
            let outcome = self
                .transport
                .retrying(&req, || async {
                    // A closed semaphore is impossible: it is never closed.
                    let _permit = self.permits.acquire().await;
                    let (headers, grant) = self.authorization(&req).await?;
                    let mut answer = self.transport.exchange(&req, &headers).await;
                    if !matches!(answer, Err(HttpError::ProviderDown(_))) {
                        tried::attempted(&req.method);
                    }
                    if let Ok((resp, _)) = &mut answer {
                        resp.grant.clone_from(&grant);
                    }
                    answer
                })
                .await;
            if let (Ok((resp, _)), Attach::Session(session)) = (&outcome, &self.attach)
                && resp.status == StatusCode::UNAUTHORIZED
                && !renewed
            {
                used.clone_from(&resp.grant);
                if let Some(grant) = &used {
                    tracing::debug!(path = %req.path, "401 with a cached session; renewing it once");
                    session.invalidate(grant).await;
                    renewed = true;
                    continue;
                }
            }
            self.tally.answered();
            return match outcome {
                Ok((resp, _)) => self.judged(&req, self.scrubbed(resp)),
                Err(e) => Err(self.judged_error(e)),
            };
        }
    }

    /// The answers that mean the manifest is wrong, not the call: refused
    /// credentials, a list that is not where the `url` says. Both become
    /// errors that say which entry to fix.
    fn judged(&self, req: &Request, resp: Response) -> Result<Response, HttpError> {
        match resp.status {
            StatusCode::UNAUTHORIZED => {
                Err(self.refused(format!("{} {}", resp.method, resp.path), 401, &resp.text()))
            }
            s if s.is_redirection() => Err(HttpError::Redirect {
                call: format!("{} {}: HTTP {}", resp.method, resp.url, s.as_u16()),
                location: crate::text::inert(resp.header("location").unwrap_or("nowhere"))
                    .into_owned(),
                at: self.transport.at().clone(),
            }),
            StatusCode::NOT_FOUND if req.listing => Err(HttpError::NoSuchList {
                url: self.transport.full_url(req),
                at: self.transport.at().clone(),
            }),
            _ => Ok(resp),
        }
    }

    /// A failed call as the error a user can act on: a token endpoint's
    /// refusal judged, secrets blanked out.
    fn judged_error(&self, e: HttpError) -> HttpError {
        match e {
            HttpError::TokenStatus {
                method,
                url,
                status,
                body,
            } => self.token_refused(method, url, status, &body),
            e => e.redacted(&self.redact),
        }
    }

    /// For `doctor`: opens a fresh session (a token) where the provider
    /// uses them, and says for how long it holds; `None` for a fixed header.
    pub async fn token_check(&self) -> Option<Result<u64, HttpError>> {
        let Attach::Session(session) = &self.attach else {
            return None;
        };
        Some(
            session
                .fresh(&self.transport)
                .await
                .map_err(|e| self.judged_error(e)),
        )
    }

    /// A token endpoint's refusal, judged by its OAuth2 `error` (RFC 6749
    /// section 5.2): refused credentials name the credential keys, the
    /// other refusals the setting to check.
    fn token_refused(&self, method: Method, url: String, status: u16, body: &str) -> HttpError {
        let (error, description) = oauth_error(body);
        let call = format!("{method} {url}");
        if status == 401 || error == "invalid_client" {
            return self.refused(call, status, body);
        }
        let under_base = matches!(&self.attach, Attach::Session(s) if s.under_base());
        let fix = match (status, error.as_str()) {
            (500.., _) => "the token endpoint failed; try again later",
            // A login under the API's own URL: the `url` is what is wrong.
            (404, _) if under_base => "no login endpoint at this address; check the `url`",
            _ if under_base => "check the `url` and the credentials",
            _ => Self::token_fix(status, &error),
        };
        let error = match (error.is_empty(), description.is_empty()) {
            (true, _) => self.shown(body, 200),
            (false, true) => self.shown(&error, 200),
            (false, false) => format!(
                "{}: {}",
                self.shown(&error, 100),
                self.shown(&description, 300)
            ),
        };
        HttpError::TokenRefused(Box::new(TokenRefusal {
            method,
            url,
            status,
            at: self.transport.at().clone(),
            error,
            fix,
        }))
    }

    /// What to check when a token endpoint of its own (`token_url`)
    /// refuses for another reason than the credentials.
    fn token_fix(status: u16, error: &str) -> &'static str {
        match (status, error) {
            (300..=399, _) => {
                "the token endpoint redirects, and simfleet follows no redirect (it would carry \
                 the credentials elsewhere): check `token_url`"
            }
            (_, "invalid_scope") => {
                "the `scope` it was sent is not accepted: check `scope` and `token_url`"
            }
            (404, _) => "no token endpoint at this address: check `token_url`",
            (_, "unauthorized_client" | "unsupported_grant_type" | "invalid_grant") => {
                "this client may not use client credentials there: check `token_url`"
            }
            _ => "check `token_url`, `scope` and the credentials",
        }
    }

    /// A provider's words as an error shows them: secrets blanked out
    /// first (so no prefix of one survives the cut), then at most `max`
    /// characters, made inert for a terminal.
    fn shown(&self, text: &str, max: usize) -> String {
        let redacted = crate::secret::redact(text, &self.redact);
        let cut: String = redacted.chars().take(max).collect();
        crate::text::inert(&cut).into_owned()
    }

    /// The provider refused our credentials: say whose, where they are
    /// configured and by which keys (never their values).
    fn refused(&self, call: String, status: u16, body: &str) -> HttpError {
        HttpError::Unauthorized {
            body: self.shown(body, 300),
            call: format!("{call}: HTTP {status}"),
            at: self.transport.at().clone(),
            keys: self
                .credential_keys
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }

    /// An error answer with every credential it may echo blanked out,
    /// the session this request carried included.
    fn scrubbed(&self, mut resp: Response) -> Response {
        if resp.status.is_success() {
            return resp;
        }
        let mut secrets = self.redact.clone();
        if let Some(grant) = &resp.grant {
            secrets.extend(grant.secrets.iter().cloned());
        }
        let text = crate::secret::redact(&resp.text(), &secrets);
        resp.body = text.into_bytes();
        resp
    }

    /// Why the provider gets no more requests in this run, once its
    /// breaker opened after connection failures in a row.
    pub fn down(&self) -> Option<Arc<Down>> {
        self.transport.down()
    }

    /// How long a request like `req` would now wait for the provider's
    /// pacing (every rate window that counts it, a Retry-After, the
    /// provider's own count); zero when it may leave at once. Sends
    /// nothing and takes no place in any window: it shows the pacer's
    /// schedule without a clock.
    pub fn ready_in(&self, req: &Request) -> std::time::Duration {
        self.transport.ready_in(req)
    }

    /// The exchanges kept for `doctor`, if a recorder was installed.
    pub fn recorder(&self) -> Option<&Recorder> {
        self.transport.recorder()
    }

    /// The counters shared with the progress display; list reads announce
    /// their pages here once they know how many there are.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// GETs one resource; `None` when the provider answers 404.
    pub async fn get_found<T: serde::de::DeserializeOwned>(
        &self,
        path: String,
    ) -> Result<Option<T>, HttpError> {
        let resp = self.send(Request::new(reqwest::Method::GET, path)).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        resp.json().map(Some)
    }

    /// The auth headers for one attempt, and the session grant they
    /// come from.
    async fn authorization(
        &self,
        req: &Request,
    ) -> Result<(Vec<(HeaderName, HeaderValue)>, Option<Arc<Grant>>), HttpError> {
        if let Some(secret) = &req.authorization {
            return Ok((vec![(AUTHORIZATION, header_value(secret)?)], None));
        }
        match &self.attach {
            Attach::Fixed(name, value) => Ok((vec![(name.clone(), value.clone())], None)),
            Attach::Session(session) => {
                let grant = session.grant(&self.transport).await?;
                Ok((grant.headers.clone(), Some(grant)))
            }
        }
    }
}

/// `error` and `error_description` of an OAuth2 error body (empty when
/// the body is not one).
fn oauth_error(body: &str) -> (String, String) {
    #[derive(serde::Deserialize)]
    struct OAuthError {
        #[serde(default)]
        error: String,
        #[serde(default)]
        error_description: String,
    }
    serde_json::from_str::<OAuthError>(body)
        .map(|e| (e.error, e.error_description))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::kind::ProviderKind;

    #[test]
    fn a_basic_pair_echoed_as_base64_is_blanked() {
        let credentials: BTreeMap<String, Secret> = [
            ("client_id".to_owned(), Secret::new("id-0123456789")),
            ("client_secret".to_owned(), Secret::new("secret-0123456789")),
        ]
        .into();
        let connection = Connection {
            provider: "p".into(),
            kind: ProviderKind::ALL[0],
            url: "http://127.0.0.1:1".into(),
            credentials,
            settings: BTreeMap::new(),
            limits: Limits::documented(1.0, 1.0, 1),
            origin: String::new(),
        };
        let settings = HttpSettings::of(&connection);
        let pair =
            base64::engine::general_purpose::STANDARD.encode("id-0123456789:secret-0123456789");
        let out = crate::secret::redact(&format!("saw {pair}"), &settings.redact);
        assert_eq!(out, "saw ***");
    }
}
