//! Reading a chosen set of SIMs (read-back, `sim show`): one GET per SIM for
//! a few, one full listing for many. Every client that reads by ICCID uses
//! this, so the cut-over lives in one place.

use std::collections::BTreeSet;
use std::future::Future;

use futures_util::future::join_all;

use super::ProviderError;
use crate::model::Iccid;

/// Above this many SIMs, listing everything costs fewer requests.
const SINGLE_READ_MAX: usize = 50;

/// The wire records of `iccids` that the provider holds. `list` lists all
/// SIMs; `get` fetches one (`None` when absent); `iccid` reads a record's ICCID.
pub async fn read_chosen<'a, T, L, G, GF>(
    iccids: &'a [Iccid],
    list: impl FnOnce() -> L,
    get: G,
    iccid: impl Fn(&T) -> &str,
) -> Result<Vec<T>, ProviderError>
where
    L: Future<Output = Result<Vec<T>, ProviderError>>,
    G: Fn(&'a Iccid) -> GF,
    GF: Future<Output = Result<Option<T>, ProviderError>>,
{
    if iccids.len() > SINGLE_READ_MAX {
        let wanted: BTreeSet<&str> = iccids.iter().map(Iccid::as_str).collect();
        let mut all = list().await?;
        all.retain(|s| wanted.contains(iccid(s)));
        return Ok(all);
    }
    let mut out = Vec::new();
    for found in join_all(iccids.iter().map(get)).await {
        out.extend(found?);
    }
    Ok(out)
}
