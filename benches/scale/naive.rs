//! The naive baseline: one SIM at a time, GET it, then one request per
//! changed field, each waiting for the last. It does not follow CMO
//! monitors, which only flatters it. Each kind's URLs, authentication and
//! request bodies are in its module under `kinds/`.

use std::time::{Duration, Instant};

use serde_json::Value as Json;
use simfleet::kind::SANDBOX_KEY;

use crate::bench::{Auth, Bench, Naive};
use crate::emulator::Emulator;
use crate::fleet::Work;

/// Runs the first `sample` changing SIMs of `work`; wall seconds, SIMs
/// done and requests sent (429 answers not counted).
pub fn run(emulator: &Emulator, work: &Work, sample: usize) -> (f64, usize, usize) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let base = emulator.url();
    let bench = work.bench;
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let start = Instant::now();
        let auth = authorization(&http, bench, &base).await;
        let send = |req: reqwest::RequestBuilder| {
            let auth = auth.clone();
            async move {
                loop {
                    let mut req = req.try_clone().expect("plain body");
                    for (name, value) in auth.iter() {
                        req = req.header(name.as_str(), value.as_str());
                    }
                    let resp = req.send().await.expect("emulator");
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
        let naive = Naive {
            http: &http,
            base: &base,
            bench,
        };
        let (mut sims, mut requests) = (0, 1);
        for &(n, edits) in work.changes.iter().take(sample) {
            let sim = send(http.get((bench.sim_url)(&base, n))).await;
            requests += 1;
            for edit in edits {
                for req in (bench.writes)(&naive, n, *edit, &sim) {
                    send(req).await;
                    requests += 1;
                }
            }
            sims += 1;
        }
        (start.elapsed().as_secs_f64(), sims, requests)
    })
}

/// The headers every request carries, fetching a token or logging in
/// where one is needed.
async fn authorization(http: &reqwest::Client, bench: &Bench, base: &str) -> Vec<(String, String)> {
    let one = |value: String| vec![("authorization".to_owned(), value)];
    let (path, form, basic) = match bench.auth {
        Auth::Header(prefix) => return one(format!("{prefix}{SANDBOX_KEY}")),
        Auth::Token { path, form, basic } => (path, form, basic),
        Auth::Login {
            path,
            body,
            headers,
        } => {
            let answer = login(http, base, path, body).await;
            return headers
                .iter()
                .map(|(name, key)| {
                    let value = answer[*key].as_str().unwrap_or_default();
                    ((*name).to_owned(), value.to_owned())
                })
                .collect();
        }
        Auth::Bearer { path, body, key } => {
            let answer = login(http, base, path, body).await;
            return one(format!(
                "Bearer {}",
                answer[key].as_str().unwrap_or_default()
            ));
        }
    };
    let mut token = http
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.replace("{key}", SANDBOX_KEY));
    if basic {
        token = token.basic_auth("simfleet", Some(SANDBOX_KEY));
    }
    let body: Json = token
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    one(format!(
        "Bearer {}",
        body["access_token"].as_str().unwrap_or_default()
    ))
}

/// The JSON answer of a login at `path` with `body` (`{key}` stands for
/// the sandbox key).
async fn login(http: &reqwest::Client, base: &str, path: &str, body: &str) -> Json {
    http.post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.replace("{key}", SANDBOX_KEY))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login json")
}
