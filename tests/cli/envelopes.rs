//! Tolerant reading, against scripted servers speaking shapes the emulator
//! does not: every plausible envelope of a list or token answer is read
//! (the published one, the older or text's one), and an answer whose shape
//! is not understood is an error naming the provider, the URL and the key
//! it lacks, never an empty or shorter inventory.

use serde_json::{Value, json};
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind::{self, Eseye, Infobip, Onomondo, TelekomCmo};

use crate::support::scripted;
use crate::workspace::{Workspace, providers, sims_of};

/// Provider `p` of `kind` at the scripted server `url` (token endpoint
/// `/token`, CMO tenant `t`), declaring `iccids` with no field managed.
fn at(kind: ProviderKind, url: &str, iccids: &[String]) -> Workspace {
    let mut ws = Workspace::new();
    let mut credentials = serde_json::Map::new();
    for key in kind.capabilities().credential_sets[0] {
        let var = format!("SIMFLEET_TEST_{}", key.to_ascii_uppercase());
        credentials.insert((*key).into(), json!({ "env": var }));
        ws = ws.env(&var, "secret-value-not-for-output");
    }
    let mut entry = json!({"type": kind.as_str(), "url": url, "credentials": credentials});
    let settings = match kind {
        Onomondo | Infobip => json!({}),
        Eseye => json!({"token_url": format!("{url}/token")}),
        TelekomCmo => json!({"token_url": format!("{url}/token"), "tenant": "t"}),
    };
    if let (Some(e), Some(s)) = (entry.as_object_mut(), settings.as_object()) {
        e.extend(s.clone());
    }
    ws.manifest("m/providers.yaml", &[providers(json!({ "p": entry }))]);
    ws.fleet("p", sims_of(iccids, |_| json!({})));
    ws
}

/// A token answer, or `None` for requests that are not token requests.
fn token(line: &str) -> Option<(u16, String)> {
    line.contains(" /token ").then(|| {
        let body =
            json!({"access_token": "tok-123456789", "token_type": "Bearer", "expires_in": "300"});
        (200, body.to_string())
    })
}

/// The list key each kind's SIM list must carry.
fn list_key(kind: ProviderKind) -> &'static str {
    match kind {
        Onomondo | Infobip | Eseye => "sims",
        TelekomCmo => "entities",
    }
}

#[test]
fn every_kind_names_provider_url_and_missing_key_for_a_list_it_does_not_understand() {
    let mut failures = Vec::new();
    for kind in ProviderKind::ALL {
        let (url, _) = scripted(|line| token(line).unwrap_or((200, r#"{"data":[]}"#.into())));
        let ws = at(kind, &url, &[generated_iccid("8900000000", 1)]);
        let plan = ws.on_manifests(&["plan"]);
        let key = format!("the answer has no `{}`", list_key(kind));
        let named = plan.stderr.contains("provider `p` at m/providers.yaml:")
            && plan.stderr.contains(&format!("GET {url}/"))
            && plan.stderr.contains(&key)
            && plan.stderr.contains("it has keys `data`");
        if plan.code != 1 || !named || plan.stderr.contains("secret-value") {
            failures.push(format!("{kind}: exit {}: {}", plan.code, plan.stderr));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_token_answer_without_a_token_is_an_error_naming_access_token() {
    let mut failures = Vec::new();
    for kind in ProviderKind::ALL
        .into_iter()
        .filter(|k| matches!(k, Eseye | TelekomCmo))
    {
        let (url, _) = scripted(|_| (200, r#"{"token_type":"Bearer","expires_in":300}"#.into()));
        let ws = at(kind, &url, &[generated_iccid("8900000000", 1)]);
        let plan = ws.on_manifests(&["plan"]);
        let named = plan.stderr.contains(&format!("POST {url}/token"))
            && plan.stderr.contains("the answer has no `access_token`");
        if plan.code != 1 || !named {
            failures.push(format!("{kind}: exit {}: {}", plan.code, plan.stderr));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// `n` Eseye SIMs as the older numbered form would list them, the ICCID
/// under `iccId` as the published overview spells it.
fn eseye_sims(from: usize, n: usize) -> Vec<Value> {
    (from..from + n)
        .map(|i| {
            json!({"iccId": generated_iccid("8944538523", i), "status": "active",
                        "customerSuspend": "no", "adminSuspend": "no", "systemSuspend": "no",
                        "packageId": "pkg", "portfolioId": "pf"})
        })
        .collect()
}

#[test]
fn eseye_reads_the_older_numbered_pages_with_a_total() {
    let (url, seen) = scripted(|line| {
        token(line).unwrap_or_else(|| {
            let page = if line.contains("page=2") {
                json!({"sims": eseye_sims(100, 50), "page": 2, "total": 150})
            } else {
                json!({"sims": eseye_sims(0, 100), "page": 1, "total": 150})
            };
            (200, page.to_string())
        })
    });
    let iccids: Vec<String> = (0..150).map(|i| generated_iccid("8944538523", i)).collect();
    let ws = at(Eseye, &url, &iccids);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|l| l.contains("page=2&pageSize=100")),
        "{seen:#?}"
    );
}

#[test]
fn an_eseye_record_without_its_iccid_is_an_error_naming_provider_url_and_key_never_a_dropped_sim() {
    let (url, _) = scripted(|line| {
        token(line).unwrap_or_else(|| {
            let mut sims = eseye_sims(0, 3);
            // The second SIM's ICCID is under a key no spelling of it has.
            let second = sims[1].as_object_mut().expect("a SIM object");
            let lost = second.remove("iccId").expect("an iccId");
            second.insert("ICCID".into(), lost);
            (200, json!({ "sims": sims }).to_string())
        })
    });
    let iccids: Vec<String> = (0..3).map(|i| generated_iccid("8944538523", i)).collect();
    let ws = at(Eseye, &url, &iccids);
    for command in [&["plan"][..], &["export", "--provider", "p", "--out", "-"]] {
        let run = ws.on_manifests(command);
        assert_eq!(run.code, 1, "{command:?}: {}\n{}", run.stdout, run.stderr);
        run.assert_stderr("provider `p` at m/providers.yaml:");
        run.assert_stderr(format!(
            "GET {url}/api/v2/sim?pageSize=100: `sims[1]` has no `iccid` nor `iccId` (the SIM's \
             ICCID); it has keys `ICCID`, `adminSuspend`"
        ));
        assert!(!run.stdout.contains("missing"), "{}", run.stdout);
    }
}

#[test]
fn cmo_reads_all_pages_a_total_count_gives() {
    let product = |i: usize| {
        json!({"id": format!("JASPER-{}", generated_iccid("8949020000", i)),
               "connectivityType": "CELLULAR", "status": "ACTIVE"})
    };
    let (url, seen) = scripted(move |line| {
        token(line).unwrap_or_else(|| {
            let range = if line.contains("pageNumber=2") {
                100..150
            } else {
                0..100
            };
            let page = json!({"entities": range.map(product).collect::<Vec<_>>(),
                              "statistics": {"currentPage": 1, "pageSize": 100, "totalCount": 150}});
            (200, page.to_string())
        })
    });
    let iccids: Vec<String> = (0..150).map(|i| generated_iccid("8949020000", i)).collect();
    let ws = at(TelekomCmo, &url, &iccids);
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let lists = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/t/product?"))
        .count();
    assert_eq!(lists, 2, "the total gives two pages");
}

#[test]
fn a_cmo_202_without_a_monitor_link_is_followed_on_the_sim_and_never_sent_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let iccid = generated_iccid("8949020000", 1);
    let id = format!("JASPER-{iccid}");
    let product =
        move |status: &str| json!({"id": id, "connectivityType": "CELLULAR", "status": status});
    let finds = Arc::new(AtomicUsize::new(0));
    let counted = finds.clone();
    let (url, seen) = scripted(move |line| {
        token(line).unwrap_or_else(|| {
            if line.starts_with("PATCH ") {
                // Taken, but nothing says where to follow it.
                return (202, "{}".into());
            }
            if line.contains("/t/product/find") {
                // The SIM moves on its third re-read.
                let n = counted.fetch_add(1, Ordering::SeqCst);
                let status = if n < 2 { "PENDING_ACTIVE" } else { "ACTIVE" };
                return (200, json!({"entities": [product(status)]}).to_string());
            }
            let page = json!({"entities": [product("INACTIVE")],
                              "statistics": {"currentPage": 1, "pageSize": 100}});
            (200, page.to_string())
        })
    });
    let ws = at(TelekomCmo, &url, &[]);
    ws.fleet("p", json!([{"iccid": iccid, "status": "active"}]));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout(format!(
        "done: p {iccid} (enable): completed: the SIM showed it after 3 re-reads"
    ));
    let seen = seen.lock().unwrap().clone();
    let patches = seen.iter().filter(|l| l.starts_with("PATCH ")).count();
    assert_eq!(patches, 1, "{seen:#?}");
    // Three re-reads while following, then the read-back.
    assert_eq!(finds.load(Ordering::SeqCst), 4, "{seen:#?}");
}

#[test]
fn onomondo_reads_a_bare_tag_list_from_the_search_path() {
    let iccid = generated_iccid("8945738730", 1);
    let sim = json!({"id": "000000001", "iccid": iccid, "activated": true, "tags": []});
    let (url, seen) = scripted(move |line| {
        let body = if line.contains("/tags/search/tags") {
            // As an API collection of it shows: a bare array.
            json!([{"id": "t-1", "name": "pumps", "can_write": true}])
        } else {
            json!({"sims": [sim], "pagination": {"has_more": false, "next_page": null}})
        };
        (200, body.to_string())
    });
    let ws = at(Onomondo, &url, &[]);
    ws.fleet("p", json!([{"iccid": iccid, "tags": ["pumps"]}]));
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("(+pumps)");
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.iter().any(|l| l.contains("GET /tags ")), "{seen:#?}");
}
