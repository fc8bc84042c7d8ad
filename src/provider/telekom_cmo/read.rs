//! Reading CMO state: numbered product pages (to a short page where no
//! total is given); only CELLULAR products are SIMs. Custom properties come
//! from the product detail, one product at a time, for the adapter to fan out.

use futures_util::future::join_all;
use reqwest::Method;

use super::TelekomCmo;
use super::wire::{
    FindAnswer, FindBody, PAGE_SIZE, ProductDetail, ProductPage, Property, WireProduct,
};
use crate::model::{Condition, Field, Fields, Iccid, LiveSim, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::Request;
use crate::provider::listing::{At, Next, Page};

/// The ICCID of a `BACKEND-<iccid>` product id.
pub fn iccid_of(product_id: &str) -> &str {
    product_id
        .split_once('-')
        .map_or(product_id, |(_, iccid)| iccid)
}

pub(super) fn is_sim(p: &WireProduct) -> bool {
    p.connectivity_type.as_deref() == Some("CELLULAR")
}

/// Maps a product (docs/providers.md): BLOCKED and DEACTIVATED are locked,
/// `PENDING_<status>` (the text shows PENDING_ACTIVE) is in progress.
pub fn to_live(p: &WireProduct) -> LiveSim {
    let settable = |s: &str| match s {
        "ACTIVE" => Some(Status::Active),
        "SUSPENDED" => Some(Status::Suspended),
        "INACTIVE" => Some(Status::Inactive),
        _ => None,
    };
    let pending = p
        .status
        .as_deref()
        .and_then(|s| s.strip_prefix("PENDING_"))
        .and_then(settable);
    let (status, condition) = match p.status.as_deref() {
        Some(s) if settable(s).is_some() => (settable(s).map_or(Value::Null, Value::Status), None),
        // PENDING_ACTIVE is shown while a change runs; any PENDING_<status>
        // is read the same way: converging, not to be changed.
        Some(s) if pending.is_some() => (
            pending.map_or(Value::Null, Value::Status),
            Some(Condition::InProgress(s.to_owned())),
        ),
        Some(s @ ("BLOCKED" | "DEACTIVATED")) => (
            Value::Null,
            Some(Condition::Locked(format!(
                "CMO status {s}: cannot be changed by simfleet"
            ))),
        ),
        other => (
            Value::Null,
            Some(Condition::Locked(format!(
                "unknown CMO status {:?}",
                other.unwrap_or("")
            ))),
        ),
    };
    let fields = Fields::from([(Field::Status, status)]);
    LiveSim {
        iccid: Iccid::from_live(iccid_of(&p.id)),
        id: p.id.clone(),
        fields,
        condition,
        aliases: Vec::new(),
    }
}

impl TelekomCmo {
    /// One numbered product page. With `statistics.totalCount` the shared
    /// lister fetches exactly the pages it needs; without it (the published
    /// answer), until a page shorter than `pageSize`.
    pub(super) async fn product_page(&self, at: At) -> Result<Page<WireProduct>, ProviderError> {
        let number = match at {
            At::Number(n) => n,
            At::First | At::Cursor(_) => 1,
        };
        let req = Request::new(Method::GET, self.path("/product"))
            .query("fields", "id,connectivityType,status")
            .query("pageNumber", number)
            .query("pageSize", PAGE_SIZE)
            .listing();
        let resp = self.http.send(req).await?.into_success()?;
        let page: ProductPage = resp.decode()?;
        let Some(entities) = page.entities else {
            return Err(resp.missing("entities", "the product list").into());
        };
        // A short page ends the listing only if it is shorter than the page
        // size the server used: one that serves fewer than asked says so.
        // An answer that says neither its page size nor a total may have
        // capped the size unasked: only an empty page ends it then.
        let stats = page.statistics.unwrap_or_default();
        let size = match (stats.page_size.filter(|&n| n >= 1), stats.total_count) {
            (Some(used), _) => used,
            (None, Some(_)) => PAGE_SIZE,
            (None, None) => 1,
        };
        Ok(Page::of(
            resp,
            entities,
            Next::Numbered {
                size: size.min(PAGE_SIZE),
            },
            stats.total_count,
        ))
    }

    /// Products by ICCID through `product/find`, 100 ICCIDs per call.
    pub(super) async fn find_products(
        &self,
        iccids: &[Iccid],
    ) -> Result<Vec<WireProduct>, ProviderError> {
        let lists: Vec<Vec<&str>> = iccids
            .chunks(PAGE_SIZE)
            .map(|c| c.iter().map(Iccid::as_str).collect())
            .collect();
        let calls = lists.iter().map(|list| async move {
            // A search: POST only to carry the ICCID list.
            let req = Request::new(Method::POST, self.path("/product/find"))
                .json(&FindBody { iccid_list: list })
                .repeatable();
            let resp = self.http.send(req).await?.into_success()?;
            let answer: FindAnswer = resp.decode()?;
            answer
                .entities
                .ok_or_else(|| ProviderError::from(resp.missing("entities", "the products found")))
        });
        let mut out = Vec::new();
        for found in join_all(calls).await {
            out.extend(found?.into_iter().filter(is_sim));
        }
        Ok(out)
    }

    /// The custom properties of one product's simCard. A detail without a
    /// simCard, or a simCard without `customProperty`, is a shape error:
    /// read as "none", it would plan to add every property again.
    pub(super) async fn properties(
        &self,
        product_id: &str,
    ) -> Result<Vec<Property>, ProviderError> {
        let req = Request::new(Method::GET, self.path(&format!("/product/{product_id}")));
        let resp = self.http.send(req).await?.into_success()?;
        let detail: ProductDetail = resp.decode()?;
        let card = detail.product_relationship.into_iter().find(|r| {
            r.product.kind.as_deref() == Some("simCard")
                || r.product
                    .id
                    .as_deref()
                    .is_some_and(|id| id.ends_with("-simCard"))
        });
        match card {
            Some(r) => r.product.custom_property.ok_or_else(|| {
                resp.missing("customProperty", "the simCard's properties")
                    .into()
            }),
            None => Err(resp
                .shape("the product has no `productRelationship` entry of `@type` simCard")
                .into()),
        }
    }
}
