//! Which provider entry a client serves: the words every HTTP message uses
//! to say what to fix and where. Plain data, used by every other module
//! of the HTTP layer and by none of them.

/// Which provider entry a client serves, for messages that say what to
/// fix and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Where {
    pub provider: String,
    /// `file:line:column` of the provider's manifest entry.
    pub origin: String,
}

impl std::fmt::Display for Where {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.origin.is_empty() {
            write!(f, "provider `{}`", self.provider)
        } else {
            write!(f, "provider `{}` at {}", self.provider, self.origin)
        }
    }
}
