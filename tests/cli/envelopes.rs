//! Tolerant reading, against scripted servers speaking shapes the emulator
//! does not: every plausible envelope of a list or token answer is read
//! (the published one, the older or text's one), and an answer whose shape
//! is not understood is an error naming the provider, the URL and the key
//! it lacks, never an empty or shorter inventory. Shapes only one provider
//! speaks are tested in that provider's module (`tests/cli/<kind>.rs`).

use serde_json::json;
use simfleet::emulator::generated_iccid;
use simfleet::kind::{ProviderKind, Setting};

use crate::support::{each_kind, scripted};
use crate::workspace::{Workspace, providers, sims_of};

/// Provider `p` of `kind` at the scripted server `url` (token endpoint
/// `/token`, CMO tenant `t`), declaring `iccids` with no field managed.
pub fn at(kind: ProviderKind, url: &str, iccids: &[String]) -> Workspace {
    let mut ws = Workspace::new();
    let mut credentials = serde_json::Map::new();
    for key in kind.capabilities().credential_sets[0] {
        let var = format!("SIMFLEET_TEST_{}", key.to_ascii_uppercase());
        credentials.insert((*key).into(), json!({ "env": var }));
        ws = ws.env(&var, "secret-value-not-for-output");
    }
    let mut entry = json!({"type": kind.as_str(), "url": url, "credentials": credentials});
    for (setting, template) in crate::kinds::of(kind).scripted_settings {
        entry[*setting] = json!(template.replace("{url}", url));
    }
    ws.manifest("m/providers.yaml", &[providers(json!({ "p": entry }))]);
    ws.fleet("p", sims_of(iccids, |_| json!({})));
    ws
}

/// A token or login answer, or `None` for requests that are neither: a
/// request to `/token`, or to a kind's login route (its fixture's
/// `token_route`, relative to the URL). The answer holds what every kind's
/// login reads (an OAuth2 token, an API key and token pair).
pub fn token(line: &str) -> Option<(u16, String)> {
    let login = crate::kinds::FIXTURES
        .iter()
        .filter_map(|f| f.token_route)
        .any(|route| line.starts_with(&format!("{route} ")));
    (line.contains(" /token ") || login).then(|| {
        let body = json!({
            "access_token": "tok-123456789", "token_type": "Bearer", "expires_in": "300",
            "apiKey": "api-123456789", "token": "tok-123456789",
            "auth_token": "tok-123456789",
        });
        (200, body.to_string())
    })
}

#[test]
fn every_kind_names_provider_url_and_missing_key_for_a_list_it_does_not_understand() {
    each_kind(|f| {
        let (url, _) = scripted(|line| token(line).unwrap_or((200, r#"{"data":[]}"#.into())));
        let ws = at(f.kind, &url, &[generated_iccid("8900000000", 1)]);
        let plan = ws.on_manifests(&["plan"]);
        let key = f.no_list();
        let named = plan.stderr.contains("provider `p` at m/providers.yaml:")
            && plan.stderr.contains(&format!("GET {url}/"))
            && plan.stderr.contains(&key)
            && plan.stderr.contains("it has keys `data`");
        let leaked = plan.stderr.contains("secret-value");
        assert!(
            plan.code == 1 && named && !leaked,
            "exit {}: {}",
            plan.code,
            plan.stderr
        );
    });
}

#[test]
fn every_token_answer_without_a_token_is_an_error_naming_access_token() {
    each_kind(|f| {
        // Only kinds that ask a token endpoint meet a token answer (Super
        // SIM's sandbox credentials are Basic: its KORE tokens are proven
        // in its own tests).
        if !f.kind.capabilities().settings.contains(&Setting::TokenUrl) || f.token_route.is_none() {
            return;
        }
        let (url, _) = scripted(|_| (200, r#"{"token_type":"Bearer","expires_in":300}"#.into()));
        let ws = at(f.kind, &url, &[generated_iccid("8900000000", 1)]);
        let plan = ws.on_manifests(&["plan"]);
        let named = plan.stderr.contains(&format!("POST {url}/token"))
            && plan.stderr.contains("the answer has no `access_token`");
        assert!(
            plan.code == 1 && named,
            "exit {}: {}",
            plan.code,
            plan.stderr
        );
    });
}
