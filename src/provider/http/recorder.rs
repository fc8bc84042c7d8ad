//! Keeps every exchange of one provider client, redacted, for `doctor`:
//! it prints each check's URL and status from here and `--record` saves
//! them. Installed only by `doctor`; plan and apply record nothing.
//!
//! Everything kept passes through [`Exchange::redacted_body`] with the
//! provider's credentials and the auth header values the request carried:
//! a token or secret must never reach a recording.

use std::sync::Mutex;

use reqwest::header::HeaderMap;

use super::request::Request;
use crate::recording::Exchange;
use crate::secret::{Secret, redact};

#[derive(Debug, Default)]
pub struct Recorder {
    exchanges: Mutex<Vec<Exchange>>,
}

impl Recorder {
    /// The exchanges kept since the last call.
    pub fn take(&self) -> Vec<Exchange> {
        match self.exchanges.lock() {
            Ok(mut kept) => std::mem::take(&mut *kept),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    /// Keeps one exchange: its answer (status, headers, body) or the error
    /// that stood for one, with `secrets` and the auth header values
    /// `authorization` blanked out.
    pub(super) fn keep(
        &self,
        req: &Request,
        url: String,
        answer: Result<(u16, &HeaderMap, &[u8]), String>,
        secrets: &[Secret],
        authorization: &[&str],
    ) {
        let mut secrets = secrets.to_vec();
        for &value in authorization {
            secrets.push(Secret::new(value));
            if let Some((_, credential)) = value.split_once(' ') {
                secrets.push(Secret::new(credential));
            }
        }
        let target = if req.query.is_empty() {
            req.path.clone()
        } else {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&req.query)
                .finish();
            format!("{}?{query}", req.path)
        };
        let mut exchange = Exchange {
            method: req.method.to_string(),
            url,
            target,
            status: None,
            error: None,
            headers: Default::default(),
            body: String::new(),
            truncated: false,
        };
        match answer {
            Ok((status, headers, body)) => {
                exchange.status = Some(status);
                for (name, value) in headers {
                    if name.as_str() == "set-cookie" {
                        continue;
                    }
                    let value = String::from_utf8_lossy(value.as_bytes());
                    exchange
                        .headers
                        .insert(name.to_string(), redact(&value, &secrets));
                }
                (exchange.body, exchange.truncated) = Exchange::redacted_body(body, &secrets);
            }
            Err(error) => exchange.error = Some(redact(&error, &secrets)),
        }
        match self.exchanges.lock() {
            Ok(mut kept) => kept.push(exchange),
            Err(poisoned) => poisoned.into_inner().push(exchange),
        }
    }
}
