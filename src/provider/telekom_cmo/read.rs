//! Reading CMO state: the first page gives the total, the rest are fetched
//! concurrently; only CELLULAR products are SIMs. Custom properties come
//! from the product detail, read only for SIMs in the read scope.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;
use reqwest::Method;

use super::TelekomCmo;
use super::wire::{
    FindAnswer, FindBody, PAGE_SIZE, ProductDetail, ProductPage, Property, WireProduct,
};
use crate::model::{Condition, Field, Iccid, LiveSim, Status, Value};
use crate::provider::http::Request;
use crate::provider::{ProviderError, ReadScope};

/// The ICCID of a `BACKEND-<iccid>` product id.
pub fn iccid_of(product_id: &str) -> &str {
    product_id
        .split_once('-')
        .map_or(product_id, |(_, iccid)| iccid)
}

fn is_sim(p: &WireProduct) -> bool {
    p.connectivity_type.as_deref() == Some("CELLULAR")
}

/// Maps a product (DESIGN.md 2): BLOCKED and DEACTIVATED are locked,
/// PENDING_ACTIVE is in progress toward active.
pub fn to_live(p: &WireProduct, properties: Option<&[Property]>) -> LiveSim {
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
    let mut fields = BTreeMap::from([(Field::Status, status)]);
    if let Some(list) = properties {
        let map = list
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect();
        fields.insert(Field::Attributes, Value::Map(map));
    }
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
            .query("pageSize", PAGE_SIZE);
        Ok(self.http.send(req).await?.json()?)
    }

    /// Every CELLULAR product.
    pub(super) async fn list(&self) -> Result<Vec<WireProduct>, ProviderError> {
        let first = self.page(1).await?;
        let total = first
            .statistics
            .and_then(|s| s.total_count)
            .unwrap_or(first.entities.len());
        let mut all = first.entities;
        for page in join_all((2..=total.div_ceil(PAGE_SIZE)).map(|n| self.page(n))).await {
            all.extend(page?.entities);
        }
        all.retain(is_sim);
        Ok(all)
    }

    /// Products by ICCID through `product/find`, 100 ICCIDs per call.
    pub(super) async fn find(&self, iccids: &[Iccid]) -> Result<Vec<WireProduct>, ProviderError> {
        let lists: Vec<Vec<&str>> = iccids
            .chunks(PAGE_SIZE)
            .map(|c| c.iter().map(Iccid::as_str).collect())
            .collect();
        let calls = lists.iter().map(|list| async move {
            let req = Request::new(Method::POST, self.path("/product/find"))
                .json(&FindBody { iccid_list: list });
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

    pub(super) async fn with_details(
        &self,
        products: &[WireProduct],
        scope: &ReadScope,
    ) -> Result<Vec<LiveSim>, ProviderError> {
        let wanted: BTreeSet<&str> = scope.details.iter().map(Iccid::as_str).collect();
        let detailed: Vec<&WireProduct> = products
            .iter()
            .filter(|p| wanted.contains(iccid_of(&p.id)))
            .collect();
        let lists = join_all(detailed.iter().map(|p| self.properties(&p.id))).await;
        let mut props: BTreeMap<&str, Vec<Property>> = BTreeMap::new();
        for (p, list) in detailed.iter().zip(lists) {
            props.insert(p.id.as_str(), list?);
        }
        Ok(products
            .iter()
            .map(|p| to_live(p, props.get(p.id.as_str()).map(Vec::as_slice)))
            .collect())
    }
}
