//! Onomondo end to end against the emulator process: bulk batching, per-SIM
//! failures, retries, and secrets kept out of output.

use serde_json::json;
use simfleet::emulator::generated_iccid;
use simfleet::kind::ProviderKind::Onomondo;

use crate::fixture::Fixture;

/// The data limit: a detail read per SIM, its alert sent only when set.
mod data_limit;
/// Pacing by several windows, on Onomondo's emulated API.
mod pacing;
use crate::support::scripted;
use crate::workspace::{Workspace, sims_of};

/// Onomondo's fixtures for the shared tests (`tests/cli/kinds.rs`).
pub const FIXTURE: Fixture = Fixture {
    kind: Onomondo,
    past_end: crate::fixture::PastEnd::Empty("/sims?limit=1000&next_page=ffffff"),
    list_key: "sims",
    list_path: "/sims",
    list_route: "GET /sims",
    token_route: None,
    auxiliary_routes: &["GET /tags", "GET /tags/search/tags"],
    auxiliary_reads: 0,
    follow_routes: &[],
    unknown_sim: "/sims/000000000",
    error_shape: |b| b["error"].is_string(),
    authorization: |_| crate::fixture::authorization(simfleet::kind::SANDBOX_KEY.to_owned()),
    never_called: &[],
    records: "sims",
    iccid: crate::fixture::iccid_key,
    restrictable: |s| s["activated"] == true,
    // Each kind's change is to a value that is neither the planned SIM's
    // before nor its after: a value the plan asks for would be its own
    // work, done.
    change_behind_the_plan: |sim| {
        sim["label"] = json!("changed-behind-the-plan");
        "name"
    },
    // Onomondo has no suspended state.
    restricted: "inactive",
    // 1,000 a page with a cursor.
    list_pages: |n| n.div_ceil(1000).max(1),
    // 20 SIMs a bulk call: 22 calls.
    thirty_writes: 600,
    five_hundred_changes: 500,
    three_hundred_requests: || (6000, json!({"name": "renamed"})),
    scripted_settings: &[],
};

/// `count` generated Onomondo SIMs and provider `iot` pointing at them.
fn world(count: usize, extra: &[&str]) -> Workspace {
    Workspace::generated(Onomondo, count, extra).provider(
        "iot",
        Onomondo,
        json!({"rate_limit": 200}),
    )
}

#[test]
fn forty_five_label_changes_are_three_bulk_calls() {
    let ws = world(45, &[]);
    let e = ws.emulator();
    ws.fleet(
        "iot",
        sims_of(
            &e.iccids(Onomondo),
            |i| json!({"name": format!("device-{i:02}")}),
        ),
    );

    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stdout("Plan: 45 SIMs to change, 45 changes");
    assert_eq!(e.count("onomondo", "PATCH /sims/bulk"), 3);
    assert_eq!(e.count("onomondo", "PATCH /sims/{sim_id}"), 0);
}

#[test]
fn a_failing_sim_does_not_stop_the_others_and_exits_3() {
    let ws = world(5, &[]);
    let iccids = ws.emulator().iccids(Onomondo);
    ws.fleet(
        "iot",
        sims_of(&iccids, |i| {
            let kind = if i == 2 { "yearly" } else { "monthly" };
            json!({"onomondo": {"data_limit": {"total": 1000, "type": kind}}})
        }),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 3, "{}\n{}", apply.stdout, apply.stderr);
    let failed = &iccids[2];
    apply.assert_stdout(format!(
        "failed: iot {failed} (configure): bulk update: invalid_data_limit"
    ));
    apply.assert_stdout(
        "Apply finished with failures: 4 applied, 1 failed, 0 unknown, 0 not attempted, 0 skipped.",
    );
}

#[test]
fn injected_503s_and_429s_are_retried() {
    for status in ["503", "429"] {
        let ws = world(30, &["--fail-every", "2", "--fail-status", status]);
        ws.fleet(
            "iot",
            sims_of(
                &ws.emulator().iccids(Onomondo),
                |i| json!({"name": format!("n{i}")}),
            ),
        );
        let apply = ws.on_manifests(&["apply", "--auto-approve"]);
        assert_eq!(
            apply.code, 0,
            "{status}: {}\n{}",
            apply.stdout, apply.stderr
        );
        let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.code, 0, "{status}: {}", plan.stdout);
    }
}

#[test]
fn a_wrong_key_fails_clearly_and_is_never_printed() {
    let ws = world(2, &[]);
    ws.fleet(
        "iot",
        sims_of(&ws.emulator().iccids(Onomondo), |_| json!({})),
    );
    // With the right key the JSON plan carries no secret.
    let ok = ws.on_manifests(&["plan", "--format", "json", "-vv"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    crate::schemas::assert_valid("plan", &ok.stdout);
    ws.assert_no_secret(&[&ok]);

    let ws = ws.env("SIMFLEET_TEST_TOKEN", "wrong-key-0f1e2d3c4b5a");
    for args in [
        &["plan"][..],
        &["apply", "--auto-approve"],
        &["plan", "--format", "json"],
    ] {
        let run = ws.on_manifests(args);
        assert_eq!(run.code, 1);
        run.assert_stderr("HTTP 401");
        ws.assert_no_secret(&[&run]);
    }
}

#[test]
fn tags_travel_as_the_full_id_list_in_the_update_never_per_tag() {
    let iccid = "89457387300000024185";
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "tags": [{"id": "t-1", "name": "pumps"}, {"id": "t-2", "name": "old"}],
        "sims": [{"id": "000000001", "iccid": iccid, "activated": true, "tags": ["old"]}],
    }});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({"rate_limit": 200}));
    let e = ws.emulator();
    ws.fleet("iot", json!([{"iccid": iccid, "tags": ["pumps"]}]));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(e.count("onomondo", "PUT /sims/{sim_id}/tags/{tag_id}"), 0);
    assert_eq!(
        e.count("onomondo", "DELETE /sims/{sim_id}/tags/{tag_id}"),
        0
    );
    let patch = e
        .requests()
        .into_iter()
        .find(|r| r["method"] == "PATCH")
        .expect("one PATCH");
    let body: serde_json::Value = serde_json::from_str(patch["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body["tags"],
        json!(["t-1"]),
        "the whole desired list, as ids"
    );
    assert_eq!(e.sim(Onomondo, iccid)["tags"], json!(["t-1"]));

    ws.fleet("iot", json!([{"iccid": iccid, "tags": ["nope"]}]));
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1);
    plan.assert_stdout("tags does not exist at the provider: nope");
}

#[test]
fn removing_a_tag_the_account_may_not_write_is_a_plan_error_and_nothing_is_sent() {
    let iccid = "89457387300000024185";
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "tags": [
            {"id": "t-1", "name": "pumps"},
            {"id": "t-9", "name": "Supplier", "can_write": false},
        ],
        "sims": [{"id": "000000001", "iccid": iccid, "activated": true, "tags": ["Supplier"]}],
    }});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({"rate_limit": 200}));
    let e = ws.emulator();
    ws.fleet("iot", json!([{"iccid": iccid, "tags": ["pumps"]}]));
    for command in [&["plan"][..], &["apply", "--auto-approve"]] {
        let run = ws.on_manifests(command);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let out = format!("{}{}", run.stdout, run.stderr);
        assert!(out.contains(iccid), "names the SIM: {out}");
        assert!(
            out.contains("tags Supplier cannot be removed: the provider marks it read-only"),
            "{out}"
        );
    }
    assert_eq!(e.count("onomondo", "PATCH /sims/{sim_id}"), 0);
    assert_eq!(e.count("onomondo", "PATCH /sims/bulk"), 0);

    // The emulator refuses it too, whichever way it is asked.
    let key = Some("simfleet-sandbox");
    let (status, body) = e.request(
        "PATCH",
        "/onomondo/sims/000000001",
        key,
        r#"{"tags":["t-1"]}"#,
    );
    assert_eq!(
        (status, body.contains("tag_not_writable")),
        (400, true),
        "{body}"
    );
    let (status, body) = e.request("DELETE", "/onomondo/sims/000000001/tags/t-9", key, "");
    assert_eq!(
        (status, body.contains("tag_not_writable")),
        (400, true),
        "{body}"
    );
    assert_eq!(e.sim(Onomondo, iccid)["tags"], json!(["t-9"]));

    // Kept in the manifest, the read-only tag stays and the other is added.
    ws.fleet(
        "iot",
        json!([{"iccid": iccid, "tags": ["Supplier", "pumps"]}]),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let mut tags: Vec<String> =
        serde_json::from_value(e.sim(Onomondo, iccid)["tags"].clone()).unwrap();
    tags.sort();
    assert_eq!(tags, ["t-1", "t-9"]);
}

#[test]
fn forty_sims_changing_names_and_tags_are_two_bulk_calls_with_one_object_each() {
    let iccids: Vec<String> = (0..40)
        .map(|n| simfleet::emulator::generated_iccid("8945738730", n))
        .collect();
    let sims: Vec<_> = iccids
        .iter()
        .enumerate()
        .map(|(n, iccid)| json!({"id": format!("{n:09}"), "iccid": iccid, "tags": ["old"]}))
        .collect();
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "tags": [{"id": "t-1", "name": "pumps"}, {"id": "t-2", "name": "old"}],
        "sims": sims,
    }});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({"rate_limit": 200}));
    ws.fleet(
        "iot",
        crate::workspace::sims_of(
            &iccids,
            |i| json!({"name": format!("n-{i}"), "tags": ["pumps"]}),
        ),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let e = ws.emulator();
    assert_eq!(e.count("onomondo", "PATCH /sims/bulk"), 2);
    let writes: Vec<_> = e
        .requests()
        .into_iter()
        .filter(|r| r["method"] != "GET")
        .collect();
    assert_eq!(writes.len(), 2, "only the two bulk calls write");
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

/// An account with `tags` tags (`tag-N`, id `t-N`) and one SIM carrying
/// `tag-0`; provider `iot` at it.
fn tagged(tags: usize, extra: &[&str]) -> (Workspace, String) {
    let iccid = "89457387300000024185".to_owned();
    let list: Vec<_> = (0..tags)
        .map(|n| json!({"id": format!("t-{n}"), "name": format!("tag-{n}")}))
        .collect();
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "tags": list,
        "sims": [{"id": "000000001", "iccid": iccid, "activated": true, "tags": ["t-0"]}],
    }});
    let ws = Workspace::seeded(&seed, extra).provider("iot", Onomondo, json!({"rate_limit": 200}));
    (ws, iccid)
}

#[test]
fn tags_the_sims_carry_need_no_tag_list() {
    let (ws, iccid) = tagged(3, &[]);
    ws.fleet("iot", json!([{"iccid": iccid, "tags": ["tag-0"]}]));
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let e = ws.emulator();
    assert_eq!(e.count("onomondo", "GET /tags/search/tags"), 0);
    assert_eq!(e.count("onomondo", "GET /tags"), 0);
}

#[test]
fn a_tag_on_no_sim_is_found_on_the_last_page_of_the_tag_search_while_tags_answers_404() {
    // 150 tags: the search answers at most 100 a page, so the tag needed
    // is on its second page; the text's `GET /tags` answers 404.
    let (ws, iccid) = tagged(150, &["--not-found", "/onomondo/tags"]);
    ws.fleet(
        "iot",
        json!([{"iccid": iccid, "tags": ["tag-0", "tag-149"]}]),
    );
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("(+tag-149)");
    let e = ws.emulator();
    assert_eq!(e.count("onomondo", "GET /tags/search/tags"), 2);
    assert_eq!(e.count("onomondo", "GET /tags"), 0);
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(e.sim(Onomondo, &iccid)["tags"], json!(["t-0", "t-149"]));
}

#[test]
fn without_the_search_path_the_tag_list_is_read_from_tags() {
    let (ws, iccid) = tagged(3, &["--not-found", "/onomondo/tags/search/tags"]);
    ws.fleet("iot", json!([{"iccid": iccid, "tags": ["tag-2"]}]));
    let apply = ws.on_manifests(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let e = ws.emulator();
    assert_eq!(e.count("onomondo", "GET /tags"), 1);
    assert_eq!(e.sim(Onomondo, &iccid)["tags"], json!(["t-2"]));
}

#[test]
fn forty_five_sims_enabled_configured_and_restricted_are_four_bulk_calls_one_object_each() {
    // 24 SIMs enabled and renamed, 18 renamed, 3 renamed and deactivated:
    // a SIM's rename travels in the object of its status change.
    let iccids: Vec<String> = (0..45)
        .map(|n| simfleet::emulator::generated_iccid("8945738730", n))
        .collect();
    let sims: Vec<_> = iccids
        .iter()
        .enumerate()
        .map(|(n, iccid)| json!({"id": format!("{n:09}"), "iccid": iccid, "activated": n >= 24}))
        .collect();
    let seed = json!({"onomondo": {"api_key": "simfleet-sandbox", "sims": sims}});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({"rate_limit": 200}));
    ws.fleet(
        "iot",
        sims_of(&iccids, |n| {
            let status = match n {
                0..24 => "active",
                24..42 => return json!({"name": format!("n-{n}")}),
                _ => "inactive",
            };
            json!({"name": format!("n-{n}"), "status": status})
        }),
    );
    let apply = ws.on_manifests(&["apply", "--auto-approve", "--force"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let e = ws.emulator();
    assert_eq!(e.count("onomondo", "PATCH /sims/bulk"), 4);
    assert_eq!(e.count("onomondo", "PATCH /sims/{sim_id}"), 0);
    let mut objects = Vec::new();
    for r in e.requests().into_iter().filter(|r| r["method"] == "PATCH") {
        let body: serde_json::Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        for sim in body["sims"].as_array().unwrap() {
            assert!(
                sim.get("label").is_some(),
                "the rename travels along: {sim}"
            );
            objects.push(sim["id"].as_str().unwrap().to_owned());
        }
    }
    objects.sort();
    objects.dedup();
    assert_eq!(objects.len(), 45, "one object per SIM");
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn a_saved_plan_applied_in_part_elsewhere_applies_the_rest() {
    let ws = Workspace::example(Onomondo, &[]);
    let plan = ws.on_manifests(&["plan", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    // The first planned SIM deactivated behind simfleet's back, as the
    // plan asks: its status is done, its name and tags are not.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("plan.json")).unwrap())
            .unwrap();
    let sim = &saved["plan"]["providers"][0]["sims"][0];
    let iccid = sim["iccid"].as_str().unwrap();
    let status = sim["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "status")
        .expect("the example's first SIM changes status");
    assert_eq!(status["after"], "inactive");
    let e = ws.emulator();
    let mut state = e.get("/_emulator/state");
    for record in state["onomondo"]["sims"].as_array_mut().unwrap() {
        if record["iccid"] == iccid {
            record["activated"] = json!(false);
        }
    }
    let put = e.send(
        "PUT",
        "/_emulator/state",
        None,
        "application/json",
        &state.to_string(),
    );
    assert_eq!(put.status, 204, "{}", put.body);

    let apply = ws.run(&["apply", "--auto-approve", "plan.json", "m"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    apply.assert_stderr("1 planned SIM(s) already hold what plan.json asks for");
    let after = ws.on_manifests(&["plan"]);
    after.assert_stdout("No changes.");
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
    let ws = crate::envelopes::at(Onomondo, &url, &[]);
    ws.fleet("p", json!([{"iccid": iccid, "tags": ["pumps"]}]));
    let plan = ws.on_manifests(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("(+pumps)");
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.iter().any(|l| l.contains("GET /tags ")), "{seen:#?}");
}

#[test]
fn a_cursor_that_comes_back_is_an_error_not_a_loop() {
    let url = crate::limits::rogue(|head, stream| {
        // a -> b -> a -> ...
        let next = if head.contains("next_page=a") {
            "b"
        } else {
            "a"
        };
        crate::limits::json_reply(
            stream,
            &format!(r#"{{"sims":[],"pagination":{{"has_more":true,"next_page":"{next}"}}}}"#),
        );
    });
    let ws = crate::limits::at(Onomondo, &url, json!({}));
    let plan = ws.on_manifests(&["plan"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    plan.assert_stderr("the cursor \"a\" came back a second time");
}

/// 560 active Onomondo SIMs: the first 500 tagged `eu`, the next 50
/// labelled `old-N`; tags `eu` and `us` exist.
fn fleet_of_560() -> (Workspace, Vec<String>) {
    let ws = Workspace::generated(Onomondo, 560, &[]).provider(
        "iot",
        Onomondo,
        json!({"rate_limit": 200}),
    );
    let e = ws.emulator();
    let mut state = e.get("/_emulator/state");
    state["onomondo"]["tags"] = json!([{"id": "t-eu", "name": "eu"}, {"id": "t-us", "name": "us"}]);
    for (n, sim) in state["onomondo"]["sims"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        sim["activated"] = json!(true);
        if n < 500 {
            sim["tags"] = json!(["t-eu"]);
        } else if n < 550 {
            sim["label"] = json!(format!("old-{n}"));
        }
    }
    let put = e.send(
        "PUT",
        "/_emulator/state",
        None,
        "application/json",
        &state.to_string(),
    );
    assert_eq!(put.status, 204, "{}", put.body);
    let iccids = e.iccids(Onomondo);
    (ws, iccids)
}

#[test]
fn a_plan_of_560_changes_reads_as_totals_and_three_groups() {
    let (ws, iccids) = fleet_of_560();
    // 500 identical retags, 50 renames, 10 deactivations.
    ws.fleet(
        "iot",
        sims_of(&iccids, |n| match n {
            0..500 => json!({"tags": ["us"]}),
            500..550 => json!({"name": format!("new-{n}")}),
            _ => json!({"status": "inactive"}),
        }),
    );
    let text = ws.on_manifests(&["plan"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let lines = text.stdout.lines().count();
    assert!(lines < 60, "{lines} lines:\n{}", text.stdout);
    let first: Vec<&str> = text.stdout.lines().take(3).collect();
    assert!(
        first[0].starts_with("provider iot (onomondo): 560 managed, 560 SIMs to change, 560 changes (0 enable, 550 configure, 10 restrict)"),
        "{}",
        text.stdout
    );
    assert_eq!(first[2], "Safety: no refusals.", "{}", text.stdout);
    text.assert_stdout("tags +us -eu  [configure]  500 SIMs, e.g. ");
    text.assert_stdout("name each its own value  [configure]  50 SIMs, e.g. ");
    text.assert_stdout("status active -> inactive  [restrict]  10 SIMs, e.g. ");
    // --expand lists every SIM; --summary and -q only totals and groups.
    let expanded = ws.on_manifests(&["plan", "--expand"]);
    assert_eq!(expanded.stdout.matches("\n  ~ ").count(), 560);
    for quiet in [&["plan", "--summary"][..], &["-q", "plan"]] {
        let run = ws.on_manifests(quiet);
        assert!(run.stdout.lines().count() < 15, "{quiet:?}: {}", run.stdout);
        run.assert_stdout("500 SIMs, e.g.");
    }

    let markdown = ws.on_manifests(&["plan", "--format", "markdown"]);
    let md = &markdown.stdout;
    assert!(
        md.chars().count() < 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(!md.contains("not shown"), "nothing is cut");
    let (plan_at, safety_at, table_at) = (
        md.find("**Plan:** 560 SIMs to change, 560 changes")
            .unwrap(),
        md.find("**Safety:** no refusals.").unwrap(),
        md.find("| iot | onomondo | 560 | 560 | 0 | 550 | 10 |")
            .unwrap(),
    );
    assert!(
        plan_at < safety_at && safety_at < table_at && table_at < md.find("#### Changes").unwrap()
    );
    assert!(
        md.contains("| iot | tags | +us −eu | Configure | 500 |"),
        "{md}"
    );
    // The 50 renames are each their own: shown SIM by SIM; the rest is
    // said by its group.
    assert_eq!(md.matches("<details>").count(), 50);

    let json: serde_json::Value =
        serde_json::from_str(&ws.on_manifests(&["plan", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["totals"]["all"]["changes"], 560);
    assert_eq!(json["totals"]["providers"]["iot"]["restrict"], 10);
    crate::schemas::assert_valid("plan", &json.to_string());
}

#[test]
fn a_misspelt_tag_in_a_fleets_defaults_is_one_error_at_the_defaults() {
    let (ws, iccids) = fleet_of_560();
    let mut doc = crate::workspace::fleet("f", "iot", sims_of(&iccids[..500], |_| json!({})));
    doc["defaults"] = json!({"tags": ["uss"]});
    ws.manifest("m/fleet.yaml", &[doc]);
    for format in ["text", "markdown"] {
        let plan = ws.on_manifests(&["plan", "--format", format]);
        assert_eq!(plan.code, 1, "{}", plan.stderr);
        let errors: Vec<&str> = plan.stdout.lines().filter(|l| l.contains("uss")).collect();
        assert_eq!(errors.len(), 1, "{format}: {}", plan.stdout);
        assert!(
            errors[0].contains("m/fleet.yaml:"),
            "{format}: {}",
            errors[0]
        );
        assert!(errors[0].contains("500 SIMs"), "{format}: {}", errors[0]);
    }
}

#[test]
fn group_by_tag_writes_one_fleet_per_tag_that_plans_no_changes() {
    let iccid = |n| generated_iccid("8945738730", n);
    let sim = |n: usize, tags: &[&str], activated: bool| json!({"id": format!("{n:09}"), "iccid": iccid(n), "activated": activated, "tags": tags});
    let seed = json!({"onomondo": {
        "api_key": "simfleet-sandbox",
        "tags": [{"id": "t-1", "name": "pumps"}, {"id": "t-2", "name": "Site A"},
                 {"id": "t-3", "name": "spare"}],
        "sims": [
            sim(1, &["pumps"], true), sim(2, &["pumps", "Site A"], true),
            sim(3, &["pumps"], false), sim(4, &["Site A", "spare"], true),
            sim(5, &[], true), sim(6, &["spare"], false),
        ],
    }});
    let ws = Workspace::seeded(&seed, &[]).provider("iot", Onomondo, json!({}));
    let export = ws.on_manifests(&["export", "--provider", "iot", "--group-by", "tag"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let files = crate::export::files_in(&ws, "exported");
    let site = files.iter().find(|f| f.starts_with("iot.tag-site-a-"));
    let site = site.unwrap_or_else(|| panic!("no file for `Site A` in {files:?}"));
    let site = site.clone();
    assert_eq!(
        files,
        [
            "iot.no-tag.001.yaml",
            "iot.providers.yaml",
            "iot.tag-pumps.001.yaml",
            &site,
            "iot.tag-spare.001.yaml",
        ]
    );
    // SIM 2 carries pumps (3 SIMs) and Site A (2): it joins pumps, whose
    // file states the shared tag once.
    let pumps = crate::export::read(&ws, "exported/iot.tag-pumps.001.yaml");
    assert!(
        pumps.contains(&iccid(2)) && !pumps.contains(&iccid(4)),
        "{pumps}"
    );
    assert!(
        pumps.contains("defaults:\n  status: active\n  tags: [\"pumps\"]\n"),
        "{pumps}"
    );
    assert!(pumps.contains("\n    tags: [\"Site A\"]\n"), "{pumps}");
    let plan = ws.run(&["plan", "--detailed-exitcode", "exported"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    plan.assert_stdout("No changes.");
}

#[test]
fn all_fields_writes_unset_onomondo_settings_too() {
    let ws = Workspace::generated(Onomondo, 4, &[]).provider("iot", Onomondo, json!({}));
    let export = ws.on_manifests(&["export", "--provider", "iot", "--all-fields", "--out", "o"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let text = crate::export::read(&ws, "o/iot.001.yaml");
    assert!(text.contains("    imei_lock: null\n"), "{text}");
}
