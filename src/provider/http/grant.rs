//! A session's grant as requests carry it: the headers a login granted
//! and the secrets to blank out of anything a server echoes. Plain data,
//! below both the requests that carry it and the cache that makes it, so
//! neither has to import the other.

use reqwest::header::{HeaderName, HeaderValue};

use crate::secret::Secret;

/// A grant as requests carry it. Compared by identity: a 401 renews the
/// session only when the grant it was sent with is still the cached one.
#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// Every value sent, and each value's part after a scheme word, to
    /// blank out of anything a server echoes.
    pub(crate) secrets: Vec<Secret>,
}
