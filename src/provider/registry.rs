//! The one list of provider clients, like the emulator's: each entry is a
//! client module's type, and the kind it serves comes from that module
//! ([`Client::KIND`]). Adding a provider adds one line to [`clients`];
//! nothing else in the library names a client or matches on kinds.

use std::sync::Arc;

use super::http::Recorder;
use super::{Adapter, Client, Provider, ProviderError};
use crate::config::Connection;
use crate::kind::ProviderKind;

type Connect = fn(&Connection, Option<Arc<Recorder>>) -> Result<Arc<dyn Provider>, ProviderError>;

/// One registered client, type-erased for iteration.
pub struct Entry {
    pub kind: ProviderKind,
    pub connect: Connect,
}

fn entry<C: Client>() -> Entry {
    Entry {
        kind: C::KIND,
        connect: Adapter::<C>::connect,
    }
}

/// Every client: the library's one list of providers that can be connected.
pub fn clients() -> [Entry; 7] {
    [
        entry::<super::onomondo::Onomondo>(),
        entry::<super::infobip::Infobip>(),
        entry::<super::eseye::Eseye>(),
        entry::<super::telekom_cmo::TelekomCmo>(),
        entry::<super::soracom::Soracom>(),
        entry::<super::supersim::Supersim>(),
        entry::<super::emnify::Emnify>(),
    ]
}

/// The client serving `kind`.
pub fn client(kind: ProviderKind) -> Option<Entry> {
    clients().into_iter().find(|e| e.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_client() {
        for kind in ProviderKind::ALL {
            let serving = clients().iter().filter(|e| e.kind == kind).count();
            assert_eq!(serving, 1, "{kind}");
        }
        assert_eq!(clients().len(), ProviderKind::ALL.len());
    }
}
