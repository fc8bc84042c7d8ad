//! The one list of the kinds' test modules: shared tests reach a kind's
//! fixtures only through here. A kind added to `ProviderKind::ALL` without
//! a module here fails the coverage test below (and every shared test that
//! looks it up), never borrowing another kind's fixtures.
//!
//! This file names modules, not kinds: it must not match on a kind.

use simfleet::kind::ProviderKind;

use crate::fixture::Fixture;
use crate::{emnify, eseye, infobip, onomondo, soracom, supersim, telekom_cmo};

/// Every kind's fixtures, one entry per kind's test module.
pub const FIXTURES: [&Fixture; 7] = [
    &onomondo::FIXTURE,
    &infobip::FIXTURE,
    &eseye::FIXTURE,
    &telekom_cmo::FIXTURE,
    &soracom::FIXTURE,
    &supersim::FIXTURE,
    &emnify::FIXTURE,
];

/// The fixtures of `kind`; a kind without any fails the test that asks.
pub fn of(kind: ProviderKind) -> &'static Fixture {
    let mut found = FIXTURES.into_iter().filter(|f| f.kind == kind);
    match (found.next(), found.next()) {
        (Some(fixture), None) => fixture,
        (None, _) => panic!("{kind} has no test fixtures: add its module to tests/cli/kinds.rs"),
        (Some(_), Some(_)) => panic!("{kind} has fixtures in two modules of tests/cli/kinds.rs"),
    }
}

#[test]
fn the_fixture_list_covers_every_kind_exactly_once() {
    for kind in ProviderKind::ALL {
        let count = FIXTURES.iter().filter(|f| f.kind == kind).count();
        assert_eq!(count, 1, "{kind}: fixtures in {count} modules");
    }
    assert_eq!(
        FIXTURES.len(),
        ProviderKind::ALL.len(),
        "a fixture for a kind ProviderKind::ALL does not list"
    );
}
