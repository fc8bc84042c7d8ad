//! Serving the emulator's routes on a TCP listener, hardened for a machine
//! that also runs a browser: a client gets a bounded time to send its
//! request head (slow clients are dropped, not waited for), connections in
//! service are bounded, and on loopback only requests addressed to a
//! loopback name are answered (a web page that points its own host name
//! at 127.0.0.1 cannot read `/_emulator/state`: DNS rebinding).
//!
//! It must not change what a request gets, only which requests are served
//! (and that a provider the middleware says is down gets no answer).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use super::faults::HangUp;

/// How long a client may take to send a request's head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; more wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 1024;

/// Accepts connections until `shutdown` fires, each served by `router`.
/// Connections still open then are dropped with the loop: a stopped
/// emulator serves nothing more, and its state is not changed after stop.
pub async fn accept(listener: TcpListener, router: Router, mut shutdown: oneshot::Receiver<()>) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit,
            _ = &mut shutdown => return,
        };
        // The semaphore is never closed: a permit always comes.
        let Ok(permit) = permit else { return };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::debug!("emulator: accept failed: {e}");
                    continue;
                }
            },
            _ = &mut shutdown => return,
        };
        let service = hanging_up(router.clone());
        connections.spawn(async move {
            let _permit = permit;
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::trace!("emulator: connection ended: {e}");
            }
        });
    }
}

/// `router` as a connection's service, ending the connection unanswered
/// where the middleware said the provider is down ([`HangUp`]): hyper
/// writes nothing for a request whose service fails, and closes.
fn hanging_up(
    router: Router,
) -> impl hyper::service::Service<
    Request<hyper::body::Incoming>,
    Response = Response,
    Error = HangUp,
    Future: Send,
> + Clone {
    let inner = TowerToHyperService::new(router);
    hyper::service::service_fn(move |req| {
        let answer = hyper::service::Service::call(&inner, req);
        async move {
            let resp = match answer.await {
                Ok(resp) => resp,
                Err(never) => match never {},
            };
            match resp.extensions().get::<HangUp>() {
                Some(hang_up) => Err(*hang_up),
                None => Ok(resp),
            }
        }
    })
}

/// Whether a `Host` header names this machine: `localhost`, 127.0.0.0/8
/// or `[::1]`, with or without a port.
fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    crate::trust::is_loopback(&name.to_ascii_lowercase())
}

/// Middleware: answers 421 to a request whose `Host` is not a loopback
/// name (a listener on loopback serves this machine only).
pub async fn loopback_only(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if loopback_host(host) {
        next.run(req).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "this emulator answers requests addressed to 127.0.0.1, localhost or [::1] only\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::loopback_host;

    #[test]
    fn only_loopback_names_pass() {
        for host in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]:9",
            "127.0.0.9",
        ] {
            assert!(loopback_host(host), "{host}");
        }
        for host in ["evil.example:8080", "", "127.0.0.1.evil.example", "[::2]:1"] {
            assert!(!loopback_host(host), "{host}");
        }
    }
}
