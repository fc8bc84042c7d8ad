//! The naive baseline: one SIM at a time, GET it, then one request per
//! changed field, each waiting for the last. It does not follow CMO
//! monitors, which only flatters it.

use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use simfleet::kind::{ProviderKind, SANDBOX_KEY};

use crate::emulator::Emulator;
use crate::fleet::{Edit, Status, Work, iccid, live_status, status_writes};

/// Runs the first `sample` changing SIMs of `work`; wall seconds, SIMs
/// done and requests sent (429 answers not counted).
pub fn run(emulator: &Emulator, work: &Work, sample: usize) -> (f64, usize, usize) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let base = emulator.url();
    let kind = work.kind;
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let start = Instant::now();
        let auth = authorization(&http, kind, &base).await;
        let send = |req: reqwest::RequestBuilder| {
            let auth = auth.clone();
            async move {
                loop {
                    let resp = req
                        .try_clone()
                        .expect("plain body")
                        .header("authorization", &auth)
                        .send()
                        .await
                        .expect("emulator");
                    if resp.status() != 429 {
                        return resp.json::<Json>().await.unwrap_or(Json::Null);
                    }
                    let wait = resp.headers().get("retry-after");
                    let wait = wait
                        .and_then(|v| v.to_str().ok()?.parse().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
            }
        };
        let (mut sims, mut requests) = (0, 1);
        for &(n, edits) in work.changes.iter().take(sample) {
            let id = iccid(kind, n);
            let product = format!("{}-{id}", if n % 2 == 0 { "JASPER" } else { "TMSP" });
            let one = match kind {
                ProviderKind::Onomondo => format!("{base}/sims/{id}"),
                ProviderKind::Infobip => format!("{base}/iot/2/sims/{id}"),
                ProviderKind::Eseye => format!("{base}/api/v2/sim/{id}"),
                ProviderKind::TelekomCmo => format!("{base}/sandbox/product/{product}"),
            };
            let sim = send(http.get(one)).await;
            requests += 1;
            for edit in edits {
                for req in writes(&http, kind, &base, n, *edit, &sim, &product) {
                    send(req).await;
                    requests += 1;
                }
            }
            sims += 1;
        }
        (start.elapsed().as_secs_f64(), sims, requests)
    })
}

/// The header every request carries, fetching a token where one is needed.
async fn authorization(http: &reqwest::Client, kind: ProviderKind, base: &str) -> String {
    let form = |url: String, body: String| {
        http.post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let token = match kind {
        ProviderKind::Onomondo => return SANDBOX_KEY.to_owned(),
        ProviderKind::Infobip => return format!("App {SANDBOX_KEY}"),
        ProviderKind::Eseye => form(
            format!("{base}/idp/oauth2/token"),
            "grant_type=client_credentials&scope=api%2Fapi".into(),
        )
        .basic_auth("simfleet", Some(SANDBOX_KEY)),
        ProviderKind::TelekomCmo => form(
            format!("{base}/token"),
            format!(
                "grant_type=client_credentials&client_id=simfleet&client_secret={SANDBOX_KEY}&scope=openid"
            ),
        ),
    };
    let body: Json = token
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    format!(
        "Bearer {}",
        body["access_token"].as_str().unwrap_or_default()
    )
}

/// The requests one edit takes, one field per request.
fn writes(
    http: &reqwest::Client,
    kind: ProviderKind,
    base: &str,
    n: usize,
    edit: Edit,
    sim: &Json,
    product: &str,
) -> Vec<reqwest::RequestBuilder> {
    let id = iccid(kind, n);
    let cmo = |content_type: &str, body: Json| {
        http.patch(format!("{base}/sandbox/product/{product}-simCard"))
            .header("content-type", content_type)
            .body(body.to_string())
    };
    match (kind, edit) {
        (ProviderKind::Onomondo, _) => {
            let body = match edit {
                Edit::Name => json!({"label": format!("sensor-{n}")}),
                Edit::Tags => json!({"tags": [format!("tag-{}", n % crate::fleet::TAGS)]}),
                Edit::Status(to) => json!({"activated": to == Status::Active}),
                _ => return Vec::new(),
            };
            let sim_id = sim["id"].as_str().unwrap_or_default();
            vec![http.patch(format!("{base}/sims/{sim_id}")).json(&body)]
        }
        (ProviderKind::Infobip, Edit::Name) => {
            vec![
                http.patch(format!("{base}/iot/1/sims/{id}"))
                    .json(&json!({"name": format!("sensor-{n}")})),
            ]
        }
        (ProviderKind::Infobip, Edit::Status(to)) => steps(kind, n, to)
            .map(|to| {
                let status = if to == Status::Active {
                    "Active"
                } else {
                    "Suspended"
                };
                http.put(format!("{base}/iot/1/sims/{id}/status"))
                    .json(&json!({"status": status}))
            })
            .collect(),
        (ProviderKind::Eseye, Edit::Status(to)) => steps(kind, n, to)
            .map(|to| {
                let body = match to {
                    Status::Active => json!({"status": "active"}),
                    Status::Suspended => json!({"customerSuspend": "yes"}),
                    Status::Inactive => json!({"status": "available"}),
                };
                http.patch(format!("{base}/api/v2/sim/{id}")).json(&body)
            })
            .collect(),
        (ProviderKind::Eseye, _) => {
            let url = format!("{base}/api/v2/sim/{id}");
            let body = match edit {
                Edit::Package => json!({"packageId": "pkg-premium"}),
                Edit::Attributes => {
                    let body =
                        json!({"attributes": [{"key": "site", "value": format!("s{}", n % 7)}]});
                    return vec![http.post(format!("{url}/attribute")).json(&body)];
                }
                _ => return Vec::new(),
            };
            vec![http.patch(url).json(&body)]
        }
        (ProviderKind::TelekomCmo, Edit::Status(to)) => steps(kind, n, to)
            .map(|to| {
                let value = match to {
                    Status::Active => "ACTIVE",
                    Status::Suspended => "SUSPENDED",
                    Status::Inactive => "INACTIVE",
                };
                let ops = json!([{"op": "replace", "path": "/status", "value": value}]);
                cmo("application/json-patch+json", ops)
            })
            .collect(),
        (ProviderKind::TelekomCmo, Edit::Attributes) => vec![cmo(
            "application/json-patch-query+json",
            json!([{"op": "add", "path": "customProperty", "value": {"name": "site", "value": format!("s{}", n % 7)}}]),
        )],
        _ => Vec::new(),
    }
}

/// The statuses SIM `n` passes through on its way to `to` (activated first
/// where the provider cannot suspend an inactive SIM).
fn steps(kind: ProviderKind, n: usize, to: Status) -> impl Iterator<Item = Status> {
    let from = live_status(kind, n);
    let first = (status_writes(kind, from, to) == 2).then_some(Status::Active);
    first.into_iter().chain([to])
}
