//! Whether a piece of work tried a request that may change something: once
//! a provider is down, the adapter tells a SIM nothing was sent for (not
//! attempted) from one whose changes were sent in part (failed).
//!
//! A task-local flag set by the HTTP client on every attempt it makes, so
//! no client has to report it. It only tells; it must never stop a request.

use std::cell::Cell;
use std::future::Future;

use reqwest::Method;

tokio::task_local! {
    /// Set once a request that may change something (not a GET) was tried
    /// inside [`tracking_writes`].
    static WRITE_TRIED: Cell<bool>;
}

/// Runs `work` and says whether it tried any request that may change
/// something.
pub async fn tracking_writes<F: Future>(work: F) -> (F::Output, bool) {
    WRITE_TRIED
        .scope(Cell::new(false), async move {
            let out = work.await;
            (out, WRITE_TRIED.with(Cell::get))
        })
        .await
}

/// A request with `method` was tried (sent, or its connection attempted).
pub(super) fn attempted(method: &Method) {
    if *method != Method::GET {
        // Outside `tracking_writes` there is nothing to tell.
        let _ = WRITE_TRIED.try_with(|tried| tried.set(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_requests_that_may_change_something_count() {
        let (_, tried) = tracking_writes(async { attempted(&Method::GET) }).await;
        assert!(!tried);
        let (_, tried) = tracking_writes(async { attempted(&Method::PATCH) }).await;
        assert!(tried);
        // Outside any tracking: nothing happens.
        attempted(&Method::POST);
    }
}
