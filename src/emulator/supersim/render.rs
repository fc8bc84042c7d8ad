//! The Sim and Fleet resources as the text shows them (snake_case, absolute
//! `url`s under the base the request came to), and the `meta` block of a
//! list page with its absolute paging URLs.
//!
//! Rendering only: what a page holds is the listing's decision.

use serde_json::{Value as Json, json};

use super::state::{Fleet, Sim};

/// A Sim resource; a scheduled SIM shows `scheduled` and its present
/// Fleet, never the target (the text: the target is not exposed).
pub fn sim(sim: &Sim, account: &str, base: &str) -> Json {
    let url = format!("{base}/Sims/{}", sim.sid);
    json!({
        "sid": sim.sid,
        "account_sid": account,
        "unique_name": sim.unique_name,
        "status": sim.status,
        "fleet_sid": sim.fleet_sid,
        "iccid": sim.iccid,
        "date_created": sim.date_created,
        "date_updated": sim.date_updated,
        "url": url,
        "links": {
            "billing_periods": format!("{url}/BillingPeriods"),
            "sim_ip_addresses": format!("{url}/IpAddresses"),
        },
    })
}

pub fn fleet(fleet: &Fleet, account: &str, base: &str) -> Json {
    json!({
        "account_sid": account,
        "unique_name": fleet.unique_name,
        "data_enabled": fleet.data_enabled,
        "data_limit": fleet.data_limit,
        "data_metering": fleet.data_metering,
        "date_created": fleet.date_created,
        "date_updated": fleet.date_updated,
        "sms_commands_enabled": fleet.sms_commands_enabled,
        "sms_commands_method": fleet.sms_commands_method,
        "sms_commands_url": fleet.sms_commands_url,
        "ip_commands_method": fleet.ip_commands_method,
        "ip_commands_url": fleet.ip_commands_url,
        "network_access_profile_sid": fleet.network_access_profile_sid,
        "sid": fleet.sid,
        "url": format!("{base}/Fleets/{}", fleet.sid),
    })
}

/// Where one page of a list sits, for its `meta`.
pub struct Place<'a> {
    /// The list's absolute URL (`<base>/Sims`).
    pub list: String,
    /// The filters the request gave, in the order URLs carry them.
    pub filters: &'a [(&'static str, String)],
    /// `Page` as the request gave it: client state, echoed.
    pub page: u64,
    pub size: usize,
    /// The opaque `PageToken` of this page (`None` for the first, which
    /// needs none), of the next page if there is one, and of the previous
    /// page if there is one (`Some(None)`: the first).
    pub token: Option<String>,
    pub next: Option<String>,
    pub previous: Option<Option<String>>,
}

impl Place<'_> {
    fn url(&self, page: u64, token: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.filters {
            query.append_pair(key, value);
        }
        query.append_pair("PageSize", &self.size.to_string());
        query.append_pair("Page", &page.to_string());
        if let Some(token) = token {
            query.append_pair("PageToken", token);
        }
        format!("{}?{}", self.list, query.finish())
    }

    /// `{page, page_size, first_page_url, previous_page_url, url,
    /// next_page_url, key}`, `next_page_url` null on the last page.
    pub fn meta(&self, key: &str) -> Json {
        let next =
            (self.next.as_deref()).map(|token| self.url(self.page.saturating_add(1), Some(token)));
        let previous = self.previous.as_ref().map(|token| {
            let page = self.page.saturating_sub(1);
            self.url(page, token.as_deref())
        });
        json!({
            "page": self.page,
            "page_size": self.size,
            "first_page_url": self.url(0, None),
            "previous_page_url": previous,
            "url": self.url(self.page, self.token.as_deref()),
            "next_page_url": next,
            "key": key,
        })
    }
}
