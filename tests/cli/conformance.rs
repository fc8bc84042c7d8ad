//! The conformance suite: every provider kind, from `ProviderKind::ALL`,
//! must pass the same checks on its bundled example (`examples/<kind>`,
//! served by its sandbox) and its emulator must honour the same contract.
//! A kind without an example, a sandbox seed or an emulated API fails here.

use serde_json::Value;
use simfleet::kind::ProviderKind;

use crate::support::Emulator;
use crate::workspace::Workspace;

fn example(kind: ProviderKind) -> String {
    format!("examples/{kind}")
}

#[test]
fn every_kind_plans_applies_and_converges_on_its_example() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::new().with_examples();
        let dir = example(kind);
        let validate = ws.run(&["validate", &dir]);
        assert_eq!(validate.code, 0, "{kind}: {}", validate.stderr);

        let plan = ws.run(&["plan", "--detailed-exitcode", &dir]);
        assert_eq!(plan.code, 2, "{kind}: {}\n{}", plan.stdout, plan.stderr);
        insta::assert_snapshot!(format!("{kind}_plan_text"), plan.stdout);
        let json = ws.run(&["plan", "--format", "json", &dir]);
        assert_eq!(json.code, 0, "{kind}: {}", json.stderr);
        insta::assert_snapshot!(format!("{kind}_plan_json"), json.stdout);

        let apply = ws.run(&["apply", "--auto-approve", &dir]);
        assert_eq!(apply.code, 0, "{kind}: {}\n{}", apply.stdout, apply.stderr);
        // Read-back reports nothing: no SIM is left different.
        assert!(
            !apply.stdout.contains("not converged") && !apply.stdout.contains("read-back failed"),
            "{kind}: {}",
            apply.stdout
        );
        assert!(
            apply.stdout.contains(", 0 failed, 0 skipped."),
            "{kind}: {}",
            apply.stdout
        );

        // In-flight states (Eseye provisioning, CMO monitors) settle within seconds.
        let mut again = ws.run(&["plan", "--detailed-exitcode", &dir]);
        for _ in 0..10 {
            if again.code == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
            again = ws.run(&["plan", "--detailed-exitcode", &dir]);
        }
        assert_eq!(again.code, 0, "{kind}: {}", again.stdout);
        assert!(
            again.stdout.contains("No changes."),
            "{kind}: {}",
            again.stdout
        );
    }
}

/// How a test authenticates at each emulated API, and where its list and
/// SIM resources are. This table is the tests' knowledge of the wire, kept
/// apart from the clients'.
struct Wire {
    /// A list request for a page past the end.
    past_last_page: &'static str,
    /// The list's item key.
    items: &'static str,
    /// A SIM resource that does not exist.
    unknown_sim: &'static str,
    /// Whether `body` is the provider's error shape.
    error_shape: fn(&Value) -> bool,
}

fn wire(kind: ProviderKind) -> Wire {
    match kind {
        ProviderKind::Onomondo => Wire {
            past_last_page: "/sims?limit=1000&next_page=ffffff",
            items: "sims",
            unknown_sim: "/sims/000000000",
            error_shape: |b| b["error"].is_string(),
        },
        ProviderKind::Infobip => Wire {
            past_last_page: "/iot/2/sims?page=999&limit=100",
            items: "sims",
            unknown_sim: "/iot/2/sims/89000000000000000000",
            error_shape: |b| b["requestError"]["serviceException"]["messageId"].is_string(),
        },
        ProviderKind::Eseye => Wire {
            past_last_page: "/api/v2/sim?page=999&pageSize=100",
            items: "sims",
            unknown_sim: "/api/v2/sim/89000000000000000000",
            error_shape: |b| b["status"] == "ERR" && b["errorCode"].is_string(),
        },
        ProviderKind::TelekomCmo => Wire {
            past_last_page: "/sandbox/product?pageNumber=999&pageSize=100",
            items: "entities",
            unknown_sim: "/sandbox/product/BACKEND-89000000000000000000",
            error_shape: |b| b["title"].is_string() && b["status"].is_number(),
        },
    }
}

/// A valid `Authorization` value for the sandbox account of `kind`.
fn authorization(e: &Emulator, kind: ProviderKind) -> String {
    let key = simfleet::kind::SANDBOX_KEY;
    match kind {
        ProviderKind::Onomondo => key.to_owned(),
        ProviderKind::Infobip => format!("App {key}"),
        ProviderKind::Eseye => {
            use base64::Engine as _;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!("simfleet:{key}"));
            e.bearer(
                "/eseye/oauth/token",
                Some(&format!("Basic {basic}")),
                "grant_type=client_credentials",
            )
        }
        ProviderKind::TelekomCmo => {
            let form = format!(
                "grant_type=client_credentials&client_id=simfleet&client_secret={key}&scope=openid"
            );
            e.bearer("/telekom-cmo/token", None, &form)
        }
    }
}

#[test]
fn every_emulator_honours_the_common_contract() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::sandbox(kind, &[]);
        let e = ws.emulator();
        let w = wire(kind);
        let at = |path: &str| format!("/{}{path}", kind.mount());

        let (status, body) = e.request("GET", &at(w.past_last_page), None, "");
        assert_eq!(status, 401, "{kind}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!((w.error_shape)(&body), "{kind}: 401 body {body}");

        let auth = authorization(e, kind);
        let (status, body) = e.request("GET", &at(w.past_last_page), Some(&auth), "");
        assert_eq!(status, 200, "{kind}: {body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            page[w.items],
            Value::Array(vec![]),
            "{kind}: past the last page"
        );

        let (status, body) = e.request("GET", &at(w.unknown_sim), Some(&auth), "");
        assert_eq!(status, 404, "{kind}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!((w.error_shape)(&body), "{kind}: 404 body {body}");
    }
}

#[test]
fn every_emulator_answers_429_with_retry_after_when_the_budget_is_spent() {
    for kind in ProviderKind::ALL {
        let ws = Workspace::new().with_emulator(None, &["--rate-limit", "3"]);
        let e = ws.emulator();
        let path = format!("/{}{}", kind.mount(), wire(kind).past_last_page);
        for _ in 0..3 {
            e.request("GET", &path, None, "");
        }
        let answer = e.send("GET", &path, None, "application/json", "");
        assert_eq!(answer.status, 429, "{kind}: {}", answer.body);
        assert!(
            answer.head.to_ascii_lowercase().contains("retry-after:"),
            "{kind}: {}",
            answer.head
        );
        let body = answer.json();
        assert!((wire(kind).error_shape)(&body), "{kind}: 429 body {body}");
    }
}
