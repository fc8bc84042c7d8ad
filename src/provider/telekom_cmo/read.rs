//! Reading CMO state: the first page gives the total, the rest are fetched
//! concurrently; only CELLULAR products are SIMs. Custom properties come
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
/// PENDING_ACTIVE is in progress toward active.
pub fn to_live(p: &WireProduct) -> LiveSim {
    let (status, condition) = match p.status.as_deref() {
        Some("ACTIVE") => (Value::Status(Status::Active), None),
        Some("SUSPENDED") => (Value::Status(Status::Suspended), None),
        Some("INACTIVE") => (Value::Status(Status::Inactive), None),
        Some("PENDING_ACTIVE") => (
            Value::Status(Status::Active),
            Some(Condition::InProgress("PENDING_ACTIVE".into())),
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
    }
}

impl TelekomCmo {
    async fn page(&self, number: usize) -> Result<ProductPage, ProviderError> {
        let req = Request::new(Method::GET, self.path("/product"))
            .query("fields", "id,connectivityType,status")
            .query("pageNumber", number)
            .query("pageSize", PAGE_SIZE)
            .listing();
        Ok(self.http.send(req).await?.json()?)
    }

    /// Every CELLULAR product.
    pub(super) async fn list_products(&self) -> Result<Vec<WireProduct>, ProviderError> {
        self.http.tally().expect(1);
        let first = self.page(1).await?;
        let total = first
            .statistics
            .and_then(|s| s.total_count)
            .unwrap_or(first.entities.len());
        if total > crate::provider::MAX_LISTED {
            return Err(crate::provider::endless("GET product"));
        }
        let mut all = first.entities;
        let pages = total.div_ceil(PAGE_SIZE);
        self.http.tally().expect(pages.saturating_sub(1));
        for page in join_all((2..=pages).map(|n| self.page(n))).await {
            all.extend(page?.entities);
        }
        all.retain(is_sim);
        Ok(all)
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
            let answer: FindAnswer = self.http.send(req).await?.json()?;
            Ok::<_, ProviderError>(answer.entities)
        });
        let mut out = Vec::new();
        for found in join_all(calls).await {
            out.extend(found?.into_iter().filter(is_sim));
        }
        Ok(out)
    }

    /// The custom properties of one product's simCard.
    pub(super) async fn properties(
        &self,
        product_id: &str,
    ) -> Result<Vec<Property>, ProviderError> {
        let req = Request::new(Method::GET, self.path(&format!("/product/{product_id}")));
        let detail: ProductDetail = self.http.send(req).await?.json()?;
        Ok(detail
            .product_relationship
            .into_iter()
            .find(|r| r.product.kind.as_deref() == Some("simCard"))
            .map(|r| r.product.custom_property)
            .unwrap_or_default())
    }
}
